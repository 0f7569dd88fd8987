"""`grade batch`: many submissions graded in parallel into one gradebook, resumable and incremental.

The main process opens every entry (safely, as bytes), skips those already graded with the same
content and assignment version, and hands the rest in chunks to workers: local processes started
fresh (never forked from this possibly threaded process), or Dask workers. The results of each task
are committed to the gradebook together as soon as they arrive, so a killed batch loses at most
what was in flight.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from grader import tempdirs
from grader.bulk.bundle import bundle
from grader.bulk.entries import collect, conflicts, missing_id, problems
from grader.bulk.extensions import Extensions
from grader.bulk.gradebook import Gradebook
from grader.bulk.late import LatePolicy, apply_late
from grader.bulk.timing import NONE, Facts, Lateness, decide
from grader.bulk.warm_start import WarmStart, ZygoteFiles, start_worker, started, warm_start, with_job
from grader.bulk.worker import Job, grade_chunk
from grader.course import Assignment, load_solution
from grader.grading.engine import Settings
from grader.grading.engine import not_gradable_result
from grader.result import NOT_GRADABLE, Result
from grader.stubs import student_sources
from grader.times import iso
from grader.submission import NotGradable, Opened, _manifest_time, entry_digest, open_submission, walk
from grader.lms.intake import Entry, Intake
from grader.lms.roster import Roster

MISSING = "missing: no submission in the download"


@dataclass
class BatchOptions:
    jobs: int = 1
    settings: Settings = field(default_factory=Settings)
    regrade: bool = False
    deadline: datetime | None = None
    policy: LatePolicy | None = None
    scheduler: str | None = None
    secret: bytes | None = None
    templates: Path | None = None
    source: str = "auto"  # auto | folder | canvas | moodle
    roster: Roster | None = None
    time_from: str | None = None  # lms | manifest | mtime: the source the instructor trusts for times
    extensions: Extensions | None = None


@dataclass
class BatchSummary:
    assignment: str
    entries: int = 0
    graded: int = 0
    reused: int = 0
    not_gradable: int = 0
    elapsed: float = 0.0
    lms: str | None = None
    skipped: list[str] = field(default_factory=list)  # entries of the download not graded, and why
    problems: list[str] = field(default_factory=list)  # conflicts, unmatched, manifest mismatches
    missing: list[str] = field(default_factory=list)  # roster students without a submission
    late_sources: Counter = field(default_factory=Counter)  # which source decided lateness, per row
    late_notes: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.graded / self.elapsed if self.elapsed > 0 else 0.0


Progress = Callable[[Result | None, bool], None]  # (the new result or None for an unchanged one, newly graded)


def not_gradable_row(assignment: Assignment, student: str, reason: str, **extra) -> Result:
    """The row of an entry the batch could not grade (every check 0, the reason said)."""
    return not_gradable_result(assignment.checks, assignment.name, student, reason, **extra)


def _mtime(path: Path) -> str | None:
    """The entry's modification time (a folder: its newest file's), as ISO 8601 UTC."""
    try:
        if path.is_dir():  # the opener's walk: bounded, iterative, never follows a link
            times = [st.st_mtime for _, st in walk(path) if stat.S_ISREG(st.st_mode)]
            return iso(max(times)) if times else None
        return iso(path.lstat().st_mtime)
    except (OSError, NotGradable):
        return None


def _open_failure(entry: Path, exc: Exception) -> str:
    """The not-gradable reason for an entry the opener refused (or, a bug, failed on)."""
    if isinstance(exc, NotGradable):
        return str(exc)
    # the opener bounds every read and parse; reaching here is a grader bug, but one entry's row
    # (naming it) is better than a batch that stops for everyone on every rerun
    return f"{entry.name} could not be opened: the grader failed with {type(exc).__name__} ({str(exc)[:200]}); " \
           f"please report it to the course staff"


def _facts(entry: Entry, manifest: dict, lms: str | None) -> Facts:
    timing = entry.timing
    return Facts(lms_late=timing.late if timing else None, lms_late_by=timing.late_by if timing else None,
                 lms_time=timing.submitted_at if timing else None,
                 manifest_time=_manifest_time(manifest.get("submitted_at")) if manifest else None,
                 mtime=None if lms else _mtime(entry.path))  # an extracted copy's time says nothing


def _keys(entry: Entry) -> set[str]:
    keys = {entry.student}
    if entry.person is not None:
        keys |= entry.person.keys()
    return keys


def run_batch(submissions: Path, solution_folder: Path, gradebook: Gradebook, options: BatchOptions,
              progress: Progress | None = None) -> BatchSummary:
    """Grade every entry of ``submissions`` into ``gradebook``: each entry (and each roster student
    without one) gets a row; unchanged submissions keep theirs."""
    started = time.monotonic()
    tempdirs.sweep()  # folders (and copies of the reference) left by an earlier batch that was killed
    run = _BatchRun.start(submissions, solution_folder, gradebook, options, progress)
    try:
        for results in run_tasks(run.job, run.to_grade(), options, run.assignment, run.summary.entries):
            with gradebook.grouped():  # one transaction per task's results, committed as they arrive
                for result in results:
                    run.record(result, fresh=True)
        run.record_missing()
    finally:
        run.intake.close()
    run.summary.skipped = run.summary.skipped + run.roster_skipped
    run.summary.elapsed = time.monotonic() - started
    return run.summary


class _Read(NamedTuple):
    """One entry, read: the submission (None when it cannot be opened, and why), its content
    digest, and its lateness."""

    opened: Opened | None
    digest: str
    late: Lateness
    failure: str | None = None


@dataclass
class _BatchRun:
    """One batch's state while it runs: what is graded against, what was decided, what is in flight."""

    assignment: Assignment
    gradebook: Gradebook
    options: BatchOptions
    progress: Progress | None
    intake: Intake
    job: Job  # what the workers get: the bundle and the student sources, computed once here
    version: str  # the assignment version the gradebook keys rows by
    policy: LatePolicy
    summary: BatchSummary
    clashes: dict[str, list[Entry]]  # students claimed by two or more entries: one row saying so
    roster_skipped: list[str]
    decided: dict[str, Lateness] = field(default_factory=dict)
    clash_rows: set[str] = field(default_factory=set)  # clashing students whose row is written
    # the files of submissions being graded, kept with their results (bounded by what is in flight)
    in_flight: dict[str, dict[str, bytes]] = field(default_factory=dict)

    @classmethod
    def start(cls, submissions: Path, solution_folder: Path, gradebook: Gradebook, options: BatchOptions,
              progress: Progress | None) -> _BatchRun:
        """Load the assignment, its student sources and the intake of ``submissions``."""
        assignment = load_solution(solution_folder)
        files = bundle(solution_folder)
        sources = student_sources(assignment, options.templates)  # once per batch, shipped in the job
        job = Job(assignment.name, files, options.secret, options.settings, sources=sources)
        intake = collect(submissions, options.source, assignment.module, options.roster)
        clashes = conflicts(intake)
        summary = BatchSummary(assignment.name, entries=len(intake.entries), lms=intake.lms,
                               problems=problems(intake, clashes),
                               skipped=intake.skipped)  # grows while entries are read (a file too large)
        return cls(assignment=assignment, gradebook=gradebook, options=options, progress=progress, intake=intake,
                   job=job, version=job.version,
                   policy=options.policy or LatePolicy(),  # without one, lateness is recorded, never charged
                   summary=summary, clashes=clashes,
                   roster_skipped=list(options.roster.skipped) if options.roster else [])

    @property
    def stub(self) -> bytes:
        """The graded module's stub: the kept files' zlib dictionary."""
        return self.job.sources.module_stub

    def to_grade(self) -> Iterable[Opened]:
        """Open entries one at a time (memory stays flat), settling the ones that need no grading."""
        for entry in self.intake.entries:
            student = entry.student
            if student in self.clashes:
                self._record_clash(student)
                continue
            read = self._read(entry)
            if not self.options.regrade and self.gradebook.current(self.assignment.name, student, read.digest,
                                                                   self.version):
                self._reuse(student, read.late)
            elif read.opened is None:
                self.record(not_gradable_row(self.assignment, student, read.failure, sha256=read.digest), fresh=True)
            else:
                self.in_flight[student] = read.opened.files
                yield read.opened

    def _read(self, entry: Entry) -> _Read:
        """Open one entry (whatever it is: a failure is a reason, never an exception) and decide its lateness."""
        path = self.intake.materialize(entry)
        try:
            opened = open_submission(path, self.assignment.module, pristine=self.job.sources.pristine)
        except Exception as exc:  # noqa: BLE001  whatever an entry is, it gets a row and the batch goes on
            late = self.lateness(entry, {})
            digest = entry_digest(path)
            self.intake.release(entry)
            return _Read(None, digest, late, _open_failure(path, exc))
        late = self.lateness(entry, opened.manifest)  # an entry's mtime is read before its copy goes
        self.intake.release(entry)  # opened holds its files as bytes now
        self._note_claim(entry, opened.manifest)
        opened.student = entry.student
        opened.submitted_at = late.submitted_at
        return _Read(opened, opened.sha256, late)

    def _note_claim(self, entry: Entry, manifest: dict) -> None:
        """A manifest naming another student is a problem to report; the entry's own name decides."""
        claimed = manifest.get("student") if isinstance(manifest.get("student"), str) else None
        if claimed and claimed.strip().casefold() not in {k.casefold() for k in _keys(entry)}:
            self.summary.problems.append(f"{entry.shown}: its manifest.json names {claimed.strip()[:80]!r}; "
                                         f"graded as {entry.student!r} (the entry's own name decides)")

    def lateness(self, entry: Entry, manifest: dict) -> Lateness:
        """The entry's lateness, from the time source the instructor trusts and the student's extension."""
        extension = self.options.extensions.find(_keys(entry)) if self.options.extensions else None
        found = decide(_facts(entry, manifest, self.intake.lms), self.options.time_from, self.options.deadline,
                       extension.delta if extension else timedelta(0), extension.due if extension else None)
        self.decided[entry.student] = found
        return found

    def record(self, result: Result, fresh: bool) -> None:
        """Charge ``result`` its lateness and commit it to the gradebook (with the files it graded)."""
        late = self.decided.get(result.student) or Lateness(None, 0, NONE)
        result.submitted_at = late.submitted_at
        result = apply_late(result, late.late_days, self.policy.penalty(late.late_days))
        result.late_source = late.source
        self.gradebook.record(result, version=self.version, fresh=fresh,
                              files=self.in_flight.pop(result.student, {}), dictionary=self.stub)
        self.summary.graded += fresh
        self.summary.not_gradable += result.status == NOT_GRADABLE
        self._count_lateness(late)
        if self.progress:
            self.progress(result, fresh)

    def _reuse(self, student: str, late: Lateness) -> None:
        """An unchanged submission keeps its row: only its lateness may need recording again
        (deadline, policy, extension or time source changed since)."""
        self.summary.reused += 1
        self._count_lateness(late)
        old = self.gradebook.result(self.assignment.name, student)
        penalty = self.policy.penalty(late.late_days)
        if old is not None and (late.late_days, penalty, late.source, late.submitted_at) != \
                (old.late_days, old.penalty, old.late_source, old.submitted_at):
            old.submitted_at, old.late_source = late.submitted_at, late.source
            self.gradebook.record(apply_late(old, late.late_days, penalty), version=self.version,
                                  files=self.gradebook.files(self.assignment.name, student), dictionary=self.stub)
        if self.progress:
            self.progress(None, False)

    def _count_lateness(self, late: Lateness) -> None:
        self.summary.late_sources[late.source] += 1
        if late.note:
            self.summary.late_notes[late.note] += 1

    def _record_clash(self, student: str) -> None:
        """One row for a student two or more entries claim (at their first entry; the others add none)."""
        if student in self.clash_rows:
            return
        self.clash_rows.add(student)
        self.decided[student] = Lateness(None, 0, NONE)
        shown = ", ".join(e.shown for e in self.clashes[student])
        self.record(not_gradable_row(self.assignment, student, f"two or more entries claim this student ({shown}): "
                                 f"keep one and grade again"), fresh=False)

    def record_missing(self) -> None:
        """One row for each roster student without an entry in the download."""
        for person in self.intake.missing:
            student = missing_id(person, self.intake.lms)
            self.summary.missing.append(f"{person.name or student} ({student}, roster line {person.line})")
            self.decided[student] = Lateness(None, 0, NONE)
            self.record(not_gradable_row(self.assignment, student, MISSING + f" (on the roster, line {person.line})"),
                        fresh=False)


def _chunked(items: Iterable[Opened], size: Callable[[int], int]) -> Iterable[list[Opened]]:
    """``items`` in chunks of ``size(handed)`` items (``handed``: how many went in earlier chunks)."""
    chunk: list[Opened] = []
    handed = 0
    wanted = size(0)
    for item in items:
        chunk.append(item)
        if len(chunk) >= wanted:
            yield chunk
            handed += len(chunk)
            chunk, wanted = [], size(handed)
    if chunk:
        yield chunk


MAX_CHUNK = 32  # submissions a worker grades per task: fewer round trips to the pool, a longer pipeline


def chunk_size(entries: int, workers: int, handed: int = 0) -> int:
    """Submissions per task, once ``handed`` of ``entries`` are handed out: up to MAX_CHUNK, but small
    enough that every worker gets several tasks of what is left. So a small batch is still spread
    over all workers, and the tasks shrink towards the end of a large one: no worker is left alone
    with a long last task while the others idle."""
    return max(1, min(MAX_CHUNK, (entries - handed) // (max(1, workers) * 4)))


MAX_ATTEMPTS = 3


Work = Callable[[Job, list[Opened]], list]  # a worker's function over one chunk (grade_chunk by default)


def run_chunks(job: Job, items: Iterable[Opened], options: BatchOptions, assignment: Assignment, entries: int,
               work: Work = grade_chunk) -> Iterable:
    """``work`` over ``items`` in chunks, on local worker processes (``options.jobs``) or a Dask
    cluster (``options.scheduler``). Yields what ``work`` returns, item by item, and a
    not-gradable :class:`Result` for an item whose worker was lost every time it was tried."""
    for results in run_tasks(job, items, options, assignment, entries, work):
        yield from results


def run_tasks(job: Job, items: Iterable[Opened], options: BatchOptions, assignment: Assignment, entries: int,
              work: Work = grade_chunk) -> Iterable[list]:
    """As :func:`run_chunks`, what each task returned as one list, as soon as it is done (a
    not-gradable row for a lost item comes as a list of its own)."""
    runner = _dask_chunks if options.scheduler else _local_chunks
    return runner(job, items, options, assignment, entries, work)


def _local_chunks(job: Job, items: Iterable[Opened], options: BatchOptions, assignment: Assignment,
                  entries: int, work: Work = grade_chunk) -> Iterable:
    """Grade in fresh worker processes, a bounded number of chunks in flight (memory stays flat).

    Every worker of a pool is started at once and warms up (its zygote, the engine) while this
    process reads the first entries; the job crosses to each worker once, when it starts
    (:mod:`grader.bulk.warm_start`). A worker that dies (killed by the kernel, say) breaks the pool:
    its chunks are retried one submission at a time in a new pool; a submission that is in flight
    at three breaks gets a row saying so instead of a grade.
    """
    if options.jobs <= 1:
        for chunk in _chunked(items, lambda handed: chunk_size(entries, 1, handed)):
            yield work(job, chunk)
        return
    context = multiprocessing.get_context("spawn")
    zygote = ZygoteFiles(job.assignment, job.files, job.settings.start_method) if isinstance(job, Job) else None
    warm = warm_start(job, zygote)  # the job pickled once, for every worker of every pool
    source = iter(_chunked(items, lambda handed: chunk_size(entries, options.jobs, handed)))
    retry: list[list[Opened]] = []
    attempts: dict[str, int] = {}
    exhausted = False
    while retry or not exhausted:
        pool, mailbox = _warm_pool(context, warm, options.jobs)
        futures: dict = {}
        try:
            while True:
                while len(futures) < options.jobs * 3:
                    chunk = retry.pop() if retry else None
                    if chunk is None and not exhausted:
                        chunk = next(source, None)
                        exhausted = chunk is None
                    if chunk is None:
                        break
                    futures[pool.submit(with_job, work, warm.key, chunk)] = chunk
                if not futures:
                    break
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                broken = False
                for fut in done:
                    chunk = futures.pop(fut)
                    try:
                        results = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        yield from _lost(chunk, attempts, retry, assignment)
                        continue
                    yield results
                if broken:
                    for fut, chunk in futures.items():  # the rest of this pool is lost too
                        retry.extend([o] for o in chunk)
                    futures.clear()
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            mailbox.cancel_join_thread()  # copies no worker took (it died first) are dropped, not waited on
            mailbox.close()


def _lost(chunk: list[Opened], attempts: dict[str, int], retry: list[list[Opened]],
          assignment: Assignment) -> Iterable[list[Result]]:
    """A chunk whose worker died: each submission is retried alone, or after MAX_ATTEMPTS gets a row
    saying so (a list of its own)."""
    for opened in chunk:
        attempts[opened.student] = attempts.get(opened.student, 0) + 1
        if attempts[opened.student] >= MAX_ATTEMPTS:
            yield [not_gradable_row(assignment, opened.student, "the grading worker died each time this "
                                    "submission was graded (out of memory?)",
                                    submitted_at=opened.submitted_at, sha256=opened.sha256)]
        else:
            retry.append([opened])


def _warm_pool(context, warm: WarmStart, jobs: int) -> tuple[ProcessPoolExecutor, Any]:
    """A pool of ``jobs`` fresh workers, all started now, each taking ``warm`` from the mailbox (a
    queue, written by its own thread) as it starts; the caller closes both."""
    mailbox = context.Queue()
    for _ in range(jobs):
        mailbox.put(warm)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=start_worker,
                               initargs=(os.getpid(), mailbox))
    for _ in range(jobs):  # each submission starts one more worker while none is idle
        pool.submit(started)
    return pool, mailbox


def _dask_chunks(job: Job, items: Iterable[Opened], options: BatchOptions, assignment: Assignment,
                 entries: int, work: Work = grade_chunk) -> Iterable:
    """The same work on a Dask cluster; Dask retries a task whose worker was lost."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise RuntimeError("--scheduler needs Dask: pip install 'grader[dask]'") from None
    with Client(options.scheduler, timeout=30) as client:
        [job_future] = client.scatter([job], broadcast=True)
        workers = len(client.scheduler_info().get("workers", {}))
        window = max(2, 4 * workers)
        chunks = iter(_chunked(items, lambda handed: chunk_size(entries, workers, handed)))
        futures = as_completed()
        pending: dict = {}

        def submit(chunk: list[Opened]) -> None:
            fut = client.submit(work, job_future, chunk, retries=3, pure=False)
            pending[fut.key] = chunk
            futures.add(fut)

        for chunk in chunks:
            submit(chunk)
            if futures.count() >= window:
                break
        for fut in futures:
            chunk = pending.pop(fut.key)
            try:
                results = fut.result()
            except Exception as exc:  # e.g. KilledWorker: its workers died every time it was tried
                results = [not_gradable_row(assignment, opened.student, f"the Dask workers grading this submission "
                                            f"were lost every time it was tried ({type(exc).__name__})",
                                            submitted_at=opened.submitted_at, sha256=opened.sha256)
                           for opened in chunk]
            yield results
            fut.release()
            chunk = next(chunks, None)
            if chunk is not None:
                submit(chunk)
