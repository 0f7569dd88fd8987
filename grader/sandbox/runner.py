"""The grader's handle on a zygote: start it, send a job, collect what each check reported.

The zygote is a separate process started once per worker; it never sees the reference solution.
Everything read back is validated again here (frames, dtypes, sizes) before it is handed on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.checks.values import Value
from grader.sandbox import wire
from grader.sandbox.launch import launch, resolve_start_method

RESPONSE_MARGIN = 10.0
# A job sent while another runs waits in the zygote's input pipe (64 KiB on Linux): only small ones
# are sent ahead, so neither side can block the other.
QUEUED_JOB_BYTES = 16 * 1024
# Windows cannot select on a pipe: read the zygote's frames with a helper thread there. Elsewhere
# select is used, so the grader's process starts no thread of its own.
THREADED_READER = os.name == "nt"


class SandboxFailure(RuntimeError):
    """The zygote itself failed (not the submission)."""


@dataclass
class CheckReport:
    """Raw report of one check, before any verdict."""

    status: str = "missing"  # ok | error | timeout | died | missing
    arrays: dict[str, Value] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


@dataclass
class RunReport:
    imported: bool = False
    import_problem: dict[str, Any] | None = None
    checks: dict[str, CheckReport] = field(default_factory=dict)
    elapsed: float = 0.0


_WARNED = False


def _warn_once(layers: dict[str, Any]) -> None:
    """Say once per process which isolation layers this platform lacks (verdicts stay safe)."""
    global _WARNED
    missing = [name for name in ("landlock", "seccomp") if layers.get(name) is not True
               and not str(layers.get(name, "")).startswith("abi")]
    if missing and not _WARNED:
        _WARNED = True
        sys.stderr.write(f"warning: the sandbox runs without {' and '.join(missing)} on this platform: student "
                         f"code is still confined to a child process with limits, but can read more files "
                         f"(see SECURITY.md)\n")


class Sandbox:
    """A running zygote for one set of check files."""

    def __init__(self, check_files: list[Path], *, landlock: bool = True, seccomp: bool = True,
                 start_method: str | None = None):
        self.check_files = [str(Path(p).resolve()) for p in check_files]
        self.landlock, self.seccomp = landlock, seccomp
        self.start_method = resolve_start_method(start_method)  # "fork" or "spawn"
        self.proc: subprocess.Popen | None = None
        self.layers: dict[str, Any] = {}
        self._home = ""
        self._queue: deque[tuple[dict[str, Any], bytes]] = deque()  # submitted, not collected: oldest first
        self._sent = 0  # how many of them the running zygote has been sent

    def start(self, launched: tuple[subprocess.Popen, str] | None = None) -> None:
        """Start the zygote (or adopt one started early by :func:`grader.sandbox.launch.launch`)."""
        self.proc, self._home = launched or launch(self.check_files, self.start_method)
        caps = wire.Caps(total_bytes=1 << 62)
        if THREADED_READER:
            self.reader = wire.ThreadedFrameReader(self.proc.stdout, caps)
        else:
            self.reader = wire.FrameReader(self.proc.stdout.fileno(), caps)
        self._ready = False

    def _wait_ready(self) -> None:
        """The zygote boots while the caller prepares the submission; wait for it only here."""
        if self._ready:
            return
        frame = self.reader.read(time.monotonic() + 60)
        if frame is None or frame[0].get("t") != "ready":
            raise SandboxFailure("the sandbox process did not start (see the messages above)")
        self.layers = frame[0].get("layers", {})
        _warn_once(self.layers)
        self.start_method = frame[0].get("start_method", self.start_method)  # an adopted zygote's own
        self._ready = True

    def close(self) -> None:
        """Stop the zygote: it holds no state worth a graceful exit, so it is simply killed."""
        if self.proc:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            threaded = isinstance(getattr(self, "reader", None), wire.ThreadedFrameReader)
            if threaded:
                self.reader.close()  # its thread closes stdout: closing it here could block on its lock
            for stream in (self.proc.stdin,) if threaded else (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        self.proc = None
        self._sent = 0  # a new zygote has been sent nothing
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> "Sandbox":
        self.start()
        self._wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, workdir: Path, module: str, checks: list[dict[str, Any]], *, timeout: float,
            import_timeout: float = 10.0, limits: dict[str, Any] | None = None) -> RunReport:
        """Grade-free run: the raw reports of ``checks`` ({name, seed, timeout}) for one submission."""
        self.discard()
        self.submit(workdir, module, checks, timeout=timeout, import_timeout=import_timeout, limits=limits)
        return self.collect()

    def discard(self) -> None:
        """Collect and drop the jobs a caller submitted but abandoned (their reports are not wanted)."""
        while self._queue:
            try:
                self.collect()
            except SandboxFailure:
                pass

    def submit(self, workdir: Path, module: str, checks: list[dict[str, Any]], *, timeout: float,
               import_timeout: float = 10.0, limits: dict[str, Any] | None = None) -> None:
        """Queue a run (as :meth:`run`) without waiting for it; :meth:`collect` returns the reports
        in the order submitted. The zygote runs queued jobs back to back, so a caller that submits
        the next submission before judging the last keeps the sandbox busy while it judges."""
        job = {"t": "job", "workdir": str(workdir), "module": module, "checks": checks, "timeout": timeout,
               "import_timeout": import_timeout, "limits": limits or {"cpu_seconds": int(timeout) + 2},
               "landlock": self.landlock, "seccomp": self.seccomp}
        self._queue.append((job, wire.encode(job)))
        try:
            self._send_queued()
        except SandboxFailure:
            pass  # the job stays queued: collect() restarts the zygote and reports the failure in order

    def _send_queued(self) -> None:
        """Write every queued job not yet sent to a running zygote (starting one if needed)."""
        if self.proc is None or self.proc.poll() is not None:
            if self.proc is not None:
                self.close()  # resets _sent: a new zygote has been sent nothing
            self.start()
        try:
            self._wait_ready()
            while self._sent < len(self._queue):
                data = self._queue[self._sent][1]
                if self._sent and len(data) > QUEUED_JOB_BYTES:
                    break  # a big job waits for collect(): it must never fill the zygote's input pipe
                self.proc.stdin.write(data)
                self._sent += 1
            self.proc.stdin.flush()
        except (OSError, wire.WireError, wire.Timeout, SandboxFailure) as exc:
            self.close()
            raise SandboxFailure(f"the sandbox process failed: {type(exc).__name__} {exc}") from None

    def collect(self) -> RunReport:
        """The reports of the oldest submitted job. If the zygote fails, that job raises
        :class:`SandboxFailure`; the jobs queued behind it run again in a fresh zygote."""
        if not self._queue:
            raise RuntimeError("no job was submitted")
        job = self._queue[0][0]
        try:
            self._send_queued()
            report = self._collect(time.monotonic() + job["timeout"] + job["import_timeout"] + RESPONSE_MARGIN)
        except (OSError, wire.WireError, wire.Timeout, SandboxFailure) as exc:
            self._queue.popleft()
            self.close()
            raise SandboxFailure(f"the sandbox process failed: {type(exc).__name__} {exc}") from None
        self._queue.popleft()
        self._sent -= 1
        return report

    def _collect(self, deadline: float) -> RunReport:
        report = RunReport()
        while True:
            frame = self.reader.read(deadline)
            if frame is None:
                raise SandboxFailure("the sandbox process exited")
            header, payload = frame
            kind = header.get("t")
            name = header.get("check")
            entry = report.checks.setdefault(name, CheckReport()) if name else None
            if kind == "imported":
                report.imported = True
            elif kind in ("import_error", "import_timeout", "import_died"):
                report.import_problem = header
            elif kind == "result":
                entry.status = "ok"
                entry.arrays = {n: Value.of(a) for n, a in wire.decode_arrays(header, payload).items()}
            elif kind == "error":
                entry.status, entry.error = "error", header
            elif kind == "timeout":
                entry.status = "timeout"
                seconds = header.get("seconds")
                scope = header.get("scope")
                if scope == "check":
                    entry.detail = f"timed out after {seconds:g} s"
                elif scope == "function":
                    entry.detail = (f"not run: {header.get('function')} already timed out in check "
                                    f"{header.get('after')}")
                else:
                    entry.detail = f"not finished when the submission's time limit of {seconds:g} s ran out"
            elif kind == "died":
                entry.status = "died"
                entry.detail = f"the submission's process ended during this check ({header.get('how')})"
            elif kind == "end":
                report.elapsed = float(header.get("elapsed", 0.0))
                return report
            elif kind == "fatal":
                raise SandboxFailure(str(header.get("message")))
