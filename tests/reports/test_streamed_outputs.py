"""Outputs written a result at a time from the gradebook are byte for byte the files written from the
whole class at once (JSON, CSV and JUnit as one document, Gradescope and the pages from a list),
and the batch's closing lines are the same from gathered figures as from the list."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from grader.bulk.adjustments import each_published, published_results
from grader.bulk.gradebook import Gradebook
from grader.reports.export import JSON_AUDIENCE, check_columns, fmt_score, junit_tree, FIXED_COLUMNS, _adjustment, _cell
from grader.reports.outputs import OutputOptions, write_requested, write_streamed
from grader.reports.terminal import ClassFigures, format_class_summary

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _samples import full_marks, student_result  # noqa: E402


def whole_json(results, assignment: str, max_score: float) -> bytes:
    data = {"assignment": assignment, "max_score": max_score, "audience": JSON_AUDIENCE,
            "results": [r.to_dict() for r in results]}
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def whole_csv(results) -> bytes:
    checks = check_columns(results)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(FIXED_COLUMNS) + [f"check:{n}" if n in FIXED_COLUMNS else n for n in checks])
    for r in results:
        scores = {c.name: fmt_score(c.score) for c in r.checks}
        writer.writerow([_cell(r.student), fmt_score(r.score), fmt_score(r.max_score), r.status, r.submitted_at or "",
                         r.late_days, fmt_score(r.penalty), r.late_source or "", _adjustment(r)]
                        + [scores.get(n, "") for n in checks])
    return out.getvalue().encode("utf-8", "backslashreplace")


def whole_junit(results) -> bytes:
    buffer = io.BytesIO()
    junit_tree(results).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue() + b"\n"


def outputs(folder: Path) -> OutputOptions:
    return OutputOptions(json=folder / "r.json", csv=folder / "r.csv", junit=folder / "r.xml",
                         gradescope=folder / "gs", html=folder / "html")


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def book(tmp_path, class_results):
    """A gradebook of a varied class (odd ids, not gradable, late, hidden checks, plots), one adjusted."""
    with Gradebook(tmp_path / "gb.db") as book:
        for result in class_results + [student_result("pia"), student_result(hostile=True),
                                       student_result("quinn", late=True), full_marks("rex")]:
            book.record(result, version="v1")
        book.adjust("optim", "pia", -1.5, "copied a line <b>")
        yield book


@pytest.mark.parametrize("points", [None, 20.0])
def test_outputs_streamed_from_the_gradebook_equal_the_class_written_at_once(tmp_path, book, points):
    whole = published_results(book, "optim", points, plots=True)
    assert len(whole) == 12 and any(c.plot for r in whole for c in r.checks)
    streamed = tmp_path / "streamed"
    written = write_streamed(lambda plots: each_published(book, "optim", points, plots=plots), "optim",
                             outputs(streamed), title="Optimisers")
    assert written == [streamed / "r.json", streamed / "r.csv", streamed / "r.xml", streamed / "gs",
                       streamed / "html" / "index.html"]
    top = max(r.max_score for r in whole)
    assert (streamed / "r.json").read_bytes() == whole_json(whole, "optim", top)
    assert (streamed / "r.csv").read_bytes() == whole_csv(whole)
    assert (streamed / "r.xml").read_bytes() == whole_junit(whole)
    # Gradescope's files from the list; the pages from the list in another order (they sort it themselves)
    listed = tmp_path / "listed"
    write_requested(whole, "optim", OutputOptions(gradescope=listed / "gs"))
    write_requested(list(reversed(whole)), "optim", OutputOptions(html=listed / "html"), title="Optimisers")
    assert files_under(streamed / "gs") == files_under(listed / "gs")
    assert files_under(streamed / "html") == files_under(listed / "html")
    assert len(files_under(streamed / "html")) == 13  # the index and a page per student


def test_the_closing_lines_from_gathered_figures_are_those_of_the_whole_list(book):
    whole = published_results(book, "optim", None, plots=False)
    figures = ClassFigures()
    for result in each_published(book, "optim", None, plots=False):
        figures.add(result)
    assert format_class_summary(figures) == format_class_summary(whole)
    assert "12 students" in format_class_summary(figures)


def test_an_empty_class_streams_the_same_empty_documents(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        written = write_streamed(lambda plots: book.each_result("optim", plots=plots), "optim",
                                 outputs(tmp_path / "out"))
    assert len(written) == 5
    assert (tmp_path / "out" / "r.json").read_bytes() == whole_json([], "optim", 0.0)
    assert (tmp_path / "out" / "r.csv").read_bytes() == whole_csv([])
    assert (tmp_path / "out" / "r.xml").read_bytes() == whole_junit([])
    assert json.loads((tmp_path / "out" / "gs" / "index.json").read_text()) == {}
