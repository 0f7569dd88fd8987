"""The shared output path of `grade batch` and `grade report`, and the class's two means, each
saying what it is over, in the terminal summary and the class report."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from grader.reports.outputs import OutputError, OutputOptions, write_requested
from grader.reports.terminal import format_class_summary
from grader.result import PASSED, CheckResult, Result


def graded(student: str, scores: tuple[float, float], mistake: str | None = None) -> Result:
    checks = [CheckResult("forward", ["f"], scores[0], 4, PASSED if scores[0] == 4 else "failed", mistake=mistake),
              CheckResult("backward", ["b"], scores[1], 4, PASSED if scores[1] == 4 else "failed")]
    return Result.from_checks(student, "demo", checks)


def not_gradable(student: str) -> Result:
    return Result(student=student, assignment="demo", score=0.0, max_score=8.0, status="not_gradable",
                  message="SyntaxError in demo.py, line 3")


CLASS = [graded("ana", (4, 4)), graded("ben", (2, 4), mistake="sign_flipped"), graded("cai", (4, 2)),
         not_gradable("dee")]  # graded: 8, 6, 6 (mean 6.7); all four: 20/4 = 5.0


def test_the_terminal_summary_says_which_mean_is_over_what() -> None:
    first = format_class_summary(CLASS).splitlines()[0]
    assert first.startswith("4 students: mean 5.0/8 over all 4 (not gradable counted as 0), 6.7 over the 3 graded;")
    assert "1 not gradable" in first and "1 full marks" in first


def test_with_every_submission_graded_the_terminal_summary_has_one_mean() -> None:
    first = format_class_summary(CLASS[:3]).splitlines()[0]
    assert "mean 6.7/8 over all 3 (all graded); median 6 over all" in first and "counted as 0" not in first


def test_the_class_report_labels_both_means(tmp_path: Path) -> None:
    index = write_requested(CLASS, "demo", OutputOptions(html=tmp_path / "html"))[0]
    page = index.read_text(encoding="utf-8")
    assert '<span class="value">6.67</span><span class="label">mean of the 3 graded</span>' in page
    assert '<span class="value">5</span><span class="label">mean of all 4 (not gradable counted as 0)</span>' in page


def test_every_output_asked_for_is_written_and_agrees(tmp_path: Path) -> None:
    outputs = OutputOptions(json=tmp_path / "r.json", csv=tmp_path / "r.csv", junit=tmp_path / "r.xml",
                            gradescope=tmp_path / "gs")
    written = write_requested(CLASS, "demo", outputs)
    assert written == [tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.xml", tmp_path / "gs"]
    scores = {r["student"]: r["score"] for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert scores == rows == {"ana": 8, "ben": 6, "cai": 6, "dee": 0}
    assert not outputs.plots and OutputOptions(html=tmp_path).plots and not OutputOptions().any


def test_an_output_that_cannot_be_written_is_one_sentence_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(OutputError, match=r"cannot write the outputs: .*a-file"):
        write_requested(CLASS, "demo", OutputOptions(csv=tmp_path / "a-file" / "r.csv"))


def test_pages_without_their_dependencies_say_so_after_writing_the_rest(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "grader.reports.html", None)  # as if the pages' dependencies were missing
    with pytest.raises(OutputError, match="--html is not available in this installation"):
        write_requested(CLASS, "demo", OutputOptions(json=tmp_path / "r.json", html=tmp_path / "html"))
    assert (tmp_path / "r.json").is_file() and not (tmp_path / "html").exists()
