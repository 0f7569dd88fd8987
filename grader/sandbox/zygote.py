"""Warm parent that starts one confined child per submission and relays its frames.

Started once per worker (``python -m grader.sandbox.zygote [--start-method M] CHECKS.py...``) with
numpy, the harness and the check scenarios imported (never the reference solution). It reads jobs
from stdin and relays each child's frames to stdout, adding what only a parent can know: timeouts
(enforced by killing the child's process group) and deaths. A check that times out or dies costs
only that check: the remaining ones run in a fresh child. It judges nothing.

How a child starts is the start method (see :func:`grader.sandbox.launch.resolve_start_method`):

- ``fork`` (Linux): the zygote stays single-threaded and forks a warm child (a few ms);
- ``spawn`` (Windows, macOS, or forced): a fresh interpreter per child
  (``python -c ... grader.sandbox.spawned``) that gets its job and its (check file, check, seed)
  list as JSON on stdin, loads the check files itself, confines itself as far as its platform
  allows and calls the same :func:`grader.sandbox.child.run`. Its result channel is its stdout
  pipe, read by a helper thread (no select, no fork, no waitpid); its stderr goes nowhere. Before
  importing the submission it sends ``started``, so its start-up does not count as import time.

Either way the frames relayed to the grader and the verdicts are the same.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: the spawn start method only, no pipes of forked children to resize
    fcntl = None  # type: ignore[assignment]

PR_SET_CHILD_SUBREAPER = 36
STARTUP_TIMEOUT = 60.0  # seconds a spawned interpreter may take to start and confine itself


def _set_subreaper() -> bool:
    """Orphans of our children (setsid escapes) become ours, so we can find and kill them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _describe_signal(sig: int) -> str:
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = str(sig)
    reason = {"SIGKILL": " (killed: memory or time limit?)", "SIGXCPU": " (CPU time limit)",
              "SIGXFSZ": " (file size limit)", "SIGSEGV": " (crashed)"}.get(name, "")
    return f"killed by {name}{reason}"


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return _describe_signal(os.WTERMSIG(status))
    if os.WIFEXITED(status):
        return f"exited with code {os.WEXITSTATUS(status)}"
    return "ended"


def _describe_returncode(code: int) -> str:
    """A :class:`subprocess.Popen` return code in the words of :func:`_describe`."""
    return _describe_signal(-code) if code < 0 else f"exited with code {code}"


class _Forked:
    """A child forked from this (single-threaded) zygote; its result channel is a pipe, read when the
    child exits (its pidfd) or every few milliseconds while it runs, not once per frame."""

    started = True  # nothing to wait for: it runs the harness the zygote already imported

    def __init__(self, zygote: "Zygote", job: dict[str, Any], work: list[tuple[Any, int]], caps) -> None:
        from grader.sandbox import wire

        self.zygote = zygote
        self.pid, self.fd = zygote._fork(job, work)
        self.pidfd = _pidfd(self.pid)
        if self.pidfd is None:
            self.reader = wire.FrameReader(self.fd, caps)
        else:  # woken by the child's exit, not by each of its frames
            os.set_blocking(self.fd, False)
            self.reader = wire.ExitFrameReader(self.fd, self.pidfd, caps)

    def stop(self, finished: bool = False) -> str:
        """Kill it (and its process group), reap it, say how it ended.

        A child that ``finished`` (said bye) is exiting anyway and can start no process (seccomp):
        it is killed but reaped later, so its teardown overlaps the grader's work instead of
        adding to every submission's time.
        """
        os.close(self.fd)
        if self.pidfd is not None:
            os.close(self.pidfd)
        if finished and self.zygote.forks_denied:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self.zygote.unreaped.add(self.pid)
            return "finished"
        return self.zygote._kill(self.pid)


F_SETPIPE_SZ = 1031  # Linux fcntl: resize a pipe's buffer
RESULT_PIPE_BYTES = 1 << 20  # the default maximum for unprivileged users (/proc/sys/fs/pipe-max-size)


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` exits (Linux 5.3+), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _spawn(command: list[str]) -> subprocess.Popen:
    """A fresh interpreter running :mod:`grader.sandbox.spawned`: it imports the harness, then waits
    for its job on stdin (so one can be started ahead of time); stdout is its result channel."""
    options: dict[str, Any] = {}
    if os.name == "nt":  # a group of its own, and no console window flashing up
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
    else:
        options["start_new_session"] = True  # setsid before exec: we can kill its whole group
    # its working folder until it moves into the submission's: one nobody deletes (on Windows a
    # process's working folder cannot be removed, and a spare may outlive the zygote's own folder)
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=os.path.dirname(sys.executable) or None, env=dict(os.environ), close_fds=True,
                            **options)


class _Spawned:
    """A child started as a fresh interpreter: portable (Windows, macOS), no fork anywhere.

    The zygote keeps one such interpreter warming up between jobs (a spare: harness imported, no
    job, no student code yet), so a submission does not wait for Python and numpy to start.
    """

    started = False  # until its "started" frame: start-up is not the submission's import time

    def __init__(self, zygote: "Zygote", job: dict[str, Any], work: list[tuple[Any, int]], caps) -> None:
        from grader.sandbox import wire

        self.zygote = zygote
        spec = {"job": job, "work": [[zygote.sources[check.name], check.name, seed] for check, seed in work]}
        self.proc = zygote.take_spare() or _spawn(zygote.spawn_command)
        try:
            self.proc.stdin.write(json.dumps(spec).encode("utf-8"))
            self.proc.stdin.close()
        except OSError:
            pass  # it ended already: its reader sees the end of the stream
        self.reader = wire.ThreadedFrameReader(self.proc.stdout, caps)

    def stop(self) -> str:
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
        code = self.proc.wait()
        if os.name != "nt":
            self.zygote._reap_orphans()
        return _describe_returncode(code)


class Zygote:
    def __init__(self, check_files: list[str], out_fd: int = 1, start_method: str = "fork"):
        from grader.checks.loader import load_checks
        from grader.sandbox import confine

        if start_method not in ("fork", "spawn"):
            raise ValueError(f"unknown start method {start_method!r}")
        self.start_method = start_method
        self.checks = {}
        self.sources: dict[str, str] = {}  # check name -> its file (a spawned child loads it itself)
        for path in check_files:
            hidden = Path(path).name == "hidden_checks.py"
            for c in load_checks(Path(path), hidden=hidden):
                self.checks[c.name] = c
                self.sources[c.name] = str(Path(path).resolve())
        self.spawn_command = _spawn_command()
        self._spare: subprocess.Popen | None = None
        self.out = out_fd
        self.subreaper = _set_subreaper()
        confine.prepare()  # probes and the seccomp program: once here, not in every child
        self.layers = confine.report()
        self.forks_denied = self.layers.get("seccomp") is True  # per job: only if the job applies seccomp
        self.unreaped: set[int] = set()  # finished children killed but not yet waited for
        self.read_only = confine.default_read_only_paths()  # once, not per child
        from grader.sandbox import child

        self.python_paths = child.installation_paths()
        gc.collect()
        gc.freeze()  # children never scan (and so never copy) the warm heap's pages

    # -- output to the grader -------------------------------------------------------------
    def emit(self, header: dict[str, Any], payload: bytes = b"") -> None:
        from grader.sandbox import wire

        wire.write_all(self.out, wire.encode(header, payload))

    # -- one child ----------------------------------------------------------------------------
    def _fork(self, job: dict[str, Any], work: list[tuple[Any, int]]) -> tuple[int, int]:
        from grader.sandbox import child

        r, w = os.pipe()
        try:  # room for a whole submission's frames: the child rarely waits for the zygote to read
            if fcntl is not None:
                fcntl.fcntl(r, F_SETPIPE_SZ, RESULT_PIPE_BYTES)
        except OSError:
            pass
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(r)
            child.main(w, job, work)
        os.close(w)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        return pid, r

    def _kill(self, pid: int) -> str:
        for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                target()
            except OSError:
                pass
        _, status = os.waitpid(pid, 0)
        self._reap_orphans()
        return _describe(status)

    def _reap_orphans(self) -> None:
        """Kill anything left behind (only possible where fork is not forbidden by seccomp)."""
        if self.forks_denied:
            while True:  # zombies only
                try:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    self.unreaped.clear()
                    return
                if pid == 0:
                    return
                self.unreaped.discard(pid)
        me = str(os.getpid())
        for _ in range(3):
            found = False
            for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
                if not entry.isdigit():
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

    def run_job(self, job: dict[str, Any]) -> None:
        """Run one submission's checks, in as many children as it takes; relay validated frames.

        Frames for the grader are collected and written once, at the end of the job.
        """
        from grader.sandbox import wire

        start = time.monotonic()
        out: list[bytes] = []
        emit = lambda header, payload=b"": out.append(wire.encode(header, payload))  # noqa: E731
        job_deadline = start + float(job.get("timeout", 60))
        checks = {c["name"]: c for c in job["checks"]}
        unknown = [n for n in checks if n not in self.checks]
        if unknown:
            self.emit({"t": "fatal", "message": f"unknown checks {unknown}"})
            return
        remaining = list(checks)
        job["read_only"] = self.read_only
        job["python_paths"] = self.python_paths
        # a job may turn seccomp off: then its children can fork, and orphans must be looked for
        if self.unreaped:
            self._reap_orphans()  # children that finished last time: zombies only, no waiting
        self.forks_denied = bool(job.get("seccomp", True)) and self.layers.get("seccomp") is True
        caps = wire.Caps(**job.get("caps", {}))
        imported = False
        stuck: dict[str, str] = {}  # function -> the check in which it timed out
        while remaining:
            for name in [n for n in remaining if stuck.keys() & set(self.checks[n].functions)]:
                culprit = next(f for f in self.checks[name].functions if f in stuck)
                emit({"t": "timeout", "check": name, "scope": "function", "function": culprit,
                      "after": stuck[culprit]})  # it would only time out again: don't wait twice
                remaining.remove(name)
            if not remaining:
                break
            if time.monotonic() >= job_deadline:
                for name in remaining:
                    emit({"t": "timeout", "check": name, "scope": "submission", "seconds": job.get("timeout")})
                break
            work = [(self.checks[n], int(checks[n]["seed"])) for n in remaining]
            try:
                child = (_Spawned if self.start_method == "spawn" else _Forked)(self, job, work, caps)
            except OSError as exc:
                self.emit({"t": "fatal", "message": f"cannot start a child process: {exc}"})
                return
            reader = child.reader
            position = 0  # index in `remaining` of the check the child is running now
            since = time.monotonic()
            child_started = child.started
            child_imported = False
            outcome = "eof"
            failed_start = ""
            try:
                while True:
                    if not child_started:
                        deadline = min(since + STARTUP_TIMEOUT, job_deadline)
                    elif not child_imported:
                        deadline = min(since + float(job.get("import_timeout", 10)), job_deadline)
                    elif position < len(remaining):
                        deadline = min(since + float(checks[remaining[position]].get("timeout", 10)), job_deadline)
                    else:
                        deadline = job_deadline
                    frame = reader.read(deadline)
                    if frame is None:
                        break
                    header, payload = frame
                    kind = header.get("t")
                    current = remaining[position] if child_imported and position < len(remaining) else None
                    if kind == "started" and not child_started:  # spawn only: harness loaded, confined
                        child_started = True
                    elif kind == "startup_error" and not child_started:  # spawn only, before any student code
                        failed_start = "the grading process failed to start: " + str(header.get("message", ""))[:500]
                        break
                    elif kind == "imported" and child_started and not child_imported:
                        if not imported:
                            emit({"t": "imported"})
                        imported = child_imported = True
                    elif kind == "import_error" and child_started and not child_imported:
                        emit({"t": "import_error", **_clean_error(header)})
                        outcome = "import_error"
                        break
                    elif kind == "result" and current is not None and header.get("check") == current:
                        arrays = wire.describe_arrays(header, payload)  # plain numbers only, sizes add up
                        emit({"t": "result", "check": current, "arrays": arrays}, payload)
                        position += 1
                    elif kind == "error" and current is not None and header.get("check") == current:
                        emit({"t": "error", "check": current, **_clean_error(header)})
                        position += 1
                    elif kind == "bye" and child_imported and position == len(remaining):
                        outcome = "bye"
                        break
                    else:
                        raise wire.WireError(f"unexpected {str(kind)[:40]!r} frame")
                    since = time.monotonic()
            except wire.Timeout:
                outcome = "timeout"
            except wire.WireError as exc:
                outcome = f"protocol: {exc}"
            finally:
                how = child.stop(finished=outcome == "bye") if isinstance(child, _Forked) else child.stop()
            if not child_started:  # a spawned interpreter that never got going: no student code ran yet
                if not failed_start:
                    failed_start = (f"the grading process did not start within {STARTUP_TIMEOUT:g} s"
                                    if outcome == "timeout" else f"the grading process failed to start ({how})")
                self.emit({"t": "fatal", "message": failed_start})
                return
            if outcome == "import_error":
                break
            if not child_imported:
                if imported:  # imported before, not this time (a flaky import): nothing more can run
                    for name in remaining:
                        emit({"t": "died", "check": name, "how": how if outcome == "eof" else outcome})
                    break
                if outcome == "timeout":
                    emit({"t": "import_timeout", "seconds": job.get("import_timeout", 10)})
                else:
                    emit({"t": "import_died", "how": how if outcome == "eof" else outcome})
                break
            remaining = remaining[position:]  # the checks before `position` have reported
            if outcome == "bye" or not remaining:
                break
            current = remaining.pop(0)  # the check that was running when the child stopped
            if outcome == "timeout":
                scope = "submission" if time.monotonic() >= job_deadline else "check"
                limit = job.get("timeout") if scope == "submission" else checks[current].get("timeout", 10)
                emit({"t": "timeout", "check": current, "scope": scope, "seconds": limit})
                for function in self.checks[current].functions:
                    stuck.setdefault(function, current)
            else:
                emit({"t": "died", "check": current, "how": how if outcome == "eof" else outcome})
        emit({"t": "end", "elapsed": round(time.monotonic() - start, 6)})
        from grader.sandbox.wire import write_all

        write_all(self.out, b"".join(out))

    # -- spawn: one interpreter started ahead of time ---------------------------------------
    def prepare_spare(self) -> None:
        """Start the next spawned child now, while no job runs (spawn only)."""
        if self.start_method == "spawn" and self._spare is None:
            try:
                self._spare = _spawn(self.spawn_command)
            except OSError:
                self._spare = None  # a job will try again, and report the failure

    def take_spare(self) -> subprocess.Popen | None:
        """The spare, if it is still alive (one that died is discarded: a job starts a fresh one)."""
        proc, self._spare = self._spare, None
        if proc is not None and proc.poll() is not None:
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            return None
        return proc

    def drop_spare(self) -> None:
        proc, self._spare = self._spare, None
        if proc is not None:
            proc.kill()  # it is blocked reading its job: nothing else to stop
            proc.wait()

    def serve(self, in_fd: int = 0) -> None:
        from grader.sandbox import wire

        self.emit({"t": "ready", "pid": os.getpid(), "layers": self.layers, "start_method": self.start_method})
        self.prepare_spare()
        reader = wire.FrameReader(in_fd, wire.Caps(array_bytes=1 << 20, total_bytes=1 << 62))
        try:
            while True:
                frame = reader.read()
                if frame is None:
                    return
                header, _ = frame
                if header.get("t") == "job":
                    self.run_job(header)
                    self.prepare_spare()
                elif header.get("t") == "exit":
                    return
        finally:
            self.drop_spare()


def _clean_error(header: dict[str, Any]) -> dict[str, Any]:
    frames = header.get("frames") if isinstance(header.get("frames"), list) else []
    clean = []
    for f in frames[:50]:
        if isinstance(f, list) and len(f) == 4:
            clean.append([str(f[0])[:200], int(f[1]) if isinstance(f[1], int) else 0, str(f[2])[:200],
                          str(f[3])[:200]])
    out = {"type": str(header.get("type", "Error"))[:100], "message": str(header.get("message", ""))[:2000],
           "frames": clean}
    if isinstance(header.get("line"), int):
        out["line"] = header["line"]
    return out


def _spawn_command() -> list[str]:
    """``python -c ...`` starting :mod:`grader.sandbox.spawned` with this process's import path.

    The path is passed explicitly because the zygote's environment is scrubbed (no PYTHONPATH,
    another HOME), and ``-c`` would otherwise put the working directory first on it.
    """
    paths = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(os.getcwd())]
    code = (f"import sys; sys.path[:] = {paths!r}; "
            "from grader.sandbox.spawned import main; main()")
    return [sys.executable, "-c", code]


def _binary(fd: int) -> None:
    """Windows: no newline translation on a descriptor that carries frames."""
    if os.name == "nt":
        import msvcrt

        msvcrt.setmode(fd, os.O_BINARY)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    start_method = "fork" if hasattr(os, "fork") else "spawn"
    if argv[:1] == ["--start-method"]:
        start_method, argv = argv[1], argv[2:]
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy  # noqa: F401  (warm: every child inherits it imported)
    import numpy.linalg  # noqa: F401  numpy loads these lazily: once here, not once per child
    import numpy.random
    import traceback  # noqa: F401  (used by children to report errors)

    numpy.random.default_rng(0).normal(size=4)

    out_fd = os.dup(1)  # our channel to the grader; fd 1 itself goes to stderr so stray prints do no harm
    os.dup2(2, 1)
    _binary(out_fd)
    _binary(0)
    from grader.sandbox import confine

    confine.die_with_parent()  # a grader (worker) that is killed takes its zygote with it
    confine.scrub_environment(os.getcwd())  # once here, so each child's own scrub has little to do
    confine.isolate_network()  # a network namespace of its own for all its children (Linux, where allowed)
    Zygote(argv, out_fd, start_method).serve(0)


if __name__ == "__main__":
    main()
