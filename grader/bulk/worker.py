"""What one grading worker does (a local process or a Dask worker): keep a warm engine per
assignment and grade opened submissions with it. Runs in the grader's trust domain."""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from functools import cached_property

from grader.bulk.bundle import unpack_bundle, version
from grader.course import load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.files import grade_files_all
from grader.grading.workdir import base_files
from grader.result import Result
from grader.sandbox.launch import Launched
from grader.stubs import StudentSources
from grader.submission import Opened

_ENGINES: dict[str, tuple[Engine, dict[str, bytes]]] = {}


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the submissions: picklable, self-contained."""

    assignment: str
    files: dict[str, bytes]  # the bundle of solutions/<assignment>/
    secret: bytes | None
    settings: Settings
    # what every submission starts from, computed once per batch (a worker then renders nothing);
    # None: the worker renders them from the bundle itself
    sources: StudentSources | None = None

    @cached_property
    def version(self) -> str:
        """The assignment version of the bundle (hashed once per job, not per chunk)."""
        return version(self.files)

    @property
    def key(self) -> str:
        """Names this job among a worker's jobs: the assignment, its version and the settings."""
        return f"{self.assignment}:{self.version}:{self.settings!r}"


def engine_for(job: Job, engine_class: type[Engine] = Engine, base: dict[str, bytes] | None = None,
               launched: Launched | None = None) -> tuple[Engine, dict[str, bytes]]:
    """This worker's warm engine for ``job`` and the pack's given files (made on first use; ``base``:
    those files, when the caller has them already and the job does not carry them). ``launched``:
    a zygote started early for it, adopted by a new engine if it serves it, else stopped."""
    # one engine per thread: a Dask worker runs tasks on several threads, and an engine is sequential
    key = f"{job.key}:{engine_class.__name__}:{threading.get_ident()}"
    if key not in _ENGINES:
        try:
            folder = unpack_bundle(job.assignment, job.files)
            assignment = load_solution(folder)
            engine = engine_class(assignment, secret=job.secret, settings=job.settings)
        except BaseException:
            if launched is not None:
                launched.close()
            raise
        if launched is not None:
            engine.sandbox.adopt(launched)
        if job.sources is not None:
            base = job.sources.given
        _ENGINES[key] = (engine, base if base is not None else base_files(assignment))
    elif launched is not None:
        launched.close()
    return _ENGINES[key]


def warm_engine(job: Job, launched: Launched | None = None) -> None:
    """Make this worker's engine for ``job`` before its first chunk arrives (with ``launched``, its
    zygote, already starting)."""
    engine_for(job, launched=launched)


def grade_chunk(job: Job, items: list[Opened]) -> list[Result]:
    """Grade a chunk of submissions in order (one result per item, whatever each does).

    Pipelined by the engine: while one submission is judged here, the next runs in the sandbox.
    """
    engine, base = engine_for(job)
    return list(grade_files_all(engine, (({**base, **o.files}, o.student,
                                          {"submitted_at": o.submitted_at, "sha256": o.sha256}) for o in items)))


@atexit.register
def _close_engines() -> None:
    for engine, _ in _ENGINES.values():
        engine.close()
