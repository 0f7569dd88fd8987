"""The pytest plugin: a course's own pytest run proves each check (pytester on a tiny course)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _instructor import make_course

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "grader.pytest_plugin")  # works whether or not the pytest11 entry point is installed
# Each run in a fresh interpreter: the engine forks sandboxes and numpy's extension modules cannot be
# imported twice, which an in-process run (whose module snapshot is rolled back) would need.
ITEMS = [
    "solutions/demo::descend_path::reference",
    "solutions/demo::descend_path::stub",
    "solutions/demo::hidden_descend_path::reference",
    "solutions/demo::hidden_descend_path::stub",
    "solutions/demo::mistake[descend_uphill]",
]


@pytest.fixture
def course(pytester: pytest.Pytester, monkeypatch) -> Path:
    for var in ("GRADE_SECRET", "GRADE_SECRET_FILE", "GRADE_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return make_course(pytester.path)


def test_one_item_per_check_and_side_and_per_mistake(pytester: pytest.Pytester, course: Path) -> None:
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-verify", "-v")
    result.assert_outcomes(passed=5)
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"{item.replace('[', '[[]')} PASSED*" for item in ITEMS])
    result.stdout.fnmatch_lines(["grade: verifying the assignments of *solutions", "*collected 5 items"])


def test_selection_with_k(pytester: pytest.Pytester, course: Path) -> None:
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-verify", "-k", "stub", "-v")
    result.assert_outcomes(passed=2, deselected=3)
    result.stdout.fnmatch_lines(["*descend_path::stub PASSED*", "*hidden_descend_path::stub PASSED*"])
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-verify", "-k", "descend_path and reference and not hidden")
    result.assert_outcomes(passed=1, deselected=4)


def test_inactive_unless_asked(pytester: pytest.Pytester, course: Path) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert "grade:" not in result.stdout.str()


def test_the_ini_option_and_grade_course(pytester: pytest.Pytester, course: Path) -> None:
    pytester.makeini("[pytest]\ngrade_verify = true\n")
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=5)
    elsewhere = pytester.mkdir("elsewhere")
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-course", str(course), "-c", "/dev/null", "--rootdir", str(elsewhere))
    result.assert_outcomes(passed=5)


def test_failures_name_the_check_and_what_is_wrong(pytester: pytest.Pytester, course: Path) -> None:
    folder = course / "solutions" / "demo"
    (folder / "checks.py").write_text((folder / "checks.py").read_text() + '''

@check(points=1, functions=["descend"])
def free_point(impl, rng):
    """Gives a point for nothing: the untouched stub scores it too."""
    return {"one": 1.0}
''')
    (folder / "mistakes.py").write_text((folder / "mistakes.py").read_text() + '''

@mistake("descend", hint="Same as the reference: no check can tell.")
def descend_copy(w, target, learning_rate=0.1, steps=5):
    w = np.array(w, dtype=float)
    path = []
    for _ in range(steps):
        w = w - learning_rate * 2.0 * (w - target)
        path.append(w.copy())
    return np.stack(path)
''')
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-verify", "-v")
    result.assert_outcomes(passed=6, failed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*free_point::reference PASSED*",
        "*free_point::stub FAILED*",
        "*mistake[[]descend_copy] FAILED*",
    ])
    result.stdout.fnmatch_lines([
        "demo: stub free_point: 1/1 on the untouched stub: the check gives points for work the student has not done",
        "demo: mistake descend_copy: loses no points: no check tells it from the reference",
    ])


def test_an_assignment_that_does_not_load_is_one_failing_item(pytester: pytest.Pytester, course: Path) -> None:
    make_course(course, "broken")
    (course / "solutions" / "broken" / "checks.py").write_text("def oops(:\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-verify")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*solutions/broken*cannot be loaded*checks.py*failed to load*SyntaxError*"])
