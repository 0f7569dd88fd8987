"""The SVG plotting helpers: geometry, non-finite input, escaping, determinism, sizes."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from grader.reports import svg

NS = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"


def parse(text: str) -> ET.Element:
    """Parse an SVG (fails the test when it is not well-formed XML)."""
    return ET.fromstring(text)


def assert_shell(text: str, title: str) -> ET.Element:
    root = parse(text)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    w, h = float(root.get("width")), float(root.get("height"))
    assert w > 0 and h > 0
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    first = list(root)[0]
    assert first.tag == f"{NS}title" and first.text == title
    for el in root.iter():  # no pixel coordinate may be NaN or infinite
        for key, value in el.attrib.items():
            assert "nan" not in value.lower() or key in ("font-family",), (key, value)
            assert "inf" not in value.lower(), (key, value)
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


# Contours ---------------------------------------------------------------------------------------


def test_contour_of_a_circle_lies_on_the_circle() -> None:
    xs = ys = np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, ys)
    segments = svg.contour_segments(xs, ys, X**2 + Y**2, 1.0)
    assert len(segments) > 20
    radii = np.array([math.hypot(*p) for seg in segments for p in seg])
    assert np.all(np.abs(radii - 1) < 0.01)  # linear interpolation on a 0.1 grid
    angles = np.array([math.atan2(p[1], p[0]) for seg in segments for p in seg])
    assert np.histogram(angles, bins=8, range=(-math.pi, math.pi))[0].min() > 0  # all the way round

    lines = svg.contour_lines(xs, ys, X**2 + Y**2, 1.0)
    assert len(lines) == 1 and lines[0][0] == lines[0][-1]  # one closed loop
    assert len(lines[0]) == len(segments) + 1


def test_contour_of_a_plane_is_a_straight_line_where_it_should_be() -> None:
    xs, ys = np.linspace(0, 1, 11), np.linspace(0, 2, 5)
    Z = np.tile(xs, (len(ys), 1))  # Z = x
    segments = svg.contour_segments(xs, ys, Z, 0.33)
    assert len(segments) == len(ys) - 1
    assert all(abs(p[0] - 0.33) < 1e-12 for seg in segments for p in seg)
    [line] = svg.contour_lines(xs, ys, Z, 0.33)
    assert sorted(p[1] for p in line) == pytest.approx(list(ys))  # an open line from edge to edge


def test_contour_levels_outside_the_range_and_saddles() -> None:
    xs = ys = np.linspace(-1, 1, 21)
    X, Y = np.meshgrid(xs, ys)
    assert svg.contour_segments(xs, ys, X**2 + Y**2, 5.0) == []
    # x*y = 0.001 on an off-centre grid: segments hug the axes, two hyperbola branches
    xs2 = np.linspace(-1, 1, 20)
    X2, Y2 = np.meshgrid(xs2, xs2)
    segments = svg.contour_segments(xs2, xs2, X2 * Y2, 0.001)
    assert segments and all(abs(p[0] * p[1] - 0.001) < 0.02 for seg in segments for p in seg)
    assert len(svg.contour_lines(xs2, xs2, X2 * Y2, 0.001)) == 2


def test_contours_skip_cells_with_non_finite_corners() -> None:
    xs = ys = np.linspace(-2, 2, 21)
    X, Y = np.meshgrid(xs, ys)
    Z = X**2 + Y**2
    Z[10, :] = np.nan
    segments = svg.contour_segments(xs, ys, Z, 1.0)
    assert segments and all(abs(p[1]) >= 0.2 - 1e-9 for seg in segments for p in seg)
    with pytest.raises(ValueError):
        svg.contour_segments(xs[:-1], ys, Z, 1.0)


def test_contour_levels_are_inside_the_range() -> None:
    Z = np.arange(100.0).reshape(10, 10)
    levels = svg.contour_levels(Z, 5)
    assert len(levels) == 5 and all(0 < lv < 99 for lv in levels) and levels == sorted(levels)
    assert svg.contour_levels(np.full((3, 3), np.nan)) == []


# Geometry and formatting ------------------------------------------------------------------------


def test_clip_segment() -> None:
    box = (0.0, 1.0, 0.0, 1.0)
    a, b = (0.5, 0.5), (0.7, 0.2)
    assert svg.clip_segment(a, b, box) == (a, b)
    start, end = svg.clip_segment((0.5, 0.5), (0.5, 3.0), box)
    assert start == (0.5, 0.5) and end == pytest.approx((0.5, 1.0))
    assert svg.clip_segment((2, 2), (3, 3), box) is None
    assert svg.clip_segment((0.5, 0.5), (0.5, 1e308 * 10), box) is None  # infinite: dropped


def test_visible_pieces_break_at_gaps_and_edges() -> None:
    box = (0.0, 10.0, 0.0, 10.0)
    pts = [(1, 1), (2, 2), (np.nan, 3), (4, 4), (5, 5), (5, 50), (6, 6), (7, 7), (8, np.inf), (9, 9)]
    pieces = svg.visible_pieces(pts, box)
    assert pieces[0] == [(1, 1), (2, 2)]
    assert pieces[1][:2] == [(4, 4), (5, 5)] and pieces[1][2] == pytest.approx((5, 10))  # leaves the box
    assert pieces[2][0] == pytest.approx((5 + 40 / 44, 10)) and pieces[2][1:] == [(6, 6), (7, 7)]
    assert pieces[3] == [(9, 9)]  # an isolated point


def test_divergence_step() -> None:
    ref = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    view = (-5.0, 5.0, -5.0, 5.0)
    assert svg.divergence_step(ref, ref, view=view) is None
    assert svg.divergence_step(ref + [[0, 0], [0, 0], [0.5, 0], [0, 0]], ref, view=view) == (
        2, "departs from the reference")
    assert svg.divergence_step(ref * [[1], [1], [1], [9]], None, view=view) == (3, "leaves the view")
    assert svg.divergence_step([[0, 0], [np.nan, 1]], ref) == (1, "non-finite")
    assert svg.divergence_step(ref + 1e-9, ref) is None  # within tolerance


@pytest.mark.parametrize("value, text", [
    (0, "0"), (1, "1"), (0.5, "0.5"), (-2.25, "-2.25"), (1 / 3, "0.3333"), (123456.7, "123500"),
    (1234567, "1.235e6"), (1.5e-7, "1.5e-7"), (-2.5e-9, "-2.5e-9"), (1e300, "1e300"),
    (float("nan"), "NaN"), (float("inf"), "∞"), (-float("inf"), "−∞"), (0.30000000000000004, "0.3"),
])
def test_fmt_is_compact(value: float, text: str) -> None:
    assert svg.fmt(value) == text


def test_nice_ticks() -> None:
    assert svg.nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert svg.nice_ticks(-4.5, 4.5, 8) == [-4, -2, 0, 2, 4]
    assert svg.nice_ticks(0.1, 0.35) == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]
    assert svg.nice_ticks(3, 3) == [3]
    assert svg.nice_ticks(0, float("inf")) == []


# Charts -----------------------------------------------------------------------------------------


def quadratic_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys = np.linspace(-4.5, 1, 56), np.linspace(-1.5, 2, 36)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, 0.5 * (X**2 + 20 * Y**2)


def all_charts(label: str = "loss") -> list[tuple[str, str]]:
    """(svg, title) for one call of every chart function, with ``label`` in every text slot."""
    ref = np.array([[-4, 1.5], [-3.5, -1], [-3, 0.5], [-2, -0.2], [-1, 0.1], [0, 0]])
    mine = ref.copy()
    mine[3:] = [[-2, 5], [np.nan, 1], [np.inf, 0]]
    return [
        (svg.line_chart({label: [3, 2, np.nan, 1], "reference": [3, 2, 1.5, 1]}, title=label, xlabel=label,
                        ylabel=label), label),
        (svg.path_plot({"reference": ref, label: mine}, quadratic_grid(), title=label, reference="reference"),
         label),
        (svg.histogram([1, 2, 2, 3, np.nan], 4, title=label, xlabel=label), label),
        (svg.bar_chart([label, "b"], [0.5, np.nan], title=label, max_value=1, percent=True), label),
    ]


def test_every_chart_is_well_formed_sized_titled_and_deterministic() -> None:
    first, second = all_charts(), all_charts()
    assert [s for s, _ in first] == [s for s, _ in second]
    for text, title in first:
        assert_shell(text, title)


def test_text_is_escaped_everywhere() -> None:
    for text, _ in all_charts(EVIL):
        root = assert_shell(text, EVIL)  # parses, and the title reads back as the raw string
        assert "<script" not in text and "&lt;script&gt;" in text
        assert not [el for el in root.iter() if el.tag.endswith("script")]
    quoted = svg.bar_chart(['a" onload="x'], [1], title="t", max_value=1)
    assert 'onload="x' not in quoted


def test_line_chart_skips_non_finite_values_with_a_note() -> None:
    text = svg.line_chart({"run": [1, np.nan, np.inf, -np.inf, 2]}, title="t", xlabel="epoch", ylabel="loss")
    root = assert_shell(text, "t")
    assert any("3 values not shown (NaN or infinite)" in t for t in texts(root))
    assert len(root.findall(f"{NS}circle")) == 2


def test_line_chart_log_scale_and_limits() -> None:
    text = svg.line_chart({"run": [100, 10, 1, 0, -1, 1e300]}, title="t", xlabel="x", ylabel="y", log_y=True,
                          y_limits=(0.5, 200))
    found = texts(assert_shell(text, "t"))
    assert any("2 values ≤ 0 not shown on the log scale" in t for t in found)
    assert any("1 value beyond the chart" in t for t in found)
    assert "1000" in found or "100" in found  # decade ticks
    huge = svg.line_chart({"run": [1, 1e308, -1e308, 2]}, title="t", xlabel="x", ylabel="y")
    assert_shell(huge, "t")


def test_empty_input_gives_an_empty_chart_with_a_note() -> None:
    cases = [
        svg.line_chart({}, title="t", xlabel="x", ylabel="y"),
        svg.line_chart({"run": []}, title="t", xlabel="x", ylabel="y"),
        svg.line_chart({"run": [np.nan, np.nan]}, title="t", xlabel="x", ylabel="y"),
        svg.histogram([], 5, title="t", xlabel="x"),
        svg.bar_chart([], [], title="t", max_value=1),
        svg.path_plot({}, quadratic_grid(), title="t"),
        svg.path_plot({"p": [1, 2, 3]}, quadratic_grid(), title="t"),
        svg.path_plot({"p": np.full((4, 2), np.nan)}, quadratic_grid(), title="t"),
    ]
    for text in cases:
        assert_shell(text, "t")
    assert any("no finite values" in t for t in texts(parse(cases[2])))
    assert any("no values" in t for t in texts(parse(cases[3])))
    assert any("no data" in t for t in texts(parse(cases[4])))
    assert any("nothing to draw" in t for t in texts(parse(cases[6])))


def test_path_plot_clips_and_marks_where_the_student_goes_wrong() -> None:
    ref = np.array([[-4, 1.5], [-3.5, -1], [-3, 0.5], [-2, -0.2], [-1, 0.1], [0, 0]])
    mine = ref.copy()
    mine[3:] = [[-2, 9], [-1, 40], [0, 80]]  # flies off the top
    root = assert_shell(svg.path_plot({"reference": ref, "yours": mine}, quadratic_grid(), title="t",
                                      reference="reference"), "t")
    notes = texts(root)
    assert any("yours: leaves the view at step 3" in t for t in notes)
    assert any("3 points outside the view" in t for t in notes)
    rings = [c for c in root.iter(f"{NS}circle") if c.get("stroke") == svg.ALERT and c.get("r") == "9"]
    assert len(rings) == 1
    width, height = float(root.get("width")), float(root.get("height"))
    for path in root.iter(f"{NS}path"):  # every drawn coordinate stays on the canvas
        for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path.get("d")):
            assert 0 <= float(x) <= width and 0 <= float(y) <= height
    contours = [p for p in root.iter(f"{NS}path") if p.get("stroke") == svg.CONTOUR]
    assert len(contours) >= 5

    nan_path = ref.copy()
    nan_path[2] = np.nan
    notes = texts(parse(svg.path_plot({"reference": ref, "yours": nan_path}, quadratic_grid(), title="t",
                                      reference="reference")))
    assert any("yours: non-finite at step 2" in t for t in notes)
    same = texts(parse(svg.path_plot({"reference": ref, "yours": ref}, quadratic_grid(), title="t",
                                     reference="reference")))
    assert not any("step" in t for t in same)


def test_histogram_counts_and_edges() -> None:
    root = assert_shell(svg.histogram([0, 1, 1, 2, 2, 2, 9], [0, 1, 2, 3], title="t", xlabel="points"), "t")
    bars = [r for r in root.findall(f"{NS}rect") if r.get("fill") == "#3b6fd4"]
    labels = ["".join(b.itertext()) for b in bars]
    assert labels == ["[0, 1): 1", "[1, 2): 2", "[2, 3]: 3"]
    assert any("1 value outside 0 to 3" in t for t in texts(root))
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] < heights[1] < heights[2]
    with pytest.raises(ValueError):
        svg.histogram([1], [2, 1], title="t", xlabel="x")


def test_bar_chart_scales_to_max_value() -> None:
    root = assert_shell(svg.bar_chart(["a", "b", "c"], [1.0, 0.25, 2.0], title="t", max_value=1, percent=True), "t")
    bars = [r for r in root.findall(f"{NS}rect") if r.get("fill") == "#3b6fd4"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == pytest.approx(4 * widths[1], abs=0.2) and widths[2] == widths[0]  # capped at max
    assert "25%" in texts(root) and "200%" in texts(root)
    with pytest.raises(ValueError):
        svg.bar_chart(["a"], [1, 2], title="t", max_value=1)
    long = svg.bar_chart(["x" * 300], [1], title="t", max_value=1)
    assert "…" in long and float(parse(long).get("width")) == 640
