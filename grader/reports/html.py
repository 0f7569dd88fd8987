"""Self-contained HTML feedback: a student's page and the class report.

Pages are rendered from jinja2 templates (``student.html.j2``, ``class_report.html.j2``, their base
``_base.html.j2`` and the inline stylesheet ``feedback.css.j2``); a course overrides any of them by
putting a file of the same name in its ``templates/`` folder. Everything is inline (CSS and SVG),
nothing is loaded from the network, and a Content-Security-Policy forbids scripts altogether.

Autoescaping is forced on for these templates (their names end in ``.j2``, which the shared
environment does not autoescape), so every string from a result (student id, messages built from
exception text) is escaped. Plots are SVG strings from :mod:`grader.reports.svg`, which escapes
its own text. Hidden checks show only their name, status, points and hint.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import jinja2
import numpy as np

import grader
from grader.checks.surfaces import PATH_START, quadratic_grid
from grader.reports import svg
from grader.result import GRADED, NOT_GRADABLE, PASSED, CheckResult, Result
from grader.templating import environment

STATUS = {  # status -> (label, symbol)
    "passed": ("passed", "✓"),
    "failed": ("failed", "✗"),
    "error": ("error", "!"),
    "timeout": ("timed out", "◷"),
}
STUDENT_STYLE = svg.PALETTE[0]
REFERENCE_STYLE = svg.REFERENCE_STYLE
_RESERVED = {"con", "prn", "aux", "nul", "index", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


@lru_cache(maxsize=8)
def _environment(templates: Path | None) -> jinja2.Environment:
    return environment(templates).overlay(autoescape=True)


def _render(name: str, templates: Path | None, **context: Any) -> str:
    return _environment(templates).get_template(name).render(**context)


def points(value: float) -> str:
    """Points as the terminal report writes them (``2``, ``1.5``, ``0.3333``)."""
    return f"{round(float(value), 4):g}"


def points_word(value: float) -> str:
    """"point" after a total shown as 1, else "points" (a page never says "/ 1 points")."""
    return "point" if points(value) == "1" else "points"


# The student's page -----------------------------------------------------------------------------


def write_student_page(result: Result, path: Path, *, templates: Path | None = None) -> Path:
    """Write ``result`` as a self-contained feedback page at ``path``; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_student_page(result, templates=templates), encoding="utf-8")
    return path


def render_student_page(result: Result, *, templates: Path | None = None, index_href: str | None = None) -> str:
    """The HTML of a student's feedback page (``index_href`` links back to a class report)."""
    return _render("student.html.j2", templates, **student_context(result, index_href=index_href))


def student_context(result: Result, *, index_href: str | None = None) -> dict[str, Any]:
    """What ``student.html.j2`` receives: plain strings, numbers, and SVG strings already escaped.

    A student reads this page: hidden checks are redacted first (:meth:`Result.for_student`)."""
    result = result.for_student()
    checks = [_check_view(k, c) for k, c in enumerate(result.checks)]
    total = len(checks)
    passed = sum(1 for c in result.checks if c.status == PASSED)
    percent = 100 * result.score / result.max_score if result.max_score else 0.0
    late = None
    if result.late_days or result.penalty:
        late = {"days": result.late_days, "penalty": f"{result.penalty:.0%}", "raw": points(result.raw_score)}
    return {
        "student": result.student,
        "assignment": result.assignment,
        "graded": result.status != NOT_GRADABLE,
        "message": result.message,
        "score": points(result.score),
        "max_score": points(result.max_score),
        "points_word": points_word(result.max_score),
        "percent": f"{percent:.0f}",
        "percent_width": f"{min(max(percent, 0.0), 100.0):.1f}",
        "submitted_at": result.submitted_at,
        "late": late,
        "counts": {"passed": passed, "total": total, "not_passed": total - passed},
        "checks": checks,
        "has_figures": any(c["figures"] for c in checks),
        "index_href": index_href,
        "version": grader.__version__,
    }


def _check_view(index: int, check: CheckResult) -> dict[str, Any]:
    label, symbol = STATUS.get(check.status, (check.status, "?"))
    view = {
        "index": index,
        "anchor": f"check-{index + 1}",
        "name": check.name,
        "status": check.status if check.status in STATUS else "error",
        "status_label": label,
        "symbol": symbol,
        "score": points(check.score),
        "max_score": points(check.max_score),
        "hidden": check.hidden,
        "hint": check.hint,
        "hint_label": "Note" if check.status == PASSED else "Hint",
        "message": "",
        "description": "",
        "functions": [],
        "figures": [],
    }
    if check.hidden:  # name, status, points and hint only: never the message, inputs or expected values
        return view
    view.update(message=check.message if check.status != PASSED else "", description=check.description,
                functions=list(check.functions), figures=check_figures(check))
    return view


def check_figures(check: CheckResult) -> list[dict[str, str]]:
    """The plots of a public check: ``[{"svg", "caption"}]`` (none for hidden checks)."""
    if check.hidden or not isinstance(check.plot, dict):
        return []
    kind = check.plot.get("kind")
    figures = []
    for name, data in (check.plot.get("series") or {}).items():
        if not isinstance(data, dict):
            continue
        title = check.name if len(check.plot["series"]) == 1 else f"{check.name}: {name}"
        figure = None
        if kind == "path":
            figure = path_figure(title, data.get("expected"), data.get("student"), failed=check.status != PASSED)
        elif kind == "curve":
            figure = curve_figure(title, str(name), data.get("expected"), data.get("student"))
        if figure:
            figures.append(figure)
    return figures


def _array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def path_figure(title: str, expected: Any, student: Any, *, failed: bool = True) -> dict[str, str] | None:
    """The student's and the reference's paths over the contours of the surfaces' quadratic.

    Paths that do not begin at ``PATH_START`` get it prepended (the checks start there). The view
    fits the reference path and the minimum; the student's path is clipped to it, and (when the
    check failed) the first step where it goes wrong is marked.
    """
    ref = _array(expected)
    if ref is None or ref.ndim != 2 or ref.shape[1] != 2 or len(ref) == 0:
        return None
    mine = _array(student)
    if mine is not None and mine.shape != ref.shape:
        mine = None
    if np.all(np.isfinite(ref[0])) and not np.allclose(ref[0], PATH_START):
        ref = np.vstack([PATH_START, ref])
        mine = None if mine is None else np.vstack([PATH_START, mine])
    pts = np.vstack([ref[np.all(np.isfinite(ref), axis=1)], PATH_START, [0.0, 0.0]])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum((hi - lo) * 0.12, 0.25)
    lo, hi = lo - pad, hi + pad
    if mine is not None:  # widen the view for a student's overshoot, within reason
        finite = mine[np.all(np.isfinite(mine), axis=1)]
        span = hi - lo
        near = finite[np.all((finite >= lo - 0.5 * span) & (finite <= hi + 0.5 * span), axis=1)]
        if len(near):
            lo, hi = np.minimum(lo, near.min(axis=0) - 0.05 * span), np.maximum(hi, near.max(axis=0) + 0.05 * span)
    xs, ys = np.linspace(lo[0], hi[0], 97), np.linspace(lo[1], hi[1], 65)
    paths = {"reference": ref}
    if mine is not None:
        paths["your path"] = mine
    Z = quadratic_grid(xs, ys)
    # Geometric levels: the loss spans decades, and the valley near the minimum deserves contours too.
    levels = np.geomspace(max(float(np.quantile(Z, 0.01)), 1e-3 * float(Z.max())), float(np.quantile(Z, 0.97)), 12)
    picture = svg.path_plot(paths, (xs, ys, Z), title=title, levels=[float(v) for v in levels],
                            reference="reference" if failed else None,
                            styles={"reference": REFERENCE_STYLE, "your path": STUDENT_STYLE})
    if mine is None:
        caption = ("Your function returned no path of the right shape, so only the reference path is drawn, "
                   "over the contours of the loss 0.5·(w₀² + 20·w₁²).")
    else:
        caption = ("Your path (blue, solid) and the reference path (grey, dashed) over the contours of the "
                   "loss 0.5·(w₀² + 20·w₁²), from the start (○) to the end (■).")
        if failed:
            caption += " A red circle marks the first step where your path goes wrong."
    return {"svg": picture, "caption": caption}


def curve_figure(title: str, name: str, expected: Any, student: Any) -> dict[str, str] | None:
    """The student's values per epoch beside the reference's, on one chart."""
    ref = _array(expected)
    if ref is None or ref.size == 0 or (ref.ndim == 2 and 1 not in ref.shape) or ref.ndim > 2:
        return None
    ref = ref.reshape(-1)
    mine = _array(student)
    mine = None if mine is None or mine.size != ref.size else mine.reshape(-1)
    good = ref[np.isfinite(ref)]
    log_y = bool(good.size and np.all(good > 0) and good.max() / good.min() > 30)
    limits = _curve_limits(good, mine, log_y)
    series = {"your run": mine} if mine is not None else {}
    series["reference"] = ref
    picture = svg.line_chart(series, title=title, xlabel="epoch", ylabel=name, log_y=log_y, x_start=1,
                             y_limits=limits, styles={"your run": STUDENT_STYLE, "reference": REFERENCE_STYLE})
    if mine is None:
        caption = "Your function returned nothing of the right shape here, so only the reference is drawn."
    else:
        caption = "Your run (blue, solid) beside the reference (grey, dashed), per epoch."
    if log_y:
        caption += " The vertical axis is logarithmic."
    return {"svg": picture, "caption": caption}


def _curve_limits(ref: np.ndarray, mine: np.ndarray | None, log_y: bool) -> tuple[float, float] | None:
    """A y range fitting the reference, widened for the student's values only within reason."""
    if ref.size == 0:
        return None
    values = ref if not log_y else np.log10(ref)
    lo, hi = float(values.min()), float(values.max())
    span = (hi - lo) or abs(hi) or 1.0
    reach = 2.0 if log_y else 1.5 * span  # how far beyond the reference the student's values may pull the view
    if mine is not None:
        theirs = mine[np.isfinite(mine)]
        if log_y:
            theirs = np.log10(theirs[theirs > 0])
        theirs = np.clip(theirs, lo - reach, hi + reach)
        if theirs.size:
            lo, hi = min(lo, float(theirs.min())), max(hi, float(theirs.max()))
    return (10.0 ** lo, 10.0 ** hi) if log_y else (lo, hi)


# The class report -------------------------------------------------------------------------------


def student_filenames(students: Sequence[str]) -> list[str]:
    """A safe, unique file name (``<name>.html``) per student id, in order.

    Ids that are not already plain (letters, digits, ``._-``) get a short hash of the id, so that
    two ids that simplify alike stay apart; uniqueness ignores case (for case-insensitive disks).
    """
    names: list[str] = []
    used: set[str] = set()
    for sid in students:
        base = unicodedata.normalize("NFKD", str(sid)).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")[:60] or "student"
        if base != sid or base.lower() in _RESERVED:
            base = f"{base}-{hashlib.sha256(str(sid).encode()).hexdigest()[:8]}"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name.lower())
        names.append(f"{name}.html")
    return names


def write_class_report(results: list[Result], assignment: str, max_score: float, folder: Path, *,
                       templates: Path | None = None, title: str | None = None) -> Path:
    """Write ``folder/index.html`` and one page per student under ``folder/students/``; ``title``: the
    assignment's (:attr:`grader.course.Assignment.title`; default: its name).

    Returns the path of the index.
    """
    ordered = sorted(results, key=page_order)
    pages = ClassPages(folder, [r.student for r in ordered], templates=templates)
    for result in ordered:
        pages.add(result)
    return pages.close(assignment, max_score, title=title)


def page_order(result: Result) -> tuple[str, str]:
    """The order of the class report's rows and pages: by student, then submission time."""
    return result.student, result.submitted_at or ""


class ClassPages:
    """:func:`write_class_report` a student at a time: each page written as its result comes (in
    :func:`page_order`, ``students`` naming them all in that order beforehand), the class report's
    figures gathered as they go (:class:`ClassTally`), the index written by :meth:`close`."""

    order = staticmethod(page_order)

    def __init__(self, folder: Path, students: list[str], *, templates: Path | None = None) -> None:
        self.folder = Path(folder)
        (self.folder / "students").mkdir(parents=True, exist_ok=True)
        self.templates = templates
        self.files = iter(student_filenames(students))
        self.tally = ClassTally()

    def add(self, result: Result) -> None:
        name = next(self.files)
        page = render_student_page(result, templates=self.templates, index_href="../index.html")
        (self.folder / "students" / name).write_text(page, encoding="utf-8")
        self.tally.add(result, f"students/{name}")

    def close(self, assignment: str, max_score: float, *, title: str | None = None) -> Path:
        index = self.folder / "index.html"
        context = self.tally.context(assignment, max_score)
        context["title"] = title or assignment
        index.write_text(_render("class_report.html.j2", self.templates, **context), encoding="utf-8")
        return index


def class_context(results: list[Result], assignment: str, max_score: float, links: list[str]) -> dict[str, Any]:
    """What ``class_report.html.j2`` receives (``links[i]`` is the page of ``results[i]``)."""
    tally = ClassTally()
    for result, href in zip(results, links):
        tally.add(result, href)
    return tally.context(assignment, max_score)


class ClassTally:
    """The class report's figures, gathered a result at a time: per check and per known mistake,
    counts; per student, the row of the table; the scores, for the means and the histogram."""

    def __init__(self) -> None:
        self.submissions = 0
        self.scores: list[float] = []  # every submission's (a not-gradable one's is 0)
        self.graded: list[float] = []  # the graded submissions'
        self.checks: dict[str, dict[str, Any]] = {}
        self.mistakes: dict[str, dict[str, Any]] = {}
        self.late: list[dict[str, Any]] = []
        self.not_gradable: list[dict[str, Any]] = []
        self.students: list[dict[str, Any]] = []

    def add(self, r: Result, href: str) -> None:
        self.submissions += 1
        self.scores.append(r.score)
        self.students.append(student_row(r, href))
        if r.late_days or r.penalty:
            self.late.append(late_row(r, href))
        if r.status == NOT_GRADABLE:
            self.not_gradable.append({"student": r.student, "href": href, "reason": r.message or "no reason recorded"})
            return
        self.graded.append(r.score)
        _count_checks(self.checks, r)
        _count_mistakes(self.mistakes, r)

    def context(self, assignment: str, max_score: float) -> dict[str, Any]:
        top = float(max_score) if max_score and math.isfinite(max_score) and max_score > 0 else None
        checks = _check_rows(self.checks)
        return {
            "assignment": assignment,
            "max_score": points(max_score),
            "points_word": points_word(max_score),
            "summary": self.summary(top),
            "histogram": score_histogram(self.graded, top),
            "pass_chart": svg.bar_chart([c["name"] for c in checks], [c["rate"] for c in checks],
                                        title="Share of students passing each check", max_value=1.0, percent=True),
            "checks": checks,
            "mistakes": _mistake_rows(self.mistakes),
            "late": self.late,
            "not_gradable": self.not_gradable,
            "students": self.students,
            "version": grader.__version__,
        }

    def summary(self, top: float | None) -> dict[str, Any]:
        """The headline figures. Two means, each saying what it is over: the graded submissions (what
        the histogram shows), and every submission with a not-gradable one counted as 0 (what an LMS
        column averages, and ``grade batch``'s closing line)."""
        scores = self.graded
        return {
            "submissions": self.submissions,
            "graded": len(scores),
            "not_gradable": self.submissions - len(scores),
            "mean_graded": f"{statistics.fmean(scores):.3g}" if scores else "–",
            "mean_all": f"{statistics.fmean(self.scores):.3g}" if self.scores else "–",
            "median_graded": f"{statistics.median(scores):.3g}" if scores else "–",
            "full": sum(1 for s in scores if top is not None and s >= top - 1e-9),
            "late": len(self.late),
        }


def student_row(r: Result, href: str) -> dict[str, Any]:
    """A student's row: status, score, checks passed, days late, and the link to their page."""
    return {"student": r.student, "href": href, "graded": r.status != NOT_GRADABLE,
            "status": "graded" if r.status == GRADED else r.status.replace("_", " "),
            "score": points(r.score), "max_score": points(r.max_score),
            "percent": f"{100 * r.score / r.max_score:.0f}" if r.max_score else "–",
            "passed": sum(1 for c in r.checks if c.status == PASSED), "checks": len(r.checks),
            "late_days": r.late_days}


def _count_checks(order: dict[str, dict[str, Any]], r: Result) -> None:
    for c in r.checks:
        s = order.setdefault(c.name, {"name": c.name, "hidden": c.hidden, "n": 0, "passed": 0,
                                      "points": 0.0, "max_score": c.max_score, "mistakes": 0})
        s["n"] += 1
        s["passed"] += c.status == PASSED
        s["points"] += c.score
        s["mistakes"] += bool(c.status != PASSED and (c.mistake or c.hint))


def _check_rows(order: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for s in order.values():
        rate = s["passed"] / s["n"] if s["n"] else 0.0
        rows.append({**s, "rate": rate, "rate_text": f"{rate:.0%}", "mean": points(round(s["points"] / s["n"], 2)),
                     "max_score": points(s["max_score"])})
    return rows


def _count_mistakes(mistakes: dict[str, dict[str, Any]], r: Result) -> None:
    for c in r.checks:
        if c.status == PASSED or not (c.mistake or c.hint):
            continue
        key = c.mistake or c.hint or ""
        m = mistakes.setdefault(key, {"mistake": c.mistake or "", "hint": c.hint or "", "count": 0,
                                      "students": set(), "checks": Counter()})
        m["count"] += 1
        m["students"].add(r.student)
        m["checks"][c.name] += 1


def _mistake_rows(mistakes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"mistake": m["mistake"], "hint": m["hint"], "count": m["count"],
             "students": len(m["students"]), "checks": sorted(m["checks"])}
            for m in sorted(mistakes.values(), key=lambda m: (-m["count"], m["mistake"], m["hint"]))]


def late_row(r: Result, href: str) -> dict[str, Any]:
    """A submission that was late or penalised: when, how late, the score before and after."""
    return {"student": r.student, "href": href, "submitted_at": r.submitted_at or "–", "days": r.late_days,
            "penalty": f"{r.penalty:.0%}", "score": points(r.score), "raw_score": points(r.raw_score)}


def score_histogram(scores: list[float], top: float | None) -> str:
    """The SVG histogram of the graded scores, binned one per point up to 20, else in round widths."""
    if top is None:
        bins: int | np.ndarray = 10
    elif top <= 20 and float(top).is_integer():
        bins = np.arange(0, top + 1)  # one bin per point
    else:  # round bin widths (2, 2.5, 5, ...), the last bin reaching the maximum
        edges = svg.nice_ticks(0, top, 12)
        if edges[-1] < top:
            edges.append(edges[-1] + (edges[1] - edges[0]))
        bins = np.array(edges)
    return svg.histogram(scores, bins, title="Scores of graded submissions",
                         xlabel="points" + (f" (out of {points(top)})" if top else ""), ylabel="students")
