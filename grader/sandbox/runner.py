"""The grader's handle on the sandbox: start it, queue jobs, collect what each check reported.

With the ``fork`` start method a zygote (:mod:`grader.sandbox.zygote`), started once per worker,
forks the children; it never sees the reference solution, nor any job or frame. This process
writes each child's job into the child's own pipe and reads its frames from another
(:mod:`grader.sandbox.children`), validating every header before a payload is read and converting
arrays as they arrive (:mod:`grader.sandbox.supervisor`).
"""

from __future__ import annotations

import select
import shutil
import sys
from collections import deque
from pathlib import Path
from typing import Any

from grader.sandbox import wire
from grader.sandbox.children import ChildFailure, ForkedChild, SpawnedChild, Spawner, ZygoteClient
from grader.sandbox.launch import Launched, child_environment, launch, resolve_start_method
from grader.sandbox.supervisor import CheckReport, OnResult, RunReport, Supervisor

__all__ = ["CheckReport", "RunReport", "Sandbox", "SandboxFailure"]

READY_TIMEOUT = 60.0  # seconds a zygote may take to import numpy and the check files
LIMIT_MARGIN = 5.0  # the zygote kills a child this long after its job's time limits, should we not


class SandboxFailure(RuntimeError):
    """The sandbox itself failed (not the submission)."""


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


def _functions(check_files: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each check's functions, and the file that declares it (a spawned child loads it itself)."""
    from grader.checks.loader import load_checks

    functions, sources = {}, {}
    for path in check_files:
        for c in load_checks(Path(path), hidden=Path(path).name == "hidden_checks.py"):
            functions[c.name], sources[c.name] = list(c.functions), path
    return functions, sources


class Sandbox:
    """The children of one set of check files: a running zygote (fork) or a spawner (spawn)."""

    def __init__(self, check_files: list[Path], *, landlock: bool = True, seccomp: bool = True,
                 start_method: str | None = None):
        self.check_files = [str(Path(p).resolve()) for p in check_files]
        self.landlock, self.seccomp = landlock, seccomp
        self.start_method = resolve_start_method(start_method)  # "fork" or "spawn"
        self.functions, self.sources = _functions(self.check_files)
        self.proc = None  # the zygote (fork only)
        self.layers: dict[str, Any] = {}
        self._launched: Launched | None = None
        self._zygote: ZygoteClient | None = None
        self._spawner: Spawner | None = None
        self._queue: deque[dict[str, Any]] = deque()  # submitted, not collected: oldest first
        self._running: Supervisor | None = None  # the oldest job's run, its first child started
        self._ready = False

    def start(self, launched: Launched | None = None) -> None:
        """Start the zygote (or adopt one started early by :func:`grader.sandbox.launch.launch`)."""
        self._launched = launched or launch(self.check_files, self.start_method)
        self.start_method = self._launched.start_method
        self.proc = self._launched.proc
        self._ready = False
        if self.start_method == "spawn":
            self._spawner = Spawner(child_environment())
            self._spawner.prepare()
        else:
            self._zygote = ZygoteClient(self._launched.control)

    def adopt(self, launched: Launched) -> bool:
        """Start with ``launched`` (a zygote a worker started early, while it imported the rest) if it
        was started for this sandbox's check files and start method; otherwise stop it and start
        lazily as usual. True if adopted."""
        if self._launched is None and launched.serves(self.check_files, self.start_method):
            self.start(launched)
            return True
        launched.close()
        return False

    def _wait_ready(self) -> None:
        """The zygote boots while the caller prepares the submission; wait for it only here."""
        if self._ready:
            return
        if self._launched is None:
            self.start()
        if self.start_method == "spawn":
            from grader.sandbox import confine

            self.layers = confine.report()
        else:
            control = self._launched.control
            try:
                readable, _, _ = select.select([control], [], [], READY_TIMEOUT)
                data = control.recv(4096) if readable else b""
                ready = wire.parse_header(data) if data else {}
            except (OSError, wire.WireError):
                ready = {}
            if ready.get("t") != "ready":
                raise SandboxFailure("the sandbox process did not start (see the messages above)")
            self.layers = ready.get("layers", {})
        _warn_once(self.layers)
        self._ready = True

    def close(self) -> None:
        """Stop the zygote (it holds no state worth a graceful exit: it is simply killed) or the spare."""
        if self._running is not None:
            self._running.abandon()  # a child of a job nobody collected: stopped, its pipe closed
        self._running = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        if self._launched is not None:
            if self._launched.control is not None:
                self._launched.control.close()
            shutil.rmtree(self._launched.home, ignore_errors=True)
        if self._spawner is not None:
            self._spawner.close()
        self.proc, self._launched, self._zygote, self._spawner = None, None, None, None
        self._ready = False

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
        in the order submitted. The first child of the oldest job starts at once, and each next
        job's when the one before has been collected, so a caller that submits the next submission
        before judging the last keeps the sandbox busy while it judges. Queued jobs stay here,
        in this process: the zygote never holds one."""
        job = {"t": "job", "workdir": str(workdir), "module": module, "checks": checks, "timeout": timeout,
               "import_timeout": import_timeout, "limits": limits or {"cpu_seconds": int(timeout) + 2},
               "landlock": self.landlock, "seccomp": self.seccomp}
        self._queue.append(job)
        if len(self._queue) == 1:
            try:
                self._begin()
            except SandboxFailure:
                pass  # collect() starts a fresh zygote and reports the failure in order

    def _begin(self) -> None:
        """Start the first child of the oldest queued job (a zygote first, if none runs)."""
        self._running = None
        if self.proc is not None and self.proc.poll() is not None:
            self.close()  # the zygote died: a fresh one for what is queued
        try:
            if self._launched is None:
                self.start()
            self._wait_ready()
            run = Supervisor(self._queue[0], self.functions, self._start_child, wire.Caps())
            run.begin()
        except (OSError, wire.WireError, ChildFailure, SandboxFailure) as exc:
            self.close()
            raise SandboxFailure(f"the sandbox process failed: {type(exc).__name__} {exc}") from None
        self._running = run

    def _start_child(self, job: dict[str, Any], seconds_left: float):
        if self.start_method == "spawn":
            return SpawnedChild(self._spawner, job, self.sources, wire.Caps())
        limit = seconds_left + float(job["import_timeout"]) + LIMIT_MARGIN
        return ForkedChild(self._zygote, job, limit, wire.Caps())

    def collect(self, on_result: OnResult | None = None) -> RunReport:
        """The reports of the oldest submitted job. ``on_result(check, arrays)``, if given, is called
        with each check's arrays (big ones as they arrive, small ones once the next job's child has
        started), which are then dropped: the report keeps what it returned (``CheckReport.judged``).
        If the sandbox fails, that job raises :class:`SandboxFailure`;
        the jobs queued behind it run in a fresh zygote."""
        if not self._queue:
            raise RuntimeError("no job was submitted")
        try:
            if self._running is None:
                self._begin()
            report = self._running.finish(on_result)
        except (OSError, wire.WireError, ChildFailure, SandboxFailure) as exc:
            self._queue.popleft()
            self.close()
            self._begin_next()
            raise SandboxFailure(f"the sandbox process failed: {type(exc).__name__} {exc}") from None
        self._queue.popleft()
        finished, self._running = self._running, None
        if self._spawner is not None:
            self._spawner.prepare()  # while no job runs: the next interpreter warms up
        self._begin_next()  # the next job's child runs while this one's answers are judged
        if on_result is not None:
            finished.judge_deferred(on_result)
        return report

    def _begin_next(self) -> None:
        if self._queue:
            try:
                self._begin()
            except SandboxFailure:
                pass  # its collect() tries again and reports the failure
