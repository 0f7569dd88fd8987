"""The gradebook keeps what each submission handed in (compressed, once per hash) and a digest of
each public check's outputs; a gradebook written before that says how to fill them in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grader.bulk.batch import BatchOptions, run_batch
from grader.bulk.gradebook import SCHEMA, Gradebook, GradebookError
from grader.checks.values import Value, output_digest
from grader.grading.engine import Settings
from grader.result import CheckResult, Result

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
REFERENCE = (SOLUTIONS / "optim" / "optim.py").read_text()
STUB = (ROOT / "assignments" / "optim" / "optim.py").read_text()
WRONG_SIGN = (ROOT / "examples" / "optim" / "sgd-wrong-sign.py").read_text()


def result(student: str, digest: str | None = "00ff00ff00ff00ff") -> Result:
    checks = [CheckResult(name="sgd_step", functions=["sgd"], score=0.0, max_score=1.0, status="failed",
                          digest=digest),
              CheckResult(name="sgd_hidden", functions=["sgd"], score=1.0, max_score=1.0, status="passed",
                          visibility="hidden")]
    return Result.from_checks(student, "optim", checks, sha256="s-" + student)


def blob_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0]


def test_files_come_back_byte_for_byte_and_identical_files_are_stored_once(tmp_path: Path) -> None:
    shared = REFERENCE.encode()
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(result("ana"), version="v", files={"optim.py": shared, "helpers.py": b"X = 1\n"})
        book.record(result("ben"), version="v", files={"optim.py": shared})
        assert book.files("optim", "ana") == {"helpers.py": b"X = 1\n", "optim.py": shared}
        assert book.files("optim", "ben") == {"optim.py": shared}
        assert book.files("optim", "nobody") is None
    assert blob_count(tmp_path / "gb.db") == 2
    with sqlite3.connect(tmp_path / "gb.db") as conn:
        stored = conn.execute("SELECT length(data) FROM blobs WHERE size=?", (len(shared),)).fetchone()[0]
    assert stored < len(shared) / 2  # compressed


def test_a_regrade_drops_blobs_nobody_refers_to_any_more(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(result("ana"), version="v", files={"optim.py": b"first = 1\n"})
        book.record(result("ben"), version="v", files={"optim.py": b"shared = 1\n"})
        book.record(result("cai"), version="v", files={"optim.py": b"shared = 1\n"})
        book.record(result("ana"), version="v", files={"optim.py": b"second = 2\n"})
        book.record(result("ben"), version="v", files={"optim.py": b"other = 3\n"})
        assert book.files("optim", "cai") == {"optim.py": b"shared = 1\n"}
    assert blob_count(tmp_path / "gb.db") == 3  # second, shared (cai still has it), other


def test_output_digests_round_trip_but_stay_out_of_every_export(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(result("ana"), version="v", files={})
        back = book.result("optim", "ana")
    assert [c.digest for c in back.checks] == ["00ff00ff00ff00ff", None]
    assert "digest" not in str(back.to_dict())


def test_output_digest_tells_apart_exactly_what_differs_in_bits() -> None:
    import numpy as np

    base = {"next_w": Value(np.array([1.0, -0.0])), "v": Value(np.array([[2.0]]))}
    assert output_digest(base) == output_digest({"v": Value(np.array([[2.0]])), "next_w": Value(np.array([1.0, -0.0]))})
    for changed in ({**base, "next_w": Value(np.array([1.0, 0.0]))},  # -0.0 and 0.0 differ in bits
                    {**base, "v": Value(np.array([2.0]))},  # shape
                    {**base, "v": Value(np.array([[2.0]]), "i")},  # kind
                    {**base, "next_w": Value(np.array([1.0, -0.0 + 1e-16]))}):
        assert output_digest(changed) != output_digest(base)


def test_a_schema_1_gradebook_is_upgraded_and_its_old_rows_say_their_files_were_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    version_1 = SCHEMA[: SCHEMA.index("CREATE TABLE IF NOT EXISTS blobs")]
    with sqlite3.connect(path) as conn:
        conn.executescript(version_1)
        conn.execute("INSERT INTO submissions (assignment, student, version, score, max_score, status, graded_at) "
                     "VALUES ('optim', 'old', 'v', 1, 2, 'graded', '2026-01-01')")
        conn.execute("PRAGMA user_version=1")
    with Gradebook(path) as book:
        book.record(result("new"), version="v", files={"optim.py": b"x = 1\n"})
        assert dict(book.kept("optim")) == {"new": {"optim.py": b"x = 1\n"}, "old": None}
        assert book.files("optim", "old") is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_another_programs_sqlite_database_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE albums (id INTEGER)")
    with pytest.raises(GradebookError, match=r"photos\.db: is not a gradebook .*albums"):
        Gradebook(path)
    with sqlite3.connect(path) as conn:  # and it was left as it was
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")} == {"albums"}


def test_a_batch_keeps_each_graded_submissions_files_and_public_output_digests(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(REFERENCE)
    (subs / "ben").mkdir()
    (subs / "ben" / "optim.py").write_text(WRONG_SIGN)
    (subs / "ben" / "helper.py").write_text("SCALE = 2\n")
    (subs / "cai.py").write_text(STUB)
    (subs / "dee.zip").write_bytes(b"not a zip")
    (subs / "eve.py").write_text(WRONG_SIGN)
    with Gradebook(tmp_path / "gb.db") as book:
        run_batch(subs, SOLUTIONS / "optim", book, BatchOptions(jobs=1, settings=Settings(timeout=20)))
        kept = dict(book.kept("optim"))
        results = {r.student: r for r in book.results("optim", plots=False)}
    assert kept["ana"] == {"optim.py": REFERENCE.encode()}
    assert kept["ben"] == {"optim.py": WRONG_SIGN.encode(), "helper.py": b"SCALE = 2\n"}
    assert kept["dee"] == {}  # could not be opened: nothing to keep, but recorded with this schema
    public = [c for c in results["ana"].checks if not c.hidden]
    assert public and all(c.digest for c in public)
    assert all(c.digest is None for c in results["ana"].checks if c.hidden)
    assert all(c.digest is None for c in results["cai"].checks)  # the stub raises: no values came back
    wrong = {c.name: c.digest for c in results["ben"].checks if c.status == "failed" and not c.hidden}
    assert wrong and wrong == {c.name: c.digest for c in results["eve"].checks if c.status == "failed" and not c.hidden}
    right = {c.name: c.digest for c in results["ana"].checks if not c.hidden}
    assert all(right[name] != digest for name, digest in wrong.items())


def test_with_the_stub_as_dictionary_a_submission_takes_a_tenth_and_survives_regrades(tmp_path: Path) -> None:
    stub, answer = STUB.encode(), REFERENCE.encode()
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(result("ana"), version="v", files={"optim.py": answer}, dictionary=stub)
        book.record(result("ana"), version="v", files={"optim.py": answer + b"# again\n"}, dictionary=stub)
        book.record(result("ben"), version="v", files={"optim.py": stub}, dictionary=stub)
        assert book.files("optim", "ana") == {"optim.py": answer + b"# again\n"}
        assert book.files("optim", "ben") == {"optim.py": stub}
    with sqlite3.connect(tmp_path / "gb.db") as conn:
        packed = conn.execute("SELECT length(data) FROM blobs WHERE dictionary IS NOT NULL AND size=?",
                              (len(answer) + 8,)).fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM blobs WHERE dictionary IS NULL").fetchone()[0] == 1  # the stub
    import zlib

    assert packed * 5 < len(zlib.compress(answer, 6))
