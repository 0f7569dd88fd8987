"""The zygote: a warm, single-threaded fork server that never holds a student's bytes.

Started once per worker (``python -m grader.sandbox.zygote CONTROL_FD CHECKS.py...``, by
:func:`grader.sandbox.launch.launch`) with numpy, the harness and the check scenarios imported (never
the reference solution). Its one channel is a Unix socket to the worker that started it:

- the worker sends ``{"t": "fork", "id": N, "limit": seconds, "seccomp": bool}`` with two descriptors
  attached (``SCM_RIGHTS``): the read end of the child's job pipe, which already holds the job the
  worker wrote into it, and the write end of the child's result pipe, whose read end the worker keeps;
- the zygote forks and closes both descriptors; the child reads its own job, confines itself and
  writes its frames straight to the worker;
- the worker sends ``{"t": "kill", "id": N}`` when it is done with a child (it said bye, timed out or
  broke the protocol), and the zygote kills the child's process group;
- the zygote sends ``{"t": "exit", "id": N, "how": ...}`` once child N has ended and been reaped (on
  its own, at the worker's request, or at its time ``limit``: a backstop should the worker be slow).

Why: a forked child is a copy of the zygote's memory. The zygote never reads a job or a frame, so
nothing derived from one student (seeds, source lines, error messages, outputs) can be in the memory
the next student's child starts from. Control messages carry ids, a time limit and a flag: settings,
never student data. Per-check timeouts are decided by the worker, which reads the frames; killing
is the zygote's, the parent of the process group. It judges nothing.

This is the ``fork`` start method (Linux). The ``spawn`` method (Windows, macOS, or forced) needs no
zygote: the worker starts fresh interpreters itself (:mod:`grader.sandbox.children`).
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
CONTROL_MESSAGE = 4096  # bytes: a control message is a few dozen


def _set_subreaper() -> bool:
    """Orphans of our children (setsid escapes) become ours, so we can find and kill them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def describe_signal(sig: int) -> str:
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = str(sig)
    reason = {"SIGKILL": " (killed: memory or time limit?)", "SIGXCPU": " (CPU time limit)",
              "SIGXFSZ": " (file size limit)", "SIGSEGV": " (crashed)"}.get(name, "")
    return f"killed by {name}{reason}"


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return describe_signal(os.WTERMSIG(status))
    if os.WIFEXITED(status):
        return f"exited with code {os.WEXITSTATUS(status)}"
    return "ended"


@dataclass
class _Child:
    id: int
    deadline: float  # monotonic: killed then, whatever the worker says
    forks_denied: bool  # seccomp applies: it cannot have started processes of its own
    pidfd: int = -1  # readable once it has ended (where pidfds work)


def _pidfds_work() -> bool:
    """Whether ``os.pidfd_open`` works here (Linux 5.3+ and Python 3.9+), tried on this process."""
    try:
        os.close(os.pidfd_open(os.getpid()))
        return True
    except (AttributeError, OSError):
        return False


class Zygote:
    def __init__(self, check_files: list[str], control: socket.socket):
        from grader.checks.loader import load_checks
        from grader.sandbox import child, confine

        self.checks = {}
        for path in check_files:
            hidden = Path(path).name == "hidden_checks.py"
            for c in load_checks(Path(path), hidden=hidden):
                self.checks[c.name] = c
        self.control = control
        self.subreaper = _set_subreaper()
        confine.prepare()  # probes and the seccomp program: once here, not in every child
        confine.drop_bounding_set()  # inherited by every child, which then only clears its own capabilities
        confine.renew_ipc_namespace()  # the first child's (each next one's is made after a fork)
        self.layers = confine.report()
        self.seccomp = self.layers.get("seccomp") is True
        self.read_only = confine.default_read_only_paths()  # once, not per child
        self.python_paths = child.installation_paths()
        self.children: dict[int, _Child] = {}  # pid -> what the worker knows it by
        # a child's end wakes the loop through its pidfd (Linux 5.3+), else SIGCHLD through a pipe:
        # children are reaped in the loop, never in a handler. With pidfds no handler is installed,
        # so a child has none to undo (and signals nothing into a descriptor it might reuse)
        self._wake_r = -1
        if not _pidfds_work():
            self._wake_r, wake_w = os.pipe()
            os.set_blocking(self._wake_r, False)
            os.set_blocking(wake_w, False)
            signal.signal(signal.SIGCHLD, lambda *_: None)
            signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        gc.collect()
        gc.freeze()  # children never scan (and so never copy) the warm heap's pages

    # -- the control channel ----------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        self.control.sendall(json.dumps(message, separators=(",", ":")).encode())

    def serve(self) -> None:
        self.send({"t": "ready", "pid": os.getpid(), "layers": self.layers})
        while True:
            now = time.monotonic()
            deadlines = [c.deadline for c in self.children.values()]
            wait = max(0.0, min(deadlines) - now) if deadlines else None
            if self._wake_r < 0 and any(c.pidfd < 0 for c in self.children.values()):
                wait = min(wait, 0.05) if wait is not None else 0.05  # one without a pidfd: looked for often
            watched = [self.control] + ([self._wake_r] if self._wake_r >= 0 else
                                        [c.pidfd for c in self.children.values() if c.pidfd >= 0])
            ready, _, _ = select.select(watched, [], [], wait)
            if self._wake_r >= 0 and self._wake_r in ready:
                try:
                    while os.read(self._wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
            self._reap()
            self._expire()
            if self.control in ready and not self._handle():
                return

    def _handle(self) -> bool:
        """Act on one control message; False once the worker has gone."""
        from grader.sandbox import wire

        data, fds, _, _ = socket.recv_fds(self.control, CONTROL_MESSAGE, 2)
        if not data:
            for fd in fds:
                os.close(fd)
            return False
        try:
            message = wire.parse_header(data)
        except wire.WireError:
            message = {}
        kind = message.get("t")
        if kind == "fork" and len(fds) == 2 and isinstance(message.get("id"), int):
            self._fork(message, *fds)
            return True
        for fd in fds:
            os.close(fd)
        if kind == "kill":
            for pid, known in list(self.children.items()):
                if known.id == message.get("id"):
                    _kill_group(pid)
        return kind != "exit"

    # -- children ------------------------------------------------------------------------------
    def _fork(self, message: dict[str, Any], job_fd: int, result_fd: int) -> None:
        from grader.sandbox import confine

        forks_denied = bool(message.get("seccomp", True)) and self.seccomp
        # the child's Landlock ruleset, holding the read-only rules: made now rather than after the
        # last fork, since every page this process touches while a child shares it is copied
        confine.prepare_filesystem(self.read_only)
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(job_fd)
            os.close(result_fd)
            self.send({"t": "exit", "id": message["id"], "how": f"cannot start a child process: {exc}",
                       "started": False})
            return
        if pid == 0:
            self._become_child(job_fd, result_fd)  # never returns
        confine.ruleset_taken()  # it holds the child's folder now: never used here again
        os.close(job_fd)
        os.close(result_fd)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        limit = message.get("limit")
        limit = float(limit) if isinstance(limit, (int, float)) and limit > 0 else 600.0
        pidfd = -1
        if self._wake_r < 0:
            try:
                pidfd = os.pidfd_open(pid)  # a child that has ended already is still ours to reap: fine
            except OSError:
                pidfd = -1  # out of descriptors: it is found by the next wake-up's reaping, or its deadline
        self.children[pid] = _Child(message["id"], time.monotonic() + limit, forks_denied, pidfd)
        # the next child's IPC namespace, made while this one runs; this child is the only one ever
        # forked into the namespace it inherited (from confine: no IPC object is made here)
        confine.renew_ipc_namespace()

    def _become_child(self, job_fd: int, result_fd: int) -> None:
        """In the fork: read this child's own job from its pipe, then run it (never returns)."""
        from grader.sandbox import child, confine, wire

        try:
            confine.isolate_ipc()  # first, before the job's bytes are read: nothing allocated after them
            if self._wake_r >= 0:  # the SIGCHLD wake-up's handler and pipe are the zygote's, not the child's
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            self.control.close()
            job = wire.read_header_frame(job_fd)
            os.close(job_fd)
            if job is None:
                raise ValueError("no job")
            work = [(self.checks[str(c["name"])], int(c["seed"])) for c in job["checks"]]
            job["read_only"], job["python_paths"] = self.read_only, self.python_paths
        except BaseException as exc:  # the harness, not the submission: no student code has run
            try:
                message = f"{type(exc).__name__}: {exc}"[:500]
                wire.write_all(result_fd, wire.encode({"t": "startup_error", "message": message}))
            finally:
                os._exit(70)
        child.main(result_fd, job, work)

    def _reap(self) -> None:
        """Wait for every child that has ended; report those the worker knows (orphans are only reaped)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            known = self.children.pop(pid, None)
            if known is None:
                continue
            if known.pidfd >= 0:
                os.close(known.pidfd)
            if not known.forks_denied:
                _kill_group(pid)  # what it started in its group
                self._kill_orphans()  # and in sessions of their own
            self.send({"t": "exit", "id": known.id, "how": _describe(status)})

    def _expire(self) -> None:
        now = time.monotonic()
        for pid, known in self.children.items():
            if known.deadline <= now:
                _kill_group(pid)
                known.deadline = now + 3600  # killed once; its exit is reported when it is reaped

    def _kill_orphans(self) -> None:
        """Kill and reap processes left behind that became ours (only possible where seccomp does not
        forbid fork); children the worker still knows are left alone."""
        me = str(os.getpid())
        for _ in range(3):
            found = False
            for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
                if not entry.isdigit() or int(entry) in self.children:
                    continue
                try:
                    with open(f"/proc/{entry}/stat", "rb") as fh:
                        fields = fh.read().rsplit(b")", 1)[1].split()
                except OSError:
                    continue
                if fields[1].decode() == me:
                    found = True
                    try:
                        os.kill(int(entry), signal.SIGKILL)
                        os.waitpid(int(entry), 0)
                    except OSError:
                        pass
            if not found:
                return


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(argv[0]))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy  # noqa: F401  (warm: every child inherits it imported)
    import numpy.linalg  # noqa: F401  numpy loads these lazily: once here, not once per child
    import numpy.random
    import traceback  # noqa: F401  (used by children to report errors)

    numpy.random.default_rng(0).normal(size=4)

    os.dup2(2, 1)  # stray prints go to stderr
    from grader.sandbox import confine

    confine.die_with_parent()  # a grader (worker) that is killed takes its zygote with it
    confine.scrub_environment(os.getcwd())  # once here, so each child's own scrub has little to do
    confine.isolate_network()  # a network namespace of its own for all its children (Linux, where allowed)
    Zygote(argv[1:], control).serve()


if __name__ == "__main__":
    main()
