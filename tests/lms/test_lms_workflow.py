"""A term's loop through the LMS: its download graded by one `grade batch`, its own file filled in by
one `grade report`; adjustments, extensions and the regrade history on the way."""

import csv
import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_solution
from lms_downloads import FIXTURES, SOLUTIONS

FULL = load_solution(SOLUTIONS / "optim").max_score


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def batch(download, tmp_path, *extra):
    out = tmp_path / "out"
    result = run("batch", download, "--assignment", "optim", "--solutions", SOLUTIONS, "--jobs", "1",
                 "--gradebook", tmp_path / "gb.db", "--json", out / "r.json", "--timeout", "20", *extra)
    assert result.exit_code == 0, result.output
    return {r["student"]: r for r in json.loads((out / "r.json").read_text())["results"]}, result.output


def read_csv(path):
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def canvas_graded(canvas_download, tmp_path):
    rows, output = batch(canvas_download, tmp_path, "--roster", FIXTURES / "canvas_gradebook.csv",
                         "--late-policy", "10%/day")
    return rows, output


def test_a_canvas_download_is_graded_one_row_per_student_with_the_lms_deciding_lateness(canvas_graded):
    rows, output = canvas_graded
    assert set(rows) == {"canvas:1001", "canvas:1002", "canvas:1003", "canvas:1050", "canvas:1004"}
    assert rows["canvas:1001"]["score"] == FULL and rows["canvas:1001"]["late_source"] == "lms"
    smith = rows["canvas:1002"]  # the resubmission is graded; Canvas marked it LATE without a time
    assert smith["status"] == "graded" and smith["late_days"] == 1 and smith["penalty"] == pytest.approx(0.1)
    assert smith["score"] == pytest.approx(FULL * 0.9)
    assert rows["canvas:1003"]["score"] == FULL and rows["canvas:1003"]["late_days"] == 0  # manifest time ignored
    assert rows["canvas:1004"]["status"] == "not_gradable" and rows["canvas:1004"]["score"] == 0
    assert rows["canvas:1004"]["message"].startswith("missing:")
    assert "(Canvas download)" in output and "lateness decided by: lms 4, none 1" in output
    assert "ghost_1050_5050_optim.py: graded as 'canvas:1050', but not on the roster" in output
    assert "obriennezanamara_1003_5003_optim-submission.zip: its manifest.json names " \
           "'maintainers@users.noreply.github.com'" in output
    assert "Chen, Wei (canvas:1004, roster line 7)" in output
    assert "notes.txt: not named" in output and "counted as 1 day late" in output
    roster = FIXTURES / "canvas_gradebook.csv"
    assert f"{roster}:3: not a student ('Points Possible')" in output  # every roster line is accounted for


def test_report_to_canvas_fills_the_export_for_import(canvas_graded, tmp_path):
    out = tmp_path / "canvas.csv"
    result = run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "canvas",
                 "--roster", FIXTURES / "canvas_gradebook.csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in out.read_bytes()
    table = read_csv(out)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Optim (4411)"]
    assert table[2] == ["    Points Possible", "", "", "", "", "20.00"]
    by = {row[1]: row for row in table[3:]}
    assert by["1001"] == ["Müller, Jörg", "1001", "S1001", "jmuller", "NN 101, Tue", "20"]  # full marks, on 20
    assert by["1002"][5] == "18"  # 10% late penalty
    assert by["1003"][0] == "O'Brien-Núñez, Ana María" and by["1003"][5] == "20"
    assert by["1004"][5] == "0"  # on the roster, nothing submitted
    assert by["1099"][5] == "12.00"  # the test student left alone
    assert "not in canvas_gradebook.csv (no row to fill): canvas:1050" in result.output
    percent = tmp_path / "percent.csv"
    assert run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "canvas", "--roster",
               FIXTURES / "canvas_gradebook.csv", "--out", percent, "--as", "percent").exit_code == 0
    assert {row[1]: row[5] for row in read_csv(percent)[3:]}["1002"] == "90%"


def test_report_to_canvas_without_a_matching_column_names_the_file_and_the_fix(canvas_graded, tmp_path):
    roster = tmp_path / "export.csv"
    roster.write_text("Student,ID,Section,Week 1 (77)\n\"Smith, John\",1002,A,\n", encoding="utf-8")
    result = run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "canvas",
                 "--roster", roster, "--out", tmp_path / "x.csv")
    assert result.exit_code == 2 and f"{roster}:1: no column for assignment 'optim'" in result.output
    assert "--column" in result.output and "'Week 1 (77)'" in result.output


def test_a_moodle_download_goes_back_as_worksheet_and_feedback_zip(moodle_download, tmp_path):
    rows, output = batch(moodle_download, tmp_path, "--roster", FIXTURES / "moodle_worksheet.csv",
                         "--late-policy", "10%/day")
    assert rows["moodle:2102"]["late_days"] == 2 and rows["moodle:2102"]["late_source"] == "lms"  # 1 day 2 hours
    assert rows["moodle:2101"]["late_days"] == 0 and rows["moodle:2150"]["score"] == 0
    assert rows["moodle:2103"]["message"].startswith("missing:")
    assert "onlinetext (not a file submission)" in output
    out = tmp_path / "worksheet.csv"
    result = run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "moodle",
                 "--roster", FIXTURES / "moodle_worksheet.csv", "--out", out)
    assert result.exit_code == 0, result.output
    table = read_csv(out)
    assert table[0] == read_csv(FIXTURES / "moodle_worksheet.csv")[0]
    by = {row[0]: dict(zip(table[0], row)) for row in table[1:]}
    assert by["Participant 2101"]["Grade"] == "20" and by["Participant 2102"]["Grade"] == "16"
    assert "2 days late: 20% penalty" in by["Participant 2102"]["Feedback comments"]
    assert by["Participant 2103"]["Grade"] == "0"
    assert by["Participant 2101"]["Last modified (submission)"] == "Monday, 2 March 2026, 11:58 PM"
    with zipfile.ZipFile(tmp_path / "worksheet-feedback-files.zip") as zf:
        names = sorted(zf.namelist())
        assert names == ["Ana María O'Brien-Núñez_2102_assignsubmission_file_/feedback.html",
                         "Jörg Müller_2101_assignsubmission_file_/feedback.html",
                         "Wei Chen_2103_assignsubmission_file_/feedback.html"]
        assert "moodle:2101" in zf.read(names[1]).decode("utf-8")


def test_adjustments_survive_regrades_and_show_in_every_output(canvas_graded, canvas_download, tmp_path):
    result = run("adjust", "canvas:1001", "--assignment", "optim", "--points", "-2", "--note", "plagiarised docstring",
                 "--gradebook", tmp_path / "gb.db")
    assert result.exit_code == 0, result.output
    rows, _ = batch(canvas_download, tmp_path, "--roster", FIXTURES / "canvas_gradebook.csv", "--regrade",
                    "--csv", tmp_path / "out" / "r.csv", "--gradescope", tmp_path / "out" / "gs",
                    "--junit", tmp_path / "out" / "r.xml", "--html", tmp_path / "out" / "html")
    junit = (tmp_path / "out" / "r.xml").read_text(encoding="utf-8")
    assert 'name="adjustment" value="-2"' in junit and "plagiarised docstring" in junit
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "html" / "students").iterdir())
    assert "Adjustment -2 points: plagiarised docstring" in pages
    assert rows["canvas:1001"]["score"] == FULL - 2
    assert "Adjustment -2 points: plagiarised docstring" in rows["canvas:1001"]["message"]
    with open(tmp_path / "out" / "r.csv", newline="", encoding="utf-8") as fh:
        assert {r["student"]: r for r in csv.DictReader(fh)}["canvas:1001"]["adjustment"] == "-2"
    index = json.loads((tmp_path / "out" / "gs" / "index.json").read_text())
    folder = next(f for f, s in index.items() if s == "canvas:1001")
    assert "plagiarised docstring" in json.loads((tmp_path / "out" / "gs" / folder / "results.json").read_text())["output"]
    out = tmp_path / "canvas.csv"
    assert run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "canvas",
               "--roster", FIXTURES / "canvas_gradebook.csv", "--out", out).exit_code == 0
    assert float({row[1]: row[5] for row in read_csv(out)[3:]}["1001"]) == pytest.approx((FULL - 2) / FULL * 20, abs=1e-6)
    unknown = run("adjust", "nobody", "--assignment", "optim", "--points", "1", "--note", "x",
                  "--gradebook", tmp_path / "gb.db")
    assert unknown.exit_code == 2 and "no student 'nobody'" in unknown.output


def test_extensions_from_course_toml_style_csv_feed_the_late_policy(canvas_download, tmp_path):
    extensions = tmp_path / "extensions.csv"
    extensions.write_text("student,days\njsmith,3\n", encoding="utf-8")  # by SIS login
    rows, _ = batch(canvas_download, tmp_path, "--roster", FIXTURES / "canvas_gradebook.csv",
                    "--late-policy", "10%/day", "--extensions", extensions)
    assert rows["canvas:1002"]["late_days"] == 0 and rows["canvas:1002"]["score"] == FULL


def test_batch_with_the_wrong_lms_named_stops_with_the_file_and_the_fix(canvas_download, tmp_path):
    result = run("batch", canvas_download, "--assignment", "optim", "--solutions", SOLUTIONS, "--from", "moodle",
                 "--gradebook", tmp_path / "gb.db")
    assert result.exit_code == 2
    assert f"{canvas_download}: a Canvas download, not a Moodle one" in result.output and "--from canvas" in result.output


def test_report_to_an_lms_needs_its_file(canvas_graded, tmp_path):
    result = run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "moodle",
                 "--roster", FIXTURES / "canvas_gradebook.csv", "--out", tmp_path / "w.csv")
    assert result.exit_code == 2 and "a Canvas gradebook export, not a Moodle grading worksheet" in result.output
    result = run("report", "--gradebook", tmp_path / "gb.db", "--assignment", "optim", "--to", "canvas")
    assert result.exit_code == 2 and "--roster" in result.output


def test_extensions_in_course_toml_are_read_and_bad_ones_name_the_key(tmp_path):
    from grader.config import ConfigError, load_config

    good = tmp_path / "course.toml"
    good.write_text('[assignments.optim.extensions]\njsmith = 2\n"ana@uni.example" = 2030-03-05T23:59:00+01:00\n')
    extensions = load_config(good).assignment("optim").extensions
    assert extensions.find(["JSmith"]).days == 2
    assert extensions.find(["ana@uni.example"]).due.isoformat() == "2030-03-05T22:59:00+00:00"
    bad = tmp_path / "bad.toml"
    bad.write_text('[assignments.optim.extensions]\njsmith = "soon"\n')
    with pytest.raises(ConfigError, match=r"\[assignments.optim.extensions\]: jsmith: 'soon' is neither"):
        load_config(bad)
