"""Every assignment of the built-in course: the committed pack is what the solutions render to, no
solution line leaks into a stub, every stub imports cleanly, every notebook is valid."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.authoring.generate import render_course, stale_files
from grader.markers import parse
from grader.course import assignment_folders, load_solution

ROOT = Path(__file__).resolve().parents[2]
NAMES = [p.name for p in assignment_folders(ROOT / "solutions")]


def test_the_course_has_every_topic():
    assert set(NAMES) >= {"perceptron", "sigmoid", "gradient_descent", "optim", "backprop", "mlp",
                          "initialization", "gradient_check", "vanishing_gradients", "hyperparameters"}


def test_committed_pack_is_fresh():
    assert stale_files(render_course(ROOT / "solutions", (), ROOT / "templates"), ROOT / "assignments") == []


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_line_reaches_the_stub(name):
    assignment = load_solution(ROOT / "solutions" / name)
    for source in assignment.sources():
        stub = (ROOT / "assignments" / name / source.name).read_text()
        stub_lines = {line.strip() for line in stub.splitlines()}
        regions = parse(source.read_text(), str(source)).regions
        body = [line.strip() for r in regions for line in r.body
                if line.strip() and not line.strip().startswith("#")]
        leaked = [line for line in body if line in stub_lines and len(line) >= 6
                  and line not in {"else:", "try:", "finally:", "pass", "return", "break", "continue"}]
        assert not leaked, f"{source.name}: {leaked}"
    expected = json.loads((ROOT / "assignments" / name / "expected.json").read_text())
    hidden = {c.name for c in assignment.hidden_checks}
    assert not hidden & set(expected["checks"])  # no hidden check's values ship
    assert not (ROOT / "assignments" / name / "hidden_checks.py").exists()
    assert not (ROOT / "assignments" / name / "mistakes.py").exists()


@pytest.mark.parametrize("name", NAMES)
def test_stub_imports_cleanly_and_notebook_is_valid(name):
    folder = ROOT / "assignments" / name
    done = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=folder, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[-1].cell_type == "code"
    assert any("TODO" in c.source for c in nb.cells if c.cell_type == "code")
