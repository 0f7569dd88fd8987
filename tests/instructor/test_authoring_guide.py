"""docs/authoring.md stays true to the code: its examples are written out, generated, verified and run.

The guide's fenced blocks carry what to do with them in their info string:

* ```` ```python file=PATH ```` / ```` ```toml file=PATH ````: a file of the worked example's course;
* ```` ```python excerpt=PATH ````: a verbatim excerpt of the built-in course's PATH;
* ```` ```python run ````: executed (in order, one namespace) in the worked example's course;
* ```` ```text verify-output ````: what `grade verify` prints for the worked example;
* every other ```` ```python ```` block must at least be valid Python.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest

from grader.checks import check, gradient_check, question
from grader.config import ASSIGNMENT_KEYS, AUDIT_KEYS, GRADING_KEYS, SECRET_KEYS, TOP_KEYS, load_config, tomllib

from _instructor import REPO, run_cli

GUIDE = REPO / "docs" / "authoring.md"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.S | re.M)


def blocks(kind: str | None = None) -> list[tuple[str, dict[str, str], str]]:
    """(language, {key: value or ""}, body) of each fenced block of the guide."""
    found = []
    for m in FENCE.finditer(GUIDE.read_text(encoding="utf-8")):
        info = {}
        for word in m["info"].split():
            key, _, value = word.partition("=")
            info[key] = value
        found.append((m["lang"], info, m["body"]))
    return [b for b in found if kind is None or b[0] == kind]


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The worked example's course, written from the guide."""
    root = tmp_path_factory.mktemp("guide") / "course"
    written = []
    for lang, info, body in blocks():
        if info.get("file"):
            path = root / info["file"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
            written.append(info["file"])
    assert {"course.toml", "solutions/optim/optim.py", "solutions/optim/checks.py",
            "solutions/optim/hidden_checks.py", "solutions/optim/mistakes.py"} <= set(written)
    return root


@pytest.fixture(autouse=True)
def fixed_secret(monkeypatch):
    monkeypatch.setenv("GRADE_SECRET", "the guide's test secret")


def test_every_python_block_is_valid_python() -> None:
    found = blocks("python")
    assert len(found) >= 8
    for _, info, body in found:
        ast.parse(body)


def test_excerpts_are_verbatim_from_the_built_in_course() -> None:
    excerpts = [(info["excerpt"], body) for _, info, body in blocks() if info.get("excerpt")]
    assert excerpts
    for rel, body in excerpts:
        assert textwrap.dedent(body).strip() in (REPO / rel).read_text(encoding="utf-8"), rel


def test_the_worked_example_is_the_built_in_adam(example: Path) -> None:
    def functions(path: Path) -> dict[str, str]:
        source = path.read_text(encoding="utf-8")
        return {n.name: ast.get_source_segment(source, n) for n in ast.parse(source).body
                if isinstance(n, ast.FunctionDef)}

    guide = functions(example / "solutions" / "optim" / "optim.py")
    built_in = functions(REPO / "solutions" / "optim" / "optim.py")
    assert guide and all(guide[name] == built_in[name] for name in guide)
    ours = {n: "" for n in ("adam_no_bias_correction", "adam_folded_step_size")}
    text = (REPO / "solutions" / "optim" / "mistakes.py").read_text()
    assert all(f"def {name}(" in text for name in ours)  # the same mistake and variant as the course's


def test_the_worked_example_generates_verifies_and_packs(example: Path, tmp_path: Path) -> None:
    example = Path(shutil.copytree(example, tmp_path / "course"))  # writes a pack: not into the shared one
    assert load_config(example / "course.toml").assignment("optim").points == 10
    done = run_cli(example, "generate")
    assert done.exit_code == 0, done.output
    assert (example / "assignments" / "optim" / "README.md").read_text().startswith("# Optimizers: Adam\n")
    done = run_cli(example, "verify")
    assert done.exit_code == 0, done.output
    [(_, _, expected)] = [b for b in blocks("text") if "verify-output" in b[1]]
    assert done.output.strip() == expected.strip()
    done = run_cli(example, "pack", "--out", "dist")
    assert done.exit_code == 0, done.output
    assert "optim/optim.py" in zipfile.ZipFile(example / "dist" / "optim.zip").namelist()


def test_the_run_blocks_run(example: Path) -> None:
    runnable = [body for lang, info, body in blocks("python") if "run" in info]
    assert runnable
    namespace: dict = {}
    old = os.getcwd()
    os.chdir(example)
    try:
        for body in runnable:
            exec(compile(body, str(GUIDE), "exec"), namespace)
    finally:
        os.chdir(old)


def test_the_reference_of_course_toml_is_complete_and_loads(tmp_path: Path) -> None:
    [(_, _, body)] = [b for b in blocks("toml") if not b[1]]
    data = tomllib.loads(body)
    path = tmp_path / "course.toml"
    path.write_text(body)
    config = load_config(path)
    assert config.grading.jobs == 4 and config.assignment("optim").points == 20
    assert set(data) == set(TOP_KEYS)
    assert set(data["secret"]) == set(SECRET_KEYS) and set(data["grading"]) == set(GRADING_KEYS)
    assert set(data["assignments"]["optim"]) == set(ASSIGNMENT_KEYS)
    assert set(data["audit"]) == set(AUDIT_KEYS) and config.audit.min_score == 0.95


def test_every_option_of_the_decorators_is_documented() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for decorator in (check, gradient_check, question):
        for name in inspect.signature(decorator).parameters:
            assert f"`{name}" in text, f"{decorator.__name__}({name}=...) is not in the guide"


def test_the_audit_toml_example_of_the_guide_loads(tmp_path: Path) -> None:
    from grader.audit.decisions import load_decisions

    [(_, _, body)] = [b for b in blocks("toml") if "audit-toml" in b[1]]
    (tmp_path / "audit.toml").write_text(body)
    accepted = load_decisions(tmp_path)
    assert [a.equivalent for a in accepted] == [False, True] and all(a.reason for a in accepted)
