"""The result objects every report reads (and their JSON form, shared by submit and batch).

A result holds everything the grader found, for instructors. What a student may see of it is
:meth:`Result.for_student`: every student-facing output (``grade submit``, Gradescope's
``results.json``, feedback pages, the notebook's ``check()``) goes through it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable

PASSED, FAILED, ERROR, TIMEOUT = "passed", "failed", "error", "timeout"
GRADED, NOT_GRADABLE = "graded", "not_gradable"
INSTRUCTOR_ONLY = "instructor only"
# What a student reads for a hidden check that did not pass, whatever went wrong. The grader's
# message ("largest error E at index I", a shape, an exception and its line) is computed from the
# hidden inputs and expected outputs: shown to students, resubmitting and reading it recovers
# them one value per round. Its status, points and the hint of a known mistake are what remain.
HIDDEN_MESSAGE = "this is a hidden check: what differs is not shown, only its status, points and hint"


@dataclass
class CheckResult:
    name: str
    functions: list[str]
    score: float
    max_score: float
    status: str
    message: str = ""
    visibility: str = "public"
    hint: str | None = None  # the diagnosed known mistake's hint, or an accepted variant's note
    mistake: str | None = None  # the diagnosed known mistake's name
    description: str = ""
    plot: dict[str, Any] | None = None  # arrays for feedback plots (public checks only)
    # a digest of the outputs a public check received (grader.checks.values.output_digest): the
    # similarity report's evidence of a shared wrong value; instructor-only, so never in to_dict()
    digest: str | None = None

    @property
    def hidden(self) -> bool:
        return self.visibility == "hidden"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("plot")
        data.pop("digest")
        return data

    def for_student(self) -> "CheckResult":
        """What a student may see: a public check whole; of a hidden one only its name, status,
        points, and the hint (and name) of the known mistake it matched. A hint is the instructor's
        fixed sentence, chosen among a few by which mistake's outputs match: it carries no number
        from the hidden inputs, which is what the message, the description and the plot could."""
        if not self.hidden:
            return self
        return replace(self, message="" if self.status == PASSED else HIDDEN_MESSAGE, description="", plot=None)


@dataclass
class Result:
    student: str
    assignment: str
    score: float
    max_score: float
    status: str
    checks: list[CheckResult] = field(default_factory=list)
    message: str = ""
    execution_time: float = 0.0
    submitted_at: str | None = None
    late_days: int = 0
    penalty: float = 0.0  # fraction of the score taken for lateness
    sha256: str | None = None
    late_source: str | None = None  # which source decided lateness: lms, manifest, mtime or none
    adjustments: list[dict[str, Any]] = field(default_factory=list)  # manual ones: {"points", "note", "at"}

    @classmethod
    def from_checks(cls, student: str, assignment: str, checks: list[CheckResult], **extra: Any) -> "Result":
        return cls(student=student, assignment=assignment, status=GRADED, checks=checks,
                   score=round(sum(c.score for c in checks), 6),
                   max_score=round(sum(c.max_score for c in checks), 6), **extra)

    @property
    def raw_score(self) -> float:
        return round(sum(c.score for c in self.checks), 6)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["checks"] = [c.to_dict() for c in self.checks]
        return data

    def for_student(self) -> "Result":
        """The result as a student may see it (:meth:`CheckResult.for_student` for every check)."""
        return replace(self, checks=[c.for_student() for c in self.checks])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Result":
        data = dict(data)
        checks = [CheckResult(**{k: v for k, v in c.items() if k in CheckResult.__dataclass_fields__})
                  for c in data.pop("checks", [])]
        return cls(checks=checks, **{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def scale_result(result: Result, points: float | None) -> Result:
    """A copy of ``result`` whose check scores and totals are scaled so the maximum is ``points``.

    Verdicts (each check's status, message and hint) are unchanged; the late penalty is a fraction,
    so it applies to the scaled score as it did to the raw one.
    """
    if not points or not result.max_score or abs(result.max_score - points) < 1e-12:
        return result
    factor = float(points) / float(result.max_score)
    checks = [replace(c, score=round(c.score * factor, 6), max_score=round(c.max_score * factor, 6))
              for c in result.checks]
    raw = round(sum(c.score for c in result.checks) * factor, 6)
    return replace(result, checks=checks, max_score=round(float(points), 6),
                   score=round(raw * (1.0 - float(result.penalty or 0.0)), 6))


def scale_results(results: Iterable[Result], points: float | None) -> list[Result]:
    """:func:`scale_result` of each result (the assignment's published points, e.g. from course.toml)."""
    return [scale_result(r, points) for r in results]
