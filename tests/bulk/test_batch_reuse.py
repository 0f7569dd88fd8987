"""A batch run again keeps the row of every unchanged entry, whether it was graded or could not be
opened, grades what changed, and still charges unchanged rows a lateness decided since."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from grader.bulk.batch import BatchOptions, run_batch
from grader.bulk.gradebook import Gradebook
from grader.bulk.late import LatePolicy
from grader.grading.engine import Settings
from grader.result import NOT_GRADABLE

ROOT = Path(__file__).resolve().parents[2]
OPTIM = ROOT / "solutions" / "optim"
REFERENCE = (OPTIM / "optim.py").read_text()
STUB = (ROOT / "assignments" / "optim" / "optim.py").read_text()


def rows(book: Gradebook) -> dict:
    return {r.student: r for r in book.results("optim", plots=False)}


def test_unchanged_entries_keep_their_rows_changed_ones_are_graded_and_a_new_deadline_reaches_all(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(REFERENCE)
    (subs / "dee.zip").write_bytes(b"not a zip")  # the opener refuses it: a row, never an exception
    (subs / "eve.py").write_text(STUB)
    options = BatchOptions(jobs=1, settings=Settings(timeout=20))
    with Gradebook(tmp_path / "gb.db") as book:
        first = run_batch(subs, OPTIM, book, options)
        assert (first.graded, first.reused, first.not_gradable) == (3, 0, 1)
        full = rows(book)["ana"].max_score
        assert rows(book)["eve"].score == 0 and rows(book)["dee"].status == NOT_GRADABLE

        (subs / "eve.py").write_text(REFERENCE)  # eve fixes her work; ana and dee hand in nothing new
        second = run_batch(subs, OPTIM, book, options)
        assert (second.graded, second.reused) == (1, 2)
        assert rows(book)["eve"].score == rows(book)["ana"].score == full
        assert rows(book)["dee"].status == NOT_GRADABLE

        late = BatchOptions(jobs=1, settings=Settings(timeout=20), time_from="mtime",
                            deadline=datetime(2000, 1, 1, tzinfo=timezone.utc), policy=LatePolicy(kind="zero"))
        third = run_batch(subs, OPTIM, book, late)
        assert (third.graded, third.reused) == (0, 3)
        after = rows(book)
        assert after["ana"].late_days > 0 and after["ana"].penalty == 1.0 and after["ana"].score == 0
        assert after["ana"].late_source == "mtime" and after["dee"].late_source == "mtime"
        assert after["dee"].status == NOT_GRADABLE
