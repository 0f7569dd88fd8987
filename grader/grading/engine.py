"""One submission: run it in the sandbox, judge what comes back, build its :class:`Result`."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.checks.api import Check
from grader.checks.expected import Bounded, expectations_for
from grader.checks.scenario import hidden_seed, hidden_seeds
from grader.checks.values import output_digest
from grader.course import Assignment
from grader.grading.judge import Expected, PublicJudgments, Received, judge
from grader.result import ERROR, NOT_GRADABLE, CheckResult, Result
from grader.sandbox.runner import CheckReport, RunReport, Sandbox, SandboxFailure

DEFAULT_TIMEOUT = 60.0
DEFAULT_CHECK_TIMEOUT = 10.0
DEFAULT_SECRET = b"grade: no course secret configured"
MISSING_ATTR = re.compile(r"module '([^']+)' has no attribute '([^']+)'")


@dataclass
class Settings:
    timeout: float = DEFAULT_TIMEOUT  # per submission
    check_timeout: float = DEFAULT_CHECK_TIMEOUT  # per check unless the check sets its own
    import_timeout: float = 10.0
    memory_bytes: int = 1 << 30
    landlock: bool = True
    seccomp: bool = True
    # how each submission's child starts: "fork" (a warm fork; Linux), "spawn" (a fresh interpreter;
    # Windows, macOS) or "auto" ($GRADE_START_METHOD, else the platform's choice)
    start_method: str = "auto"


def _where(error: dict[str, Any]) -> str:
    frames = error.get("frames") or []
    if not frames:
        return ""
    file, line, func, _ = frames[-1]
    return f"{file}, line {line}, in {func}" if func != "<module>" else f"{file}, line {line}"


def to_received(report: CheckReport, module: str) -> Received:
    if report.status == "ok":
        return Received(status="ok", arrays=report.arrays)
    if report.status == "error":
        err = report.error
        etype, message = str(err.get("type", "Error")), str(err.get("message", ""))
        missing = MISSING_ATTR.fullmatch(message) if etype == "AttributeError" else None
        if missing and missing.group(1) == module:
            return Received(status="error", error_type="Missing function",
                            error_message=f"{module}.py defines no {missing.group(2)!r} (check its name)")
        return Received(status="error", error_type=etype, error_message=message, where=_where(err))
    if report.status in ("timeout", "died"):
        return Received(status=report.status, detail=report.detail)
    return Received(status="missing", detail="no report: the submission's process stopped before this check ran")


def import_problem_message(problem: dict[str, Any], module: str) -> str:
    kind = problem.get("t")
    if kind == "import_timeout":
        return f"{module}.py did not finish importing within {problem.get('seconds')} s (top-level code runs at import)"
    if kind == "import_died":
        return f"{module}.py ended the process while being imported ({problem.get('how')})"
    etype, message = problem.get("type", "Error"), problem.get("message", "")
    if etype in ("SyntaxError", "IndentationError", "TabError"):
        return f"{etype} in {module}.py line {problem.get('line', '?')}: {message}"
    if etype == "SystemExit":
        return f"{module}.py called exit() while being imported{' (' + _where(problem) + ')' if _where(problem) else ''}"
    where = _where(problem)
    return f"{module}.py raised {etype} while being imported: {message}" + (f" ({where})" if where else "")


def check_seed(check: Check, assignment: str, student: str, secret: bytes | None, expectations) -> int:
    """Public checks use the pack's fixed seed; hidden ones a per-student seed from the secret."""
    if check.hidden:
        return hidden_seed(secret or DEFAULT_SECRET, assignment, student, check)
    return expectations.seed(check)


class Engine:
    """Grades submissions of one assignment; keep one per worker (it owns a warm sandbox)."""

    def __init__(self, assignment: Assignment, *, secret: bytes | None = None, settings: Settings | None = None,
                 include_hidden: bool = True):
        self.assignment = assignment
        self.expectations = expectations_for(assignment)
        self.secret = secret or DEFAULT_SECRET
        self.settings = settings or Settings()
        self.checks: list[Check] = assignment.checks if include_hidden else assignment.public_checks
        self._by_name = {c.name: c for c in self.checks}
        # what judging reads of each (check, seed)'s expected outputs: a public check's, once for all
        self._expected: Bounded[tuple[str, int], Expected] = Bounded()
        self._public_seeds: dict[str, int] = {}
        self._public_judgments = PublicJudgments()
        self._hidden_seeds: tuple[str, dict[str, int]] = ("", {})  # the last student's, derived in one pass
        files = [assignment.folder / "checks.py"]
        if any(c.hidden for c in self.checks):
            files.append(assignment.folder / "hidden_checks.py")
        self.sandbox = Sandbox(files, landlock=self.settings.landlock, seccomp=self.settings.seccomp,
                               start_method=self.settings.start_method)

    def close(self) -> None:
        self.sandbox.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def seed(self, check: Check, student: str) -> int:
        """:func:`check_seed`: a public check's once, a student's hidden ones all at once."""
        if not check.hidden:
            if check.name not in self._public_seeds:
                self._public_seeds[check.name] = check_seed(check, self.assignment.name, student, self.secret,
                                                            self.expectations)
            return self._public_seeds[check.name]
        of, seeds = self._hidden_seeds
        if of != student or check.name not in seeds:
            seeds = hidden_seeds(self.secret, self.assignment.name, student, [c for c in self.checks if c.hidden])
            if check.name not in seeds:  # not one of this engine's checks
                return check_seed(check, self.assignment.name, student, self.secret, self.expectations)
            self._hidden_seeds = (student, seeds)
        return seeds[check.name]

    def grade(self, workdir: Path, student: str = "student", **extra: Any) -> Result:
        """Grade the prepared folder ``workdir`` (which holds ``<module>.py``)."""
        return next(self.grade_all([(Path(workdir), student, extra)]))

    def grade_all(self, items: Iterable[tuple[Path, str, dict[str, Any]]]) -> Iterator[Result]:
        """Grade prepared folders (folder, student, extra Result fields) in order, one result each.

        Pipelined: the next submission is queued (and its reference outputs computed) while the
        last one runs, and its child starts as soon as the last one's has stopped, so it runs while
        this process finishes judging and recording the last. A folder must stay in place until its result has
        been yielded (the next one is read from ``items`` one result ahead).
        """
        for result, _ in self.grade_all_reports(items):
            yield result

    def grade_all_reports(self, items: Iterable[tuple[Path, str, dict[str, Any]]]
                          ) -> Iterator[tuple[Result, RunReport]]:
        """As :meth:`grade_all`, each result with the run's raw report (the arrays the child sent,
        already plain data), for callers that compare outputs themselves (`grade audit`)."""
        self.sandbox.discard()  # a previous caller that stopped early may have left a job queued
        pending: deque[tuple[str, dict[str, Any], dict[str, int], float]] = deque()
        source = iter(items)
        exhausted = False
        previous_end = 0.0  # the sandbox starts a queued job when it finishes the one before
        while True:
            while not exhausted and len(pending) < 2:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                workdir, student, extra = item
                pending.append(self._submit(Path(workdir), student, extra))
            if not pending:
                return
            student, extra, seeds, submitted = pending.popleft()
            started = max(submitted, previous_end)
            try:  # each check is judged as its arrays arrive, then they are dropped
                report = self.sandbox.collect(self._judge_arrays(seeds))
            except SandboxFailure as exc:
                report = RunReport(import_problem={"t": "import_died", "how": str(exc)})
            previous_end = time.monotonic()
            yield self._judge(report, student, seeds, started, extra), report

    def _submit(self, workdir: Path, student: str, extra: dict[str, Any]):
        started = time.monotonic()
        s = self.settings
        seeds = {c.name: self.seed(c, student) for c in self.checks}
        jobs = [{"name": c.name, "seed": seeds[c.name], "timeout": c.timeout or s.check_timeout} for c in self.checks]
        self.sandbox.submit(workdir, self.assignment.module, jobs, timeout=s.timeout, import_timeout=s.import_timeout,
                            limits={"cpu_seconds": int(s.timeout) + 2, "memory_bytes": s.memory_bytes})
        for check in self.checks:  # while a child runs: the expected outputs are cached for judging
            self.expected(check, seeds[check.name])
        return student, extra, seeds, started

    def expected(self, check: Check, seed: int) -> Expected:
        """``check``'s expected outputs on ``seed``, as judging reads them (derived once per seed)."""
        key = (check.name, seed)
        if key not in self._expected:
            self._expected[key] = Expected(check, self.expectations.expected(check, seed))
        return self._expected[key]

    def _judge_arrays(self, seeds: dict[str, int]):
        """The judge of one check's arrays, called as they arrive (so that one check's are held at once)."""
        checks = self._by_name

        def on_result(name: str, arrays) -> CheckResult:
            check, seed = checks[name], seeds[name]
            if not check.hidden:  # with the digest of what it computed on public inputs (`grade similarity`)
                return self._public_judgments.judge(check, arrays, self.expected(check, seed), seed,
                                                    lambda: self.expectations.candidates(check, seed))
            # hidden inputs differ per student: neither judged once for all nor digested
            return judge(check, Received(status="ok", arrays=arrays), self.expected(check, seed), None,
                         lambda: self.expectations.candidates(check, seed))

        return on_result

    def _judge(self, report: RunReport, student: str, seeds: dict[str, int], started: float,
               extra: dict[str, Any]) -> Result:
        module = self.assignment.module
        if not report.imported:
            message = import_problem_message(report.import_problem or {"t": "import_died", "how": "no report"}, module)
            return self._not_gradable(student, message, time.monotonic() - started, **extra)
        results = []
        for check in self.checks:
            seed = seeds[check.name]
            reported = report.checks.get(check.name) or CheckReport()
            if reported.judged is not None:
                results.append(reported.judged)
                continue
            received = to_received(reported, module)
            results.append(judge(check, received, self.expected(check, seed), None,
                                 lambda c=check, sd=seed: self.expectations.candidates(c, sd)))
            if received.status == "ok" and not check.hidden:  # hidden inputs differ per student anyway
                results[-1].digest = output_digest(received.arrays)
        return Result.from_checks(student, self.assignment.name, results,
                                  execution_time=round(time.monotonic() - started, 4), **extra)

    def _not_gradable(self, student: str, message: str, elapsed: float, **extra: Any) -> Result:
        return not_gradable_result(self.checks, self.assignment.name, student, message,
                                   execution_time=round(elapsed, 4), **extra)


def not_gradable_result(checks: list[Check], assignment: str, student: str, reason: str, **extra: Any) -> Result:
    """A row for a submission that could not be graded: every check scores 0 and says why."""
    rows = [CheckResult(name=c.name, functions=list(c.functions), score=0.0, max_score=c.points, status=ERROR,
                        message="not gradable: " + reason, visibility=c.visibility, description=c.description)
            for c in checks]
    result = Result.from_checks(student, assignment, rows, **extra)
    result.status, result.message = NOT_GRADABLE, reason
    return result
