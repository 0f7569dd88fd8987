"""`grade export gradescope`: the autograder zip, and its run_autograder run in a folder laid out like Gradescope's."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

requires_bash = pytest.mark.skipif(sys.platform == "win32", reason="run_autograder is a bash script")

from grader.course import load_solution
from click.testing import CliRunner

from grader.cli import main
from grader.reports.gradescope import build_autograder

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions"
SECRET = b"a course secret for tests"


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return build_autograder(SOLUTIONS, "optim", tmp_path_factory.mktemp("zip") / "autograder.zip", secret=SECRET)


def test_zip_layout(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        names = list(infos)
        assert names == sorted(names)
        for name in ("setup.sh", "run_autograder", "grade/pyproject.toml", "grade/README.md",
                     "grade/grader/__init__.py", "grade/grader/cli.py", "grade/templates/module.py.j2",
                     "solutions/optim/optim.py", "solutions/optim/checks.py", "solutions/optim/hidden_checks.py",
                     "solutions/optim/mistakes.py", "course_secret"):
            assert name in infos, name
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
        assert not any(n.startswith("solutions/") and not n.startswith("solutions/optim/") for n in names)
        for name, info in infos.items():
            mode = info.external_attr >> 16
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert stat.S_ISREG(mode)
            executable = bool(mode & 0o111)
            assert executable == (name in ("setup.sh", "run_autograder")), name
        assert zf.read("course_secret") == SECRET
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
    assert setup.startswith("#!/usr/bin/env bash\n") and run.startswith("#!/usr/bin/env bash\n")
    assert 'pip install --no-cache-dir numpy -e "$SOURCE/grade"' in setup
    assert "python3 -m venv" in setup and "set -euo pipefail" in setup
    assert 'ROOT="${AUTOGRADER_ROOT:-/autograder}"' in run
    assert "-m grader.cli batch" in run and '--solutions "$SOURCE/solutions"' in run and "--gradescope" in run
    assert "ASSIGNMENT=optim" in run
    for script in (setup, run):
        done = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert done.returncode == 0, done.stderr


def test_zip_is_reproducible(autograder_zip: Path, tmp_path: Path) -> None:
    again = build_autograder(SOLUTIONS, "optim", tmp_path / "again.zip", secret=SECRET)
    assert again.read_bytes() == autograder_zip.read_bytes()
    without = build_autograder(SOLUTIONS, "optim", tmp_path / "nosecret.zip", secret=None)
    assert "course_secret" not in zipfile.ZipFile(without).namelist()


def test_cli_export(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRADE_SECRET", SECRET.decode())
    out = tmp_path / "autograder.zip"
    done = CliRunner().invoke(main, ["export", "gradescope", "--assignment", "optim", "--out", str(out),
                                     "--solutions", str(SOLUTIONS)])
    assert done.exit_code == 0, done.output
    assert "keep it private" in done.output
    assert zipfile.ZipFile(out).read("course_secret") == SECRET
    missing = CliRunner().invoke(main, ["export", "gradescope", "--assignment", "nope", "--out", str(out),
                                        "--solutions", str(SOLUTIONS)])
    assert missing.exit_code == 2 and "no assignment named nope" in missing.output


def gradescope_folder(tmp_path: Path, zip_path: Path, files: dict[str, bytes], email: str | None) -> Path:
    """/autograder as Gradescope lays it out: source/ (the unzipped zip), submission/, results/, metadata."""
    root = tmp_path / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    users = [{"email": email, "id": 4242, "name": "Ada"}] if email else []
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": users}))
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess:
    """Run it like Gradescope would, with the already installed grade standing in for setup.sh's."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADE_PYTHON": sys.executable}
    env.pop("GRADE_SECRET", None)
    env.pop("GRADE_SECRET_FILE", None)
    return subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=300,
                          cwd=root)


def batch_available() -> bool:
    done = subprocess.run([sys.executable, "-m", "grader.cli", "batch", "--help"], capture_output=True)
    return done.returncode == 0


needs_batch = pytest.mark.skipif(not batch_available(), reason="`grade batch` is not available yet")


@needs_batch
@requires_bash
def test_run_autograder_full_marks(tmp_path: Path, autograder_zip: Path, gradescope_schema) -> None:
    optim = (SOLUTIONS / "optim" / "optim.py").read_bytes()
    root = gradescope_folder(tmp_path, autograder_zip, {"optim.py": optim}, "ada@example.edu")
    done = run_autograder(root)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    gradescope_schema(data)
    full = load_solution(SOLUTIONS / "optim").max_score
    assert data["score"] == full and all(t["status"] == "passed" for t in data["tests"])
    assert sum(t["max_score"] for t in data["tests"]) == full
    hidden = [t for t in data["tests"] if t["name"].startswith("hidden_")]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    assert all(t["visibility"] == "visible" for t in data["tests"] if not t["name"].startswith("hidden_"))


@needs_batch
@requires_bash
def test_run_autograder_wrong_and_broken_submissions(tmp_path: Path, autograder_zip: Path, gradescope_schema) -> None:
    optim = (SOLUTIONS / "optim" / "optim.py").read_text()
    root = gradescope_folder(tmp_path / "a", autograder_zip, {"optim.py": b"def sgd(:\n"}, None)
    assert run_autograder(root).returncode == 0
    data = json.loads((root / "results" / "results.json").read_text())
    gradescope_schema(data)
    assert data["score"] == 0 and "Not gradable" in data["output"] and "SyntaxError" in data["output"]
    # A wrong but gradable file: some points lost, the rest kept.
    wrong = optim.replace('next_w = w - config["learning_rate"] * dw', 'next_w = w + config["learning_rate"] * dw')
    assert wrong != optim
    root = gradescope_folder(tmp_path / "b", autograder_zip, {"optim.py": wrong.encode()}, "b@example.edu")
    assert run_autograder(root).returncode == 0
    data = json.loads((root / "results" / "results.json").read_text())
    gradescope_schema(data)
    assert 0 < data["score"] < load_solution(SOLUTIONS / "optim").max_score
    sgd = next(t for t in data["tests"] if t["name"] == "sgd_update")
    assert sgd["status"] == "failed" and sgd["score"] == 0 and sgd["output"]


@requires_bash
def test_run_autograder_reports_a_total_failure(tmp_path: Path, autograder_zip: Path, gradescope_schema) -> None:
    optim = (SOLUTIONS / "optim" / "optim.py").read_bytes()
    root = gradescope_folder(tmp_path, autograder_zip, {"optim.py": optim}, "ada@example.edu")
    shutil.rmtree(root / "source" / "solutions")  # grading cannot run at all
    done = run_autograder(root)
    assert done.returncode == 0
    data = json.loads((root / "results" / "results.json").read_text())
    gradescope_schema(data)
    assert data["score"] == 0 and "could not grade" in data["output"]


@requires_bash
def test_run_autograder_without_a_working_python(tmp_path: Path, autograder_zip: Path, gradescope_schema) -> None:
    root = gradescope_folder(tmp_path, autograder_zip, {"optim.py": b""}, "ada@example.edu")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADE_PYTHON": str(tmp_path / "no-python")}
    done = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    data = json.loads((root / "results" / "results.json").read_text())
    gradescope_schema(data)
    assert data["score"] == 0 and "could not grade" in data["output"]
