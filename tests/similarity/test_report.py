"""`grade similarity`: the command, its JSON, its pages in a real browser, --against, and its errors."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from class_fixture import PLANTED, STUBS, STYLES, fill

from grader.bulk.gradebook import SCHEMA
from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
HOSTILE = "<img src=x onerror=alert(1)>"


def run(*args: str):
    return CliRunner().invoke(main, ["similarity", "--assignment", "optim", "--solutions", str(SOLUTIONS), *args])


def names(pair: dict) -> tuple[str, str]:
    return tuple(sorted((pair["a"].split("/")[-1], pair["b"].split("/")[-1])))


@pytest.fixture(scope="module")
def written(graded_class, tmp_path_factory):
    subs, gradebook = graded_class
    out = tmp_path_factory.mktemp("similarity-out")
    earlier = out / "term-2025"
    earlier.mkdir()
    (earlier / f"{HOSTILE}.py").write_text(fill(STYLES["eli"]))  # last year's eli, handed in again this year
    result = run("--gradebook", str(gradebook), "--html", str(out / "html"), "--json", str(out / "s.json"),
                 "--against", str(earlier))
    assert result.exit_code == 0, result.output
    return out, result.output, json.loads((out / "s.json").read_text())


def test_the_command_prints_the_planted_pairs_first_and_writes_both_outputs(written):
    out, printed, data = written
    flagged = [p for p in data["pairs"] if p["flagged"]]
    assert {names(p) for p in flagged} == PLANTED | {tuple(sorted(("eli", HOSTILE)))}
    lines = printed.splitlines()
    assert "5 flagged" in lines[0] and "never a penalty" in lines[0]
    assert all(line.startswith("FLAG") for line in lines[1:6])
    assert (out / "html" / "index.html").is_file() and f"wrote {out / 's.json'}" in printed


def test_the_json_says_how_each_score_was_formed(written):
    _, _, data = written
    assert data["how"]["score"] == "1 - (1 - code) * (1 - output)" and data["how"]["threshold"] == 0.5
    for p in data["pairs"]:
        assert p["score"] == pytest.approx(1 - (1 - p["code"]) * (1 - p["output"]), abs=1e-3)
    [mistake] = [p for p in data["pairs"] if names(p) == ("fay", "gus")]
    assert {s["check"] for s in mistake["shared_wrong_values"]} >= {"adam_update"}
    assert all(s["returned_by"] == 2 for s in mistake["shared_wrong_values"])
    assert sorted(map(sorted, data["clusters"])) == sorted(sorted(p) for p in
                                                          [("bo", "hal"), ("cy", "ivy"), ("di", "jon"),
                                                           ("eli", f"term-2025/{HOSTILE}"), ("fay", "gus")])
    assert not any(set(STUBS) & set(names(p)) for p in data["pairs"])


def test_an_earlier_term_is_compared_with_the_class_only_and_never_graded(written):
    _, _, data = written
    earlier = [p for p in data["pairs"] if p["a"].startswith("term-2025/") or p["b"].startswith("term-2025/")]
    assert earlier and all(not (p["a"].startswith("term-2025/") and p["b"].startswith("term-2025/")) for p in earlier)
    assert data["against"] == ["term-2025"] and data["submissions"] == 13


def test_a_flagged_pair_page_shows_both_sides_with_the_matching_lines_marked(written):
    out, _, data = written
    index = (out / "html" / "index.html").read_text()
    assert "for the instructor only" in index and "never a penalty" in index
    rank = next(i for i, p in enumerate(data["pairs"], 1) if names(p) == ("bo", "hal"))
    page = (out / "html" / "pairs" / f"{rank:04d}.html").read_text()
    assert page.count('<li class="match">') > 10
    assert "beta_one" in page and "b1" in page  # the renamed copy beside the original
    assert "config.setdefault" not in page.split('class="match"', 1)[1].split("</li>")[0]


def test_a_hostile_student_id_is_shown_as_text(written):
    out, _, _ = written
    for page in [out / "html" / "index.html", *(out / "html" / "pairs").glob("*.html")]:
        text = page.read_text()
        assert HOSTILE not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in (out / "html" / "index.html").read_text()


def test_a_missing_gradebook_is_an_error_naming_it(tmp_path):
    result = run("--gradebook", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "none.db: no such gradebook" in result.output


def test_a_foreign_database_is_an_error_naming_it(tmp_path):
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    result = run("--gradebook", str(tmp_path / "other.db"))
    assert result.exit_code == 2 and "other.db: is not a gradebook" in result.output
    (tmp_path / "text.db").write_text("hello, not a database at all " * 100)
    result = run("--gradebook", str(tmp_path / "text.db"))
    assert result.exit_code == 2 and "text.db" in result.output and "Traceback" not in result.output


def test_a_gradebook_of_another_assignment_says_what_it_holds(graded_class):
    result = CliRunner().invoke(main, ["similarity", "--assignment", "sigmoid", "--solutions", str(SOLUTIONS),
                                       "--gradebook", str(graded_class[1])])
    assert result.exit_code == 2 and "holds no results for 'sigmoid' (it holds: optim)" in result.output


def test_a_gradebook_from_before_files_were_kept_says_to_regrade(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA[: SCHEMA.index("CREATE TABLE IF NOT EXISTS blobs")])
        conn.execute("INSERT INTO submissions (assignment, student, version, score, max_score, status, graded_at) "
                     "VALUES ('optim', 'ana', 'v', 1, 2, 'graded', '2026-01-01')")
        conn.execute("PRAGMA user_version=1")
    result = run("--gradebook", str(path))
    assert result.exit_code == 2
    assert f"{path}: 1 submission of optim (ana) was graded before the gradebook kept" in result.output
    assert "--regrade" in result.output


def test_an_earlier_terms_gradebook_can_be_compared_against(graded_class, tmp_path):
    _, gradebook = graded_class
    earlier = tmp_path / "2025.db"
    shutil.copy(gradebook, earlier)
    result = run("--gradebook", str(gradebook), "--against", str(earlier), "--json", str(tmp_path / "s.json"),
                 "--top", "0")
    assert result.exit_code == 0, result.output
    pairs = json.loads((tmp_path / "s.json").read_text())["pairs"]
    # a student whose code nobody else in either term has matches their own "last term" submission
    same = {p["a"] for p in pairs if p["b"] == f"2025/{p['a']}" and p["flagged"]}
    assert same >= {"ana", "eli", "fay", "gus"}
    assert not [p for p in pairs if p["a"].startswith("2025/") and p["b"].startswith("2025/")]


def test_the_command_runs_as_a_subprocess(graded_class, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "similarity", "--assignment", "optim",
                           "--solutions", str(SOLUTIONS), "--gradebook", str(graded_class[1]), "--top", "4"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    shown = {tuple(sorted(line.split()[2::2][:2])) for line in proc.stdout.splitlines()[1:5]}
    assert shown == PLANTED


def test_the_gradebook_streams_each_students_wrong_public_values_as_its_results_hold_them(graded_class):
    from grader.bulk.gradebook import Gradebook

    with Gradebook(graded_class[1]) as book:
        streamed = dict(book.wrong_public_values("optim"))
        expected = {}
        for r in book.results("optim", plots=False):
            found = {c.name: (c.digest, c.functions, c.mistake) for c in r.checks
                     if c.status == "failed" and not c.hidden and c.digest}
            if found:
                expected[r.student] = found
    assert streamed == expected and {"fay", "gus"} <= set(streamed)
    assert streamed["fay"]["adam_update"][0] == streamed["gus"]["adam_update"][0]
