"""An assignment's student sources (grader.stubs) are what `grade generate` writes into the pack."""

import hashlib
import json
from pathlib import Path

import pytest

from grader.course import CHECKS, DATA, EXPECTED, load_solution
from grader.stubs import student_sources
from grader.submission import notebook_to_module

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.py").is_file())


def test_every_assignment_of_the_course_is_compared():
    assert len(NAMES) >= 10 and {"optim", "gradient_descent"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_stubs_and_data_are_byte_for_byte_the_packs(name):
    sources = student_sources(load_solution(ROOT / "solutions" / name))
    pack = ROOT / "assignments" / name
    modules = {p.name: p.read_bytes() for p in pack.glob("*.py") if p.name != CHECKS}
    data = {str(p.relative_to(pack)): p.read_bytes() for p in (pack / DATA).rglob("*") if p.is_file()}
    assert sources.stubs == modules
    assert sources.data == data
    assert sources.given == {**modules, **data}
    assert sources.module_stub == (pack / f"{name}.py").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_the_pristine_hashes_are_the_packs_and_recognise_its_untouched_files(name):
    sources = student_sources(load_solution(ROOT / "solutions" / name))
    pack = ROOT / "assignments" / name
    assert sources.pristine == json.loads((pack / EXPECTED).read_text(encoding="utf-8"))["pristine"]
    # what the opener compares: the untouched notebook, read as a module, hashes to the pristine value
    notebook = (pack / f"{name}.ipynb").read_bytes()
    assert hashlib.sha256(notebook_to_module(notebook, f"{name}.ipynb")).hexdigest() == sources.pristine[f"{name}.ipynb"]
    assert hashlib.sha256((pack / f"{name}.py").read_bytes()).hexdigest() == sources.pristine[f"{name}.py"]


def test_a_support_module_is_among_the_stubs_after_the_graded_module():
    sources = student_sources(load_solution(ROOT / "solutions" / "gradient_descent"))
    assert list(sources.stubs)[0] == "gradient_descent.py" and len(sources.stubs) > 1
