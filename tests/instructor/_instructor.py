"""Helpers of the instructor tests: a tiny course made with `grade new`, and the CLI run from a course root."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from grader.authoring.scaffold import scaffold
from grader.cli import main

REPO = Path(__file__).resolve().parents[2]


def make_course(root: Path, name: str = "demo", config: str | None = None) -> Path:
    """``root`` as a course: course.toml (``config``, or the one `grade new` writes) and solutions/<name>/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "solutions").mkdir(exist_ok=True)
    scaffold(root / "solutions", name)
    if config is not None:
        (root / "course.toml").write_text(config, encoding="utf-8")
    return root


def run_cli(root: Path, *args: str):
    """`grade ARGS` run from ``root`` (so course.toml and solutions/ are found as a user's would be)."""
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


