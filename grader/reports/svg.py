"""Small plotting helpers that return inline SVG strings (no plotting library).

Every chart is one complete ``<svg>`` element with an explicit ``width``, ``height`` and
``viewBox``, ``role="img"`` and a ``<title>``. Every piece of text in it is escaped here, so a page
may embed the string as it is (``|safe``). Non-finite values are skipped and counted in a note under
the chart, as are values outside the view. The output is deterministic: the same input gives the
same string (no random ids, no clock, fixed number formatting).
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
from markupsafe import escape

from grader.wording import plural

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK, MUTED, GRID, AXIS = "#1f2937", "#4b5563", "#e5e7eb", "#6b7280"
CONTOUR = "#b8c4d6"
ALERT = "#b91c1c"
# (colour, dash pattern): readable without colour too, since every series has its own dash.
PALETTE = [("#1d4ed8", ""), ("#374151", "6 4"), ("#b45309", "2 3"), ("#047857", "9 3 2 3"),
           ("#7c3aed", "4 2"), ("#be185d", "1 2")]
REFERENCE_STYLE = ("#374151", "6 4")

Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in data units
Point = tuple[float, float]


# Formatting -------------------------------------------------------------------------------------


def fmt(value: float, digits: int = 4) -> str:
    """A number in at most ``digits`` significant digits, without trailing zeros (``1.5e-07``)."""
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    a = abs(v)
    if 1e-4 <= a < 1e6:
        text = np.format_float_positional(v, precision=digits, unique=True, fractional=False, trim="-")
        return text
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def _c(v: float) -> str:
    """A pixel coordinate: one decimal, no trailing zeros."""
    text = f"{v:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _e(text: object) -> str:
    """Escaped text for SVG content or a quoted attribute."""
    return str(escape(str(text)))


def _text_width(text: str, size: float = 12) -> float:
    """A rough width in pixels of ``text`` in a sans-serif font (no font metrics here)."""
    return 0.58 * size * len(text)


def _truncate(text: str, max_px: float, size: float = 12) -> str:
    limit = max(int(max_px / (0.58 * size)), 4)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Axes -------------------------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo or not math.isfinite(hi - lo):
        return [lo] if hi == lo else [lo, hi]
    raw = (hi - lo) / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [_clean(k * step) for k in range(first, last + 1)]


def _clean(v: float) -> float:
    """Remove floating-point noise from a tick value (0.30000000000000004 -> 0.3)."""
    return 0.0 if v == 0 else float(f"{v:.12g}")


def _nice_range(lo: float, hi: float, target: int = 5) -> tuple[float, float, list[float]]:
    """``[lo, hi]`` widened to round ticks at both ends."""
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    ticks = nice_ticks(lo, hi, target)
    if len(ticks) >= 2:
        step = ticks[1] - ticks[0]
        if ticks[0] > lo + 1e-12 * abs(step):
            ticks.insert(0, _clean(ticks[0] - step))
        if ticks[-1] < hi - 1e-12 * abs(step):
            ticks.append(_clean(ticks[-1] + step))
        return ticks[0], ticks[-1], ticks
    return lo, hi, ticks


class _Frame:
    """Maps data coordinates to pixels inside a plot area."""

    def __init__(self, box: Box, left: float, top: float, width: float, height: float) -> None:
        self.box, self.left, self.top, self.width, self.height = box, left, top, width, height

    def px(self, x: float) -> float:
        x0, x1 = self.box[0], self.box[1]
        return self.left + (x - x0) / (x1 - x0) * self.width

    def py(self, y: float) -> float:
        y0, y1 = self.box[2], self.box[3]
        return self.top + self.height - (y - y0) / (y1 - y0) * self.height

    def point(self, p: Point) -> str:
        return f"{_c(self.px(p[0]))},{_c(self.py(p[1]))}"


# Geometry ---------------------------------------------------------------------------------------


def _inside(p: Sequence[float], box: Box) -> bool:
    return box[0] <= p[0] <= box[1] and box[2] <= p[1] <= box[3]


def clip_segment(a: Point, b: Point, box: Box) -> tuple[Point, Point] | None:
    """The part of segment ``a``-``b`` inside ``box`` (Liang-Barsky), or None.

    An end that lies inside is returned unchanged (the same floats), so clipped pieces of a polyline
    can be joined by comparing ends exactly.
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    if not (math.isfinite(dx) and math.isfinite(dy)):
        return None
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - box[0]), (dx, box[1] - a[0]), (-dy, a[1] - box[2]), (dy, box[3] - a[1])):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    start = a if t0 == 0 else (a[0] + t0 * dx, a[1] + t0 * dy)
    end = b if t1 == 1 else (a[0] + t1 * dx, a[1] + t1 * dy)
    return start, end


def visible_pieces(points: Iterable[Sequence[float]], box: Box) -> list[list[Point]]:
    """The polylines through ``points`` that are visible in ``box``.

    Non-finite points break the line; segments are clipped at the box's edges. Isolated finite
    points inside the box (between two gaps) become one-point pieces.
    """
    pts = [(float(p[0]), float(p[1])) for p in points]
    finite = [math.isfinite(x) and math.isfinite(y) for x, y in pts]
    pieces: list[list[Point]] = []
    current: list[Point] = []

    def flush() -> None:
        nonlocal current
        if current:
            pieces.append(current)
        current = []

    for i, p in enumerate(pts):
        if not finite[i]:
            flush()
            continue
        if i == 0 or not finite[i - 1]:
            if _inside(p, box) and (i + 1 == len(pts) or not finite[i + 1]):
                pieces.append([p])  # an isolated point
            continue
        clipped = clip_segment(pts[i - 1], p, box)
        if clipped is None:
            flush()
            continue
        start, end = clipped
        if not (current and current[-1] == start):
            flush()
            current = [start]
        current.append(end)
        if end != p:
            flush()
    flush()
    return pieces


def _polyline_d(pieces: list[list[Point]], frame: _Frame) -> str:
    parts = []
    for piece in pieces:
        if len(piece) >= 2:
            parts.append("M" + " L".join(frame.point(p) for p in piece))
    return " ".join(parts)


# Contours (marching squares) --------------------------------------------------------------------


def contour_segments(xs: Sequence[float], ys: Sequence[float], Z: np.ndarray,
                     level: float) -> list[tuple[Point, Point]]:
    """Segments of the curve ``Z == level`` by marching squares.

    ``Z[i, j]`` is the value at ``(xs[j], ys[i])``. Crossings are interpolated linearly along cell
    edges; saddle cells are resolved by the mean of their corners. Cells with a non-finite corner
    are skipped.
    """
    return [seg for seg, _ in _segments_with_edges(np.asarray(xs, float), np.asarray(ys, float),
                                                   np.asarray(Z, float), float(level))]


def _segments_with_edges(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, level: float):
    ny, nx = Z.shape
    if len(xs) != nx or len(ys) != ny:
        raise ValueError(f"Z has shape {Z.shape}, expected ({len(ys)}, {len(xs)})")
    above = Z >= level
    cache: dict[tuple, Point] = {}

    def crossing(edge: tuple) -> Point:
        if edge not in cache:
            kind, i, j = edge
            if kind == "h":  # from (i, j) to (i, j + 1)
                z0, z1 = Z[i, j], Z[i, j + 1]
                t = (level - z0) / (z1 - z0)
                cache[edge] = (float(xs[j] + t * (xs[j + 1] - xs[j])), float(ys[i]))
            else:  # from (i, j) to (i + 1, j)
                z0, z1 = Z[i, j], Z[i + 1, j]
                t = (level - z0) / (z1 - z0)
                cache[edge] = (float(xs[j]), float(ys[i] + t * (ys[i + 1] - ys[i])))
        return cache[edge]

    finite = np.isfinite(Z)
    # Corner flags of every cell, in numpy; only the cells the contour crosses are visited in Python.
    A, B, C, D = above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]
    cases = A.astype(np.int8) | (B.astype(np.int8) << 1) | (C.astype(np.int8) << 2) | (D.astype(np.int8) << 3)
    usable = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, 1:] & finite[1:, :-1] & (cases != 0) & (cases != 15)
    out = []
    for i, j in np.argwhere(usable).tolist():  # row-major: a deterministic order
        case = int(cases[i, j])
        a, b, c, d = bool(case & 1), bool(case & 2), bool(case & 4), bool(case & 8)
        bottom, right, top, left = ("h", i, j), ("v", i, j + 1), ("h", i + 1, j), ("v", i, j)
        if case in (5, 10):  # saddle: a and c on one side, b and d on the other
            centre_above = (Z[i, j] + Z[i, j + 1] + Z[i + 1, j + 1] + Z[i + 1, j]) / 4 >= level
            if (case == 5) == centre_above:  # b and d are cut off
                pairs = [(bottom, right), (left, top)]
            else:  # a and c are cut off
                pairs = [(left, bottom), (right, top)]
        else:
            crossed = [e for e, (p, q) in ((bottom, (a, b)), (right, (b, c)), (top, (d, c)), (left, (a, d)))
                       if p != q]
            pairs = [(crossed[0], crossed[1])]
        for e0, e1 in pairs:
            out.append(((crossing(e0), crossing(e1)), (e0, e1)))
    return out


def contour_lines(xs: Sequence[float], ys: Sequence[float], Z: np.ndarray, level: float) -> list[list[Point]]:
    """The contour ``Z == level`` as joined polylines (a closed loop repeats its first point)."""
    segments = _segments_with_edges(np.asarray(xs, float), np.asarray(ys, float), np.asarray(Z, float),
                                    float(level))
    points: dict[tuple, Point] = {}
    neighbours: dict[tuple, list[tuple]] = {}
    for (p0, p1), (e0, e1) in segments:
        points[e0], points[e1] = p0, p1
        neighbours.setdefault(e0, []).append(e1)
        neighbours.setdefault(e1, []).append(e0)
    seen: set[tuple] = set()
    lines = []

    def walk(start: tuple) -> list[Point]:
        chain, previous, node = [start], None, start
        seen.add(start)
        while True:
            following = [n for n in neighbours[node] if n != previous and (n not in seen or n == start)]
            if not following:
                break
            previous, node = node, following[0]
            chain.append(node)
            if node == start:
                break
            seen.add(node)
        return [points[e] for e in chain]

    for edge, near in neighbours.items():  # open lines start at an end
        if edge not in seen and len(near) == 1:
            lines.append(walk(edge))
    for edge in neighbours:  # what is left are loops
        if edge not in seen:
            lines.append(walk(edge))
    return lines


def contour_levels(Z: np.ndarray, count: int = 10) -> list[float]:
    """``count`` levels at evenly spaced quantiles of the finite values of ``Z``."""
    values = np.asarray(Z, float)
    values = values[np.isfinite(values)]
    if values.size == 0 or count < 1:
        return []
    qs = np.linspace(0, 1, count + 2)[1:-1]
    levels = sorted({float(v) for v in np.quantile(values, qs)})
    return [lv for lv in levels if values.min() < lv < values.max()] or []


# The SVG shell ----------------------------------------------------------------------------------


def _svg(width: float, height: float, title: str, body: list[str], desc: str = "") -> str:
    w, h = _c(width), _c(height)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'role="img" font-family="{_e(FONT)}" font-size="12" fill="{INK}">')
    parts = [head, f"<title>{_e(title)}</title>"]
    if desc:
        parts.append(f"<desc>{_e(desc)}</desc>")
    parts.append(f'<rect width="{w}" height="{h}" fill="#ffffff"/>')
    parts.extend(body)
    parts.append("</svg>")
    return "\n".join(parts)


def _title(text: str, width: float) -> str:
    return (f'<text x="{_c(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="600">'
            f"{_e(_truncate(text, width - 16, 14))}</text>")


def _notes(notes: list[str], y: float, width: float, x: float = 12) -> list[str]:
    return [f'<text x="{_c(x)}" y="{_c(y + 16 * k)}" fill="{MUTED}" font-size="11">'
            f"{_e(_truncate(note, width - 2 * x, 11))}</text>" for k, note in enumerate(notes)]


def _legend(items: list[tuple[str, str, str]], y: float, x: float) -> list[str]:
    """Legend entries (label, colour, dash) in one row starting at ``x``."""
    out = []
    for label, colour, dash in items:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{_c(x)}" y1="{_c(y)}" x2="{_c(x + 24)}" y2="{_c(y)}" stroke="{colour}" '
                   f'stroke-width="2.5"{dash_attr}/>')
        out.append(f'<text x="{_c(x + 30)}" y="{_c(y + 4)}">{_e(label)}</text>')
        x += 30 + _text_width(label) + 18
    return out


def _axes(frame: _Frame, xticks: list[float], yticks: list[float], xlabel: str, ylabel: str,
          ytick_text=fmt, xtick_text=fmt) -> list[str]:
    """Grid lines, tick labels, the axis lines and their labels."""
    out = []
    left, top, w, h = frame.left, frame.top, frame.width, frame.height
    for t in yticks:
        y = frame.py(t)
        out.append(f'<line x1="{_c(left)}" y1="{_c(y)}" x2="{_c(left + w)}" y2="{_c(y)}" stroke="{GRID}"/>')
        out.append(f'<text x="{_c(left - 6)}" y="{_c(y + 4)}" text-anchor="end" fill="{MUTED}">'
                   f"{_e(ytick_text(t))}</text>")
    for t in xticks:
        x = frame.px(t)
        out.append(f'<line x1="{_c(x)}" y1="{_c(top + h)}" x2="{_c(x)}" y2="{_c(top + h + 4)}" stroke="{AXIS}"/>')
        out.append(f'<text x="{_c(x)}" y="{_c(top + h + 17)}" text-anchor="middle" fill="{MUTED}">'
                   f"{_e(xtick_text(t))}</text>")
    out.append(f'<path d="M{_c(left)},{_c(top)} V{_c(top + h)} H{_c(left + w)}" fill="none" stroke="{AXIS}"/>')
    if xlabel:
        out.append(f'<text x="{_c(left + w / 2)}" y="{_c(top + h + 36)}" text-anchor="middle">{_e(xlabel)}</text>')
    if ylabel:
        cy = top + h / 2
        out.append(f'<text x="14" y="{_c(cy)}" transform="rotate(-90 14 {_c(cy)})" text-anchor="middle">'
                   f"{_e(_truncate(ylabel, h))}</text>")
    return out


def _as_1d(values: object) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return np.zeros(0)
    return arr.reshape(-1)


# Charts -----------------------------------------------------------------------------------------


def line_chart(series: Mapping[str, Sequence[float]], *, title: str, xlabel: str, ylabel: str,
               log_y: bool = False, x_start: float = 0, y_limits: tuple[float, float] | None = None,
               width: int = 640, height: int = 320, styles: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Lines of ``series`` (name -> values at x = x_start, x_start + 1, ...).

    ``y_limits`` fixes the y range (values beyond it are clipped and counted in a note); by default
    it covers every finite value. With ``log_y``, values <= 0 are skipped. ``styles`` gives a
    series its own (colour, dash); the others take the palette in order.
    """
    styles = dict(styles or {})
    notes: list[str] = []
    prepared = []
    for k, (name, values) in enumerate(series.items()):
        arr = _as_1d(values)
        ys = arr.copy()
        nonfinite = int((~np.isfinite(arr)).sum())
        nonpositive = 0
        if log_y:
            positive = np.isfinite(arr) & (arr > 0)
            nonpositive = int((np.isfinite(arr) & ~positive).sum())
            with np.errstate(divide="ignore", invalid="ignore"):
                ys = np.where(positive, np.log10(np.where(positive, arr, 1.0)), np.nan)
        if nonfinite:
            notes.append(f"{name}: {plural(nonfinite, 'value')} not shown (NaN or infinite)")
        if nonpositive:
            notes.append(f"{name}: {plural(nonpositive, 'value')} ≤ 0 not shown on the log scale")
        colour, dash = styles.get(name, PALETTE[k % len(PALETTE)])
        prepared.append((name, ys, colour, dash))

    finite_all = np.concatenate([ys[np.isfinite(ys)] for _, ys, _, _ in prepared]) if prepared else np.zeros(0)
    n_max = max((len(ys) for _, ys, _, _ in prepared), default=0)
    if y_limits is not None:
        lo, hi = (float(v) for v in y_limits)
        if log_y:
            lo, hi = math.log10(max(lo, 1e-300)), math.log10(max(hi, 1e-300))
    elif finite_all.size:  # beyond +-1e150 the pixel arithmetic would overflow: such values are clipped
        lo, hi = max(float(finite_all.min()), -1e150), min(float(finite_all.max()), 1e150)
    else:
        lo, hi = (0.0, 1.0)
        notes.append("no finite values to plot")
    if log_y:
        lo, hi = math.floor(lo), math.ceil(hi)
        if hi == lo:
            hi = lo + 1
        step = max(1, math.ceil((hi - lo) / 6))
        yticks = [float(t) for t in range(int(lo), int(hi) + 1, step)]
        ytext = lambda t: fmt(10.0 ** t)  # noqa: E731
    else:
        lo, hi, yticks = _nice_range(lo, hi)
        ytext = fmt
    x0, x1 = float(x_start), float(x_start + max(n_max - 1, 1))
    if n_max <= 1:
        x0, x1 = x_start - 1.0, x_start + 1.0
    xticks = [t for t in nice_ticks(x0, x1, 8) if float(t).is_integer() or x1 - x0 < 4]
    box = (x0, x1, lo, hi)

    left, right, top, bottom = 72, 20, 56, 48
    frame = _Frame(box, left, top, width - left - right, height - top - bottom)
    body = [_title(title, width)]
    body += _legend([(name, colour, dash) for name, _, colour, dash in prepared], 38, left)
    body += _axes(frame, xticks, yticks, xlabel, ylabel, ytick_text=ytext)
    for name, ys, colour, dash in prepared:
        xs = x_start + np.arange(len(ys), dtype=float)
        pts = np.column_stack([xs, ys]) if len(ys) else np.zeros((0, 2))
        outside = int(sum(1 for x, y in pts if math.isfinite(y) and not (lo <= y <= hi)))
        if outside:
            notes.append(f"{name}: {plural(outside, 'value')} beyond the chart "
                         f"(outside {ytext(lo)} to {ytext(hi)})")
        pieces = visible_pieces(pts, box)
        d = _polyline_d(pieces, frame)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if d:
            body.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr} '
                        f'stroke-linejoin="round"><title>{_e(name)}</title></path>')
        shown = [(x, y) for x, y in pts if math.isfinite(y) and lo <= y <= hi]
        if len(pts) <= 40:
            for x, y in shown:
                body.append(f'<circle cx="{_c(frame.px(x))}" cy="{_c(frame.py(y))}" r="2.5" fill="{colour}"/>')
    body += _notes(notes, height + 4, width)
    desc = "; ".join(notes)
    return _svg(width, height + 16 * len(notes), title, body, desc)


def histogram(values: Sequence[float], bins: int | Sequence[float], *, title: str, xlabel: str,
              ylabel: str = "count", width: int = 640, height: int = 300) -> str:
    """Counts of ``values`` in ``bins`` (a number of equal bins, or their edges)."""
    arr = _as_1d(values)
    notes = []
    nonfinite = int((~np.isfinite(arr)).sum())
    if nonfinite:
        notes.append(f"{plural(nonfinite, 'value')} not shown (NaN or infinite)")
    arr = arr[np.isfinite(arr)]
    if isinstance(bins, (int, np.integer)):
        if arr.size:
            lo, hi = float(arr.min()), float(arr.max())
        else:
            lo, hi = 0.0, 1.0
        if hi == lo:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, max(int(bins), 1) + 1)
    else:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
            raise ValueError("bins must be a positive count or increasing finite edges")
    counts, _ = np.histogram(arr, bins=edges)
    outside = int(arr.size - counts.sum())
    if outside:
        notes.append(f"{plural(outside, 'value')} outside {fmt(edges[0])} to {fmt(edges[-1])} not shown")
    if arr.size == 0:
        notes.append("no values")
    top_count = int(counts.max()) if counts.size else 0
    _, hi_count, yticks = _nice_range(0.0, float(max(top_count, 1)))
    yticks = [t for t in yticks if float(t).is_integer()]
    box = (float(edges[0]), float(edges[-1]), 0.0, float(hi_count))
    left, right, top, bottom = 56, 20, 40, 48
    frame = _Frame(box, left, top, width - left - right, height - top - bottom)
    xticks = [float(e) for e in edges] if len(edges) <= 13 else nice_ticks(edges[0], edges[-1], 8)
    body = [_title(title, width)]
    body += _axes(frame, xticks, yticks, xlabel, ylabel)
    for k, count in enumerate(counts):
        if not count:
            continue
        x0, x1 = frame.px(edges[k]), frame.px(edges[k + 1])
        y = frame.py(count)
        closing = "]" if k == len(counts) - 1 else ")"
        label = f"[{fmt(edges[k])}, {fmt(edges[k + 1])}{closing}: {count}"
        body.append(f'<rect x="{_c(x0 + 1)}" y="{_c(y)}" width="{_c(max(x1 - x0 - 2, 1))}" '
                    f'height="{_c(frame.py(0) - y)}" fill="#3b6fd4"><title>{_e(label)}</title></rect>')
        body.append(f'<text x="{_c((x0 + x1) / 2)}" y="{_c(y - 4)}" text-anchor="middle" font-size="11">'
                    f"{count}</text>")
    body += _notes(notes, height + 4, width)
    return _svg(width, height + 16 * len(notes), title, body, "; ".join(notes))


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, max_value: float,
              percent: bool = False, width: int = 640) -> str:
    """Horizontal bars, one per label, on a scale from 0 to ``max_value``.

    With ``percent`` the value labels read as a percentage of ``max_value``.
    """
    labels = [str(label) for label in labels]
    arr = _as_1d(values)
    if len(arr) != len(labels):
        raise ValueError(f"{len(labels)} labels but {len(arr)} values")
    notes = []
    if not labels:
        notes.append("no data")
    bad = int((~np.isfinite(arr)).sum())
    if bad:
        notes.append(f"{plural(bad, 'value')} not shown (NaN or infinite)")
    scale = float(max_value) if math.isfinite(max_value) and max_value > 0 else float(
        max([v for v in arr if math.isfinite(v)] + [1.0]))
    row, top = 24, 44
    label_w = min(max([_text_width(label) for label in labels] + [40]) + 16, width * 0.4)
    left, right = label_w + 16, 64
    plot_w = width - left - right
    height = top + row * max(len(labels), 1) + 28
    frame = _Frame((0.0, scale, 0.0, 1.0), left, top, plot_w, row * max(len(labels), 1))
    body = [_title(title, width)]
    ticks = [0.0, scale / 2, scale]
    for t in ticks:
        x = frame.px(t)
        body.append(f'<line x1="{_c(x)}" y1="{top - 4}" x2="{_c(x)}" y2="{_c(height - 24)}" stroke="{GRID}"/>')
        text = f"{round(100 * t / scale)}%" if percent else fmt(t)
        body.append(f'<text x="{_c(x)}" y="{_c(height - 10)}" text-anchor="middle" fill="{MUTED}" '
                    f'font-size="11">{_e(text)}</text>')
    for k, (label, value) in enumerate(zip(labels, arr)):
        y = top + k * row
        body.append(f'<text x="{_c(left - 8)}" y="{_c(y + row / 2 + 4)}" text-anchor="end">'
                    f"<title>{_e(label)}</title>{_e(_truncate(label, label_w - 8))}</text>")
        if not math.isfinite(value):
            body.append(f'<text x="{_c(left + 4)}" y="{_c(y + row / 2 + 4)}" fill="{MUTED}">n/a</text>')
            continue
        shown = min(max(value, 0.0), scale)
        text = f"{round(100 * value / scale)}%" if percent else fmt(value)
        bar_w = frame.px(shown) - left
        body.append(f'<rect x="{_c(left)}" y="{_c(y + 4)}" width="{_c(max(bar_w, 0))}" height="{row - 8}" '
                    f'fill="#3b6fd4"><title>{_e(f"{label}: {text}")}</title></rect>')
        body.append(f'<text x="{_c(left + bar_w + 6)}" y="{_c(y + row / 2 + 4)}" font-size="11">{_e(text)}</text>')
    body += _notes(notes, height + 4, width)
    return _svg(width, height + 16 * len(notes), title, body, "; ".join(notes))


# Optimizer paths --------------------------------------------------------------------------------


def divergence_step(path: np.ndarray, reference: np.ndarray | None = None, *, view: Box | None = None,
                    tolerance: float = 1e-5) -> tuple[int, str] | None:
    """The first step where ``path`` goes wrong, and how: ``(index, reason)`` or None.

    Reasons: ``"non-finite"``, ``"leaves the view"`` (outside ``view``), ``"departs from the
    reference"`` (distance > ``tolerance * max(1, |reference point|)``).
    """
    path = np.asarray(path, dtype=float).reshape(-1, 2)
    ref = None if reference is None else np.asarray(reference, dtype=float).reshape(-1, 2)
    for i, p in enumerate(path):
        if not np.all(np.isfinite(p)):
            return i, "non-finite"
        if view is not None and not _inside(p, view):
            return i, "leaves the view"
        if ref is not None and i < len(ref) and np.all(np.isfinite(ref[i])):
            if float(np.hypot(*(p - ref[i]))) > tolerance * max(1.0, float(np.hypot(*ref[i]))):
                return i, "departs from the reference"
    return None


def _as_path(value: object) -> np.ndarray | None:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2 or arr.shape[1] != 2:
        return None
    return arr


def path_plot(paths: Mapping[str, object], grid: tuple[Sequence[float], Sequence[float], np.ndarray], *,
              title: str, reference: str | None = None, levels: int | Sequence[float] = 10,
              tolerance: float = 1e-5, width: int = 640, styles: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Paths (name -> points of shape (n, 2)) drawn over the contours of ``grid = (xs, ys, Z)``.

    The view is the grid's extent; points outside it are clipped. Each path has a hollow start
    marker and a filled end marker. When ``reference`` names one of ``paths``, every other path is
    compared with it and the first step where it goes wrong (non-finite, outside the view, or
    farther than ``tolerance`` from the reference) is circled and described in a note.
    """
    xs, ys, Z = np.asarray(grid[0], float), np.asarray(grid[1], float), np.asarray(grid[2], float)
    box: Box = (float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max()))
    left, right, top, bottom = 56, 20, 56, 44
    plot_w = width - left - right
    plot_h = min(max(plot_w * (box[3] - box[2]) / (box[1] - box[0]), 160.0), 560.0)
    height = top + plot_h + bottom
    frame = _Frame(box, left, top, plot_w, plot_h)
    styles = dict(styles or {})
    notes: list[str] = []
    body = [_title(title, width)]

    # Contours, then the axes over them.
    body.append(f'<rect x="{_c(left)}" y="{_c(top)}" width="{_c(plot_w)}" height="{_c(plot_h)}" fill="#fbfcfe"/>')
    chosen = contour_levels(Z, levels) if isinstance(levels, (int, np.integer)) else [float(v) for v in levels]
    for level in chosen:
        d = _polyline_d([line for line in contour_lines(xs, ys, Z, level) if len(line) > 1], frame)
        if d:
            body.append(f'<path d="{d}" fill="none" stroke="{CONTOUR}" stroke-width="1">'
                        f"<title>{_e(f'loss = {fmt(level)}')}</title></path>")
    if np.isfinite(Z).any():
        i, j = np.unravel_index(np.nanargmin(np.where(np.isfinite(Z), Z, np.nan)), Z.shape)
        mx, my = frame.px(xs[j]), frame.py(ys[i])
        body.append(f'<path d="M{_c(mx - 5)},{_c(my)} H{_c(mx + 5)} M{_c(mx)},{_c(my - 5)} V{_c(my + 5)}" '
                    f'stroke="{MUTED}" stroke-width="1.5"><title>minimum</title></path>')
    body += _axes(frame, nice_ticks(box[0], box[1], 8), nice_ticks(box[2], box[3], 5), "w[0]", "w[1]")

    ref_path = _as_path(paths.get(reference)) if reference is not None else None
    legend: list[tuple[str, str, str]] = []
    marks: list[str] = []
    palette = iter([s for s in PALETTE if s != REFERENCE_STYLE])
    for name, value in paths.items():
        style = styles.get(name) or (REFERENCE_STYLE if name == reference else next(palette, PALETTE[0]))
        colour, dash = style
        path = _as_path(value)
        if path is None:
            notes.append(f"{name}: nothing to draw (not a list of 2-D points)")
            continue
        legend.append((name, colour, dash))
        finite = np.all(np.isfinite(path), axis=1)
        if (~finite).any():
            notes.append(f"{name}: {plural(int((~finite).sum()), 'point')} not shown (NaN or infinite)")
        outside = int(sum(1 for p in path[finite] if not _inside(p, box)))
        if outside:
            notes.append(f"{name}: {plural(outside, 'point')} outside the view not shown")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        d = _polyline_d(visible_pieces(path, box), frame)
        if d:
            body.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr} '
                        f'stroke-linejoin="round"><title>{_e(name)}</title></path>')
        if len(path) <= 80:
            for p in path[finite]:
                if _inside(p, box):
                    body.append(f'<circle cx="{_c(frame.px(p[0]))}" cy="{_c(frame.py(p[1]))}" r="2" '
                                f'fill="{colour}"/>')
        if len(path) and finite[0] and _inside(path[0], box):
            marks.append(f'<circle cx="{_c(frame.px(path[0][0]))}" cy="{_c(frame.py(path[0][1]))}" r="5" '
                         f'fill="#ffffff" stroke="{colour}" stroke-width="2"><title>{_e(name)}: start</title></circle>')
        if len(path) > 1 and finite[-1] and _inside(path[-1], box):
            marks.append(f'<rect x="{_c(frame.px(path[-1][0]) - 4.5)}" y="{_c(frame.py(path[-1][1]) - 4.5)}" '
                         f'width="9" height="9" fill="{colour}" stroke="#ffffff">'
                         f"<title>{_e(name)}: end</title></rect>")
        if ref_path is not None and name != reference:
            found = divergence_step(path, ref_path, view=box, tolerance=tolerance)
            if found is not None:
                step, reason = found
                where = path[step] if reason == "departs from the reference" else (
                    path[step - 1] if step > 0 else None)
                detail = ""
                if reason == "departs from the reference":
                    gap = float(np.hypot(*(path[step] - ref_path[step])))
                    detail = f" (off by {fmt(gap, 3)})"
                elif reason == "leaves the view":
                    detail = f" (to {fmt(path[step][0], 3)}, {fmt(path[step][1], 3)})"
                notes.insert(0, f"{name}: {reason} at step {step}{detail}")
                if where is not None and _inside(where, box):
                    marks.append(f'<circle cx="{_c(frame.px(where[0]))}" cy="{_c(frame.py(where[1]))}" r="9" '
                                 f'fill="none" stroke="{ALERT}" stroke-width="2.5">'
                                 f"<title>{_e(f'{name}: {reason} at step {step}')}</title></circle>")
    body += marks
    body += _legend(legend, 38, left)
    # Marker key, right-aligned on the legend row ("goes wrong" only when something is circled).
    circled = any(f'stroke="{ALERT}"' in m for m in marks)
    kx = width - right - (190 if circled else 90)
    body.append(f'<circle cx="{_c(kx)}" cy="38" r="4.5" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>'
                f'<text x="{_c(kx + 8)}" y="42" fill="{MUTED}">start</text>'
                f'<rect x="{_c(kx + 46)}" y="34" width="8" height="8" fill="{INK}"/>'
                f'<text x="{_c(kx + 58)}" y="42" fill="{MUTED}">end</text>')
    if circled:
        body.append(f'<circle cx="{_c(kx + 100)}" cy="38" r="6" fill="none" stroke="{ALERT}" stroke-width="2"/>'
                    f'<text x="{_c(kx + 110)}" y="42" fill="{MUTED}">goes wrong</text>')
    body += _notes(notes, height + 4, width)
    return _svg(width, height + 16 * len(notes), title, body, "; ".join(notes))
