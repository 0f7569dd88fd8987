"""`from grader import check; check()` in a notebook: grades the saved notebook in a child process,
with the same messages and hints as `grade submit`, shown as escaped HTML or plain text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import check
from grader.notebook_check import Feedback
from grader.result import CheckResult, Result

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / "optim" / "optim.py").read_text()
WRONG_ADAM = '''

def adam(w, dw, config=None):
    """Adam that forgets to store its state (a known mistake)."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    m = config.get("m", np.zeros_like(w))
    v = config.get("v", np.zeros_like(w))
    t = config.get("t", 0) + 1
    m = config["beta1"] * m + (1 - config["beta1"]) * dw
    v = config["beta2"] * v + (1 - config["beta2"]) * dw ** 2
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''


def add_cell(notebook: Path, source: str) -> None:
    """Edit the saved notebook as a student would: a code cell before the final check cells."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].insert(len(nb["cells"]) - 2, {"cell_type": "code", "execution_count": None, "id": "student-work",
                                              "metadata": {}, "outputs": [], "source": source})
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")


@pytest.fixture
def pack(tmp_path):
    folder = tmp_path / "optim"
    shutil.copytree(ROOT / "assignments" / "optim", folder)
    (folder / "optim.py").unlink()  # the student works in the notebook
    return folder


def test_the_generated_notebook_ends_with_a_check_cell(pack):
    nb = json.loads((pack / "optim.ipynb").read_text(encoding="utf-8"))
    assert "".join(nb["cells"][-1]["source"]) == "from grader import check\n\ncheck()"


def test_whole_assignment_passes_with_the_reference(pack):
    add_cell(pack / "optim.ipynb", REFERENCE)  # the notebook's own check() cell runs in the child too
    feedback = check(path=pack / "optim.ipynb")
    assert feedback.problem == "" and feedback.result.status == "graded"
    assert feedback.passed and bool(feedback)
    from grader.course import load_pack

    assert feedback.result.score == feedback.result.max_score == load_pack(pack).max_score > 0
    text = str(feedback)
    assert text.startswith("optim: optim.ipynb") and f"total: {feedback.result.max_score:g}/" in text
    assert "as saved at" in text


def test_one_function_with_the_same_messages_and_hints_as_grade_submit(pack):
    from grader.grading.submit import submit

    add_cell(pack / "optim.ipynb", REFERENCE + WRONG_ADAM)
    feedback = check("adam", path=pack)
    checks = feedback.result.checks
    assert checks and all("adam" in c.functions for c in checks)
    assert not feedback.passed and any(c.hint for c in checks)
    reference = {c.name: c for c in submit(pack, notebook="optim.ipynb", student="ada", archive=False).result.checks}
    for c in checks:
        assert (c.status, c.score, c.message, c.hint) == (reference[c.name].status, reference[c.name].score,
                                                          reference[c.name].message, reference[c.name].hint)
    assert [c.name for c in check("sgd_update", "rmsprop", path=pack).result.checks] == [
        "sgd_update", "rmsprop_update", "rmsprop_trajectory", "rmsprop_stores_state", "rmsprop_path"]


def test_grades_what_is_saved_not_the_kernel(pack):
    first = check("sgd_update", path=pack)
    assert first.result.checks[0].status == "error"  # the stub
    add_cell(pack / "optim.ipynb", REFERENCE)
    assert check("sgd_update", path=pack).passed


def test_finds_the_notebook_from_the_session_or_the_working_directory(pack, tmp_path, monkeypatch):
    add_cell(pack / "optim.ipynb", REFERENCE)
    monkeypatch.chdir(pack)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert check("sgd_update").passed  # the only notebook here
    scratch = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (pack / "scratch.ipynb").write_text(json.dumps(scratch))
    assert check("sgd_update").passed  # several: the one of this folder's assignment
    shutil.copy(pack / "optim.ipynb", pack / "optim-copy.ipynb")
    assert "several notebooks" in check().problem  # two of the assignment: ask which
    assert check("sgd_update", path="optim-copy.ipynb").passed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert "no notebook" in check().problem
    monkeypatch.setenv("JPY_SESSION_NAME", str(pack / "optim.ipynb"))
    assert check("sgd_update").passed


def test_uploaded_alone_says_which_files_are_missing_and_where(pack, tmp_path):
    alone = tmp_path / "content"
    alone.mkdir()
    shutil.copy(pack / "optim.ipynb", alone / "optim.ipynb")
    feedback = check(path=alone / "optim.ipynb")
    assert feedback.result is None and not feedback
    assert "checks.py and expected.json are missing" in feedback.problem
    assert str(alone) in feedback.problem and "optim assignment" in feedback.problem
    assert "upload" in str(feedback) and "upload" in feedback._repr_html_()
    shutil.copy(pack / "checks.py", alone / "checks.py")
    assert "expected.json is missing" in check(path=alone).problem
    shutil.copy(pack / "expected.json", alone / "expected.json")
    add_cell(alone / "optim.ipynb", REFERENCE)
    assert check(path=alone).passed  # the public checks shipped beside the notebook are enough


def test_a_notebook_nested_too_deep_is_a_problem_named_not_a_crash(pack):
    """The standard JSON parser raises RecursionError (not ValueError) on deep nesting."""
    nb = json.loads((pack / "optim.ipynb").read_text(encoding="utf-8"))
    text = json.dumps(nb).replace('"metadata": {', '"metadata": {"deep": ' + "[" * 50_000 + "]" * 50_000 + ", ", 1)
    (pack / "optim.ipynb").write_text(text, encoding="utf-8")
    feedback = check(path=pack)
    assert feedback.result is None and not feedback
    assert "optim.ipynb" in feedback.problem and "nested more than" in feedback.problem


def test_a_missing_helper_module_is_named(tmp_path):
    folder = tmp_path / "upload"
    shutil.copytree(ROOT / "assignments" / "gradient_descent", folder)
    (folder / "gradient_descent.py").unlink()
    add_cell(folder / "gradient_descent.ipynb", "import admissions  # a helper of the pack\n")
    (folder / "admissions.py").unlink()
    feedback = check(path=folder / "gradient_descent.ipynb")
    assert feedback.result.status == "not_gradable"
    assert f"admissions.py is missing: put the admissions.py of the assignment pack in {folder}" in str(feedback)


def test_unknown_names_list_what_exists(pack):
    feedback = check("adma", path=pack)
    assert "no check or function named 'adma'" in feedback.problem
    assert "adam" in feedback.problem and "sgd_update" in feedback.problem


def test_a_notebook_of_another_assignment(pack):
    nb = json.loads((pack / "optim.ipynb").read_text())
    nb["metadata"]["grade"]["assignment"] = "sigmoid"
    (pack / "optim.ipynb").write_text(json.dumps(nb))
    assert "belongs to optim" in check(path=pack / "optim.ipynb").problem


def test_html_escapes_every_text():
    evil = "<script>alert('x')</script> & \"quoted\""
    result = Result.from_checks(evil, "optim<b>", [
        CheckResult(name="adam<i>", functions=["adam"], score=0.0, max_score=1.0, status="failed",
                    message=evil, hint=evil),
        CheckResult(name="sgd", functions=["sgd"], score=1.0, max_score=1.0, status="passed", hint="<u>note</u>")])
    page = Feedback(result=result, notes=[evil])._repr_html_()
    assert "<script>" not in page and "<i>" not in page and "<u>" not in page and "optim<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in page
    assert page.count("&lt;script&gt;") == 4  # student, message, hint, note
    assert "hint: " in page and "note: " in page
    text = str(Feedback(result=result))
    assert evil in text and "total: 1/2" in text  # plain text is the terminal table
    problem = Feedback(problem=evil)._repr_html_()
    assert "<script>" not in problem and "&lt;script&gt;" in problem


def test_does_nothing_inside_the_grading_child(monkeypatch):
    monkeypatch.setenv("GRADE_IN_SANDBOX", "1")
    assert check() is None


def test_import_grader_stays_cheap():
    code = ("import sys, grader; heavy = [m for m in ('numpy', 'grader.notebook_check', 'grader.course', 'click') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
