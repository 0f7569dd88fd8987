"""`pytest --grade-audit`: one item per assignment, failing with the survivors (pytester, fresh interpreters)."""

from __future__ import annotations

import pytest

from _tiny_course import WEAK_CHECKS, make_course

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "grader.pytest_plugin")


@pytest.fixture(autouse=True)
def no_course_environment(monkeypatch):
    for var in ("GRADE_SECRET", "GRADE_SECRET_FILE", "GRADE_CONFIG"):
        monkeypatch.delenv(var, raising=False)


def test_a_strong_assignment_passes_its_audit_item(pytester: pytest.Pytester) -> None:
    make_course(pytester.path, stack_axis=True)
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-audit", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["solutions/bowl::audit PASSED*"])


def test_a_weak_assignment_fails_its_audit_item_naming_the_survivors(pytester: pytest.Pytester) -> None:
    make_course(pytester.path, names=("bowl", "cup"), checks=WEAK_CHECKS, hidden=False)
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-audit", "-v", "-k", "bowl")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(["solutions/bowl::audit FAILED*", "*SURVIVED descend:*"])


def test_audit_and_verify_items_together(pytester: pytest.Pytester) -> None:
    make_course(pytester.path, stack_axis=True)
    result = pytester.runpytest_subprocess(*PLUGIN, "--grade-audit", "--grade-verify", "-v")
    result.assert_outcomes(passed=6)  # reference and stub of two checks, a mistake, the audit
