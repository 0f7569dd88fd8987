"""The gradebook's regrade history and `grade report --changes`; an older gradebook migrated in
place; two entries claiming one student reported, never merged or renamed."""

import json
import sqlite3

from click.testing import CliRunner

from grader.bulk.gradebook import Gradebook
from grader.bulk.history import score_changes
from grader.cli import main
from grader.result import CheckResult, Result
from lms_downloads import REFERENCE, SOLUTIONS

SCHEMA_1 = """
CREATE TABLE submissions (id INTEGER PRIMARY KEY, assignment TEXT NOT NULL, student TEXT NOT NULL, sha256 TEXT,
    submitted_at TEXT, late_days INTEGER NOT NULL DEFAULT 0, penalty REAL NOT NULL DEFAULT 0, version TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    execution_time REAL NOT NULL DEFAULT 0, graded_at TEXT NOT NULL, UNIQUE (assignment, student));
CREATE TABLE checks (submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, name TEXT NOT NULL, functions TEXT NOT NULL, score REAL NOT NULL,
    max_score REAL NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL DEFAULT 'public', hint TEXT, mistake TEXT, description TEXT NOT NULL DEFAULT '',
    plot TEXT, PRIMARY KEY (submission, position));
INSERT INTO submissions VALUES (1, 'optim', 'ana', 'h1', NULL, 0, 0, 'v1', 3, 4, 'graded', '', 0.1,
    '2026-01-01T00:00:00+00:00');
PRAGMA user_version=1;
"""


def result(student: str, score: float, sha: str) -> Result:
    checks = [CheckResult("a", ["f"], score, 4, "passed" if score == 4 else "failed")]
    return Result.from_checks(student, "optim", checks, sha256=sha)


def test_a_schema_1_gradebook_is_migrated_in_place_and_keeps_its_results(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_1)
    conn.close()
    with Gradebook(path) as book:
        [ana] = book.results("optim")
        assert ana.score == 3 and ana.late_source is None
        assert [row[:4] for row in book.history("optim")] == [("ana", "v1", "h1", 3.0)]
        book.record(result("ana", 4, "h1"), version="v2")
        assert score_changes(book.history("optim"))[0].after == 4


def test_report_changes_lists_only_scores_the_checks_moved(tmp_path):
    path = tmp_path / "gb.db"
    with Gradebook(path) as book:
        book.record(result("ana", 3, "h1"), version="v1")
        book.record(result("ben", 4, "h2"), version="v1")
        book.record(result("cai", 2, "h3"), version="v1")
        book.record(result("ana", 4, "h1"), version="v2")  # the checks changed: ana gains a point
        book.record(result("ben", 4, "h2"), version="v2")  # unchanged score
        book.record(result("cai", 4, "h4"), version="v2")  # cai resubmitted: her work changed, not the checks
    done = CliRunner().invoke(main, ["report", "--gradebook", str(path), "--assignment", "optim", "--changes"])
    assert done.exit_code == 0, done.output
    assert "1 student whose score changed when the checks changed" in done.output
    assert "ana  3 -> 4 / 4  (+1; checks v1 -> v2" in done.output
    assert "ben" not in done.output.split("changed (raw scores):")[1] and "cai" not in done.output


def test_two_entries_claiming_one_student_are_reported_never_renamed(tmp_path):
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    (subs / "alice" / "optim.py").write_bytes(REFERENCE)
    (subs / "alice.py").write_bytes(REFERENCE)
    (subs / "bob.py").write_bytes(REFERENCE)
    done = CliRunner().invoke(main, ["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS),
                                     "--jobs", "1", "--gradebook", str(tmp_path / "gb.db"),
                                     "--json", str(tmp_path / "r.json")])
    assert done.exit_code == 0, done.output
    rows = {r["student"]: r for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert set(rows) == {"alice", "bob"}
    assert rows["alice"]["status"] == "not_gradable" and "alice, alice.py" in rows["alice"]["message"]
    assert "2 entries claim student 'alice': alice, alice.py" in done.output
