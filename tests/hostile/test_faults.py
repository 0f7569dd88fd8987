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


def quick_corpus(folder: Path, n: int = 40, import_delay: float = 0.0) -> dict[str, bool]:
    """``n`` quick optim submissions: reference copies (full marks) and a few known mistakes (not full).

    Returns student -> whether it deserves full marks. ``import_delay`` makes each take a little longer.
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
        (folder / f"{student}.py").write_text(source + delay)
    return full


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

    def leftovers(self, within: float = 10.0) -> list:
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
    assert not batch.leftovers(within=3.0)
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
    full = quick_corpus(tmp_path / "submissions", n=40, import_delay=0.05)
    gradebook = small_disk / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook, "--jobs", "1")
    proc = batch.start()
    wait_for_rows(gradebook, 3, proc)
    filler = fill(small_disk)
    out, err = proc.communicate(timeout=120)
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
    done = batch.run()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert_all_graded(gradebook, full)
    assert re.search(rf"(\d+) graded now, {len(kept)} unchanged", done.stdout), done.stdout[-500:]


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
    full = quick_corpus(tmp_path / "submissions", n=24, import_delay=0.25)  # seconds of work left after the kill
    gradebook = tmp_path / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook, "--jobs", "2")
    proc = batch.start()
    wait_for_rows(gradebook, 2, proc)
    workers = worker_pids(proc.pid)
    assert workers, "no pool worker found"
    os.kill(workers[0], signal.SIGKILL)  # what the OOM killer does
    assert len(rows(gradebook)) < len(full), "the worker was killed after the batch had finished"
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err[-3000:]
    assert_all_graded(gradebook, full)  # the lost chunk was graded again, each student once
    assert not batch.leftovers(within=5.0)


# --------------------------------------------------------------------------- a Dask worker lost mid-batch

def test_dask_worker_lost_mid_batch(tmp_path):
    pytest.importorskip("distributed")
    full = quick_corpus(tmp_path / "submissions", n=30, import_delay=0.1)
    gradebook = tmp_path / "gb.db"
    batch = Batch(tmp_path, tmp_path / "submissions", gradebook)
    cluster = subprocess.Popen([sys.executable, str(Path(__file__).with_name("dask_cluster.py"))], cwd=tmp_path,
                               env=batch.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        line = cluster.stdout.readline()
        assert line, "the Dask cluster did not start"
        info = json.loads(line)
        batch.command += ["--scheduler", info["address"]]
        proc = batch.start()
        wait_for_rows(gradebook, 4, proc, within=90)
        victim = sorted(info["workers"].values())[0]
        os.kill(victim, signal.SIGKILL)
        assert len(rows(gradebook)) < len(full), "the worker was killed after the batch had finished"
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, out + err[-3000:]
        assert_all_graded(gradebook, full)
    finally:
        cluster.stdin.close()
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
    assert not batch.leftovers(within=10.0)


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
