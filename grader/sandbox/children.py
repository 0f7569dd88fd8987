"""The worker's handles on the child processes that run a submission, one per start method.

- :class:`ZygoteClient` and :class:`ForkedChild` (``fork``, Linux): the worker makes the child's job
  pipe (and writes the job into it) and its result pipe, and hands the zygote the child's ends over
  the control socket; the zygote only forks, kills and reaps. Frames come straight to the worker.
- :class:`Spawner` and :class:`SpawnedChild` (``spawn``: Windows, macOS, or forced): the worker
  starts a fresh interpreter (:mod:`grader.sandbox.spawned`) itself, keeping one warming up ahead
  of time; the job goes to its stdin, frames come from its stdout.

Either way a handle has a frame ``reader``, ``started`` (False until a spawned interpreter has
loaded the harness) and ``stop()``, which kills the child's process group and says how it ended.
Nothing here reads a frame's content: that is the supervisor's (:mod:`grader.sandbox.supervisor`).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from grader.sandbox import wire
from grader.sandbox.zygote import describe_signal

try:
    import fcntl
except ImportError:  # Windows: the spawn start method only
    fcntl = None  # type: ignore[assignment]

F_SETPIPE_SZ = 1031  # Linux fcntl: resize a pipe's buffer
RESULT_PIPE_BYTES = 1 << 20  # the default maximum for unprivileged users (/proc/sys/fs/pipe-max-size)
JOB_PIPE_BYTES = 128 * 1024  # a job is one frame, its header at most wire.MAX_HEADER
STARTUP_TIMEOUT = 60.0  # seconds a spawned interpreter may take to start and confine itself
POLL = 0.02  # seconds between reads of a running child's pipe (it is read at once when it exits)


class ChildFailure(RuntimeError):
    """The machinery that starts children failed (not the submission)."""


def _resize(fd: int, size: int) -> None:
    try:
        if fcntl is not None:
            fcntl.fcntl(fd, F_SETPIPE_SZ, size)
    except OSError:
        pass


class ZygoteClient:
    """The worker's end of the zygote's control socket: fork requests out, exit reports in."""

    def __init__(self, control: socket.socket):
        self.control = control
        self.exits: dict[int, str] = {}  # child id -> how it ended, for ids someone still waits on
        self.forgotten: set[int] = set()  # ids whose report nobody wants
        self._next = 0

    def receive(self, wait: float | None) -> bool:
        """Read the control messages that arrive within ``wait`` seconds; True if any did."""
        got = False
        while True:
            ready, _, _ = select.select([self.control], [], [], wait)
            if not ready:
                return got
            data = self.control.recv(4096)
            if not data:
                raise ChildFailure("the sandbox process exited")
            message = wire.parse_header(data)
            if message.get("t") == "exit" and isinstance(message.get("id"), int):
                if message["id"] in self.forgotten:
                    self.forgotten.discard(message["id"])
                else:
                    self.exits[message["id"]] = str(message.get("how", "ended"))[:200]
            got, wait = True, 0.0

    def fork(self, fds: list[int], limit: float, seccomp: bool) -> int:
        """Ask for a child with these descriptors (job read end, result write end); its id."""
        self._next += 1
        message = json.dumps({"t": "fork", "id": self._next, "limit": round(limit, 3), "seccomp": seccomp})
        try:
            socket.send_fds(self.control, [message.encode()], fds)
        except OSError as exc:
            raise ChildFailure(f"the sandbox process failed: {exc}") from None
        return self._next

    def kill(self, child: int) -> None:
        try:
            self.control.sendall(json.dumps({"t": "kill", "id": child}).encode())
        except OSError as exc:
            raise ChildFailure(f"the sandbox process failed: {exc}") from None

    def wait_exit(self, child: int, deadline: float) -> str | None:
        """How child ``child`` ended, once the zygote has reaped it; None if not by ``deadline``."""
        while child not in self.exits:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.receive(left)
        return self.exits.pop(child)

    def forget(self, child: int) -> None:
        """Nobody will ask how ``child`` ended: drop its report now or when it comes."""
        if self.exits.pop(child, None) is None:
            self.forgotten.add(child)


class ForkedChild:
    """A child forked by the zygote, reading its job from a pipe the worker filled and writing its
    frames to a pipe the worker reads: woken when the zygote reports its exit, or every ``POLL``."""

    started = True  # nothing to wait for: it runs the harness the zygote already imported

    def __init__(self, zygote: ZygoteClient, job: dict[str, Any], limit: float, caps: wire.Caps):
        data = wire.encode(job)
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
        try:
            _resize(job_w, JOB_PIPE_BYTES)
            os.set_blocking(job_w, False)
            try:  # the whole job fits in the pipe: written now, never waited for
                written = os.write(job_w, data)
            except BlockingIOError:
                written = 0
            if written != len(data):
                raise ChildFailure(f"a job of {len(data)} bytes does not fit in the job pipe")
            _resize(result_w, RESULT_PIPE_BYTES)  # room for a whole submission's frames
            self.zygote = zygote
            self.id = zygote.fork([job_r, result_w], limit, bool(job.get("seccomp", True)))
        except BaseException:
            os.close(result_r)
            raise
        finally:
            for fd in (job_r, job_w, result_w):
                os.close(fd)
        self.fd = result_r
        os.set_blocking(result_r, False)
        self.reader = _ZygoteFrameReader(result_r, self, caps)

    def exited(self, wait: float) -> bool:
        self.zygote.receive(wait)
        return self.id in self.zygote.exits

    def stop(self, finished: bool = False) -> str:
        """Have the zygote kill it (and its process group); say how it ended. A child that
        ``finished`` (said bye) is not waited for: its teardown overlaps the grader's work."""
        if self.fd < 0:
            return "stopped"
        os.close(self.fd)
        self.fd = -1
        if self.id not in self.zygote.exits:
            self.zygote.kill(self.id)
        if finished:
            self.zygote.forget(self.id)
            return "finished"
        how = self.zygote.wait_exit(self.id, time.monotonic() + 30)
        if how is None:
            raise ChildFailure("the sandbox process did not stop a child in 30 s")
        return how


class _ZygoteFrameReader(wire.PolledFrameReader):
    def __init__(self, fd: int, child: ForkedChild, caps: wire.Caps):
        super().__init__(fd, caps, POLL)
        self.child = child

    def wait(self, seconds: float) -> bool:
        return self.child.exited(seconds)


# --------------------------------------------------------------------------- spawn

def spawn_command() -> list[str]:
    """``python -c ...`` starting :mod:`grader.sandbox.spawned` with the grader's import path.

    The path is passed explicitly (the working directory, which ``-c`` would put first, left out).
    """
    paths = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(os.getcwd())]
    code = (f"import sys; sys.path[:] = {paths!r}; "
            "from grader.sandbox.spawned import main; main()")
    return [sys.executable, "-c", code]


def _describe_returncode(code: int) -> str:
    """A :class:`subprocess.Popen` return code in the words of the zygote's reports."""
    return describe_signal(-code) if code < 0 else f"exited with code {code}"


class Spawner:
    """Starts fresh interpreters (the ``spawn`` start method), keeping one warming up between jobs
    (harness imported, no job, no student code yet) so a submission does not wait for Python and
    numpy to start."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.command = spawn_command()
        self._spare: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        options: dict[str, Any] = {}
        if os.name == "nt":  # a group of its own, and no console window flashing up
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
        else:
            options["start_new_session"] = True  # setsid before exec: we can kill its whole group
        # its working folder until it moves into the submission's: one nobody deletes (on Windows a
        # process's working folder cannot be removed)
        return subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=os.path.dirname(sys.executable) or None,
                                env=dict(self.env), close_fds=True, **options)

    def prepare(self) -> None:
        """Start the next interpreter now, while no job runs."""
        if self._spare is None:
            try:
                self._spare = self._start()
            except OSError:
                self._spare = None  # a job will try again, and report the failure

    def take(self) -> subprocess.Popen:
        """The spare if it is still alive (one that died is discarded), else a new interpreter."""
        proc, self._spare = self._spare, None
        if proc is not None and proc.poll() is not None:
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            proc = None
        return proc or self._start()

    def close(self) -> None:
        proc, self._spare = self._spare, None
        if proc is not None:
            proc.kill()  # it is blocked reading its job: nothing else to stop
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass


class SpawnedChild:
    """A child started as a fresh interpreter: portable (Windows, macOS), no fork anywhere. It gets
    its job and its (check file, check, seed) list as JSON on stdin; its stdout is read by a helper
    thread (Windows pipes cannot be waited on with select)."""

    started = False  # until its "started" frame: start-up is not the submission's import time

    def __init__(self, spawner: Spawner, job: dict[str, Any], sources: dict[str, str], caps: wire.Caps):
        spec = {"job": job, "work": [[sources[c["name"]], c["name"], c["seed"]] for c in job["checks"]]}
        try:
            self.proc = spawner.take()
        except OSError as exc:
            raise ChildFailure(f"cannot start a child process: {exc}") from None
        try:
            self.proc.stdin.write(json.dumps(spec).encode("utf-8"))
            self.proc.stdin.close()
        except OSError:
            pass  # it ended already: its reader sees the end of the stream
        self.reader = wire.ThreadedFrameReader(self.proc.stdout, caps)

    def stop(self, finished: bool = False) -> str:
        if self.proc.returncode is not None:
            return _describe_returncode(self.proc.returncode)
        self.reader.close()  # the reader's thread closes the pipe once the child is gone
        if os.name != "nt":
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its group: anything it started too
            except OSError:
                pass
        try:
            self.proc.kill()  # Windows: TerminateProcess
        except OSError:
            pass
        return _describe_returncode(self.proc.wait())
