"""The HTML feedback pages: content, escaping, hidden checks, self-containment, course overrides."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from _samples import HOSTILE_ID, HOSTILE_MESSAGE, SECRET, class_results, full_marks, not_gradable_result, student_result
from grader.reports.html import (class_context, render_student_page, student_filenames, write_class_report,
                                 write_student_page)
from grader.result import NOT_GRADABLE, PASSED, CheckResult, Result


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def assert_self_contained(page: str) -> None:
    """No scripts, no event handlers, nothing fetched: every URL is a fragment or a relative page."""
    tags = parse(page)
    names = [t for t, _ in tags.tags]
    assert "script" not in names and "img" not in names and "iframe" not in names and "link" not in names
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("src", "href", "xlink:href", "action"):
            value = attrs.get(key)
            if value is not None:
                assert not re.match(r"^[a-z]+:|^//", value), (tag, key, value)
    assert "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_student_page_shows_total_checks_messages_hints_and_plots(tmp_path: Path) -> None:
    path = write_student_page(student_result("alice"), tmp_path / "sub" / "feedback.html")
    assert path == tmp_path / "sub" / "feedback.html"
    page = path.read_text(encoding="utf-8")
    assert_self_contained(page)
    text = " ".join(parse(page).text)
    assert "Feedback for alice" in text and "optim" in text
    assert re.search(r"5\s*</span><span class=\"of\">/ 15 points", page)
    for name in ("momentum_update", "momentum_path", "training_loss", "adam_path", "adam_hidden",
                 "rmsprop_update", "sgd_slow"):
        assert name in text
    assert "largest absolute error 3.2 at index (1, 0)" in text  # a public failure's message
    assert "looks like momentum stepping with the wrong sign" in text  # its diagnosed mistake's hint
    assert "timed out" in text and "ZeroDivisionError" in text
    assert page.count("<svg") == 3  # two paths and a loss curve
    assert page.count('role="img"') == 3
    assert "Your path (blue, solid)" in text and "Your run (blue, solid)" in text
    assert "your path: departs from the reference at step 1" in page  # where the student's path diverges
    assert "3 values not shown (NaN or infinite)" in page  # the NaN epochs of the curve
    assert "late penalty" not in text


def test_hidden_check_shows_only_name_status_points_and_hint() -> None:
    result = student_result("alice")
    hidden = result.checks[4]
    assert hidden.hidden and SECRET in hidden.message
    hidden.plot = {"kind": "curve", "series": {"x": {"expected": [1.0, 2.0], "student": [31415.92653, 2.0]}}}
    page = render_student_page(result)
    assert SECRET not in page and "31415" not in page
    assert "2.71828" not in page and "[1.5, -0.25]" not in page and "secret scenario" not in page
    assert "adam_hidden" in page and "0 / 3" in page
    assert "looks like Adam without bias correction" in page
    assert "adam_no_bias_correction" not in page  # the mistake's internal name is not among the four
    assert page.count("<svg") == 3  # no plot for the hidden check, even if one slipped in


def test_student_controlled_strings_are_escaped(tmp_path: Path) -> None:
    page = write_student_page(student_result(hostile=True), tmp_path / "f.html").read_text(encoding="utf-8")
    assert_self_contained(page)
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    text = " ".join(parse(page).text)
    assert HOSTILE_ID in text and HOSTILE_MESSAGE in text  # shown, as text
    broken = Result.from_checks("x", "optim", [CheckResult('c"><b>', [], 0, 1, "failed", message="&amp; </td>",
                                                           hint="<!-- -->")])
    other = render_student_page(broken)
    assert 'c"><b>' not in other and "c&#34;&gt;&lt;b&gt;" in other
    assert "&amp;amp; &lt;/td&gt;" in other and "&lt;!-- --&gt;" in other


def test_not_gradable_page(tmp_path: Path) -> None:
    page = write_student_page(not_gradable_result(), tmp_path / "f.html").read_text(encoding="utf-8")
    assert "not gradable" in page and "SyntaxError in optim.py, line 12" in page
    assert "<img src=x" not in page
    assert "0 / 15" in page
    assert_self_contained(page)


def test_late_submission_is_explained() -> None:
    page = render_student_page(student_result("bob", late=True))
    assert "2 days late" in page and "late penalty of 20%" in page and "applied to 5 points" in page
    assert '<span class="score">4</span>' in page


def failing(name: str, kind: str, expected: object, student: object) -> CheckResult:
    return CheckResult(name, [], 0, 1, "failed",
                       plot={"kind": kind, "series": {"w": {"expected": expected, "student": student}}})


def test_plots_survive_diverging_and_malformed_data() -> None:
    checks = [
        failing("p1", "path", [[1, 1], [0.5, 0.2], [0.1, 0.0]], [[1e300, -1e300], [np.inf, 0], [np.nan, np.nan]]),
        failing("p2", "path", [[1, 1]], None),
        failing("p3", "curve", [3, 2, 1], [3, 1e308, np.inf]),
        failing("p4", "curve", [], []),
        failing("p5", "path", "bad", [1]),
        failing("p6", "mystery", [1], [1]),
        failing("p7", "curve", [[1, 2], [3, 4]], [[1, 2], [3, 4]]),
    ]
    page = render_student_page(Result.from_checks("s", "a", checks))
    assert page.count("<svg") == 3  # p1, p2, p3; the rest have nothing drawable
    for picture in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        coordinates = " ".join(re.findall(r'(?:d|x|y|x1|y1|x2|y2|cx|cy|width|height)="([^"]*)"', picture))
        assert "nan" not in coordinates.lower() and "inf" not in coordinates.lower()
    assert "your path: leaves the view at step 1" in page
    assert "no path of the right shape" in page
    assert "your run: 1 value not shown (NaN or infinite)" in page


def test_student_filenames_are_safe_unique_and_stable() -> None:
    ids = ["alice", "Alice", HOSTILE_ID, "../../etc/passwd", "", "con", "élodie", "a" * 300, "alice"]
    names = student_filenames(ids)
    assert names == student_filenames(ids)
    assert len({n.lower() for n in names}) == len(names)
    assert names[0] == "alice.html" and names[1] == "Alice-2.html"
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", name) and len(name) < 80, name
        assert ".." not in name.replace("...", "") or "/" not in name
    assert names[5] != "con.html"


def test_class_report_writes_index_and_linked_student_pages(tmp_path: Path) -> None:
    results = class_results()
    index = write_class_report(results, "optim", 15, tmp_path / "html")
    assert index == tmp_path / "html" / "index.html"
    page = index.read_text(encoding="utf-8")
    assert_self_contained(page)
    hrefs = [a.get("href") for t, a in parse(page).tags if t == "a" and not a.get("href", "").startswith("#")]
    pages = sorted((tmp_path / "html" / "students").iterdir())
    assert len(pages) == len(results) == len(set(hrefs))
    for href in hrefs:
        target = (index.parent / href).resolve()
        assert target.parent == (tmp_path / "html" / "students").resolve() and target.is_file()
        student_page = target.read_text(encoding="utf-8")
        assert 'href="../index.html"' in student_page
        assert SECRET not in student_page and "<script>alert" not in student_page
        assert_self_contained(student_page)
    text = " ".join(parse(page).text)
    assert page.count("<svg") == 2  # score histogram and pass rates
    assert "Scores of graded submissions" in page and "Share of students passing each check" in page
    # most frequent mistakes, with counts (alice, the hostile id and bob each made both)
    assert re.search(r"momentum_wrong_sign</span><span class=\"description\">looks like momentum[^<]*</span></th>\s*"
                     r"<td class=\"num\">3</td>", page)
    assert "adam_no_bias_correction" in page  # the instructor sees the names
    assert "bob" in text and "2024-03-02T10:00:00Z" in text and "20%" in text  # late table
    assert "SyntaxError in optim.py, line 12" in text  # not gradable, with its reason
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "<img src=x" not in page
    assert SECRET not in page


def test_class_report_numbers() -> None:
    results = class_results()
    ordered = sorted(results, key=lambda r: r.student)
    ctx = class_context(ordered, "optim", 15, [f"students/{i}.html" for i in range(len(ordered))])
    # two means, each over what it says: the 6 graded (59 points), and all 7 with the not-gradable one as 0
    assert ctx["summary"] == {"submissions": 7, "graded": 6, "not_gradable": 1, "mean_graded": "9.83",
                              "mean_all": "8.43", "median_graded": "10", "full": 3, "late": 1}
    rates = {c["name"]: c["rate_text"] for c in ctx["checks"]}
    assert rates["momentum_update"] == "100%" and rates["momentum_path"] == "50%"
    top = ctx["mistakes"][0]
    assert top["count"] == 3 and top["students"] == 3
    assert [r["student"] for r in ctx["late"]] == ["bob"]
    assert [r["student"] for r in ctx["not_gradable"]] == ["zed"]


def test_class_report_with_nothing_graded(tmp_path: Path) -> None:
    page = write_class_report([], "optim", 0, tmp_path / "empty").read_text(encoding="utf-8")
    assert "No submissions." in page and "No check results yet." in page and page.count("<svg") == 1
    page = write_class_report([not_gradable_result("a")], "optim", 15, tmp_path / "ng").read_text(encoding="utf-8")
    assert "not gradable" in page


def test_pages_are_deterministic(tmp_path: Path) -> None:
    a = write_class_report(class_results(), "optim", 15, tmp_path / "a")
    b = write_class_report(list(reversed(class_results())), "optim", 15, tmp_path / "b")
    assert a.read_text() == b.read_text()
    for page in (tmp_path / "a" / "students").iterdir():
        assert page.read_text() == (tmp_path / "b" / "students" / page.name).read_text()


def test_a_course_can_override_the_templates(tmp_path: Path) -> None:
    course = tmp_path / "templates"
    course.mkdir()
    (course / "feedback.css.j2").write_text("body { background: #fdf6e3; } /* course style */\n")
    (course / "student.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block title %}{{ student }}{% endblock %}'
        "{% block content %}<h1>Course page for {{ student }}</h1>{% endblock %}\n")
    page = write_student_page(student_result(hostile=True), tmp_path / "p.html", templates=course).read_text()
    assert "course style" in page and "Course page for &lt;script&gt;" in page  # still escaped
    assert "<script>" not in page


@pytest.mark.parametrize("status", ["passed", "failed", "error", "timeout", "weird"])
def test_every_status_renders(status: str) -> None:
    check = CheckResult("c", ["f"], 1 if status == PASSED else 0, 1, status, message="m")
    page = render_student_page(Result.from_checks("s", "a", [check]))
    assert 'class="badge' in page
    if status != PASSED:
        assert '<p class="message">m</p>' in page


def test_full_marks_page_has_no_messages() -> None:
    page = render_student_page(full_marks("carol"))
    assert "7 of 7 checks passed" in page and 'class="message"' not in page


@pytest.mark.parametrize("total, said", [(1.0, "/ 1 point<"), (2.0, "/ 2 points<"), (0.5, "/ 0.5 points<")])
def test_a_page_says_point_for_a_total_of_one_and_points_otherwise(total: float, said: str) -> None:
    check = CheckResult(name="only", functions=["f"], score=total, max_score=total, status=PASSED, message="")
    page = render_student_page(Result.from_checks("dana", "optim", [check]))
    assert said in page
    not_gradable = Result.from_checks("dana", "optim", [check])
    not_gradable.status = NOT_GRADABLE
    assert f"Score: 0 {said[:-1]}.</strong>" in render_student_page(not_gradable)
