"""`grade batch`: many submissions graded in parallel into one gradebook, resumable and incremental.

The main process opens every entry (safely, as bytes), skips those already graded with the same
content and assignment version, and hands the rest in chunks to workers: local processes started
fresh (never forked from this possibly threaded process), or Dask workers. Each result is committed
to the gradebook as soon as it arrives, so a killed batch loses at most what was in flight.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from grader import tempdirs
from grader.bulk.bundle import bundle, version
from grader.bulk.gradebook import Gradebook
from grader.bulk.late import LatePolicy, apply_late
from grader.bulk.worker import Job, grade_chunk
from grader.course import EXPECTED, Assignment, load_solution
from grader.grading.engine import Settings
from grader.grading.engine import not_gradable as not_gradable_row
from grader.result import NOT_GRADABLE, Result
from grader.sandbox.confine import die_with_parent
from grader.submission import NotGradable, Opened, entry_digest, open_submission

SKIP_NAMES = {"__MACOSX", ".DS_Store", "Thumbs.db"}


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


@dataclass
class BatchSummary:
    assignment: str
    entries: int = 0
    graded: int = 0
    reused: int = 0
    not_gradable: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.graded / self.elapsed if self.elapsed > 0 else 0.0


Progress = Callable[[Result | None, bool], None]  # (the new result or None for an unchanged one, newly graded)


def list_entries(folder: Path) -> list[Path]:
    """One entry per student: folders, .zip, .py, .ipynb (hidden and OS clutter skipped)."""
    return sorted(p for p in Path(folder).iterdir() if not p.name.startswith(".") and p.name not in SKIP_NAMES)


def not_gradable(assignment: Assignment, student: str, reason: str, **extra) -> Result:
    return not_gradable_row(assignment.checks, assignment.name, student, reason, **extra)


def _pristine(assignment: Assignment, templates: Path | None) -> dict[str, str]:
    import json

    from grader.authoring.generate import render_assignment

    return json.loads(render_assignment(assignment, templates).files[EXPECTED]).get("pristine", {})


def _stub(assignment: Assignment, templates: Path | None) -> bytes | None:
    from grader.authoring.generate import render_assignment

    return render_assignment(assignment, templates).files.get(f"{assignment.module}.py")


def _entry_student(entry: Path) -> str:
    """The student id an entry's own name gives (``alice.zip`` -> ``alice``)."""
    for suffix in (".zip", ".py", ".ipynb"):
        if entry.name.endswith(suffix) and not entry.is_dir():
            return entry.name[: -len(suffix)]
    return entry.name


def _unique(student: str, entry: Path, taken: set[str]) -> str:
    if student not in taken:
        return student
    candidate = f"{student} ({entry.name})"
    n = 2
    while candidate in taken:
        candidate, n = f"{student} ({entry.name} #{n})", n + 1
    return candidate


def run_batch(submissions: Path, solution_folder: Path, gradebook: Gradebook, options: BatchOptions,
              progress: Progress | None = None) -> BatchSummary:
    started = time.monotonic()
    tempdirs.sweep()  # folders (and copies of the reference) left by an earlier batch that was killed
    assignment = load_solution(solution_folder)
    files = bundle(solution_folder)
    ver = version(files)
    summary = BatchSummary(assignment.name)
    pristine = _pristine(assignment, options.templates)
    stub = _stub(assignment, options.templates)  # what every student starts from: the files' zlib dictionary

    # the files of submissions being graded, kept with their results (bounded by what is in flight)
    in_flight: dict[str, dict[str, bytes]] = {}

    def finish(result: Result, fresh: bool, files: dict[str, bytes] | None = None) -> None:
        if options.policy is not None:
            days, penalty = options.policy.assess(result.submitted_at, options.deadline)
            result = apply_late(result, days, penalty)
        kept = in_flight.pop(result.student, None) if files is None else files
        gradebook.record(result, version=ver, files=kept if kept is not None else {}, dictionary=stub)
        summary.graded += fresh
        summary.not_gradable += result.status == NOT_GRADABLE
        if progress:
            progress(result, fresh)

    taken: set[str] = set()
    entries = list_entries(submissions)
    entry_names = {_entry_student(e) for e in entries}
    summary.entries = len(entries)

    def to_grade() -> Iterable[Opened]:
        """Open entries one at a time (memory stays flat), settling the ones that need no grading."""
        for entry in entries:
            try:
                opened = open_submission(entry, assignment.module, pristine=pristine)
            except NotGradable as exc:
                student = _unique(_entry_student(entry), entry, taken)
                taken.add(student)
                digest = entry_digest(entry)
                if not options.regrade and gradebook.current(assignment.name, student, digest, ver):
                    summary.reused += 1
                    if progress:
                        progress(None, False)
                    continue
                finish(not_gradable(assignment, student, str(exc), sha256=digest), True, files={})
                continue
            own = _entry_student(entry)
            if opened.student != own and opened.student in entry_names:
                # a manifest may name its student, but never one whose entry is in this batch:
                # the submission system's own naming of entries wins over student-written data
                opened.student = own
            opened.student = _unique(opened.student, entry, taken)
            taken.add(opened.student)
            if not options.regrade and gradebook.current(assignment.name, opened.student, opened.sha256, ver):
                summary.reused += 1
                if options.policy is not None:  # the deadline or policy may have changed since
                    old = gradebook.result(assignment.name, opened.student)
                    days, penalty = options.policy.assess(old.submitted_at, options.deadline)
                    if (days, penalty) != (old.late_days, old.penalty):
                        gradebook.record(apply_late(old, days, penalty), version=ver,
                                         files=gradebook.files(assignment.name, opened.student), dictionary=stub)
                if progress:
                    progress(None, False)
                continue
            in_flight[opened.student] = opened.files
            yield opened

    job = Job(assignment.name, files, options.secret, options.settings)
    runner = _dask_chunks if options.scheduler else _local_chunks
    for result in runner(job, to_grade(), options, assignment, len(entries)):
        finish(result, True)
    summary.elapsed = time.monotonic() - started
    return summary


def _chunked(items: Iterable[Opened], size: int) -> Iterable[list[Opened]]:
    chunk: list[Opened] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


MAX_CHUNK = 32  # submissions a worker grades per task: fewer round trips to the pool, a longer pipeline


def chunk_size(entries: int, workers: int) -> int:
    """Submissions per task: up to MAX_CHUNK, but small enough that every worker gets several tasks
    (a small batch is still spread over all workers, and none is left alone with a long last task)."""
    return max(1, min(MAX_CHUNK, entries // (max(1, workers) * 4)))


MAX_ATTEMPTS = 3


def _local_chunks(job: Job, items: Iterable[Opened], options: BatchOptions, assignment: Assignment,
                  entries: int) -> Iterable[Result]:
    """Grade in fresh worker processes, a bounded number of chunks in flight (memory stays flat).

    A worker that dies (killed by the kernel, say) breaks the pool: its chunks are retried one
    submission at a time in a new pool; a submission that is in flight at three breaks gets a row
    saying so instead of a grade.
    """
    if options.jobs <= 1:
        for chunk in _chunked(items, chunk_size(entries, 1)):
            yield from grade_chunk(job, chunk)
        return
    context = multiprocessing.get_context("spawn")
    source = iter(_chunked(items, chunk_size(entries, options.jobs)))
    retry: list[list[Opened]] = []
    attempts: dict[str, int] = {}
    exhausted = False
    while retry or not exhausted:
        # workers die with this process (a killed batch must not leave them waiting for work forever)
        pool = ProcessPoolExecutor(max_workers=options.jobs, mp_context=context,
                                   initializer=die_with_parent, initargs=(os.getpid(),))
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
                    futures[pool.submit(grade_chunk, job, chunk)] = chunk
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
                        for opened in chunk:
                            attempts[opened.student] = attempts.get(opened.student, 0) + 1
                            if attempts[opened.student] >= MAX_ATTEMPTS:
                                yield not_gradable(assignment, opened.student, "the grading worker died each time "
                                                   "this submission was graded (out of memory?)",
                                                   submitted_at=opened.submitted_at, sha256=opened.sha256)
                            else:
                                retry.append([opened])
                        continue
                    yield from results
                if broken:
                    for fut, chunk in futures.items():  # the rest of this pool is lost too
                        retry.extend([o] for o in chunk)
                    futures.clear()
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _dask_chunks(job: Job, items: Iterable[Opened], options: BatchOptions, assignment: Assignment,
                 entries: int) -> Iterable[Result]:
    """The same work on a Dask cluster; Dask retries a task whose worker was lost."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise RuntimeError("--scheduler needs Dask: pip install 'grader[dask]'") from None
    with Client(options.scheduler, timeout=30) as client:
        [job_future] = client.scatter([job], broadcast=True)
        workers = len(client.scheduler_info().get("workers", {}))
        window = max(2, 4 * workers)
        chunks = iter(_chunked(items, chunk_size(entries, workers)))
        futures = as_completed()
        pending: dict = {}

        def submit(chunk: list[Opened]) -> None:
            fut = client.submit(grade_chunk, job_future, chunk, retries=3, pure=False)
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
                results = [not_gradable(assignment, opened.student, f"the Dask workers grading this submission "
                                        f"were lost every time it was tried ({type(exc).__name__})",
                                        submitted_at=opened.submitted_at, sha256=opened.sha256)
                           for opened in chunk]
            yield from results
            fut.release()
            chunk = next(chunks, None)
            if chunk is not None:
                submit(chunk)
