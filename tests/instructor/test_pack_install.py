"""A student with nothing but the pack: a fresh virtual environment, the two lines the README starts
with, and the table of checks. The grader comes from the zip's wheels/, its dependencies from the
package index as for any install (so this test needs the index, as `pip install` does)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from _instructor import REPO, run_cli

pytestmark = pytest.mark.skipif(os.name == "nt", reason="follows the README's Linux and macOS lines (bash)")


def readme_lines(readme: str, heading: str) -> list[str]:
    """The lines of the first code block after ``heading`` in the pack's README."""
    after = readme.split(heading, 1)[1]
    block = re.search(r"```\n(.*?)\n```", after, re.S)
    assert block, f"no code block after {heading!r}"
    return block.group(1).splitlines()


def test_a_student_installs_from_the_zip_alone_and_gets_the_table(tmp_path: Path) -> None:
    done = run_cli(REPO, "pack", "optim", "--out", str(tmp_path / "packs"))
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(tmp_path / "packs" / "optim.zip") as zf:
        zf.extractall(tmp_path / "student")
    folder = tmp_path / "student" / "optim"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    install, run = readme_lines(readme, "Linux and macOS:")
    windows = readme_lines(readme, "Windows (PowerShell):")
    assert len(windows) == 2 and "Scripts\\grade submit" in windows[1] and "wheels\\numgrade-" in windows[0]
    shutil.copy(REPO / "solutions" / "optim" / "optim.py", folder / "optim.py")  # a student who got it right
    # The README's own line, run by the interpreter under test (the student's `python3` may be another one).
    assert install.startswith("python3 -m venv .venv && ")
    install = install.replace("python3", f'"{sys.executable}"', 1)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\temail = ana.lee@uni.example\n")  # the student's own git identity
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GRADE_", "PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE"))}
    env.update(GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1")
    installed = subprocess.run(["bash", "-c", install], cwd=folder, env=env, capture_output=True, text=True,
                               timeout=900)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    where = subprocess.run([".venv/bin/python", "-c", "import grader; print(grader.__file__)"], cwd=folder,
                           env=env, capture_output=True, text=True, timeout=60)
    assert str(folder / ".venv") in where.stdout  # the wheel's grader, not this checkout's
    graded = subprocess.run(["bash", "-c", run], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "handing in as: ana.lee@uni.example" in graded.stdout
    assert re.search(r"total: (\d+(?:\.\d+)?)/\1\b", graded.stdout), graded.stdout
    assert (folder / "optim-submission.zip").is_file()
