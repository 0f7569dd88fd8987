"""`grade verify`: the reference scores full marks, the untouched stub scores zero on every check,
and every known mistake loses points with its hint shown (accepted variants keep full marks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.authoring.generate import render_assignment
from grader.checks.api import Mistake
from grader.checks.expected import ReferenceExpectations, run_in_process, with_replaced
from grader.checks.trusted_warnings import drain, kept
from grader.course import Assignment
from grader.grading.engine import Engine, Settings, check_seed
from grader.grading.judge import Received, judge
from grader.grading.files import grade_files
from grader.grading.workdir import base_files
from grader.result import Result
from grader.wording import plural

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
    # warnings the reference and the known mistakes raised in this process, once each, naming who
    # raised them and where in solutions/ (grader.checks.trusted_warnings): notes, not failures
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


def _reference_files(assignment: Assignment) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in assignment.sources()}


def _grade_files(engine: Engine, base: dict[str, bytes], files: dict[str, bytes], who: str) -> Result:
    return grade_files(engine, {**base, **files}, VERIFY_STUDENT)


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
                with kept(f"{'variant' if m.accepted else 'mistake'} {m.name}"):
                    received = Received(status="ok", arrays=run_in_process(check, impl, seed))
            except Exception as exc:
                received = Received(status="error", error_type=type(exc).__name__, error_message=str(exc))
            results.append(judge(check, received, expectations.expected(check, seed), None,
                                 lambda c=check, s=seed: expectations.alternatives(c, s)))
        out[m.name] = results
    return out


class Verifier:
    """The pieces of `grade verify`, one finding at a time (the pytest plugin reports each as a test).

    The reference and the untouched stub are graded once, together, in the sandbox like any
    submission (:meth:`runs`); the known mistakes are judged in-process (:meth:`mistake_checks`).
    Both are computed on first use and cached.
    """

    def __init__(self, assignment: Assignment, *, secret: bytes | None = None, settings: Settings | None = None,
                 templates: Path | None = None):
        self.assignment = assignment
        self.secret = secret
        self.settings = settings
        self.templates = templates
        self._runs: tuple[Result, Result] | None = None
        self._mistakes: dict[str, list] | None = None

    def runs(self) -> tuple[Result, Result]:
        """(reference, untouched stub), each graded in the sandbox on every check."""
        if self._runs is None:
            assignment, templates = self.assignment, self.templates
            rendered = render_assignment(assignment, templates).files
            base = base_files(assignment, templates)
            stubs = {name: data for name, data in rendered.items()
                     if name.endswith(".py") and name in {p.name for p in assignment.sources()}}
            with Engine(assignment, secret=self.secret, settings=self.settings) as engine:
                ref = _grade_files(engine, base, _reference_files(assignment), "reference")
                stub = _grade_files(engine, base, stubs, "stub")
            self._runs = (ref, stub)
        return self._runs

    def mistake_checks(self) -> dict[str, list]:
        """Each known mistake's (and variant's) check results, judged like a submission's."""
        if self._mistakes is None:
            self._mistakes = mistake_results(self.assignment, self.secret)
        return self._mistakes

    # ------------------------------------------------------------ whole-assignment findings

    def reference(self) -> Finding:
        """The reference scores full marks on every check."""
        ref, _ = self.runs()
        bad = [c for c in ref.checks if c.score != c.max_score]
        return Finding(not bad and ref.status == "graded", "reference",
                       f"{ref.score:g}/{ref.max_score:g}" + (f" ({ref.message})" if ref.message else "") +
                       "".join(f"\n      {c.name}: {c.status} {c.message}" for c in bad))

    def stub(self) -> Finding:
        """The untouched stub scores zero on every check."""
        _, stub = self.runs()
        scoring = [c for c in stub.checks if c.score > 0]
        return Finding(not scoring, "stub", f"{stub.score:g}/{stub.max_score:g}" + (f" ({stub.message})" if stub.message else "")
                       + "".join(f"\n      {c.name} scores {c.score:g} on the untouched stub" for c in scoring))

    # ------------------------------------------------------------ per-check findings

    def _check_result(self, result: Result, check: str):
        for c in result.checks:
            if c.name == check:
                return c
        raise KeyError(f"{self.assignment.name} has no check named {check!r}")

    def reference_check(self, check: str) -> Finding:
        """The reference scores full marks on ``check``."""
        ref, _ = self.runs()
        c = self._check_result(ref, check)
        ok = ref.status == "graded" and c.score == c.max_score
        detail = f"{c.score:g}/{c.max_score:g}"
        if not ok:
            detail += f": {c.status} {c.message}".rstrip() + (f" ({ref.message})" if ref.message else "")
        return Finding(ok, f"reference {check}", detail)

    def stub_check(self, check: str) -> Finding:
        """The untouched stub scores zero on ``check``."""
        _, stub = self.runs()
        c = self._check_result(stub, check)
        ok = c.score <= 0
        detail = f"{c.score:g}/{c.max_score:g}" + ("" if ok else " on the untouched stub: the check gives points "
                                                                 "for work the student has not done")
        return Finding(ok, f"stub {check}", detail)

    # ------------------------------------------------------------ known mistakes and variants

    def mistake(self, m: Mistake) -> Finding:
        """A known mistake loses points with its hint shown; an accepted variant keeps full marks."""
        checks = self.mistake_checks()[m.name]
        if m.accepted:
            lost = [c for c in checks if c.score < c.max_score]
            return Finding(bool(checks) and not lost, f"variant {m.name}",
                           "keeps full marks" if checks and not lost else
                           "; ".join(f"{c.name}: {c.status} {c.message}" for c in lost) or "no check exercises it")
        losing = [c for c in checks if c.score < c.max_score]
        named = [c for c in losing if c.mistake == m.name]
        if not losing:
            return Finding(False, f"mistake {m.name}", "loses no points: no check tells it from the reference")
        if not named:
            return Finding(False, f"mistake {m.name}",
                           f"loses points on {', '.join(c.name for c in losing)} but its hint is never shown "
                           f"(other diagnoses: {', '.join(sorted({c.mistake or '-' for c in losing}))})")
        lost = sum(c.max_score - c.score for c in losing)
        return Finding(True, f"mistake {m.name}",
                       f"loses {plural(float(lost), 'point')}; caught by {', '.join(c.name for c in named)}")

    def report(self) -> Verification:
        report = Verification(self.assignment.name)
        report.findings.append(self.reference())
        report.findings.append(self.stub())
        for m in self.assignment.mistakes:
            report.findings.append(self.mistake(m))
        report.warnings = drain()
        return report

    def student_view(self, m: Mistake) -> Result:
        """What a student who made known mistake ``m`` (or wrote accepted variant ``m``) is shown
        on the checks that call its function: the results through :meth:`Result.for_student`, as
        `grade submit` and the feedback pages show them (a hidden check's message withheld)."""
        checks = self.mistake_checks()[m.name]
        label = f"{'variant' if m.accepted else 'mistake'} {m.name} (in {m.function})"
        return Result.from_checks(label, self.assignment.name, checks).for_student()


def verify(assignment: Assignment, *, secret: bytes | None = None, settings: Settings | None = None,
           templates: Path | None = None) -> Verification:
    """Every finding of `grade verify` for ``assignment``."""
    return Verifier(assignment, secret=secret, settings=settings, templates=templates).report()
