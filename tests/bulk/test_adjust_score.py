"""`grade adjust`'s work: an adjustment recorded for a known student, and a helpful refusal otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bulk.adjustments import adjust_score, published_results
from grader.bulk.gradebook import Gradebook
from grader.errors import AuthoringError
from grader.result import CheckResult, Result


@pytest.fixture
def gradebook(tmp_path: Path) -> Path:
    path = tmp_path / "gb.db"
    with Gradebook(path) as book:
        for student in ("ana.lopez@uni.example", "ben@uni.example"):
            book.record(Result.from_checks(student, "demo", [CheckResult("forward", ["f"], 3, 4, "failed")]),
                        version="v1")
    return path


def test_adjustments_add_up_and_reach_the_published_results(gradebook: Path) -> None:
    assert adjust_score(gradebook, "demo", "ben@uni.example", 2.0, "late bus") == 2.0
    assert adjust_score(gradebook, "demo", "ben@uni.example", -0.5, "typo in the docstring") == 1.5
    with Gradebook(gradebook) as book:
        rows = {r.student: r for r in published_results(book, "demo", 8, plots=False)}
    assert rows["ben@uni.example"].score == 6 + 1.5 and rows["ana.lopez@uni.example"].score == 6
    assert "late bus" in rows["ben@uni.example"].message


def test_an_unknown_student_is_refused_with_the_close_ids(gradebook: Path) -> None:
    with pytest.raises(AuthoringError, match=r"no student 'ana' for 'demo'; did you mean ana.lopez@uni.example\?"):
        adjust_score(gradebook, "demo", "ana", 1.0, "x")
    with pytest.raises(AuthoringError, match=r"no student 'zoe' for 'demo' \(it has 2 students"):
        adjust_score(gradebook, "demo", "zoe", 1.0, "x")


def test_a_missing_gradebook_is_refused_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(AuthoringError, match="no such gradebook"):
        adjust_score(tmp_path / "none.db", "demo", "ana", 1.0, "x")
    assert not (tmp_path / "none.db").exists()
