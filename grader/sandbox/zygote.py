"""Warm, single-threaded parent that forks one confined child per submission.

Started once per worker (``python -m grader.sandbox.zygote CHECKS.py...``) with numpy, the
harness and the check scenarios imported (never the reference solution). It reads jobs from stdin
and relays each child's frames to stdout, adding what only a parent can know: timeouts (enforced
by killing the child's process group) and deaths. A check that times out or dies costs only that
check: the remaining ones run in a fresh child. It judges nothing.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
SPAWN = os.name != "posix" or not hasattr(os, "fork")


def _set_subreaper() -> bool:
    """Orphans of our children (setsid escapes) become ours, so we can find and kill them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        reason = {"SIGKILL": " (killed: memory or time limit?)", "SIGXCPU": " (CPU time limit)",
                  "SIGXFSZ": " (file size limit)", "SIGSEGV": " (crashed)"}.get(name, "")
        return f"killed by {name}{reason}"
    if os.WIFEXITED(status):
        return f"exited with code {os.WEXITSTATUS(status)}"
    return "ended"


class Zygote:
    def __init__(self, check_files: list[str], out_fd: int = 1):
        from grader.checks.loader import load_checks
        from grader.sandbox import confine

        self.checks = {}
        for path in check_files:
            hidden = Path(path).name == "hidden_checks.py"
            for c in load_checks(Path(path), hidden=hidden):
                self.checks[c.name] = c
        self.out = out_fd
        self.subreaper = _set_subreaper()
        self.layers = confine.report()
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
        if self.layers.get("seccomp") is True:
            while True:  # zombies only
                try:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    return
                if pid == 0:
                    return
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
            pid, fd = self._fork(job, [(self.checks[n], int(checks[n]["seed"])) for n in remaining])
            reader = wire.FrameReader(fd, caps)
            position = 0  # index in `remaining` of the check the child is running now
            since = time.monotonic()
            child_imported = False
            outcome = "eof"
            try:
                while True:
                    if not child_imported:
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
                    if kind == "imported" and not child_imported:
                        if not imported:
                            emit({"t": "imported"})
                        imported = child_imported = True
                    elif kind == "import_error" and not child_imported:
                        emit({"t": "import_error", **_clean_error(header)})
                        outcome = "import_error"
                        break
                    elif kind == "result" and current is not None and header.get("check") == current:
                        arrays = wire.decode_arrays(header, payload)  # refuses anything but plain numbers
                        emit({"t": "result", "check": current, "arrays": [
                            {"name": n, "dtype": a.dtype.str, "shape": list(a.shape), "nbytes": a.nbytes}
                            for n, a in arrays.items()]}, payload)
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
                os.close(fd)
                how = self._kill(pid)
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
            done, remaining = remaining[:position], remaining[position:]
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

    def serve(self, in_fd: int = 0) -> None:
        from grader.sandbox import wire

        self.emit({"t": "ready", "pid": os.getpid(), "layers": self.layers})
        reader = wire.FrameReader(in_fd, wire.Caps(array_bytes=1 << 20, total_bytes=1 << 62))
        while True:
            frame = reader.read()
            if frame is None:
                return
            header, _ = frame
            if header.get("t") == "job":
                self.run_job(header)
            elif header.get("t") == "exit":
                return


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


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy  # noqa: F401  (warm: every child inherits it imported)
    import numpy.linalg  # noqa: F401  numpy loads these lazily: once here, not once per child
    import numpy.random
    import traceback  # noqa: F401  (used by children to report errors)

    numpy.random.default_rng(0).normal(size=4)

    out_fd = os.dup(1)  # our channel to the grader; fd 1 itself goes to stderr so stray prints do no harm
    os.dup2(2, 1)
    from grader.sandbox import confine

    confine.scrub_environment(os.getcwd())  # once here, so each child's own scrub has little to do
    Zygote(argv, out_fd).serve(0)


if __name__ == "__main__":
    main()
