"""`grade report`: outputs written again from a gradebook, without grading."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from grader.bulk.gradebook import Gradebook
from grader.cli import main


def fill(path: Path, results) -> None:
    with Gradebook(path) as book:
        for r in results:
            book.record(r, version="v1")


def test_report_rewrites_every_output(tmp_path: Path, class_results, gradescope_schema) -> None:
    gb = tmp_path / "gb.db"
    fill(gb, class_results)
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["report", "--gradebook", str(gb), "--assignment", "optim",
                                     "--json", str(out / "r.json"), "--csv", str(out / "r.csv"),
                                     "--junit", str(out / "r.xml"), "--gradescope", str(out / "gs")])
    assert done.exit_code == 0, done.output
    data = json.loads((out / "r.json").read_text())
    assert data["max_score"] == 9
    by_student = {r["student"]: r for r in data["results"]}
    assert by_student.keys() == {r.student for r in class_results}
    for r in class_results:
        assert by_student[r.student]["score"] == r.score
        assert by_student[r.student]["checks"] == [c.to_dict() for c in r.checks]
    assert (out / "r.csv").is_file() and (out / "r.xml").is_file()
    index = json.loads((out / "gs" / "index.json").read_text())
    for name in index:
        gradescope_schema(json.loads((out / "gs" / name / "results.json").read_text()))


def test_report_errors(tmp_path: Path, class_results, monkeypatch) -> None:
    gb = tmp_path / "gb.db"
    runner = CliRunner()
    missing = runner.invoke(main, ["report", "--gradebook", str(gb), "--assignment", "optim", "--json", "x.json"])
    assert missing.exit_code == 2 and "no such gradebook" in missing.output
    assert not gb.exists()  # not created by asking
    fill(gb, class_results)
    nothing = runner.invoke(main, ["report", "--gradebook", str(gb), "--assignment", "optim"])
    assert nothing.exit_code == 2 and "nothing to write" in nothing.output
    other = runner.invoke(main, ["report", "--gradebook", str(gb), "--assignment", "mlp", "--json", "x.json"])
    assert other.exit_code == 2 and "holds no results for 'mlp'" in other.output and "optim" in other.output
    monkeypatch.setitem(sys.modules, "grader.reports.html", None)  # as if the feedback pages were not installed
    html = runner.invoke(main, ["report", "--gradebook", str(gb), "--assignment", "optim",
                                "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "html")])
    assert html.exit_code == 2 and "--html is not available" in html.output
    assert (tmp_path / "r.json").is_file()
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite " * 100)
    broken = runner.invoke(main, ["report", "--gradebook", str(bad), "--assignment", "optim", "--json", "x.json"])
    assert broken.exit_code == 2 and "not a database" in broken.output and str(bad) in broken.output
