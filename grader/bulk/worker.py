"""What one grading worker does (a local process or a Dask worker): keep a warm engine per
assignment and grade opened submissions with it. Runs in the grader's trust domain."""

from __future__ import annotations

import atexit
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from grader.bulk.bundle import materialize as materialize_bundle
from grader.bulk.bundle import version
from grader.course import load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.workdir import base_files, materialize, remove
from grader.result import Result
from grader.submission import Opened

_ENGINES: dict[str, tuple[Engine, dict[str, bytes]]] = {}


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the submissions: picklable, self-contained."""

    assignment: str
    files: dict[str, bytes]  # the bundle of solutions/<assignment>/
    secret: bytes | None
    settings: Settings


def _engine(job: Job) -> tuple[Engine, dict[str, bytes]]:
    # one engine per thread: a Dask worker runs tasks on several threads, and an engine is sequential
    key = f"{job.assignment}:{version(job.files)}:{job.settings!r}:{threading.get_ident()}"
    if key not in _ENGINES:
        folder = materialize_bundle(job.assignment, job.files)
        assignment = load_solution(folder)
        _ENGINES[key] = (Engine(assignment, secret=job.secret, settings=job.settings), base_files(assignment))
    return _ENGINES[key]


def grade_chunk(job: Job, items: list[Opened]) -> list[Result]:
    """Grade a chunk of submissions in order (one result per item, whatever each does).

    Pipelined by the engine: while one submission is judged here, the next runs in the sandbox.
    """
    engine, base = _engine(job)
    folders: deque[Path] = deque()

    def prepared():
        for opened in items:
            folders.append(materialize({**base, **opened.files}))
            yield folders[-1], opened.student, {"submitted_at": opened.submitted_at, "sha256": opened.sha256}

    results = []
    try:
        for result in engine.grade_all(prepared()):
            results.append(result)
            remove(folders.popleft())
    finally:
        for folder in folders:
            remove(folder)
    return results


@atexit.register
def _close_engines() -> None:
    for engine, _ in _ENGINES.values():
        engine.close()
