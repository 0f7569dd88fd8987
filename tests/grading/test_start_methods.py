"""The two start methods: a warm fork (Linux) and a fresh interpreter per child (Windows, macOS).

Both must report the same frames for the same submission and confine the child alike where the
platform allows; the spawn path must not depend on fork, select on pipes or SIGALRM.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.sandbox import wire
from grader.sandbox.launch import resolve_start_method
from grader.sandbox.runner import Sandbox

LINUX = sys.platform.startswith("linux") and hasattr(os, "fork")
METHODS = [pytest.param("fork", marks=pytest.mark.skipif(not LINUX, reason="fork is Linux's start method")),
           "spawn"]

PROBE_CHECKS = '''
import numpy as np
from grader.checks import check

@check(points=1, functions=["probe"])
def probe(impl, rng):
    return {"y": np.asarray(impl.probe(), dtype=float)}

@check(points=1, functions=["slow"], timeout=1)
def slow(impl, rng):
    return {"y": np.asarray(impl.slow(), dtype=float)}

@check(points=1, functions=["double"])
def double(impl, rng):
    return {"y": impl.double(rng.normal(size=3))}
'''

PROBE = '''
import os, socket, sys
import numpy as np

SECRET = {secret!r}

def probe():
    def blocked(fn):
        try:
            fn()
            return 0.0
        except OSError:
            return 1.0
    return [
        blocked(lambda: socket.socket().close()),                   # seccomp (Linux)
        blocked(lambda: open(SECRET).read()),                       # Landlock (Linux)
        float(os.getpgid(0) == os.getpid()) if hasattr(os, "getpgid") else 1.0,  # own group
        float(os.environ.get("HOME") == os.getcwd()),               # scrubbed environment
        float("GRADE_TEST_LEAK" in os.environ),                     # nothing of the parent's
        float(os.environ.get("GRADE_IN_SANDBOX") == "1"),
    ]

def slow():
    while True:
        pass

def double(x):
    return 2 * x
'''


def jobs_with_one_hang() -> list[dict]:
    """The probe's jobs: "slow" never returns and is cut after 1 s; the honest two get a margin no
    loaded machine needs (they take milliseconds), so that only the hang races a timer."""
    return [{"name": n, "seed": 3, "timeout": 1 if n == "slow" else 30} for n in ("probe", "slow", "double")]


@pytest.fixture(scope="module")
def probe_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("start-methods")
    (root / "checks.py").write_text(PROBE_CHECKS)
    secret = root / "secret.txt"
    secret.write_text("the answers")
    work = root / "work"
    work.mkdir()
    (work / "sub.py").write_text(textwrap.dedent(PROBE.format(secret=str(secret))))
    return root, work


def run_probe(root: Path, work: Path, method: str):
    os.environ["GRADE_TEST_LEAK"] = "1"
    try:
        with Sandbox([root / "checks.py"], start_method=method) as box:
            jobs = jobs_with_one_hang()
            report = box.run(work, "sub", jobs, timeout=20, import_timeout=5)
            return report, box.layers, box.start_method
    finally:
        del os.environ["GRADE_TEST_LEAK"]


@pytest.mark.parametrize("method", METHODS)
def test_frames_and_confinement(probe_pack, method):
    report, layers, used = run_probe(*probe_pack, method)
    assert used == method
    assert report.imported
    probe = report.checks["probe"]
    assert probe.status == "ok", probe
    socket_blocked, secret_blocked, own_group, home, leak, flag = probe.arrays["y"].array.tolist()
    assert own_group == 1.0 and home == 1.0 and leak == 0.0 and flag == 1.0
    if layers.get("seccomp") is True:
        assert socket_blocked == 1.0
    if str(layers.get("landlock", "")).startswith("abi"):
        assert secret_blocked == 1.0
    assert report.checks["slow"].status == "timeout"
    assert report.checks["slow"].detail == "timed out after 1 s"
    # the check after the timeout ran in a fresh child, under either method
    assert report.checks["double"].status == "ok"


@pytest.mark.skipif(not LINUX, reason="compares with fork")
def test_spawn_reports_the_same_as_fork(probe_pack):
    fork, _, _ = run_probe(*probe_pack, "fork")
    spawn, _, _ = run_probe(*probe_pack, "spawn")
    assert fork.checks.keys() == spawn.checks.keys()
    for name in fork.checks:
        a, b = fork.checks[name], spawn.checks[name]
        assert (a.status, a.detail) == (b.status, b.detail), name
        assert {k: v.array.tolist() for k, v in a.arrays.items()} == {k: v.array.tolist() for k, v in b.arrays.items()}


def test_the_windows_way_end_to_end(probe_pack, monkeypatch):
    """Spawn is what Windows runs: no zygote at all, each child's frames read by a helper thread
    (select cannot wait on a Windows pipe), no fork and no select in this process: the same report."""
    import os as os_module
    import select as select_module

    def forbidden(*args, **kwargs):
        raise AssertionError("the spawn path must not fork or select")

    monkeypatch.setattr(select_module, "select", forbidden)
    if hasattr(os_module, "fork"):
        monkeypatch.setattr(os_module, "fork", forbidden)
    root, work = probe_pack
    with Sandbox([root / "checks.py"], start_method="spawn") as box:
        jobs = jobs_with_one_hang()
        report = box.run(work, "sub", jobs, timeout=20, import_timeout=5)
        assert box.proc is None  # no zygote: the worker starts each interpreter itself
    assert report.imported
    assert [report.checks[n].status for n in ("probe", "slow", "double")] == ["ok", "timeout", "ok"]


def test_start_method_resolution(monkeypatch):
    monkeypatch.delenv("GRADE_START_METHOD", raising=False)
    assert resolve_start_method("auto") == ("fork" if LINUX else "spawn")
    assert resolve_start_method(None) == resolve_start_method("auto")
    assert resolve_start_method("spawn") == "spawn"
    monkeypatch.setenv("GRADE_START_METHOD", "spawn")
    assert resolve_start_method("auto") == "spawn"
    if hasattr(os, "fork"):
        assert resolve_start_method("fork") == "fork"  # an explicit setting beats the variable
    monkeypatch.setenv("GRADE_START_METHOD", "vfork")
    with pytest.raises(ValueError, match="unknown start method"):
        resolve_start_method()
    with pytest.raises(ValueError, match="unknown start method"):
        resolve_start_method("thread")


GATED_SIGMOID = """
import os

_gated = False


def sigmoid(x):
    # the first call tells the test who runs it, then waits at a gate only the test opens
    global _gated
    if not _gated:
        _gated = True
        with open("pid.tmp", "w") as fh:
            fh.write(str(os.getpid()))
        os.rename("pid.tmp", "pid")
        with open("gate") as fh:
            fh.read()
    return _reference_sigmoid(x)
"""


def _parent_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def _grade_at_a_gate(tmp_path: Path, settings):
    """Grade a sigmoid that stops at its first call: (the child's parent pid, the zygote's pid or
    None, the result once the gate is opened). The child is seen running, not guessed from timing."""
    from concurrent.futures import ThreadPoolExecutor

    from grader.course import load_solution
    from grader.grading.engine import Engine

    solution = load_solution(Path(__file__).resolve().parents[2] / "solutions" / "sigmoid")
    reference = (solution.folder / "sigmoid.py").read_text()
    work = tmp_path / "work"
    work.mkdir()
    (work / "sigmoid.py").write_text(reference.replace("def sigmoid(x):", "def _reference_sigmoid(x):", 1)
                                     + GATED_SIGMOID)
    gate, pid_file = work / "gate", work / "pid"
    os.mkfifo(gate)
    with Engine(solution, include_hidden=False, settings=settings) as engine, ThreadPoolExecutor(1) as pool:
        graded = pool.submit(engine.grade, work, "ada")
        try:
            deadline = time.monotonic() + 120
            while not pid_file.exists() and not graded.done() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert pid_file.exists(), graded.result() if graded.done() else "the child never reached the gate"
            child = int(pid_file.read_text())
            parent = _parent_of(child)
            zygote = engine.sandbox.proc.pid if engine.sandbox.proc is not None else None
        finally:
            if pid_file.exists():
                _open_gate(gate)
        return parent, zygote, graded.result(timeout=120)


def _open_gate(gate: Path, within: float = 120.0) -> None:
    """Write to the fifo once the child has opened its end (until then opening ours fails with ENXIO)."""
    import errno

    deadline = time.monotonic() + within
    while True:
        try:
            fd = os.open(gate, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
            continue
        os.write(fd, b"go")
        os.close(fd)
        return


@pytest.mark.skipif(not LINUX, reason="the zygote is the fork start method's")
def test_engine_setting_reaches_the_zygote(tmp_path, monkeypatch):
    """The engine's start method beats the environment's and reaches the sandbox: the submission
    runs in a child forked by a live zygote (not in a fresh interpreter), and is graded in full."""
    from grader.grading.engine import Settings

    monkeypatch.setenv("GRADE_START_METHOD", "spawn")
    parent, zygote, result = _grade_at_a_gate(
        tmp_path, Settings(start_method="fork", timeout=240, check_timeout=120, import_timeout=60))
    assert zygote is not None and parent == zygote and zygote != os.getpid()
    assert result.status == "graded" and result.score == result.max_score, result


@pytest.mark.skipif(not LINUX, reason="compares with the zygote of the fork start method")
def test_engine_on_spawn_starts_each_child_itself_without_a_zygote(tmp_path, monkeypatch):
    """"auto" follows $GRADE_START_METHOD: with spawn there is no zygote and this process starts the
    submission's interpreter itself."""
    from grader.grading.engine import Settings

    monkeypatch.setenv("GRADE_START_METHOD", "spawn")
    parent, zygote, result = _grade_at_a_gate(
        tmp_path, Settings(start_method="auto", timeout=240, check_timeout=120, import_timeout=60))
    assert zygote is None and parent == os.getpid()
    assert result.status == "graded" and result.score == result.max_score, result


def test_threaded_reader_deadlines_and_end_of_stream():
    r, w = os.pipe()
    reader = wire.ThreadedFrameReader(os.fdopen(r, "rb"), wire.Caps())
    with pytest.raises(wire.Timeout):
        reader.read(time.monotonic() + 0.05)
    frame = wire.encode({"t": "result", "check": "x", "arrays": []}, b"")
    os.write(w, frame[:3])
    with pytest.raises(wire.Timeout):
        reader.read(time.monotonic() + 0.05)  # half a frame is not a frame
    os.write(w, frame[3:] + wire.encode({"t": "bye"}))
    assert reader.read(time.monotonic() + 5)[0]["t"] == "result"
    assert reader.read(time.monotonic() + 5)[0]["t"] == "bye"
    os.close(w)
    assert reader.read(time.monotonic() + 5) is None
    reader.close()


def test_threaded_reader_enforces_the_total_cap():
    r, w = os.pipe()
    reader = wire.ThreadedFrameReader(os.fdopen(r, "rb"), wire.Caps(array_bytes=1 << 20, total_bytes=1000))
    os.write(w, wire.encode({"t": "x"}, b"\0" * 4000))
    with pytest.raises(wire.WireError, match="cap"):
        reader.read(time.monotonic() + 5)
    os.close(w)
    reader.close()


def test_spawned_child_never_forks_nor_uses_sigalrm():
    """The spawn path is the one Windows runs: no fork, waitpid, select on pipes or SIGALRM in it."""
    root = Path(__file__).resolve().parents[2] / "grader" / "sandbox"
    spawned = (root / "spawned.py").read_text()
    assert "os.fork" not in spawned and "SIGALRM" not in spawned
    for name in ("zygote.py", "child.py", "children.py", "supervisor.py", "runner.py", "wire.py", "spawned.py",
                 "confine.py"):
        assert "SIGALRM" not in (root / name).read_text(), name
    children = (root / "children.py").read_text()
    body = children[children.index("# ---" + "-" * 20):]  # the spawn half: Spawner and SpawnedChild
    for forbidden in ("os.fork", "waitpid", "select."):
        assert forbidden not in body, forbidden


def test_cli_start_method_options(tmp_path):
    import shutil

    from click.testing import CliRunner

    from grader.cli import main

    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "optim"
    shutil.copytree(root / "assignments" / "optim", folder)
    shutil.copy(root / "solutions" / "optim" / "optim.py", folder / "optim.py")
    runner = CliRunner()
    done = runner.invoke(main, ["submit", str(folder), "--student", "ada", "--start-method", "spawn", "--no-archive"])
    assert done.exit_code == 0, done.output
    assert "total: " in done.output
    assert runner.invoke(main, ["submit", str(folder), "--start-method", "thread"]).exit_code == 2
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(root / "solutions" / "optim" / "optim.py", subs / "ada.py")
    done = runner.invoke(main, ["batch", str(subs), "--assignment", "optim", "--solutions", str(root / "solutions"),
                                "--gradebook", str(tmp_path / "gb.db"), "--jobs", "1", "--start-method", "spawn",
                                "--json", str(tmp_path / "r.json")])
    assert done.exit_code == 0, done.output
    import json

    results = json.loads((tmp_path / "r.json").read_text())
    results = results if isinstance(results, list) else results.get("results", results)
    assert [r["score"] == r["max_score"] for r in results] == [True]
