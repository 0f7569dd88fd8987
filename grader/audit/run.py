"""Grade mutants as submissions: the batch's worker pool (local processes or Dask), the engine and
sandbox a student's file goes through, and one small record per run (:class:`RunOutcome`).

A run is a mutant graded on one set of inputs. Run 0 uses the seeds a student named ``grade-audit``
would get (the public checks' fixed seeds, per-student seeds for the hidden ones); runs 1, 2, ...
draw every check's inputs, public ones included, from other seeds, to tell an equivalent mutant
from one the public inputs happen not to expose. The worker compares each run's outputs with the
reference's itself (it has both at hand), so only a verdict-sized record travels back.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from grader.audit.mutants import mutant_digest
from grader.bulk.worker import Job, engine_for
from grader.checks.api import Check
from grader.checks.scenario import hidden_seed
from grader.checks.side_effects import is_side
from grader.checks.values import Outputs
from grader.grading.engine import Engine, check_seed
from grader.grading.files import grade_files_with_reports
from grader.result import NOT_GRADABLE, Result
from grader.sandbox.runner import RunReport
from grader.submission import Opened

AUDIT_STUDENT = "grade-audit"
# Bump when what a run records, or how its outputs are compared, changes: cached runs of another
# format are not reused (the cache is keyed by the course's files, not by grade's code).
RUN_FORMAT = 3
SAME_RTOL, SAME_ATOL = 1e-9, 1e-12  # "the same outputs": bit for bit, up to rounding in the last digits


@dataclass
class CheckOutcome:
    name: str
    hidden: bool
    status: str
    score: float
    max_score: float
    message: str = ""


@dataclass
class RunOutcome:
    """What one run of one mutant came to (plain data: cached, sent between processes)."""

    key: str  # the run's cache key (mutant, checks version, settings, run index)
    status: str  # graded | not_gradable
    score: float
    max_score: float
    same: bool  # every check's outputs equal the reference's (to SAME_RTOL/SAME_ATOL)
    checks: list[CheckOutcome] = field(default_factory=list)
    message: str = ""

    @property
    def full_marks(self) -> bool:
        return self.status != NOT_GRADABLE and self.score >= self.max_score

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunOutcome":
        data = dict(data)
        checks = [CheckOutcome(**c) for c in data.pop("checks", [])]
        return cls(checks=checks, **data)


def run_student(key: str, run: int) -> str:
    """The student id a run is graded as: carries its key (to find it again) and its run index."""
    return f"{key}@{run}"


def _run_index(student: str) -> int:
    return int(student.rsplit("@", 1)[1])


def run_seed(check: Check, assignment: str, secret: bytes, expectations, run: int) -> int:
    """The seed of ``check`` in run ``run``: a student's seeds in run 0, other seeds for every check after."""
    if run == 0:
        return check_seed(check, assignment, AUDIT_STUDENT, secret, expectations)
    return hidden_seed(secret, assignment, f"{AUDIT_STUDENT}#{run}", check)


class AuditEngine(Engine):
    """An engine whose seeds depend on the run index only (not on the mutant), so that every mutant
    of an assignment is graded on the same inputs and the reference's outputs are computed once."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._seeds: dict[tuple[str, int], int] = {}  # the same few seeds for every mutant: derived once

    same_outputs: dict[str, bool] = {}  # of the run being collected: each check's outputs equal the reference's

    def _judge_arrays(self, seeds: dict[str, int]):
        """The engine's judge of each check as its arrays arrive, noting first whether they are the
        reference's (the engine drops a check's arrays once judged)."""
        judge_one = super()._judge_arrays(seeds)
        checks = {c.name: c for c in self.checks}
        same = self.same_outputs = {}

        def on_result(name: str, arrays):
            same[name] = _same(self.expectations.expected(checks[name], seeds[name]), arrays)
            return judge_one(name, arrays)

        return on_result

    def seed(self, check: Check, student: str) -> int:
        key = (check.name, _run_index(student))
        if key not in self._seeds:
            self._seeds[key] = run_seed(check, self.assignment.name, self.secret, self.expectations, key[1])
        return self._seeds[key]


def _same(expected: Outputs, received: dict) -> bool:
    # the records of each call's arguments (``@before``/``@after``) are not outputs to compare: the
    # expected side keeps only their markers, and a changed argument already costs the check points
    expected = {n: v for n, v in expected.items() if not is_side(n)}
    received = {n: v for n, v in received.items() if not is_side(n)}
    if expected.keys() != received.keys():
        return False
    for name, want in expected.items():
        got = received[name]
        if got.array.shape != want.array.shape:
            return False
        if np.array_equal(got.array, want.array, equal_nan=True):
            continue  # bit for bit, the common case: no need for the slower tolerance test
        if not np.allclose(got.array, want.array, rtol=SAME_RTOL, atol=SAME_ATOL, equal_nan=True):
            return False
    return True


def outcome(engine: AuditEngine, key: str, student: str, result: Result, report: RunReport) -> RunOutcome:
    """The record of one graded run, its outputs compared with the reference's on the same seeds."""
    same = result.status != NOT_GRADABLE and all(engine.same_outputs.get(c.name, False) for c in engine.checks)
    checks = [CheckOutcome(c.name, c.hidden, c.status, c.score, c.max_score, c.message) for c in result.checks]
    return RunOutcome(key, result.status, result.score, result.max_score, same, checks, result.message)


def lost(result: Result) -> RunOutcome:
    """A run whose worker was lost every time (the pool's not-gradable row)."""
    key = result.student.rsplit("@", 1)[0]
    return RunOutcome(key, NOT_GRADABLE, 0.0, result.max_score, False, [], result.message)


@dataclass(frozen=True)
class CourseJob:
    """What a pool worker needs to grade any assignment's mutants: one :class:`Job` per assignment
    (so one pool serves the whole audit; a run names its assignment in ``Opened.graded``), the files
    every submission starts from, and what it takes to key the runs it adds itself."""

    jobs: dict[str, Job]
    given: dict[str, dict[str, bytes]]  # assignment -> the pack's given files
    versions: dict[str, dict[str, str]]  # assignment -> mutated file -> checks version
    settings: str
    seeds: int  # other inputs tried on a mutant that keeps full marks


def follow_ups(course: CourseJob, opened: Opened) -> list[Opened]:
    """The runs on other inputs of a mutant that kept full marks on the audit's own."""
    [(file, source)] = opened.files.items()
    version = course.versions[opened.graded][file]
    digest = mutant_digest(file, source.decode("utf-8"))
    return [Opened(run_student(run_key(digest, version, course.settings, r), r), opened.files, opened.graded,
                   opened.sha256) for r in range(1, course.seeds + 1)]


def audit_chunk(course: CourseJob, items: list[Opened]) -> list[RunOutcome]:
    """A pool worker's task: grade a chunk of mutant runs (``Opened.files`` holds the mutated file).

    A run 0 that keeps full marks brings its runs on other inputs into the same stream, so a single
    pass over the mutants (one pool, warm engines) settles every verdict.
    """
    done: list[RunOutcome] = []
    for name in dict.fromkeys(o.graded for o in items):
        engine, base = engine_for(course.jobs[name], AuditEngine, base=course.given.get(name))
        pending = deque(o for o in items if o.graded == name)
        while pending:
            added: deque[Opened] = deque()
            sent: deque[Opened] = deque()

            def source():
                while pending or added:
                    sent.append(added.popleft() if added else pending.popleft())
                    yield {**base, **sent[-1].files}, sent[-1].student, {}

            for result, report in grade_files_with_reports(engine, source()):
                opened = sent.popleft()
                record = outcome(engine, opened.student.rsplit("@", 1)[0], opened.student, result, report)
                done.append(record)
                if _run_index(opened.student) == 0 and record.full_marks:
                    added.extend(follow_ups(course, opened))
            pending.extend(added)  # added after the stream had ended: graded in another pass
    return done


def run_key(mutant_digest: str, checks_version: str, settings: str, run: int | str) -> str:
    """The cache key of one run: the mutated file, the checks (and grader) version, the settings, the inputs."""
    return hashlib.sha256(f"{RUN_FORMAT}\0{mutant_digest}\0{checks_version}\0{settings}\0{run}".encode()).hexdigest()[:32]
