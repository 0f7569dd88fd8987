"""A solution line that the stub would reveal is refused with both places named: the line inside
the region and the copy outside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring.generate import check_no_leak
from grader.stubs import render_stub
from grader.errors import AuthoringError

from _instructor import make_course, run_cli

SOURCE = '''"""Two copies of one line."""


def given(x):
    total = x * 2 + 1
    return total


def student(x):
    # BEGIN SOLUTION
    total = x * 2 + 1
    return total
    # END SOLUTION
'''


def test_the_error_names_the_region_line_and_the_copy_outside_it(tmp_path: Path) -> None:
    path = tmp_path / "twice.py"
    stub = render_stub(SOURCE, str(path), "twice", None)
    with pytest.raises(AuthoringError) as caught:
        check_no_leak(path, SOURCE, stub)
    assert str(caught.value) == (f"{path}:11: solution line 'total = x * 2 + 1' also stands at {path}:5, outside "
                                 f"the region, so the stub would reveal it; rephrase one of them")


def test_grade_generate_says_where_both_copies_are(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    reference = course / "solutions" / "demo" / "demo.py"
    text = reference.read_text()
    line = "        gradient = 2.0 * (w - target)\n"
    assert line in text
    text = text.replace("    w = np.array(w, dtype=float)\n",
                        "    w = np.array(w, dtype=float)\n    if False:\n" + line, 1)
    reference.write_text(text)
    copy = text.splitlines().index(line.rstrip("\n")) + 1
    region = text.splitlines().index(line.rstrip("\n"), copy) + 1
    done = run_cli(course, "generate")
    assert done.exit_code == 2
    assert f"demo.py:{region}: solution line 'gradient = 2.0 * (w - target)' also stands at " in done.output
    assert f"demo.py:{copy}, outside the region" in done.output
