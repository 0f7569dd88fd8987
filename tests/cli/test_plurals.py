"""Counts in the commands' output agree with their nouns: "1 assignment", "2 assignments"."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.templating import environment
from grader.wording import plural


def test_plural_uses_the_singular_for_exactly_one_and_the_plural_otherwise() -> None:
    assert plural(1, "assignment") == "1 assignment"
    assert plural(0, "assignment") == "0 assignments"
    assert plural(2, "entry", "entries") == "2 entries"
    assert plural(1.0, "point") == "1 point"
    assert plural(1.5, "point") == "1.5 points"
    assert plural(1, "check fails", "checks fail") == "1 check fails"


def test_templates_have_the_plural_filter() -> None:
    text = environment(None).from_string('{{ n | plural("figure") }}')
    assert text.render(n=1) == "1 figure" and text.render(n=3) == "3 figures"


def test_a_course_of_one_assignment_with_one_hidden_check_reads_in_the_singular(tmp_path: Path) -> None:
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    old = os.getcwd()
    os.chdir(root)
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["new", "descent"], catch_exceptions=False).exit_code == 0
        generated = runner.invoke(main, ["generate"], catch_exceptions=False)
        checked = runner.invoke(main, ["generate", "--check"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert generated.exit_code == 0 and "generated 1 assignment into" in generated.output
    assert checked.exit_code == 0 and "pack is up to date (1 assignment)" in checked.output
    readme = " ".join((root / "assignments" / "descent" / "README.md").read_text().split())
    assert "1 hidden check worth 1 point runs on inputs of its own." in readme
    assert "Public checks: 2 points." in readme
