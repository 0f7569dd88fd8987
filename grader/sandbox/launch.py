"""Start a zygote process. Deliberately light (no numpy): a command can launch the zygote first
and import the rest of the grader while the zygote warms up."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import tempdirs

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS")


START_METHODS = ("auto", "fork", "spawn")
START_METHOD_ENV = "GRADE_START_METHOD"


def resolve_start_method(requested: str | None = None) -> str:
    """``fork`` or ``spawn``: how the zygote starts the child of each submission.

    ``requested`` ("auto", "fork", "spawn"; None = "auto"); "auto" defers to $GRADE_START_METHOD,
    then to the platform: fork on Linux (a warm, cheap fork), spawn elsewhere (Windows has no fork;
    on macOS fork is unsafe with the system's numeric libraries).
    """
    method = (requested or "auto").strip().lower()
    if method == "auto":
        method = os.environ.get(START_METHOD_ENV, "auto").strip().lower() or "auto"
    if method not in START_METHODS:
        raise ValueError(f"unknown start method {method!r} (choose one of {', '.join(START_METHODS)}; "
                         f"${START_METHOD_ENV} may set it too)")
    if method == "auto":
        method = "fork" if sys.platform.startswith("linux") and hasattr(os, "fork") else "spawn"
    if method == "fork" and not hasattr(os, "fork"):
        raise ValueError(f"the fork start method is not available on {sys.platform}: use spawn")
    return method


def child_environment() -> dict[str, str]:
    """The environment a zygote or a spawned interpreter starts with: the grader's own minus every
    ``GRADE_SECRET*`` variable, one BLAS thread, the grader importable. (A child then replaces it
    with a minimal one before any student code runs.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_SECRET")}
    env.update({var: "1" for var in BLAS_THREADS})
    root = str(Path(__file__).resolve().parent.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Launched:
    """What :func:`launch` started: for ``fork``, the zygote and the worker's end of its control
    socket; for ``spawn``, nothing yet (the worker starts each interpreter itself)."""

    start_method: str
    home: str  # a private working folder (the zygote's)
    proc: subprocess.Popen | None = None
    control: socket.socket | None = None
    check_files: tuple[str, ...] = ()  # what the zygote loaded (resolved): a sandbox adopts it only for these

    def serves(self, check_files: list[str], start_method: str) -> bool:
        """Whether a sandbox of ``check_files`` (resolved) and ``start_method`` may adopt what was started."""
        return self.start_method == start_method and (start_method == "spawn" or
                                                      self.check_files == tuple(check_files))

    def close(self) -> None:
        """Stop what was started when no sandbox adopted it (the command failed before grading):
        left running, the zygote would finish warming up and write "ready" to a grader that is gone.
        Idempotent; a sandbox that adopted it stops it the same way."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        if self.control is not None:
            self.control.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _control_pair() -> tuple[socket.socket, socket.socket]:
    """A Unix socket pair that keeps message boundaries (and so which descriptors came with which
    message): SEQPACKET where the platform has it, else datagrams."""
    try:
        return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    except (AttributeError, OSError):
        return socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)


def launch(check_files: list[str], start_method: str | None = None) -> Launched:
    """A running zygote for ``check_files`` (``fork``), or what the ``spawn`` method needs.

    ``start_method`` (see :func:`resolve_start_method`) says how each child starts.
    """
    method = resolve_start_method(start_method)
    home = str(tempdirs.make("zygote"))
    files = tuple(str(Path(p).resolve()) for p in check_files)
    if method == "spawn":
        return Launched(method, home, check_files=files)
    ours, theirs = _control_pair()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "grader.sandbox.zygote", str(theirs.fileno()), *files],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd=home,
                                env=child_environment(), close_fds=True, pass_fds=[theirs.fileno()])
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    return Launched(method, home, proc, ours, files)
