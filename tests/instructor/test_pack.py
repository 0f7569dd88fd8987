"""`grade pack`: reproducible student zips, rendered afresh, refused when anything would leak."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.authoring.generate import render_assignment
from grader.authoring.pack import PackLeak, build_pack, leaks, pack_files
from grader.authoring.wheel import build_wheel
from grader.course import assignment_folders, load_solution

from _instructor import REPO, run_cli


def test_the_optim_pack(tmp_path: Path) -> None:
    done = run_cli(REPO, "pack", "optim", "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    path = tmp_path / "optim.zip"
    assert f"wrote {path}" in done.output
    optim = load_solution(REPO / "solutions" / "optim")
    wheel = build_wheel()
    expected = pack_files(optim, None, wheel)
    assert {k: v for k, v in expected.items() if k != "README.md" and not k.startswith("wheels/")} == \
        {k: v for k, v in render_assignment(optim, None, figures=True).files.items() if k != "README.md"}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) == sorted(f"optim/{rel}" for rel in expected)
        assert {"optim/optim.py", "optim/optim.ipynb", "optim/checks.py", "optim/expected.json",
                "optim/README.md", f"optim/wheels/{wheel.filename}",
                "optim/figures/valley.png", "optim/figures/weighted_averages.png", "optim/figures/drawn-with.txt"} == set(names)
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644 and stat.S_ISREG(info.external_attr >> 16)
            assert zf.read(info) == expected[info.filename.split("/", 1)[1]]
        assert "grade submit" in zf.read("optim/README.md").decode()


def test_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = run_cli(REPO, "pack", "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    second = run_cli(REPO, "pack", "--out", str(tmp_path / "b"))
    assert second.exit_code == 0, second.output
    zips = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(zips) == len(assignment_folders(REPO / "solutions")) and zips == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in zips:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_file_times_and_permissions_do_not_change_the_bytes(course: Path, tmp_path: Path) -> None:
    demo = load_solution(course / "solutions" / "demo")
    before = build_pack(demo)
    for p in (course / "solutions" / "demo").iterdir():
        os.utime(p, (1_000_000_000, 1_000_000_000))
        p.chmod(0o600)
    assert build_pack(load_solution(course / "solutions" / "demo")) == before


def test_built_from_a_fresh_render_not_the_committed_folder(course: Path) -> None:
    assert run_cli(course, "generate").exit_code == 0
    committed = course / "assignments" / "demo"
    (committed / "notes-to-self.txt").write_text("answers: ...")
    (committed / "demo.py").write_text("stale")
    assert run_cli(course, "pack", "--out", "packs").exit_code == 0
    with zipfile.ZipFile(course / "packs" / "demo.zip") as zf:
        assert "demo/notes-to-self.txt" not in zf.namelist()
        fresh = render_assignment(load_solution(course / "solutions" / "demo"), None).files
        assert zf.read("demo/demo.py") == fresh["demo.py"] != b"stale"


def test_a_student_unzips_it_and_runs_grade_submit(course: Path, tmp_path: Path) -> None:
    assert run_cli(course, "pack", "--out", "packs").exit_code == 0
    student = tmp_path / "student"
    with zipfile.ZipFile(course / "packs" / "demo.zip") as zf:
        zf.extractall(student)
    folder = student / "demo"
    shutil.copy(course / "solutions" / "demo" / "demo.py", folder / "demo.py")  # a student who got it right
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "submit", "--student", "ada", "--no-archive"],
                          cwd=folder, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2/2" in done.stdout


# ------------------------------------------------------------------ the leak check

def refused(course: Path) -> str:
    done = run_cli(course, "pack", "--out", "packs")
    assert done.exit_code == 2, done.output
    assert not (course / "packs").exists() or not any((course / "packs").iterdir())
    return done.output


def test_a_solution_line_in_a_shipped_file_is_refused(course: Path) -> None:
    checks = course / "solutions" / "demo" / "checks.py"
    checks.write_text(checks.read_text() + "\n\ndef _helper(w, target):\n    gradient = 2.0 * (w - target)\n"
                      "    return gradient\n")
    output = refused(course)
    assert "refusing to write the demo pack" in output
    assert "checks.py:" in output and "holds the solution line 'gradient = 2.0 * (w - target)'" in output
    assert "solutions/demo/demo.py:" in output


def test_instructor_files_among_the_data_are_refused(course: Path) -> None:
    data = course / "solutions" / "demo" / "data"
    data.mkdir()
    shutil.copy(course / "solutions" / "demo" / "hidden_checks.py", data / "hidden_checks.py")
    output = refused(course)
    assert "data/hidden_checks.py: hidden_checks.py is instructor material" in output
    assert "names the hidden check 'hidden_descend_path'" in output


def test_hidden_check_names_and_the_secret_are_refused(course: Path) -> None:
    demo = load_solution(course / "solutions" / "demo")
    files = pack_files(demo)
    assert leaks(demo, files, secret=b"a long course secret") == []
    files["README.md"] += b"\nAfter the deadline, hidden_descend_path runs on your code.\n"
    files["data/seed.txt"] = b"a long course secret"
    files["data/demo_solution.py"] = (course / "solutions" / "demo" / "demo.py").read_bytes()
    problems = leaks(demo, files, secret=b"a long course secret")
    assert "README.md: names the hidden check 'hidden_descend_path'" in problems
    assert "data/seed.txt: holds the course secret" in problems
    assert "data/demo_solution.py: is the reference solution demo.py itself" in problems
    assert any(p.startswith("data/demo_solution.py:") and "solution line" in p for p in problems)


def test_a_leaking_pack_writes_no_zip_at_all(course: Path, tmp_path: Path) -> None:
    """Every pack is checked before any is written, so one leak leaves the folder untouched."""
    from _instructor import make_course

    make_course(course, "other")
    (course / "solutions" / "other" / "checks.py").write_text(
        (course / "solutions" / "other" / "checks.py").read_text() + "\n# gradient = 2.0 * (w - target)\n"
        "EXAMPLE = 'see hidden_descend_path'\n")
    output = refused(course)
    assert "other pack" in output and "hidden_descend_path" in output
    with pytest.raises(PackLeak):
        build_pack(load_solution(course / "solutions" / "other"))
