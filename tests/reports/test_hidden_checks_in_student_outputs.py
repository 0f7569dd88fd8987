"""Hidden checks are not an oracle: what a student reads of one (grade submit's terminal, JSON and
page, Gradescope's results.json, feedback pages, the notebook's check()) holds its status, points and
hint, and no number derived from its hidden inputs or expected outputs. Instructors' outputs keep the
grader's message, labelled "instructor only".

The results are built by the real judge from arrays whose digits are distinctive, so a message that
leaks through any output is caught by the digits it carries.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.checks.api import check
from grader.checks.expected import Alternative
from grader.checks.values import Value
from grader.grading.judge import Received, judge
from grader.notebook_check import Feedback
from grader.reports.export import gradescope_result, write_gradescope, write_json, write_junit
from grader.reports.html import render_student_page
from grader.reports.terminal import format_result
from grader.result import HIDDEN_MESSAGE, INSTRUCTOR_ONLY, CheckResult, Result

EXPECTED = np.array([[0.0, 7358.21, 0.0], [0.04913, 0.0, -615.772]])  # what the hidden inputs lead to
ANSWER = np.zeros_like(EXPECTED)  # the attacker's: 0 where unknown, so an error is |expected|
HINT = "looks like Adam without bias correction: divide m and v by one minus beta to the power t"


def _hidden(name: str, points: float = 2):
    @check(points=points, functions=["adam"], hidden=True, name=name)
    def scenario(impl, rng):
        """Adam on hidden inputs of shape (2, 3)."""
        return {}
    return scenario.__grade__


def leaked_numbers() -> set[str]:
    """Every number the grader's messages could derive from the hidden case: values as the messages
    format them (6 significant digits, and shorter prefixes), errors, the index and the shape."""
    numbers = set()
    for x in np.concatenate([EXPECTED.ravel(), np.abs(EXPECTED).ravel()]):
        if x:
            text = f"{x:.6g}".lstrip("-")
            numbers |= {text, text[:4]}
    numbers |= {"(0, 1)", "(2, 3)", "(3, 2)", "4 of 6"}
    return numbers


@pytest.fixture
def hidden_result() -> Result:
    """A result with a public check, three failing hidden checks (wrong values, wrong shape, an error
    raised on the hidden inputs) and one whose outputs match a known mistake."""
    expected = {"next_w": Value.of(EXPECTED)}
    wrong = judge(_hidden("hidden_adam_update"), Received(arrays={"next_w": Value.of(ANSWER)}), expected, [])
    shape = judge(_hidden("hidden_adam_shape"), Received(arrays={"next_w": Value.of(ANSWER.T)}), expected, [])
    error = judge(_hidden("hidden_adam_error"),
                  Received(status="error", error_type="ZeroDivisionError", error_message="7358.21 / 0",
                           where="optim.py, line 615, in adam"), expected, [])
    mistake_answer = EXPECTED * 1.5
    mistake = judge(_hidden("hidden_adam_mistake"), Received(arrays={"next_w": Value.of(mistake_answer)}), expected,
                    [Alternative(name="adam-no-bias-correction", function="adam", hint=HINT, accepted=False,
                                 outputs={"next_w": Value.of(mistake_answer)})])
    # the premise: the grader's own messages do carry the hidden numbers (instructors need them)
    assert "7358.21" in wrong.message and "(0, 1)" in wrong.message, wrong.message
    assert "(3, 2)" in shape.message and "615" in error.message and mistake.hint == HINT
    public = CheckResult("adam_update", ["adam"], 0, 2, "failed", message="w: got 1.5, expected 2")
    return Result.from_checks("ada", "optim", [public, wrong, shape, error, mistake],
                              submitted_at="2024-03-02T10:00:00Z")


HIDDEN = ("hidden_adam_update", "hidden_adam_shape", "hidden_adam_error", "hidden_adam_mistake")


def assert_nothing_leaks(text: str, where: str) -> None:
    for number in leaked_numbers():
        assert number not in text, f"{where}: {number!r} from a hidden check reached the student"
    assert "largest error" not in text and "index" not in text.lower().replace("index.html", ""), where


def assert_no_digit(text: str, where: str) -> None:
    assert not re.search(r"\d", text), f"{where}: a hidden check's feedback holds a number: {text!r}"


def test_the_students_view_of_a_hidden_check_is_status_points_and_hint(hidden_result):
    view = hidden_result.for_student()
    for check, shown in zip(hidden_result.checks, view.checks):
        assert (shown.name, shown.status, shown.score, shown.max_score, shown.hint) == \
            (check.name, check.status, check.score, check.max_score, check.hint)
        if check.hidden:
            assert shown.message == HIDDEN_MESSAGE and shown.description == "" and shown.plot is None
        else:
            assert shown == check
    assert hidden_result.checks[1].message != HIDDEN_MESSAGE  # the instructor's result is left whole


def test_gradescope_results_hold_no_hidden_number(hidden_result, tmp_path):
    data = gradescope_result(hidden_result)
    for test in data["tests"]:
        if test["name"] in HIDDEN:
            assert_no_digit(test["output"], f"results.json, {test['name']}")
    assert HINT in next(t["output"] for t in data["tests"] if t["name"] == "hidden_adam_mistake")
    folder = write_gradescope([hidden_result], tmp_path / "gs")
    assert_nothing_leaks((folder / "ada" / "results.json").read_text(encoding="utf-8"), "results.json")


def test_feedback_pages_hold_no_hidden_number(hidden_result):
    page = render_student_page(hidden_result)
    assert_nothing_leaks(page, "feedback page")
    for name in HIDDEN:
        row = re.search(rf'<tr id="check-\d+">\s*<th scope="row">\s*<span class="check-name">{name}</span>.*?</tr>',
                        page, re.S)
        assert row, name
        text = re.sub(r"<[^>]+>", " ", row.group(0))
        assert_no_digit(re.sub(r"\d+ / \d+", "", text), f"feedback page, {name}")  # points aside
    assert HINT.split(":")[0] in page


def test_the_notebooks_check_shows_no_hidden_number(hidden_result):
    feedback = Feedback(result=hidden_result, notebook="optim.ipynb")
    assert_nothing_leaks(str(feedback), "check() text")
    assert_nothing_leaks(feedback._repr_html_(), "check() HTML")


def test_grade_submit_prints_and_writes_no_hidden_number(hidden_result, tmp_path, monkeypatch):
    """The command's terminal table, --json and --html: all three are the student's."""
    import grader.grading.submit as submit_module
    from grader.cli import main

    monkeypatch.setattr(submit_module, "submit", lambda *a, **k: submit_module.Submitted(hidden_result, None))
    monkeypatch.setattr("grader.sandbox.launch.launch", lambda *a, **k: None)  # nothing is graded here
    folder = tmp_path / "pack"  # a pack as `grade submit` recognises one (what it holds is not read)
    folder.mkdir()
    (folder / "checks.py").write_text("")
    (folder / "expected.json").write_text("{}")
    out = CliRunner().invoke(main, ["submit", str(folder), "--student", "ada", "--no-archive",
                                    "--json", str(tmp_path / "r.json"),
                                    "--html", str(tmp_path / "r.html")])
    assert out.exit_code == 1, out.output  # checks failed
    assert_nothing_leaks(out.output, "grade submit's terminal")
    for line in out.output.splitlines():
        if line.startswith(HIDDEN):
            assert_no_digit(re.sub(r"\d+/\d+", "", line), f"terminal: {line}")  # points aside
    assert_nothing_leaks((tmp_path / "r.html").read_text(encoding="utf-8"), "grade submit --html")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    for shown in data["checks"]:
        if shown["name"] in HIDDEN:
            assert_no_digit(shown["message"] + shown["description"], f"grade submit --json, {shown['name']}")
    assert_nothing_leaks(json.dumps(data), "grade submit --json")


def test_instructor_outputs_keep_the_details_labelled(hidden_result, tmp_path):
    data = json.loads(write_json([hidden_result], "optim", 10, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["audience"].startswith(INSTRUCTOR_ONLY)
    assert "7358.21" in json.dumps(data["results"][0]["checks"])
    root = ET.parse(write_junit([hidden_result], tmp_path / "r.xml")).getroot()
    update = next(case for case in root.iter("testcase") if case.get("name") == "hidden_adam_update")
    assert update.find("failure").get("message").startswith(f"[{INSTRUCTOR_ONLY}] ")
    assert "7358.21" in update.find("failure").get("message")


def test_an_oracle_attack_learns_nothing_from_the_students_outputs():
    """The attack: answer 0 everywhere; read "largest error E at index I" (E = |expected[I]|); fill in
    +-E at I and resubmit. On the messages a student is shown, it never learns a value."""
    target = _hidden("hidden_adam_update")
    expected = {"next_w": Value.of(EXPECTED)}
    pattern = re.compile(r"largest error ([\d.e+-]+) .*?at index \((\d+), (\d+)\)")

    def attack(read) -> tuple[np.ndarray, float]:
        answer = np.zeros_like(EXPECTED)
        for _ in range(2 * EXPECTED.size):
            result = judge(target, Received(arrays={"next_w": Value.of(answer)}), expected, [])
            found = pattern.search(read(result))
            if result.status == "passed" or not found:
                return answer, result.score
            error, i, j = float(found.group(1)), int(found.group(2)), int(found.group(3))
            answer[i, j] = error if answer[i, j] == 0 else -error  # +E first, then -E
        return answer, result.score

    learned, score = attack(lambda r: r.message)  # what instructors read: the oracle is real
    assert score == target.points and np.allclose(learned, EXPECTED, rtol=1e-5)
    learned, score = attack(lambda r: gradescope_result(
        Result.from_checks("eve", "optim", [r]))["tests"][0]["output"])
    assert score == 0 and not learned.any()
