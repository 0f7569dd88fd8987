"""How a local grading worker starts: its job received once, its zygote launched before the heavy imports.

Room: bulk, in each worker process of a local pool (the grader's trust domain). Deliberately light
at import (no numpy, nothing of grading): a spawned worker runs :func:`start_worker` first, so it
launches its zygote (another interpreter that imports numpy and the check files) and only then
imports the grading engine; the two start-ups overlap instead of following each other, and both
overlap the batch process reading the first entries. The job (the bundle and the student sources)
crosses to each worker once, here, not with every chunk: chunks name it by its key. It comes
through a queue, not the initializer's arguments: those are written to the new process while the
batch's process waits (a pipe's worth at most before it blocks), so large ones would start the
workers one after the other.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from grader.sandbox.launch import Launched

HIDDEN_CHECKS = "hidden_checks.py"


@dataclass(frozen=True)
class ZygoteFiles:
    """What a worker needs to launch its zygote before it knows the job: the assignment's bundle
    (whose check files the zygote loads) and the start method the job's settings ask for."""

    assignment: str
    files: dict[str, bytes]
    start_method: str  # "auto", "fork" or "spawn"


@dataclass(frozen=True)
class WarmStart:
    """What a worker gets when it starts (plain data: unpickled without importing the grader)."""

    key: str  # names the job in the chunks sent afterwards
    job: bytes  # the whole job, pickled once in the batch's process
    zygote: ZygoteFiles | None = None  # None: a job of other work (an audit's), installed without warming up


_JOBS: dict[str, Any] = {}  # key -> the job (its pickle until first used)


class Mailbox(Protocol):
    """A queue the batch's process puts one :class:`WarmStart` into per worker it starts."""

    def get(self) -> WarmStart: ...


def warm_start(job: Any, zygote: ZygoteFiles | None = None) -> WarmStart:
    """The :class:`WarmStart` of ``job`` (any picklable job; a grading Job comes with its ``zygote``),
    pickled once for every worker of every pool of the batch."""
    data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    return WarmStart(hashlib.sha256(data).hexdigest()[:16], data, zygote)


def start_worker(parent: int, mailbox: Mailbox) -> None:
    """A pool's initializer: die with the batch, take the job, launch the zygote, then warm the engine.

    Never raises once it has the job (an exception would break the pool and fail every chunk as a
    lost worker): whatever fails is met again, and reported for each submission, when the first
    chunk is graded.
    """
    from grader.sandbox.confine import die_with_parent

    die_with_parent(parent)  # a killed batch must not leave its workers waiting for work forever
    warm = mailbox.get()
    _JOBS[warm.key] = warm.job
    if warm.zygote is None:
        return
    launched = None
    try:
        launched = _launch_zygote(warm.zygote)
        from grader.bulk.worker import warm_engine  # numpy and the grader, while the zygote starts

        warm_engine(job_named(warm.key), launched)
    except Exception:  # noqa: BLE001  graded lazily instead, where a failure gets its row
        if launched is not None:
            launched.close()


def _launch_zygote(warm: ZygoteFiles) -> "Launched":
    """The zygote for the check files the engine will ask for (checks.py, and hidden_checks.py when
    the bundle has one); the engine adopts it only if they are (:meth:`Sandbox.adopt`)."""
    from grader.bulk.bundle import unpack_bundle
    from grader.sandbox.launch import launch

    folder = unpack_bundle(warm.assignment, warm.files)
    names = ["checks.py"] + ([HIDDEN_CHECKS] if HIDDEN_CHECKS in warm.files else [])
    return launch([str(folder / name) for name in names], warm.start_method)


def job_named(key: str) -> Any:
    """The job this worker received at its start under ``key``."""
    job = _JOBS[key]
    if isinstance(job, bytes):
        job = _JOBS[key] = pickle.loads(job)
    return job


def with_job(work: Callable[[Any, list], list], key: str, items: list) -> list:
    """``work`` over one chunk, with the job this worker received at its start."""
    return work(job_named(key), items)


def started() -> int:
    """A task that does nothing: submitting one per worker starts every worker at once."""
    return os.getpid()
