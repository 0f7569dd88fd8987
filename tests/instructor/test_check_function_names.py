"""A check naming a function the assignment's module does not define is refused when it loads,
with the checks file, the decorator's line, the unknown name and the closest defined name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import AuthoringError
from grader.course import load_solution

from _instructor import run_cli


def _retype(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_typo_in_functions_names_the_file_line_and_the_closest_function(course: Path) -> None:
    checks = course / "solutions" / "demo" / "checks.py"
    _retype(checks, 'functions=["descend"]', 'functions=["descnd"]')
    with pytest.raises(AuthoringError) as caught:
        load_solution(course / "solutions" / "demo")
    line = _line_of(checks, '"descnd"')
    assert str(caught.value) == (f"{checks}:{line}: check 'descend_path' names 'descnd', which demo.py does not "
                                 f"define; did you mean 'descend'?")


def test_a_typo_in_a_hidden_check_is_refused_too(course: Path) -> None:
    hidden = course / "solutions" / "demo" / "hidden_checks.py"
    _retype(hidden, '"descend"', '"descent_step"')
    with pytest.raises(AuthoringError, match=rf"hidden_checks.py:\d+: check '\w+' names 'descent_step'"):
        load_solution(course / "solutions" / "demo")


def test_a_name_nothing_resembles_lists_what_the_module_defines(course: Path) -> None:
    checks = course / "solutions" / "demo" / "checks.py"
    _retype(checks, 'functions=["descend"]', 'functions=["zzz"]')
    with pytest.raises(AuthoringError, match=r"names 'zzz', which demo.py does not define; it defines: .*descend"):
        load_solution(course / "solutions" / "demo")


def test_a_function_bound_in_a_way_the_syntax_does_not_show_is_accepted(course: Path) -> None:
    folder = course / "solutions" / "demo"
    (folder / "extra_functions.py").write_text("def renamed(w):\n    return w\n")
    reference = folder / "demo.py"
    reference.write_text(reference.read_text() + "\nfrom extra_functions import *  # noqa: F403\n")
    _retype(folder / "checks.py", 'functions=["descend"]', 'functions=["descend", "renamed"]')
    assert "renamed" in load_solution(folder).public_checks[0].functions


def test_grade_generate_stops_on_the_typo_with_exit_2_and_writes_nothing(course: Path) -> None:
    _retype(course / "solutions" / "demo" / "checks.py", 'functions=["descend"]', 'functions=["Descend"]')
    done = subprocess.run([sys.executable, "-m", "grader.cli", "generate"], cwd=course, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "names 'Descend', which demo.py does not define; did you mean 'descend'?" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (course / "assignments").exists()


def test_grade_verify_in_process_reports_the_same_error(course: Path) -> None:
    _retype(course / "solutions" / "demo" / "checks.py", 'functions=["descend"]', 'functions=["descend_"]')
    done = run_cli(course, "verify")
    assert done.exit_code == 2
    assert "did you mean 'descend'?" in done.output


def test_a_question_whose_answer_variable_the_module_lacks_names_the_decorators_line(course: Path) -> None:
    folder = course / "solutions" / "demo"
    reference = folder / "demo.py"
    reference.write_text(reference.read_text() + '\nchoice = "a"  # SOLUTION\n')
    checks = folder / "checks.py"
    checks.write_text(checks.read_text() + '\n\nfrom grader.checks import question\n\n\n'
                      '@question(1, answer="choise", choices=["yes", "no"])\ndef pick():\n    """Yes or no?"""\n')
    with pytest.raises(AuthoringError) as caught:
        load_solution(folder)
    line = _line_of(checks, '"choise"')
    assert str(caught.value) == (f"{checks}:{line}: check 'pick' names 'choise', which demo.py does not define; "
                                 f"did you mean 'choice'?")
