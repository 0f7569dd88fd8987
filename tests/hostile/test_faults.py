"""Faults around `grade batch`: the batch killed at random points and run again, the gradebook's disk
filling up mid-batch, a worker killed as the kernel's OOM killer would, a Dask worker lost mid-batch.

Every time: each student ends up with exactly one row holding the right grade, committed results
survive, and no process outlives the batch.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile_support import ROOT, SOLUTIONS, kill_all, needs_proc, reference_source, wait_gone

pytestmark = [needs_proc, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux processes")]

MISTAKES = ["adam-no-bias-correction", "momentum-wrong-sign", "rmsprop-no-sqrt", "sgd-wrong-sign"]


GATE = """

# ---- the test's gate: the first call of an update rule waits in this folder until the test opens it
import os as _gate_os
import time as _gate_time

_gate_passed = False


def _gate():
    global _gate_passed
    if not _gate_passed:
        _gate_passed = True
        open("waiting", "w").close()
        while not _gate_os.path.exists("go"):
            _gate_time.sleep(0.01)
"""
GATED = re.compile(r"^(def (?:sgd|sgd_momentum|rmsprop|adam)\(.*\):\n)", re.M)


def quick_corpus(folder: Path, n: int = 40, import_delay: float = 0.0, gated: bool = False) -> dict[str, bool]:
    """``n`` quick optim submissions: reference copies (full marks) and a few known mistakes (not full).

    Returns student -> whether it deserves full marks. ``import_delay`` makes each take a little longer;
    ``gated``: each stops at its first update rule until the test opens its gate (:class:`Gates`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    reference = reference_source("optim")
    delay = f"\nimport time as _t\n_t.sleep({import_delay})\n" if import_delay else ""
    full = {}
    for i in range(n):
        student = f"s{i:02d}"
        if i % 10 == 3:
            source = (ROOT / "examples" / "optim" / f"{MISTAKES[(i // 10) % len(MISTAKES)]}.py").read_text()
            full[student] = False
        else:
            source = reference + f"\n# student {i}\n"
            full[student] = True
        if gated:
            source, calls = GATED.subn(r"\1    _gate()\n", source)
            assert calls >= 4, f"{student}: {calls} update rules gated"  # a mistake redefines one
            source += GATE
        (folder / f"{student}.py").write_text(source + delay)
    return full


class Gates:
    """The gates of gated submissions (:func:`quick_corpus`): a child stopped at its gate has written
    ``waiting`` in its working folder (under the batch's TMPDIR) and goes on once ``go`` is there.
    A worker whose child waits at a gate is certainly busy, and the batch certainly not finished:
    what a fault test needs, with no guess at how fast this machine is."""

    def __init__(self, tmp: Path):
        self.tmp = tmp

    def waiting(self) -> list[Path]:
        """The folders whose child waits at its gate now (a folder may vanish while this looks)."""
        found = []
        for folder, _, files in os.walk(self.tmp):
            if "waiting" in files and "go" not in files:
                found.append(Path(folder))
        return found

    def open(self, folder: Path) -> None:
        try:
            (folder / "go").touch()
        except FileNotFoundError:
            pass  # its child was killed and the folder removed meanwhile

    def open_until(self, proc: subprocess.Popen, condition, what: str, within: float = 120.0) -> None:
        """Open each gate as it appears until ``condition()`` holds (or the batch exits: then it must hold)."""
        deadline = time.monotonic() + within
        while True:
            exited = proc.poll() is not None
            if condition():
                return
            if exited or time.monotonic() > deadline:
                pytest.fail(f"{what}: not reached (exit {proc.poll()})")
            for folder in self.waiting():
                self.open(folder)
            time.sleep(0.02)

    def wait_closed(self, proc: subprocess.Popen, count: int, within: float = 120.0) -> list[Path]:
        """Open no gate until ``count`` children wait at theirs."""
        deadline = time.monotonic() + within
        while len(found := self.waiting()) < count:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{count} children never waited at their gates at once (exit {proc.poll()})")
            time.sleep(0.02)
        return found

    def open_all_until_exit(self, proc: subprocess.Popen, within: float = 180.0) -> tuple[str, str]:
        """Open every gate as it appears until the batch exits; its output."""
        self.open_until(proc, lambda: proc.poll() is not None, "the batch's end", within)
        return proc.communicate(timeout=30)


def row_count(gradebook: Path) -> int:
    try:
        return len(rows(gradebook))
    except sqlite3.Error:
        return 0


class Batch:
    """`grade batch` as a subprocess in its own session, marked so that its processes can be found."""

    def __init__(self, tmp_path: Path, submissions: Path, gradebook: Path, *options: str):
        self.mark = "GRADE_CANARY=fault" + secrets.token_hex(6)
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
        key, value = self.mark.split("=")
        self.env.update({key: value, "TMPDIR": str(self.tmp), "PYTHONDONTWRITEBYTECODE": "1"})
        self.command = [sys.executable, "-m", "grader.cli", "batch", str(submissions), "--assignment", "optim",
                        "--solutions", str(SOLUTIONS), "--gradebook", str(gradebook), "--timeout", "20", *options]
        self.cwd = tmp_path

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)

    def run(self, timeout: float = 120) -> subprocess.CompletedProcess:
        proc = self.start()
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail("grade batch hung")
        return subprocess.CompletedProcess(self.command, proc.returncode, out, err)

    def leftovers(self, within: float = 30.0) -> list:
        left = wait_gone(self.mark, str(self.tmp), within=within)
        kill_all(left)
        return left


def rows(gradebook: Path) -> list[tuple]:
    """(student, status, score, max_score, number of checks) of every row; asserts the file is sound."""
    if not gradebook.exists():
        return []
    with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        out = db.execute("SELECT s.student, s.status, s.score, s.max_score, COUNT(c.position) FROM submissions s "
                         "LEFT JOIN checks c ON c.submission = s.id GROUP BY s.id ORDER BY s.student").fetchall()
    students = [r[0] for r in out]
    assert len(students) == len(set(students)), "a student has two rows"
    return out


def assert_all_graded(gradebook: Path, full: dict[str, bool]) -> None:
    found = rows(gradebook)
    assert [r[0] for r in found] == sorted(full), "every student exactly once"
    n_checks = {r[4] for r in found}
    assert len(n_checks) == 1 and n_checks.pop() > 0, "a row is missing checks"
    for student, status, score, max_score, _ in found:
        assert status == "graded", student
        assert (score == max_score) == full[student], f"{student}: {score}/{max_score}"


def wait_for_rows(gradebook: Path, count: int, proc: subprocess.Popen, within: float = 60.0) -> int:
    """Poll until the gradebook holds ``count`` rows (the batch may have finished meanwhile: what counts
    is the rows, read once more after it exits, not whether a poll caught it running)."""
    deadline = time.monotonic() + within
    while True:
        exited = proc.poll() is not None  # read before the rows: rows seen after an exit are final
        try:
            have = len(rows(gradebook))
        except sqlite3.Error:
            have = 0
        if have >= count:
            return have
        if exited or time.monotonic() > deadline:
            pytest.fail(f"the batch did not commit {count} results in time (exit {proc.poll()}, {have} rows)")
        time.sleep(0.02)


# --------------------------------------------------------------------------- SIGKILL and rerun

def test_sigkill_at_random_points_then_rerun(tmp_path):
    full = quick_corpus(tmp_path / "submissions", import_delay=0.05)
    gradebook = tmp_path / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook, "--jobs", "2")
    rng = random.Random(20240501)
    committed = []
    for rep in range(4):
        before = len(rows(gradebook))
        proc = batch.start()
        if rep % 2:  # mid-grading: some time after this run's first new row (if any is left to grade)
            wait_for_rows(gradebook, min(before + 1, len(full)), proc)
        time.sleep(rng.uniform(0.2, 1.5))  # else: anywhere in start-up and the first results
        os.kill(proc.pid, signal.SIGKILL)  # the batch process only: its workers must follow on their own
        proc.communicate()
        left = batch.leftovers()
        assert not left, f"processes outlived the killed batch: {left}"
        now = rows(gradebook)  # sound, no duplicates, each row whole
        assert all(r[4] == now[0][4] for r in now)
        committed.append(len(now))
    done = batch.run()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert_all_graded(gradebook, full)
    summary = re.search(r"(\d+) graded now, (\d+) unchanged", done.stdout)
    assert summary and int(summary.group(2)) == committed[-1], (committed, done.stdout[-500:])
    assert not batch.leftovers()
    print(f"rows committed before each kill: {committed}")


# --------------------------------------------------------------------------- the gradebook's disk fills up

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (needs root and CAP_SYS_ADMIN; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                fh.write(b"\0" * 512)
        except OSError:
            pass
    return filler


def test_gradebook_disk_full_mid_batch(tmp_path, small_disk):
    full = quick_corpus(tmp_path / "submissions", n=40, gated=True)
    gradebook = small_disk / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook, "--jobs", "1", "--check-timeout", "120",
                  "--timeout", "240")
    gates = Gates(batch.tmp)
    proc = batch.start()
    gates.open_until(proc, lambda: row_count(gradebook) >= 3, "3 rows committed")
    gates.wait_closed(proc, 1)  # the batch holds a submission it cannot finish: it cannot have ended
    filler = fill(small_disk)
    out, err = gates.open_all_until_exit(proc)
    assert proc.returncode != 0, "a batch that could not record results must fail"
    message = out + err
    assert str(gradebook) in message and "full" in message, message[-2000:]
    assert "Traceback" not in message, message[-3000:]
    print(message.strip().splitlines()[-1])
    assert not batch.leftovers()
    kept = rows(gradebook)  # the file still opens, sound, with whole rows
    assert 3 <= len(kept) < len(full), len(kept)
    assert all(r[1] == "graded" and r[4] == kept[0][4] for r in kept)
    filler.unlink()
    proc = batch.start()
    out, err = gates.open_all_until_exit(proc)
    assert proc.returncode == 0, out + err[-3000:]
    assert_all_graded(gradebook, full)
    assert re.search(rf"(\d+) graded now, {len(kept)} unchanged", out), out[-500:]


# --------------------------------------------------------------------------- a worker killed by the kernel

def worker_pids(batch_pid: int) -> list[int]:
    """The spawned pool workers of a `grade batch` process (not its resource tracker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == batch_pid and b"spawn_main" in cmdline:
            found.append(int(entry))
    return found


def test_worker_killed_mid_batch(tmp_path):
    full = quick_corpus(tmp_path / "submissions", n=24, gated=True)
    gradebook = tmp_path / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook, "--jobs", "2", "--check-timeout", "120",
                  "--timeout", "240")
    gates = Gates(batch.tmp)
    proc = batch.start()
    gates.open_until(proc, lambda: row_count(gradebook) >= 2, "2 rows committed")
    gates.wait_closed(proc, 2)  # both workers hold a submission they cannot finish
    workers = worker_pids(proc.pid)
    assert len(workers) == 2, workers
    os.kill(workers[0], signal.SIGKILL)  # what the OOM killer does, to a worker with work in hand
    assert row_count(gradebook) < len(full)
    out, err = gates.open_all_until_exit(proc)
    assert proc.returncode == 0, out + err[-3000:]
    assert_all_graded(gradebook, full)  # the lost chunk was graded again, each student once
    assert not batch.leftovers()


# --------------------------------------------------------------------------- a Dask worker lost mid-batch

def test_dask_worker_lost_mid_batch(tmp_path):
    pytest.importorskip("distributed")
    full = quick_corpus(tmp_path / "submissions", n=30, gated=True)
    gradebook = tmp_path / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook, "--check-timeout", "120", "--timeout", "240")
    gates = Gates(batch.tmp)
    cluster = subprocess.Popen([sys.executable, str(Path(__file__).with_name("dask_cluster.py"))], cwd=tmp_path,
                               env=batch.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        line = cluster.stdout.readline()
        assert line, "the Dask cluster did not start"
        info = json.loads(line)
        batch.command += ["--scheduler", info["address"]]
        proc = batch.start()
        gates.open_until(proc, lambda: row_count(gradebook) >= 4, "4 rows committed")
        gates.wait_closed(proc, 2)  # both Dask workers (one thread each) hold a submission they cannot finish
        victim = sorted(info["workers"].values())[0]
        os.kill(victim, signal.SIGKILL)
        assert row_count(gradebook) < len(full)
        out, err = gates.open_all_until_exit(proc, within=240)
        assert proc.returncode == 0, out + err[-3000:]
        assert_all_graded(gradebook, full)
    finally:
        cluster.stdin.close()
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
    assert not batch.leftovers()


# --------------------------------------------------------------------------- a zygote killed under a child

def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            found.append(int(entry))
    return found


def test_a_killed_zygote_takes_its_sleeping_child(tmp_path):
    """A child asleep in student code uses no CPU, so no CPU limit would ever end it: when its zygote
    is killed (as by the OOM killer), the kernel must end it at once."""
    import threading

    from hostile_support import compose
    from grader.course import load_solution
    from grader.grading.engine import Engine, Settings
    from grader.grading.workdir import base_files, remove, write_run_folder

    engine = Engine(load_solution(SOLUTIONS / "optim"), settings=Settings(timeout=60, check_timeout=30))
    source = compose("optim", ROOT / "tests" / "hostile" / "optim" / "long_sleep.py", {})
    root = write_run_folder({**base_files(engine.assignment), "optim.py": source.encode()})
    outcome = {}
    grading = threading.Thread(target=lambda: outcome.setdefault("result", engine.grade(root, "sleeper")))
    grading.start()
    try:
        deadline = time.monotonic() + 30
        sleeping = []
        while time.monotonic() < deadline and not sleeping:
            proc = engine.sandbox.proc
            sleeping = children_of(proc.pid) if proc is not None else []
            time.sleep(0.05)
        assert sleeping, "the submission's child never started"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(_asleep(pid) for pid in sleeping):
            time.sleep(0.05)  # until it is inside rmsprop's sleep, not at a guessed time
        assert all(_asleep(pid) for pid in sleeping), "the child never went to sleep"
        os.kill(engine.sandbox.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") and
                                                  not _zombie(pid) for pid in sleeping):
            time.sleep(0.05)
        left = [pid for pid in sleeping if os.path.exists(f"/proc/{pid}") and not _zombie(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, "the child outlived its zygote"
        grading.join(60)
        assert outcome["result"].status == "not_gradable"  # the sandbox failed; the grader did not
    finally:
        grading.join(60)
        engine.close()
        remove(root)


def _asleep(pid: int) -> bool:
    """The process sleeps (state S), in a timed sleep where the kernel names its wait channel."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        with open(f"/proc/{pid}/wchan", "rb") as fh:
            channel = fh.read().strip()
    except (OSError, IndexError):
        return False
    return state == b"S" and (b"sleep" in channel or channel in (b"", b"0"))


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except OSError:
        return True
