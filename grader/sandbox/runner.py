"""The grader's handle on a zygote: start it, send a job, collect what each check reported.

The zygote is a separate process started once per worker; it never sees the reference solution.
Everything read back is validated again here (frames, dtypes, sizes) before it is handed on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader.checks.values import Value
from grader.sandbox import wire

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS")
RESPONSE_MARGIN = 10.0


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


class Sandbox:
    """A running zygote for one set of check files."""

    def __init__(self, check_files: list[Path], *, landlock: bool = True, seccomp: bool = True):
        self.check_files = [str(Path(p).resolve()) for p in check_files]
        self.landlock, self.seccomp = landlock, seccomp
        self.proc: subprocess.Popen | None = None
        self.layers: dict[str, Any] = {}
        self._home = ""

    def start(self) -> None:
        self._home = tempfile.mkdtemp(prefix="grade-zygote-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_SECRET")}
        env.update({var: "1" for var in BLAS_THREADS})
        root = str(Path(grader.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.sandbox.zygote", *self.check_files],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=self._home, env=env,
                                     close_fds=True)
        self.reader = wire.FrameReader(self.proc.stdout.fileno(), wire.Caps(total_bytes=1 << 62))
        frame = self.reader.read(time.monotonic() + 60)
        if frame is None or frame[0].get("t") != "ready":
            raise SandboxFailure("the sandbox process did not start (see the messages above)")
        self.layers = frame[0].get("layers", {})

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, workdir: Path, module: str, checks: list[dict[str, Any]], *, timeout: float,
            import_timeout: float = 10.0, limits: dict[str, Any] | None = None) -> RunReport:
        """Grade-free run: the raw reports of ``checks`` ({name, seed, timeout}) for one submission."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        job = {"t": "job", "workdir": str(workdir), "module": module, "checks": checks, "timeout": timeout,
               "import_timeout": import_timeout, "limits": limits or {"cpu_seconds": int(timeout) + 2},
               "landlock": self.landlock, "seccomp": self.seccomp}
        try:
            self.proc.stdin.write(wire.encode(job))
            self.proc.stdin.flush()
            return self._collect(time.monotonic() + timeout + import_timeout + RESPONSE_MARGIN)
        except (OSError, wire.WireError, wire.Timeout, SandboxFailure) as exc:
            self.close()
            raise SandboxFailure(f"the sandbox process failed: {type(exc).__name__} {exc}") from None

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
            elif kind == "start":
                entry.status = "running"
            elif kind == "array":
                entry.arrays[str(header["name"])] = Value.of(wire.decode_array(header, payload))
            elif kind == "error":
                entry.status, entry.error = "error", header
            elif kind == "done":
                if entry.status == "running":
                    entry.status = "ok"
            elif kind == "timeout":
                entry.status = "timeout"
                seconds = header.get("seconds")
                entry.detail = (f"timed out after {seconds:g} s" if header.get("scope") == "check" else
                                f"not finished when the submission's time limit of {seconds:g} s ran out")
            elif kind == "died":
                entry.status = "died"
                entry.detail = f"the submission's process ended during this check ({header.get('how')})"
            elif kind == "end":
                report.elapsed = float(header.get("elapsed", 0.0))
                return report
            elif kind == "fatal":
                raise SandboxFailure(str(header.get("message")))
