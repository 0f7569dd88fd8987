"""The oracle attack on a hidden check, through the real engine: a submission whose Adam returns
zeros except the values it has learned, resubmitted round after round, reading "largest error E at
index I" (E = |expected[I]| where it answered 0) from its feedback and filling in +-E at I.

Read from the grader's own message (what instructors see) it learns a hidden expected value every
round; read from what a student is shown (Gradescope's results.json, the feedback page) it learns
nothing, so its next submission is the same as its first.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from hostile_support import SOLUTIONS, reference_source
from grader.course import load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.workdir import base_files, remove, write_run_folder
from grader.reports.export import gradescope_result
from grader.reports.html import render_student_page

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")

TARGET = "hidden_adam_update"
FOUND = re.compile(r"largest error ([\d.e+-]+) \(relative [^)]*\) at index \((\d+), (\d+), (\d+)\)")


def attacker(learned: dict[tuple[int, int, int], float]) -> str:
    """The reference, with an Adam that answers only what it has learned (0 elsewhere)."""
    return reference_source("optim") + f'''

_LEARNED = {learned!r}


def adam(w, dw, config=None):
    out = np.zeros_like(w)
    for index, value in _LEARNED.items():
        if out.shape == (2, 3, 4):
            out[index] = value
    return out, config
'''


@pytest.fixture(scope="module")
def engine():
    with Engine(load_solution(SOLUTIONS / "optim"), secret=b"oracle-secret", settings=Settings(timeout=30)) as eng:
        yield eng


def submit(engine: Engine, learned: dict) -> object:
    root = write_run_folder({**base_files(engine.assignment), "optim.py": attacker(learned).encode()})
    try:
        return engine.grade(root, "eve")
    finally:
        remove(root)


def next_guess(learned: dict, text: str) -> dict | None:
    """The attacker's next submission from what it read (None: nothing to learn from)."""
    found = FOUND.search(text)
    if not found:
        return None
    error, index = float(found.group(1)), tuple(int(g) for g in found.group(2, 3, 4))
    guess = dict(learned)
    guess[index] = -error if index in learned else error  # +E first; still wrong there: -E
    return guess


def test_the_resubmit_and_read_attack_learns_nothing_a_student_is_shown(engine):
    first = submit(engine, {})
    check = next(c for c in first.checks if c.name == TARGET)
    assert check.status == "failed" and check.score == 0

    # the oracle is real: the grader's own message leads the attacker to a hidden value per round
    learned, seen = {}, []
    for _ in range(3):
        result = submit(engine, learned)
        message = next(c for c in result.checks if c.name == TARGET).message
        learned = next_guess(learned, message)
        assert learned is not None, message
        seen.append(sorted(learned))
    assert len(seen[-1]) >= 2, "the instructor's message should name a new index as values are filled in"

    # what the student is shown: status, points and hint, nothing to read a value from
    shown = gradescope_result(first)
    output = next(t["output"] for t in shown["tests"] if t["name"] == TARGET)
    row = re.search(rf'<span class="check-name">{TARGET}</span>.*?</tr>', render_student_page(first), re.S).group(0)
    assert next_guess({}, output) is None and next_guess({}, row) is None
    assert not re.search(r"\d", output), output
    value = FOUND.search(check.message).group(1)
    assert value not in output and value not in row
