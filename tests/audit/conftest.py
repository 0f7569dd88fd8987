"""Fixtures of the audit tests: a strong and a weak tiny course (see _tiny_course.py)."""

import pytest

from _tiny_course import WEAK_CHECKS, make_course


@pytest.fixture
def strong_course(tmp_path):
    return make_course(tmp_path, stack_axis=True)


@pytest.fixture
def weak_course(tmp_path):
    return make_course(tmp_path, checks=WEAK_CHECKS, hidden=False)
