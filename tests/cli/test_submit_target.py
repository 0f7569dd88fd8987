"""`grade submit` on what an instructor or a student points it at: a solutions folder previews the
reference, a folder holding no assignment gets the command to type, the file graded is named with
why, and a zygote started early never outlives the command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.errors import AuthoringError
from grader.cli import main
from grader.grading.submit import submit
from grader.sandbox.launch import launch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course root holding one assignment's solutions folder and its pack."""
    for name in ("solutions/sigmoid", "assignments/sigmoid"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_submit_on_a_solutions_folder_previews_the_reference_and_writes_no_archive(course: Path) -> None:
    folder = course / "solutions" / "sigmoid"
    before = sorted(p.name for p in folder.iterdir())
    r = CliRunner().invoke(main, ["submit", str(folder)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert f"previewing {folder}: the reference solution" in r.output
    assert "graded sigmoid.py: the reference solution" in r.output
    assert "handing in as" not in r.output and "archive to hand in" not in r.output
    assert "hidden" not in r.output.split("total:")[0]  # public checks only, as a student sees them
    total = r.output.split("total: ")[1].split()[0]
    scored, out_of = total.split("/")
    assert scored == out_of
    assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == \
        sorted(n for n in before if n != "__pycache__")


def test_assignment_names_a_folder_inside_the_path(course: Path) -> None:
    r = CliRunner().invoke(main, ["submit", str(course / "solutions"), "--assignment", "sigmoid"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "graded sigmoid.py: the reference solution" in r.output


def test_a_course_root_is_told_the_commands_that_work(course: Path) -> None:
    old = os.getcwd()
    os.chdir(course)
    try:
        r = CliRunner().invoke(main, ["submit", "--assignment", "sigmoid"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert r.exit_code == 2
    assert "neither this folder nor sigmoid holds an assignment" in r.output
    assert "grade submit assignments/sigmoid" in r.output
    assert "grade submit solutions/sigmoid" in r.output
    assert "pass --assignment" not in r.output


def _edit_notebook(pack: Path) -> None:
    nb = nbformat.read(pack / "sigmoid.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("# my own note"))
    nbformat.write(nb, pack / "sigmoid.ipynb")


def test_submit_names_the_notebook_it_graded_when_only_the_notebook_was_edited(course: Path) -> None:
    pack = course / "assignments" / "sigmoid"
    _edit_notebook(pack)
    r = CliRunner().invoke(main, ["submit", str(pack), "--student", "ada", "--no-archive"])
    assert "graded sigmoid.ipynb: the one you edited (sigmoid.py is as the pack gave it, not graded)" in r.output


def test_submit_says_which_of_two_edited_files_it_graded_and_how_to_grade_the_other(course: Path) -> None:
    pack = course / "assignments" / "sigmoid"
    _edit_notebook(pack)
    stub = pack / "sigmoid.py"
    stub.write_text(stub.read_text() + "\n# edited too\n")
    os.utime(pack / "sigmoid.ipynb", (1_000_000_000, 1_000_000_000))  # the .py was saved last
    r = CliRunner().invoke(main, ["submit", str(pack), "--student", "ada", "--no-archive"])
    assert ("graded sigmoid.py: you edited both it and sigmoid.ipynb, and saved sigmoid.py last; sigmoid.ipynb "
            "was not graded (to grade sigmoid.ipynb instead: --notebook sigmoid.ipynb)") in r.output
    r = CliRunner().invoke(main, ["submit", str(pack), "--student", "ada", "--no-archive",
                                  "--notebook", "sigmoid.ipynb"])
    assert "graded sigmoid.ipynb, as asked; sigmoid.py was not graded" in r.output


def test_a_zygote_started_early_is_stopped_when_the_submission_cannot_be_read(course: Path) -> None:
    pack = course / "assignments" / "sigmoid"
    (pack / "expected.json").write_text("{ not json")
    launched = launch([str(pack / "checks.py")], "fork" if hasattr(os, "fork") else "spawn")
    with pytest.raises(AuthoringError, match="expected.json: not valid JSON"):
        submit(pack, student="ada", launched=launched)
    assert launched.proc is None or launched.proc.poll() is not None
    assert launched.control is None or launched.control.fileno() == -1
    assert not Path(launched.home).exists()


def test_a_failing_submit_prints_no_traceback_from_the_zygote(course: Path) -> None:
    pack = course / "assignments" / "sigmoid"
    (pack / "expected.json").write_text("{ not json")
    done = subprocess.run([sys.executable, "-m", "grader.cli", "submit", "--student", "ada"], cwd=pack,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "expected.json: not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
