"""Reading LMS downloads and rosters: names, latest resubmissions, late markers, what is skipped,
and clear errors naming the file (and line) for input that cannot be used."""

import csv
import zipfile
from datetime import timedelta

import pytest

from grader.lms import canvas, moodle
from grader.lms.intake import IntakeError, read_download
from grader.lms.roster import RosterError, read_roster

from lms_downloads import FIXTURES, REFERENCE


def test_canvas_names_give_user_late_marker_and_original_file():
    name = canvas.parse("de_la_cruzana_LATE_12_34_optim-2.py")
    assert (name.lastfirst, name.user_id, name.attachment_id, name.late, name.file) == \
        ("de_la_cruzana", "12", 34, True, "optim-2.py")
    assert canvas.resubmission("optim-2.py") == ("optim.py", 2)
    assert canvas.parse("alice.py") is None and canvas.parse("folder/smith_1_2_optim.py") is None


def test_moodle_names_in_folders_or_flat():
    folder = moodle.parse("Jörg Müller_2101_assignsubmission_file_/sub/optim.py")
    assert (folder.fullname, folder.participant, folder.file) == ("Jörg Müller", "2101", "sub/optim.py")
    flat = moodle.parse("Jörg Müller_2101_assignsubmission_file_optim.py")
    assert flat.file == "optim.py" and moodle.parse("alice.py") is None


def test_canvas_roster_with_bom_crlf_and_commas_in_names():
    roster = read_roster(FIXTURES / "canvas_gradebook.csv")
    assert roster.lms == "canvas" and roster.bom and roster.newline == "\r\n"
    people = roster.by_lms_id()
    assert people["1003"].name == "O'Brien-Núñez, Ana María" and people["1003"].section == "NN 101, Thu"
    assert people["1001"].sis_id == "S1001" and people["1001"].login == "jmuller"
    assert people["1099"].test_student and not people["1001"].test_student
    assert [s.split(": ", 1)[0] for s in roster.skipped] == [f"{roster.path}:2", f"{roster.path}:3"]


def test_moodle_worksheet_says_how_late():
    roster = read_roster(FIXTURES / "moodle_worksheet.csv")
    people = roster.by_lms_id()
    assert roster.lms == "moodle" and people["2102"].email == "ana@uni.example"
    assert people["2102"].late_by == timedelta(days=1, hours=2) and people["2101"].late_by is None


def test_canvas_download_one_entry_per_user_latest_resubmission_original_name(canvas_download):
    roster = read_roster(FIXTURES / "canvas_gradebook.csv")
    intake = read_download(canvas_download, None, "optim", roster)
    try:
        assert intake.lms == "canvas"
        by = {e.student: e for e in intake.entries}
        assert set(by) == {"canvas:1001", "canvas:1002", "canvas:1003", "canvas:1050"}
        smith = by["canvas:1002"]
        path = intake.materialize(smith)
        assert path.name == "optim.py" and path.read_bytes() == REFERENCE  # the resubmission
        intake.release(smith)
        assert not path.exists()
        assert smith.timing.late is True and by["canvas:1001"].timing.late is False
        assert intake.materialize(by["canvas:1003"]).name == "optim-submission.zip"
        assert by["canvas:1001"].person.name == "Müller, Jörg"
        skipped = "\n".join(intake.skipped)
        assert "smithjohn_LATE_1002_5002_optim.py: an earlier submission of optim.py" in skipped
        assert "__MACOSX/._mllerjrg_1001_5001_optim.py: operating-system clutter" in skipped
        assert "notes.txt: not named" in skipped
        assert [e.student for e in intake.unmatched] == ["canvas:1050"]
        assert [p.name for p in intake.missing] == ["Chen, Wei"]  # the test student is never missing
        workdir = intake.workdir
    finally:
        intake.close()
    assert not workdir.exists()


def test_every_entry_of_a_download_is_graded_or_reported(canvas_download):
    intake = read_download(canvas_download, None, "optim")
    try:
        with zipfile.ZipFile(canvas_download) as zf:
            names = set(zf.namelist())
        used = {e.shown for e in intake.entries} | {s.split(": ", 1)[0] for s in intake.skipped}
        assert names <= used | {"smithjohn_LATE_1002_5010_optim-1.py"}  # graded as Smith's optim.py
    finally:
        intake.close()


def test_moodle_download_folders_online_text_skipped(moodle_download):
    roster = read_roster(FIXTURES / "moodle_worksheet.csv")
    intake = read_download(moodle_download, None, "optim", roster)
    try:
        by = {e.student: e for e in intake.entries}
        assert set(by) == {"moodle:2101", "moodle:2102", "moodle:2150"}
        assert by["moodle:2102"].timing.late_by == timedelta(days=1, hours=2)
        assert by["moodle:2101"].timing.late is False
        assert any("onlinetext.html: onlinetext (not a file submission)" in s for s in intake.skipped)
        assert [e.student for e in intake.unmatched] == ["moodle:2150"]
        assert [p.name for p in intake.missing] == ["Wei Chen"]
    finally:
        intake.close()


def test_a_download_from_the_other_lms_is_an_error_naming_the_file(canvas_download, moodle_download):
    with pytest.raises(IntakeError, match=rf"{canvas_download}: a Canvas download, not a Moodle one.*--from canvas"):
        read_download(canvas_download, "moodle", "optim")
    with pytest.raises(IntakeError, match=rf"{moodle_download}: a Moodle download, not a Canvas one"):
        read_download(moodle_download, "canvas", "optim")


def test_a_zip_no_lms_made_is_an_error_naming_the_file(tmp_path):
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("alice.py", REFERENCE)
    with pytest.raises(IntakeError, match=rf"{other}: not a Canvas or Moodle submissions download"):
        read_download(other, None, "optim")


def test_a_roster_without_an_id_column_is_an_error_naming_file_and_line(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("Student,SIS User ID,Section\n\"Smith, John\",S1,A\n", encoding="utf-8")
    with pytest.raises(RosterError, match=rf"{bad}:1: no 'ID' column"):
        read_roster(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("Student,ID\n\"Smith, John\",7\n\"Smith, J.\",7\n", encoding="utf-8")
    with pytest.raises(RosterError, match=rf"{twice}:3: Canvas user 7 appears again \(first on line 2\)"):
        read_roster(twice)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Student,ID\n\"Müller, Jörg\",7\n".encode("latin-1"))
    with pytest.raises(RosterError, match=rf"{latin}:2: not UTF-8"):
        read_roster(latin)


def test_a_moodle_download_without_folders_is_read_the_same(tmp_path):
    flat = tmp_path / "flat.zip"
    with zipfile.ZipFile(flat, "w") as zf:
        zf.writestr("Jörg Müller_2101_assignsubmission_file_optim.py", REFERENCE)
        zf.writestr("Jörg Müller_2101_assignsubmission_file_helpers.py", b"X = 1\n")
    intake = read_download(flat, None, "optim")
    try:
        [entry] = intake.entries
        folder = intake.materialize(entry)
        assert entry.student == "moodle:2101" and sorted(p.name for p in folder.iterdir()) == ["helpers.py", "optim.py"]
    finally:
        intake.close()


def test_results_graded_from_a_plain_folder_find_their_canvas_row_by_any_roster_id():
    from grader.lms.to_canvas import fill
    from grader.result import CheckResult, Result

    roster = read_roster(FIXTURES / "canvas_gradebook.csv")
    checks = [CheckResult("a", ["f"], 3, 4, "failed")]
    results = [Result.from_checks("jsmith", "optim", checks), Result.from_checks("S1003", "optim", checks),
               Result.from_checks("nobody", "optim", checks)]
    filled = fill(roster, results, "optim")
    rows = {row[1]: row for row in csv.reader(filled.data.decode("utf-8-sig").splitlines())}
    assert rows["1002"][-1] == "15" and rows["1003"][-1] == "15"  # 3/4 of Points Possible 20
    assert rows["1001"][-1] == "" and filled.unmatched == ["nobody"]


def test_an_unzipped_canvas_download_is_recognised_as_one(canvas_download, tmp_path):
    from grader.bulk.entries import collect

    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(canvas_download) as zf:
        zf.extractall(folder)
    intake = collect(folder, "auto", "optim")
    try:
        assert intake.lms == "canvas" and len(intake.entries) == 4
    finally:
        intake.close()
    plain = collect(tmp_path / "unzipped" / "__MACOSX", "auto", "optim")  # a folder no LMS named
    assert plain.lms is None
