"""`grade verify`: the reference scores full marks, the untouched stub scores zero on every check,
and every known mistake loses points with its hint shown (accepted variants keep full marks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.authoring.generate import render_assignment
from grader.checks.expected import ReferenceExpectations, run_in_process, with_replaced
from grader.course import Assignment
from grader.grading.engine import Engine, Settings, check_seed
from grader.grading.judge import Received, judge
from grader.grading.workdir import base_files, materialize, remove
from grader.result import Result

VERIFY_STUDENT = "grade-verify"


@dataclass
class Finding:
    ok: bool
    subject: str  # "reference", "stub", "mistake <name>", "variant <name>"
    detail: str


@dataclass
class Verification:
    assignment: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


def _reference_files(assignment: Assignment) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in assignment.sources()}


def _grade_files(engine: Engine, base: dict[str, bytes], files: dict[str, bytes], who: str) -> Result:
    root = materialize({**base, **files})
    try:
        return engine.grade(root, VERIFY_STUDENT)
    finally:
        remove(root)


def mistake_results(assignment: Assignment, secret: bytes | None = None) -> dict[str, list]:
    """In-process: each mistake's (and variant's) check results, judged like a submission's."""
    expectations = ReferenceExpectations(assignment)
    out = {}
    for m in assignment.mistakes:
        impl = with_replaced(assignment.reference, m)
        results = []
        for check in assignment.checks:
            if m.function not in check.functions:
                continue
            seed = check_seed(check, assignment.name, VERIFY_STUDENT, secret, expectations)
            try:
                received = Received(status="ok", arrays=run_in_process(check, impl, seed))
            except Exception as exc:
                received = Received(status="error", error_type=type(exc).__name__, error_message=str(exc))
            results.append(judge(check, received, expectations.expected(check, seed), None,
                                 lambda c=check, s=seed: expectations.alternatives(c, s)))
        out[m.name] = results
    return out


def verify(assignment: Assignment, *, secret: bytes | None = None, settings: Settings | None = None,
           templates: Path | None = None) -> Verification:
    report = Verification(assignment.name)
    found = report.findings.append
    base = base_files(assignment, templates)
    stubs = {name: data for name, data in render_assignment(assignment, templates).files.items()
             if name.endswith(".py") and name in {p.name for p in assignment.sources()}}
    with Engine(assignment, secret=secret, settings=settings) as engine:
        ref = _grade_files(engine, base, _reference_files(assignment), "reference")
        bad = [c for c in ref.checks if c.score != c.max_score]
        found(Finding(not bad and ref.status == "graded", "reference",
                      f"{ref.score:g}/{ref.max_score:g}" + (f" ({ref.message})" if ref.message else "") +
                      "".join(f"\n      {c.name}: {c.status} {c.message}" for c in bad)))
        stub = _grade_files(engine, base, stubs, "stub")
        scoring = [c for c in stub.checks if c.score > 0]
        found(Finding(not scoring, "stub", f"{stub.score:g}/{stub.max_score:g}" + (f" ({stub.message})" if stub.message else "")
                      + "".join(f"\n      {c.name} scores {c.score:g} on the untouched stub" for c in scoring)))
    results = mistake_results(assignment, secret)
    for m in assignment.mistakes:
        checks = results[m.name]
        if m.accepted:
            lost = [c for c in checks if c.score < c.max_score]
            found(Finding(bool(checks) and not lost, f"variant {m.name}",
                          "keeps full marks" if checks and not lost else
                          "; ".join(f"{c.name}: {c.status} {c.message}" for c in lost) or "no check exercises it"))
            continue
        losing = [c for c in checks if c.score < c.max_score]
        named = [c for c in losing if c.mistake == m.name]
        if not losing:
            found(Finding(False, f"mistake {m.name}", "loses no points: no check tells it from the reference"))
        elif not named:
            found(Finding(False, f"mistake {m.name}",
                          f"loses points on {', '.join(c.name for c in losing)} but its hint is never shown "
                          f"(other diagnoses: {', '.join(sorted({c.mistake or '-' for c in losing}))})"))
        else:
            lost = sum(c.max_score - c.score for c in losing)
            found(Finding(True, f"mistake {m.name}", f"loses {lost:g} points; caught by {', '.join(c.name for c in named)}"))
    return report
