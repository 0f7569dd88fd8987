"""The gradebook: round trips, reuse, regrade, SIGKILL, and disks that refuse writes."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.bulk.gradebook import Gradebook, GradebookError
from grader.result import CheckResult, Result


def make_result(student: str, score: float = 2.0, *, assignment: str = "optim", sha: str = "abc",
                n_checks: int = 2, **extra) -> Result:
    checks = [CheckResult(name=f"check_{i}", functions=["adam", f"f{i}"], score=score / n_checks,
                          max_score=1.0 + i, status="passed" if i % 2 == 0 else "failed",
                          message=f"message {i} <&> ü", visibility="hidden" if i == n_checks - 1 else "public",
                          hint="divide by 1 - beta**t" if i == 1 else None, mistake="adam_no_bias" if i == 1 else None,
                          description=f"check {i}",
                          plot={"kind": "path", "series": {"x": {"expected": [[0.0, 1.5]], "student": [[math.nan, 2.0]]}}}
                          if i == 0 else None)
              for i in range(n_checks)]
    return Result.from_checks(student, assignment, checks, sha256=sha, submitted_at="2024-05-01T10:00:00Z",
                              execution_time=0.25, **extra)


def same(a: object, b: object) -> bool:
    """Equality where NaN equals NaN (plots carry NaN for non-finite student values)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_round_trip_full_results(tmp_path: Path) -> None:
    gradable = make_result("bob", 1.5, n_checks=3)
    gradable.late_days, gradable.penalty, gradable.score = 2, 0.2, 1.2
    broken = make_result("alice", 0.0, sha="def")
    broken.status, broken.message = "not_gradable", "SyntaxError in optim.py line 3: invalid syntax"
    unreadable = Result(student="zed/..\u00e9", assignment="optim", score=0.0, max_score=0.0, status="not_gradable",
                        message="zed.zip is not a zip file", sha256=None)
    with Gradebook(tmp_path / "gb.db") as book:
        for r in (gradable, broken, unreadable):
            book.record(r, version="v1")
    with Gradebook(tmp_path / "gb.db") as book:
        back = book.results("optim")
        assert [r.student for r in back] == ["alice", "bob", "zed/..\u00e9"]
        for original, loaded in zip((broken, gradable, unreadable), back):
            assert same(original.to_dict(), loaded.to_dict())
            assert same([c.plot for c in original.checks], [c.plot for c in loaded.checks])
        assert book.assignments() == ["optim"]
        assert book.results("other") == []


def test_numpy_plot_values_are_stored_as_lists(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    r = make_result("bob")
    r.checks[0].plot = {"kind": "curve", "series": {"loss": {"expected": np.arange(3.0), "student": None}}}
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(r, version="v1")
        assert book.results("optim")[0].checks[0].plot == {"kind": "curve",
                                                           "series": {"loss": {"expected": [0.0, 1.0, 2.0], "student": None}}}


def test_current_needs_same_content_and_version(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "gb.db") as book:
        assert not book.current("optim", "bob", "abc", "v1")
        book.record(make_result("bob", sha="abc"), version="v1")
        assert book.current("optim", "bob", "abc", "v1")
        assert not book.current("optim", "bob", "abd", "v1")  # changed content
        assert not book.current("optim", "bob", "abc", "v2")  # changed assignment
        assert not book.current("optim", "alice", "abc", "v1")
        assert not book.current("mlp", "bob", "abc", "v1")
        assert not book.current("optim", "bob", "", "v1")


def test_regrade_replaces_without_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "gb.db"
    with Gradebook(path) as book:
        book.record(make_result("bob", 1.0, n_checks=4), version="v1")
        book.record(make_result("bob", 2.0, n_checks=2, sha="new"), version="v2")
        book.record(make_result("bob", 2.0, assignment="mlp"), version="v1")
        [bob] = book.results("optim")
        assert (bob.score, bob.sha256, len(bob.checks)) == (2.0, "new", 2)
        assert book.current("optim", "bob", "new", "v2") and not book.current("optim", "bob", "abc", "v1")
        assert book.assignments() == ["mlp", "optim"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 2
        assert db.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 4  # old checks went with the old row
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_surrogate_student_ids_are_stored(tmp_path: Path) -> None:
    student = os.fsdecode(b"caf\xe9")  # an undecodable file name
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(make_result(student), version="v1")
        assert book.current("optim", student, "abc", "v1")
        assert book.results("optim")[0].student == "caf\\udce9"


# ------------------------------------------------------------------ SIGKILL

WRITER = textwrap.dedent("""
    import sys
    from grader.bulk.gradebook import Gradebook
    from grader.result import CheckResult, Result

    book = Gradebook(sys.argv[1])
    start = int(sys.argv[2])
    for i in range(start, start + 10**7):
        n = 1 + (i * 7) % 60
        checks = [CheckResult(name=f"c{k}", functions=["f"], score=1.0, max_score=1.0, status="passed",
                              message="x" * 500) for k in range(n)]
        result = Result.from_checks(f"s{i % 25}", "optim", checks, message=f"{i} {n}", sha256=str(i))
        book.record(result, version="v1")
        print(i, flush=True)
""")


def run_and_kill(path: Path, script: Path, start: int, commits: int) -> dict[str, int]:
    """Start a writer, SIGKILL it after ``commits`` acknowledged commits; the last acknowledged i per student."""
    proc = subprocess.Popen([sys.executable, str(script), str(path), str(start)], stdout=subprocess.PIPE, text=True)
    acked: dict[str, int] = {}
    try:
        for _ in range(commits):
            line = proc.stdout.readline()
            assert line, "the writer stopped early"
            i = int(line)
            acked[f"s{i % 25}"] = i
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return acked


def test_sigkill_keeps_only_whole_submissions(tmp_path: Path) -> None:
    path = tmp_path / "gb.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    acked: dict[str, int] = {}
    for round_, commits in enumerate((150, 40, 97)):
        acked.update(run_and_kill(path, script, 10_000 * round_, commits))
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            dupes = db.execute("SELECT COUNT(*) FROM (SELECT assignment, student FROM submissions "
                               "GROUP BY assignment, student HAVING COUNT(*) > 1)").fetchone()[0]
            orphans = db.execute("SELECT COUNT(*) FROM checks WHERE submission NOT IN "
                                 "(SELECT id FROM submissions)").fetchone()[0]
            assert dupes == 0 and orphans == 0
        with Gradebook(path) as book:
            results = book.results("optim")
        assert len(results) == 25
        for r in results:
            i, n = map(int, r.message.split())
            assert [c.name for c in r.checks] == [f"c{k}" for k in range(n)], "a submission lost some checks"
            assert r.score == n and r.sha256 == str(i)
            assert i >= acked.get(r.student, -1), "an acknowledged commit was lost"


# ------------------------------------------------------------------ unwritable and failing disks

def test_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    with pytest.raises(GradebookError) as info:
        Gradebook(blocker / "gb.db")
    assert str(blocker / "gb.db") in str(info.value)
    assert "--gradebook" in str(info.value)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my lecture notes, not a database" * 100)
    with pytest.raises(GradebookError, match="not a database") as info:
        Gradebook(bad)
    assert str(bad) in str(info.value)
    folder = tmp_path / "folder.db"
    folder.mkdir()
    with pytest.raises(GradebookError, match="not a file"):
        Gradebook(folder)


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 1 MiB tmpfs (needs root and CAP_SYS_ADMIN; skipped elsewhere)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    except OSError as exc:  # no mount command (Windows, some containers)
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], capture_output=True)
        subprocess.run(["umount", "-l", str(mount)], check=True)


def remount(mount: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)


def test_read_only_filesystem_at_open(small_tmpfs: Path) -> None:
    remount(small_tmpfs, "ro")
    with pytest.raises(GradebookError) as info:
        Gradebook(small_tmpfs / "gb.db")
    assert str(small_tmpfs / "gb.db") in str(info.value)


def test_filesystem_read_only_after_a_run(small_tmpfs: Path) -> None:
    """Linux refuses to remount read-only while the gradebook is open for writing ("mount point is busy"),
    so a disk turning read-only under an open gradebook is simulated below (FailingConnection); here the
    file system turns read-only between two runs."""
    path = small_tmpfs / "gb.db"
    with Gradebook(path) as book:
        for s in ("a", "b", "c"):
            book.record(make_result(s), version="v1")
    remount(small_tmpfs, "ro")
    with pytest.raises(GradebookError) as info:
        Gradebook(path)
    message = str(info.value)
    assert str(path) in message and "writable" in message
    # What was committed still reads (a WAL database on read-only media opens with immutable=1).
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as db:
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 3
    remount(small_tmpfs, "rw")
    with Gradebook(path) as book:
        assert [r.student for r in book.results("optim")] == ["a", "b", "c"]


def test_disk_full_mid_batch(small_tmpfs: Path) -> None:
    path = small_tmpfs / "gb.db"
    book = Gradebook(path)
    for s in ("a", "b", "c"):
        book.record(make_result(s), version="v1")
    filler = small_tmpfs / "filler"
    with open(filler, "wb", buffering=0) as f:  # take every free byte of the file system
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    big = make_result("d", n_checks=200)
    for c in big.checks:
        c.message = "y" * 2000
    with pytest.raises(GradebookError) as info:
        book.record(big, version="v1")
    message = str(info.value)
    assert str(path) in message and "full" in message and "another disk" in message
    book.close()
    filler.unlink()
    with Gradebook(path) as book:
        assert [r.student for r in book.results("optim")] == ["a", "b", "c"]
        assert all(len(r.checks) == 2 for r in book.results("optim"))
        book.record(big, version="v1")  # with space again, it records
        assert len(book.results("optim")) == 4


class FailingConnection:
    """Wraps a real connection; INSERTs fail as SQLite fails on a full disk (for machines without mount)."""

    def __init__(self, conn: sqlite3.Connection, error: str):
        self.conn, self.error = conn, error

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError(self.error)
        return self.conn.execute(sql, *args)

    def executemany(self, sql: str, *args):
        raise sqlite3.OperationalError(self.error)

    def __getattr__(self, name: str):
        return getattr(self.conn, name)


@pytest.mark.parametrize("error, words", [("database or disk is full", "another disk"),
                                          ("attempt to write a readonly database", "writable")])
def test_simulated_write_errors_roll_back(tmp_path: Path, error: str, words: str) -> None:
    path = tmp_path / "gb.db"
    book = Gradebook(path)
    book.record(make_result("a"), version="v1")
    real = book._conn
    book._conn = FailingConnection(real, error)
    with pytest.raises(GradebookError) as info:
        book.record(make_result("a", 0.0, sha="new"), version="v2")
    assert str(path) in str(info.value) and error in str(info.value) and words in str(info.value)
    assert not real.in_transaction
    book._conn = real
    [a] = book.results("optim")  # the earlier result survived the failed replacement
    assert (a.sha256, a.score) == ("abc", 2.0)
    book.close()
    book.close()  # idempotent
    with pytest.raises(GradebookError, match="closed"):
        book.results("optim")
