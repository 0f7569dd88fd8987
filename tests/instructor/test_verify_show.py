"""`grade verify --show` previews each known mistake's feedback as a student sees it, and warnings the
instructor's own code raises are reported once by `grade verify`, never printed by other commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _instructor import make_course, run_cli

EXPLODES = '''

@mistake("descend", hint="Your steps explode: the gradient is 2 * (w - target), not an exponential.")
def descend_explodes(w, target, learning_rate=0.1, steps=5):
    w = np.array(w, dtype=float)
    path = []
    for _ in range(steps):
        w = w * np.exp(np.full_like(w, 1000.0))
        path.append(w.copy())
    return np.stack(path)
'''


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_show_prints_each_mistakes_checks_hints_and_withheld_hidden_messages(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    done = run_cli(course, "verify", "--show")
    assert done.exit_code == 0, done.output
    shown = done.output.split("demo: mistake descend_uphill (in descend)", 1)[1]
    flat = _flat(shown)
    assert "hint: Your steps go uphill: subtract learning_rate * gradient from w, do not add it." in flat
    public_row = flat.split("descend_path", 1)[1].split("hidden_descend_path", 1)[0]
    assert "failed" in public_row and "values differ" in public_row  # a public check says what differs
    hidden_row = flat.split("hidden_descend_path", 1)[1].split("total:", 1)[0]
    assert "this is a hidden check: what differs is not shown" in hidden_row
    assert "values differ" not in hidden_row and "expected" not in hidden_row  # nothing of the hidden inputs
    assert "total: 0/3" in flat


def test_verify_without_show_prints_no_student_tables(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    done = run_cli(course, "verify")
    assert done.exit_code == 0, done.output
    assert "(in descend)" not in done.output


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_mistakes_numpy_warning_is_a_note_of_verify_naming_the_mistake_and_its_file(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    mistakes = course / "solutions" / "demo" / "mistakes.py"
    mistakes.write_text(mistakes.read_text() + EXPLODES)
    line = _line_of(mistakes, "np.exp(np.full_like")
    note = (f"note mistake descend_explodes: solutions/demo/mistakes.py:{line}: RuntimeWarning: "
            f"overflow encountered in exp")
    done = subprocess.run([sys.executable, "-m", "grader.cli", "verify"], cwd=course, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.count(note) == 1, done.stdout + done.stderr
    assert "RuntimeWarning" not in done.stderr and "Warning" not in done.stderr


def test_other_commands_print_no_warning_of_the_instructors_code(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    mistakes = course / "solutions" / "demo" / "mistakes.py"
    mistakes.write_text(mistakes.read_text() + EXPLODES)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "generate"], cwd=course, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stdout + done.stderr
    preview = subprocess.run([sys.executable, "-m", "grader.cli", "submit", "solutions/demo"], cwd=course,
                             capture_output=True, text=True, timeout=300)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "Warning" not in preview.stdout + preview.stderr
