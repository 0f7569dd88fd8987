"""The commands in-process (click's CliRunner) and as subprocesses: generate, verify, submit."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args, cwd=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def course(tmp_path):
    """A copy of the built-in course's solutions, templates and pack for one assignment."""
    for name in ("solutions/sigmoid", "assignments/sigmoid", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_generate_check_detects_edited_missing_and_extra_files(course):
    args = ["generate", "sigmoid", "--solutions", str(course / "solutions"), "--out", str(course / "assignments"),
            "--templates", str(course / "templates"), "--check"]
    assert invoke(*args).exit_code == 0
    stub = course / "assignments" / "sigmoid" / "sigmoid.py"
    stub.write_text(stub.read_text() + "\n# edited by hand\n")
    (course / "assignments" / "sigmoid" / "notes.txt").write_text("stray")
    (course / "assignments" / "sigmoid" / "README.md").unlink()
    r = invoke(*args)
    assert r.exit_code == 1
    assert "stale:" in r.output and "sigmoid.py" in r.output
    assert "extra:" in r.output and "notes.txt" in r.output
    assert "missing:" in r.output and "README.md" in r.output
    assert invoke(*args[:-1]).exit_code == 0  # regenerate
    assert invoke(*args).exit_code == 0
    assert not (course / "assignments" / "sigmoid" / "notes.txt").exists()


def test_generate_is_deterministic(course, tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    for out in (out1, out2):
        assert invoke("generate", "--solutions", str(course / "solutions"), "--out", str(out),
                      "--templates", str(course / "templates")).exit_code == 0
    files1 = sorted(p.relative_to(out1) for p in out1.rglob("*") if p.is_file())
    assert files1 == sorted(p.relative_to(out2) for p in out2.rglob("*") if p.is_file())
    assert all((out1 / f).read_bytes() == (out2 / f).read_bytes() for f in files1)


def test_marker_error_is_a_clear_message_not_a_traceback(course):
    src = course / "solutions" / "sigmoid" / "sigmoid.py"
    src.write_text(src.read_text() + "\n# BEGIN SOLUTION\nx = 1\n")
    r = invoke("generate", "--solutions", str(course / "solutions"), "--out", str(course / "out"))
    assert r.exit_code == 2 and "sigmoid.py:" in r.output and "never closed" in r.output


def test_verify_passes_and_fails_for_the_right_reasons(course):
    r = invoke("verify", "sigmoid", "--solutions", str(course / "solutions"))
    assert r.exit_code == 0, r.output
    assert "ok   reference" in r.output and "ok   stub" in r.output
    mistakes = course / "solutions" / "sigmoid" / "mistakes.py"
    mistakes.write_text(mistakes.read_text() + '''

import sigmoid as _reference


@mistake("sigmoid", hint="Indistinguishable from the reference.")
def sigmoid_same_as_reference(x):
    return _reference.sigmoid(x)
''')
    r = invoke("verify", "sigmoid", "--solutions", str(course / "solutions"))
    assert r.exit_code == 1
    assert "FAIL mistake sigmoid_same_as_reference: loses no points" in r.output


@pytest.fixture
def pack(tmp_path):
    shutil.copytree(ROOT / "assignments" / "optim", tmp_path / "optim")
    return tmp_path / "optim"


def submit(pack, *extra):
    return subprocess.run([sys.executable, "-m", "grader.cli", "submit", "--student", "ada", *extra],
                          cwd=pack, capture_output=True, text=True, timeout=120)


def test_submit_stub_fails_with_exit_1_and_writes_an_archive(pack):
    done = submit(pack)
    assert done.returncode == 1, done.stderr
    assert "total: 0/" in done.stdout and "NotImplementedError" in done.stdout
    archive = pack / "optim-submission.zip"
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert names == {"optim.py", "optim.ipynb", "manifest.json"}
    assert manifest["student"] == "ada" and manifest["assignment"] == "optim" and manifest["graded"] == "optim.py"
    assert set(manifest["files"]) == {"optim.py", "optim.ipynb"} and manifest["submitted_at"].endswith("Z")


def test_submit_reference_passes_with_exit_0_and_json(pack, tmp_path):
    shutil.copy(ROOT / "solutions" / "optim" / "optim.py", pack / "optim.py")
    done = submit(pack, "--json", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["score"] == result["max_score"] and result["status"] == "graded"
    assert all(c["status"] == "passed" for c in result["checks"])
    assert not any(c["visibility"] == "hidden" for c in result["checks"])  # the pack holds public checks only


def test_submit_grades_the_notebook_when_that_is_what_was_edited(pack):
    nb = nbformat.read(pack / "optim.ipynb", as_version=4)
    reference = (ROOT / "solutions" / "optim" / "optim.py").read_text().split("\nif __name__")[0]
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[0].source = reference
    for c in code[1:-1]:
        c.source = "# (moved into the first cell)"
    nbformat.write(nb, pack / "optim.ipynb")
    r = CliRunner().invoke(main, ["submit", str(pack), "--student", "ada", "--no-archive"])
    assert r.exit_code == 0, r.output
    assert "total: " in r.output and "error" not in r.output.split("total:")[0].split("status")[1]


def test_submit_usage_errors_exit_2(tmp_path):
    r = CliRunner().invoke(main, ["submit", str(tmp_path)])
    assert r.exit_code == 2 and "expected.json" in r.output


def test_submit_syntax_error_is_not_gradable(pack):
    (pack / "optim.py").write_text("def sgd(:\n")
    done = submit(pack, "--no-archive")
    assert done.returncode == 1
    assert "not gradable" in done.stdout and "SyntaxError" in done.stdout and "line 1" in done.stdout
