"""The result objects every report reads (and their JSON form, shared by submit and batch)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASSED, FAILED, ERROR, TIMEOUT = "passed", "failed", "error", "timeout"
GRADED, NOT_GRADABLE = "graded", "not_gradable"


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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Result":
        data = dict(data)
        checks = [CheckResult(**{k: v for k, v in c.items() if k in CheckResult.__dataclass_fields__})
                  for c in data.pop("checks", [])]
        return cls(checks=checks, **{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
