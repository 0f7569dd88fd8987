"""Hand-built results for the report tests: realistic plots, hostile strings, a hidden check with secrets."""

from __future__ import annotations

import numpy as np

from grader.checks.surfaces import PATH_START, quadratic_gradient
from grader.result import FAILED, NOT_GRADABLE, PASSED, TIMEOUT, CheckResult, Result

HOSTILE_ID = "<script>alert(1)</script>"
HOSTILE_MESSAGE = "ValueError: <img src=x onerror=alert(1)> in line 3"
SECRET = "31415.92653"  # appears only in a hidden check's message and must never reach a page


def momentum_path(steps: int = 30, lr: float = 0.04, mu: float = 0.8, sign: float = 1.0) -> np.ndarray:
    """Points after each momentum step on the ill-conditioned quadratic (shape (steps, 2))."""
    w, v, out = PATH_START.copy(), np.zeros(2), []
    for _ in range(steps):
        v = mu * v - sign * lr * quadratic_gradient(w)
        w = w + v
        out.append(w.copy())
    return np.array(out)


def loss_curve(epochs: int = 25, lr: float = 0.3) -> np.ndarray:
    """A loss per epoch that decays (or, for a big ``lr``, blows up)."""
    e = np.arange(epochs)
    return 2.0 * np.exp(-lr * e) + 0.05 if lr < 1 else 2.0 * np.exp(lr * e)


def student_result(student: str = "alice", *, hostile: bool = False, late: bool = False) -> Result:
    """A graded result with a failing path check, a curve check, a hidden failing check and an error."""
    diverged = momentum_path(sign=-1.0)  # momentum stepping with the wrong sign: flies off
    with np.errstate(over="ignore"):
        bad_curve = loss_curve(lr=2.5)
    bad_curve[-3:] = np.nan
    checks = [
        CheckResult("momentum_update", ["sgd_momentum"], 3, 3, PASSED, description="One step from a given state."),
        CheckResult("momentum_path", ["sgd_momentum"], 0, 2, FAILED,
                    message="largest absolute error 3.2 at index (1, 0), first wrong at step 0",
                    hint="looks like momentum stepping with the wrong sign: v = mu * v - lr * dw, then w + v",
                    mistake="momentum_wrong_sign",
                    plot={"kind": "path", "series": {"w": {"expected": momentum_path().tolist(),
                                                           "student": np.where(np.isfinite(diverged), diverged,
                                                                               np.nan).tolist()}}}),
        CheckResult("training_loss", ["train"], 0, 2, FAILED, message="NaN at epoch 23; values differ from epoch 1",
                    plot={"kind": "curve", "series": {"loss": {"expected": loss_curve().tolist(),
                                                               "student": bad_curve.tolist()}}}),
        CheckResult("adam_path", ["adam"], 2, 2, PASSED,
                    plot={"kind": "path", "series": {"w": {"expected": momentum_path(mu=0.5).tolist(),
                                                           "student": momentum_path(mu=0.5).tolist()}}}),
        CheckResult("adam_hidden", ["adam"], 0, 3, FAILED, visibility="hidden",
                    message=f"largest error at index 2: got {SECRET}, expected 2.71828 for input [1.5, -0.25]",
                    hint="looks like Adam without bias correction: divide m and v by 1 - beta**t",
                    mistake="adam_no_bias_correction", description=f"secret scenario {SECRET}"),
        CheckResult("rmsprop_update", ["rmsprop"], 0, 2, "error",
                    message=HOSTILE_MESSAGE if hostile else "ZeroDivisionError: division by zero (optim.py, line 40)"),
        CheckResult("sgd_slow", ["sgd"], 0, 1, TIMEOUT, message="timed out after 2 s"),
    ]
    extra = {"submitted_at": "2024-03-02T10:00:00Z"}
    if late:
        extra.update(late_days=2, penalty=0.2)
    result = Result.from_checks(HOSTILE_ID if hostile else student, "optim", checks, **extra)
    if late:
        result.score = round(result.raw_score * 0.8, 6)
    return result


def not_gradable_result(student: str = "zed") -> Result:
    return Result(student=student, assignment="optim", score=0, max_score=15, status=NOT_GRADABLE,
                  message=f"SyntaxError in optim.py, line 12: {HOSTILE_MESSAGE}")


def full_marks(student: str) -> Result:
    checks = [CheckResult(n, ["f"], p, p, PASSED) for n, p in
              [("momentum_update", 3), ("momentum_path", 2), ("training_loss", 2), ("adam_path", 2),
               ("adam_hidden", 3), ("rmsprop_update", 2), ("sgd_slow", 1)]]
    checks[4].visibility = "hidden"
    return Result.from_checks(student, "optim", checks)


def class_results() -> list[Result]:
    return [student_result("alice"), student_result(hostile=True), student_result("bob", late=True),
            full_marks("carol"), full_marks("Carol"), full_marks("dave/../../etc"), not_gradable_result()]
