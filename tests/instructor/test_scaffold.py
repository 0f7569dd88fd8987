"""`grade new NAME`: a scaffold that `grade generate` and `grade verify` accept straight away."""

from __future__ import annotations


from pathlib import Path

import pytest

from grader.markers import parse
from grader.config import load_config, tomllib

from _instructor import run_cli


def test_new_then_generate_then_verify_in_a_fresh_course(tmp_path: Path) -> None:
    root = tmp_path / "my-course"
    (root / "solutions").mkdir(parents=True)
    done = run_cli(root, "new", "descent")
    assert done.exit_code == 0, done.output
    folder = root / "solutions" / "descent"
    assert sorted(p.name for p in folder.iterdir()) == ["checks.py", "descent.py", "hidden_checks.py", "mistakes.py"]
    config = load_config(root / "course.toml")  # created, since the course had none
    assert config.name == "my-course" and "descent" in config.assignments

    done = run_cli(root, "generate", "descent")
    assert done.exit_code == 0, done.output
    pack = root / "assignments" / "descent"
    assert {"descent.py", "descent.ipynb", "checks.py", "expected.json", "README.md"} <= {p.name for p in pack.iterdir()}
    assert not (pack / "hidden_checks.py").exists() and not (pack / "mistakes.py").exists()

    done = run_cli(root, "verify", "descent")
    assert done.exit_code == 0, done.output
    assert "ok   reference: 3/3" in done.output and "ok   stub: 0/3" in done.output
    assert "ok   mistake descend_uphill: loses 3 points" in done.output
    assert run_cli(root, "generate", "--check").exit_code == 0


def test_the_scaffold_shows_every_marker_form_and_each_kind_of_file(course: Path) -> None:
    folder = course / "solutions" / "demo"
    source = (folder / "demo.py").read_text()
    styles = {r.style for r in parse(source, "demo.py").regions}
    assert styles == {"names", "inline", "raise"}
    assert "@check(" in (folder / "checks.py").read_text()
    assert "hidden=True" in (folder / "hidden_checks.py").read_text()
    assert "@mistake(" in (folder / "mistakes.py").read_text()


def test_new_appends_its_section_and_keeps_the_file_as_it_was(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "solutions").mkdir(parents=True)
    original = ('# my course, my comments\nname = "Course"   # trailing comment\n\n[grading]\n'
                'check_timeout = 2  # fast\n\n[assignments.first]\npoints = 5')  # no final newline
    (root / "course.toml").write_text(original)
    (root / "solutions" / "first").mkdir()
    (root / "solutions" / "first" / "first.py").write_text("x = 1\n")
    done = run_cli(root, "new", "second", "--title", "The second one")
    assert done.exit_code == 0, done.output
    text = (root / "course.toml").read_text()
    assert text.startswith(original + "\n\n[assignments.second]\n")
    data = tomllib.loads(text)
    assert data["assignments"]["first"] == {"points": 5}
    assert data["assignments"]["second"] == {"title": "The second one"}
    assert data["grading"] == {"check_timeout": 2}
    generated = run_cli(root, "generate", "second")
    assert generated.exit_code == 0, generated.output
    assert (root / "assignments" / "second" / "README.md").read_text().startswith("# The second one\n")


@pytest.mark.parametrize("name, message", [
    ("2fast", "not a valid assignment name"),
    ("my-assignment", "not a valid assignment name"),
    ("déjà", "not a valid assignment name"),
    ("class", "is a Python keyword"),
    ("random", "would shadow the module"),
    ("numpy", "would shadow the module"),
    ("checks", "would shadow the module"),
])
def test_new_refuses_names_that_cannot_be_assignments(course: Path, name: str, message: str) -> None:
    before = (course / "course.toml").read_text()
    done = run_cli(course, "new", name)
    assert done.exit_code == 2 and message in done.output, done.output
    assert not (course / "solutions" / name).exists()
    assert (course / "course.toml").read_text() == before


def test_new_refuses_an_existing_assignment(course: Path) -> None:
    before = (course / "course.toml").read_text()
    done = run_cli(course, "new", "demo")
    assert done.exit_code == 2 and "solutions/demo already exists" in done.output
    (course / "course.toml").write_text(before + "\n[assignments.ghost]\n")
    done = run_cli(course, "new", "ghost")
    assert done.exit_code == 2 and "[assignments.ghost] already exists" in done.output
    assert not (course / "solutions" / "ghost").exists()


def test_new_refuses_to_touch_a_broken_course_toml(course: Path) -> None:
    (course / "course.toml").write_text("[grading]\njobs = -1\n")
    done = run_cli(course, "new", "other")
    assert done.exit_code == 2 and "course.toml: [grading] jobs must be a whole number" in done.output
    assert not (course / "solutions" / "other").exists()
