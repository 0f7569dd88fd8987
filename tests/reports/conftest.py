"""Shared by the report tests: a varied class of results and a Gradescope results.json schema check."""

from __future__ import annotations

import pytest

from grader.bulk.late import apply_late
from grader.result import CheckResult, Result

GRADESCOPE_STATUS = {"passed", "failed"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
NUMBER = (int, float)


def check_gradescope_schema(data: dict) -> None:
    """Gradescope's results.json: required keys, their types, allowed status and visibility values."""
    assert isinstance(data, dict)
    assert isinstance(data["score"], NUMBER) and not isinstance(data["score"], bool)
    assert isinstance(data["execution_time"], NUMBER) and data["execution_time"] >= 0
    assert isinstance(data["output"], str)
    assert data["visibility"] in GRADESCOPE_VISIBILITY
    assert data["stdout_visibility"] in GRADESCOPE_VISIBILITY
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert {"score", "max_score", "name", "status", "output", "visibility"} <= test.keys()
        assert isinstance(test["score"], NUMBER) and isinstance(test["max_score"], NUMBER)
        assert 0 <= test["score"] <= test["max_score"]
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["output"], str)
        assert test["status"] in GRADESCOPE_STATUS
        assert test["visibility"] in GRADESCOPE_VISIBILITY


@pytest.fixture
def gradescope_schema():
    return check_gradescope_schema


def _check(name: str, score: float, points: float, status: str, message: str = "", **kw) -> CheckResult:
    return CheckResult(name=name, functions=[name.split("_")[0]], score=score, max_score=points, status=status,
                       message=message, **kw)


@pytest.fixture
def class_results() -> list[Result]:
    """Right, wrong, late, timed out, crashing, not gradable and unreadable submissions, odd student ids."""
    full = [_check("sgd_update", 2, 2, "passed"), _check("adam_update", 3, 3, "passed"),
            _check("hidden_adam", 4, 4, "passed", visibility="hidden")]
    wrong = [_check("sgd_update", 0, 2, "failed", 'max abs error 0.5 at [0] <x> & "y" \x1b[31m\x00'),
             _check("adam_update", 1.0 / 3, 3, "failed", "1 of 3 cases right", hint="divide m by 1 - beta1**t",
                    mistake="adam_no_bias_correction"),
             _check("hidden_adam", 0, 4, "timeout", "timed out after 10 s", visibility="hidden")]
    crash = [_check("sgd_update", 2, 2, "passed"), _check("adam_update", 0, 3, "error", "ZeroDivisionError: x"),
             _check("hidden_adam", 0, 4, "error", "ZeroDivisionError: x", visibility="hidden")]
    late = apply_late(Result.from_checks("late@example.edu", "optim",
                                         [_check("sgd_update", 2, 2, "passed"), _check("adam_update", 3, 3, "passed"),
                                          _check("hidden_adam", 4, 4, "passed", visibility="hidden")],
                                         submitted_at="2024-05-03T10:00:00Z"), 2, 0.2)
    broken = Result.from_checks("Alice", "optim",
                                [_check(n, 0, p, "error", "not gradable: SyntaxError in optim.py line 3",
                                        visibility="hidden" if n.startswith("hidden") else "public")
                                 for n, p in (("sgd_update", 2), ("adam_update", 3), ("hidden_adam", 4))])
    broken.status, broken.message = "not_gradable", "SyntaxError in optim.py line 3: invalid syntax"
    unreadable = Result(student="alice", assignment="optim", score=0.0, max_score=0.0, status="not_gradable",
                        message="alice.zip is not a zip file")
    return [
        Result.from_checks("ada", "optim", full, execution_time=0.4, submitted_at="2024-05-01T10:00:00Z"),
        Result.from_checks("b/o b<&>\"", "optim", wrong, execution_time=10.2),
        Result.from_checks("chloé", "optim", crash, execution_time=0.1),
        late, broken, unreadable,
        Result.from_checks("..", "optim", [_check("sgd_update", 2, 2, "passed")] , execution_time=0.0),
        Result.from_checks("index.json", "optim", [_check("extra_check", 1, 1, "passed")]),
    ]
