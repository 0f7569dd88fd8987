"""THE ONLY CODE THAT IMPORTS STUDENT CODE.

Runs in a freshly forked (or spawned) child: confines itself, imports the submission, runs the
requested scenarios and streams each output back as plain arrays over its one result channel.
It decides nothing: whatever it sends is data that the grader judges in its own process.
"""

from __future__ import annotations

import importlib.util
import linecache
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.api import Check
from grader.checks.scenario import c_order, evaluate
from grader.sandbox import wire

MAX_TEXT = 2000


def _text(value: Any) -> str:
    try:
        text = str(value)
    except BaseException:  # a student exception whose __str__ itself misbehaves
        text = "<unprintable>"
    return text[:MAX_TEXT]


def _student_frames(tb, workdir: str) -> list[tuple[str, int, str, str]]:
    """The traceback's frames that run the submission's own files: (file name, line, function,
    source line). Every other frame (the harness, numpy) is passed over before any source is read,
    and each file's path is resolved once."""
    prefix = workdir + os.sep
    inside: dict[str, bool] = {}
    frames = []
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename not in inside:
            try:
                inside[filename] = os.path.realpath(filename).startswith(prefix)
            except Exception:
                inside[filename] = False
        if inside[filename]:
            line = linecache.getline(filename, lineno or 0, frame.f_globals).strip()
            frames.append((os.path.basename(filename), int(lineno or 0), _text(frame.f_code.co_name)[:200],
                           _text(line)[:200]))
    return frames


def _send(fd: int, header: dict[str, Any]) -> None:
    wire.write_all(fd, wire.encode(header))


def _report_exception(fd: int, kind: str, exc: BaseException, workdir: str, check: str | None = None) -> None:
    frames = _student_frames(exc.__traceback__, workdir)
    header: dict[str, Any] = {"t": kind, "type": type(exc).__name__[:100], "message": _text(exc), "frames": frames}
    if isinstance(exc, SyntaxError):
        header["line"] = int(exc.lineno or 0)
        header["message"] = _text(exc.msg)
        header["frames"] = [(os.path.basename(exc.filename or ""), int(exc.lineno or 0), "<module>",
                             _text(exc.text or "").strip()[:200])]
    if check is not None:
        header["check"] = check
    _send(fd, header)


def installation_paths() -> list[str]:
    """The entries of sys.path that belong to the Python installation (never a course folder)."""
    import site

    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots.update(os.path.realpath(p) for p in site.getsitepackages() + [site.getusersitepackages()])
    keep = []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and any(real == r or real.startswith(r + os.sep) for r in roots):
            keep.append(entry)
    return keep


def import_submission(workdir: str, module: str):
    """Import ``<workdir>/<module>.py`` as module ``module`` (siblings importable)."""
    path = Path(workdir) / f"{module}.py"
    spec = importlib.util.spec_from_file_location(module, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{module}.py cannot be imported")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module] = mod
    spec.loader.exec_module(mod)
    return mod


def run(fd: int, workdir: str, module: str, checks: list[tuple[Check, int]]) -> None:
    """Import the submission and stream the outputs of ``checks`` (check, seed) to ``fd``.

    One frame per check, in the order given: its arrays back to back (or the error it raised).
    The parent knows which check is running from that order, so no other bookkeeping is sent.
    """
    try:
        impl = import_submission(workdir, module)
    except BaseException as exc:  # SyntaxError, SystemExit, anything raised at import
        _report_exception(fd, "import_error", exc, workdir)
        return
    _send(fd, {"t": "imported"})
    for check, seed in checks:
        try:
            arrays = evaluate(check, impl, seed)
        except BaseException as exc:
            _report_exception(fd, "error", exc, workdir, check.name)
            continue
        meta, blobs = [], []
        for name, array in arrays.items():
            array = c_order(array)
            meta.append({"name": name[:200], "dtype": array.dtype.str, "shape": list(array.shape),
                         "nbytes": array.nbytes})
            blobs.append(array.reshape(-1).view(np.uint8))  # its bytes, not a copy of them
        header = {"t": "result", "check": check.name, "arrays": meta, "nbytes": sum(b.nbytes for b in blobs)}
        wire.write_frame(fd, header, blobs)  # one writev, the arrays as they are: never copied here
    _send(fd, {"t": "bye"})


IN_SANDBOX_ENV = "GRADE_IN_SANDBOX"  # set in the child: grader.check() in a graded notebook does nothing


def main(fd: int, job: dict[str, Any], checks: list[tuple[Check, int]], spawned: bool = False) -> None:
    """Entry point after fork (or in a spawned interpreter): confine, then run; always ends the
    process with os._exit. ``spawned``: a fresh interpreter, not a fork of the zygote; it sends
    ``started`` once confined, so that its start-up time is not counted as the submission's import
    time."""
    code = 0
    try:
        from grader.sandbox import confine

        workdir = os.path.realpath(job["workdir"])
        confine.die_with_parent()  # a zygote that is killed takes its child with it
        confine.new_process_group()
        confine.redirect_stdio()
        confine.close_fds(keep=[fd, confine.prepared_ruleset()])  # (-1, none prepared: nothing to keep)
        os.chdir(workdir)
        # a fork of the zygote inherits its environment block already wiped (a spawned interpreter
        # has wiped nothing yet): no need to do it twice
        confine.scrub_environment(workdir, {IN_SANDBOX_ENV: "1"}, wipe=not confine.environment_wiped())
        confine.isolate_ipc()  # no SysV/POSIX IPC of anyone else; its own dies with it (Linux, where allowed)
        limits = job.get("limits", {})
        confine.limit_resources(cpu_seconds=limits.get("cpu_seconds", 60),
                                memory_bytes=limits.get("memory_bytes", 1 << 30),
                                file_bytes=limits.get("file_bytes", 16 << 20),
                                open_files=limits.get("open_files", 64))
        if job.get("landlock", True):
            confine.restrict_filesystem(read_only=job.get("read_only") or confine.default_read_only_paths(),
                                        read_write=[workdir])
        confine.discard_prepared()  # the zygote's ruleset, if this job did not use it
        if job.get("seccomp", True):
            confine.restrict_syscalls(own_pid=os.getpid())
        confine.drop_capabilities()
        sys.path[:] = [workdir] + (job.get("python_paths") or installation_paths())
        sys.argv = [f"{job['module']}.py"]
        if spawned:
            _send(fd, {"t": "started"})
        run(fd, workdir, job["module"], checks)
    except BaseException:
        code = 70
    finally:
        os._exit(code)
