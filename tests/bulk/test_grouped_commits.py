"""A batch commits each task's results in one transaction: a killed batch keeps every group it
committed, whole, loses only what was not yet committed, and a second run grades just that."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.bulk.gradebook import Gradebook
from grader.result import CheckResult, Result

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / "optim" / "optim.py").read_text()

WRITER = textwrap.dedent("""
    import sys
    from grader.bulk.gradebook import Gradebook
    from grader.result import CheckResult, Result

    book = Gradebook(sys.argv[1])
    i = int(sys.argv[2])
    for group in range(i, i + 10**7):
        size = 1 + group % 5
        with book.grouped():
            for member in range(size):
                checks = [CheckResult(name=f"c{k}", functions=["f"], score=1.0, max_score=1.0, status="passed",
                                      message="x" * 300) for k in range(1 + (i * 7) % 40)]
                book.record(Result.from_checks(f"s{i}", "optim", checks, message=f"{group} {size}", sha256=str(i)),
                            version="v1")
                i += 1
        print(group, flush=True)
""")


def test_a_killed_writer_keeps_every_acknowledged_group_and_each_group_whole_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "gb.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    acked: set[int] = set()
    for start, groups in ((0, 60), (100_000, 25)):
        proc = subprocess.Popen([sys.executable, str(script), str(path), str(start)], stdout=subprocess.PIPE,
                                text=True)
        try:
            for _ in range(groups):
                line = proc.stdout.readline()
                assert line, "the writer stopped early"
                acked.add(int(line))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with Gradebook(path) as book:
            stored: dict[int, list[Result]] = {}
            for r in book.results("optim"):
                stored.setdefault(int(r.message.split()[0]), []).append(r)
        for group, members in stored.items():
            assert len(members) == int(members[0].message.split()[1]), f"group {group} is not whole"
            for r in members:
                assert r.score == len(r.checks) and r.checks, "a submission lost some checks"
        assert acked <= set(stored), "an acknowledged group was lost"


def test_a_group_that_raises_records_none_of_its_results(tmp_path: Path) -> None:
    check = CheckResult(name="c", functions=["f"], score=1.0, max_score=1.0, status="passed")
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(Result.from_checks("before", "optim", [check]), version="v1")
        with pytest.raises(KeyboardInterrupt):
            with book.grouped():
                book.record(Result.from_checks("a", "optim", [check]), version="v1")
                book.record(Result.from_checks("b", "optim", [check]), version="v1")
                raise KeyboardInterrupt
        with book.grouped():
            book.record(Result.from_checks("c", "optim", [check]), version="v1")
        assert book.students("optim") == ["before", "c"]


def committed(gradebook: Path) -> int:
    try:
        with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kills the batch's process group")
def test_a_batch_killed_midway_keeps_what_it_committed_and_the_next_run_grades_only_the_rest(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(40):
        (subs / f"s{k:02d}.py").write_text(REFERENCE + f"\n# {k}\n")
    gradebook = tmp_path / "gb.db"
    args = [sys.executable, "-m", "grader.cli", "batch", str(subs), "--assignment", "optim", "--solutions",
            str(ROOT / "solutions"), "--jobs", "2", "--gradebook", str(gradebook)]
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}  # what the killed batch leaves stays in tmp_path
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 240
        while committed(gradebook) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch, its workers, their zygotes
        proc.wait()
    kept = committed(gradebook)
    assert kept >= 5 or proc.returncode == 0
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    first = done.stdout.splitlines()[0]
    assert f"{40 - kept} graded now, {kept} unchanged" in first, first
    with Gradebook(gradebook) as book:
        results = book.results("optim", plots=False)
    assert len(results) == 40 and all(r.status == "graded" and r.score == r.max_score for r in results)
