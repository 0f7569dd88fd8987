"""Shared fixtures: the optim assignment, an engine with short timeouts, a grading helper."""

import os
import sys
from pathlib import Path

import pytest

from grader.course import load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.workdir import base_files, remove, write_run_folder

ROOT = Path(__file__).resolve().parents[2]
CHECK_TIMEOUT = 3


@pytest.fixture(scope="session")
def optim():
    return load_solution(ROOT / "solutions" / "optim")


@pytest.fixture(scope="session")
def optim_reference_source():
    return (ROOT / "solutions" / "optim" / "optim.py").read_text()


def _start_methods() -> list:
    """Both start methods where fork is the platform's own (Linux); spawn alone elsewhere."""
    fork_ok = sys.platform.startswith("linux") and hasattr(os, "fork")
    return [pytest.param("fork", marks=pytest.mark.skipif(not fork_ok, reason="fork is Linux's start method")),
            "spawn"]


@pytest.fixture(scope="session", params=_start_methods())
def engine(optim, request):
    """The engine's tests run once per start method: a warm fork, and a fresh interpreter per child."""
    # a check that hangs is cut after CHECK_TIMEOUT; honest checks need a few milliseconds on a quiet
    # machine, so this leaves a loaded one (2 cores, many test runs) a wide margin
    eng = Engine(optim, settings=Settings(timeout=20, check_timeout=CHECK_TIMEOUT, import_timeout=6,
                                          start_method=request.param))
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def grade_source(engine, optim):
    """Grade the text of an optim.py with the shared engine."""
    base = base_files(optim)

    def grade(source: str, student: str = "student"):
        root = write_run_folder({**base, "optim.py": source.encode()})
        try:
            return engine.grade(root, student)
        finally:
            remove(root)

    return grade


def by_name(result):
    return {c.name: c for c in result.checks}


def functions_score(result, function):
    return sum(c.score for c in result.checks if c.functions == [function])


def functions_max(result, function):
    return sum(c.max_score for c in result.checks if c.functions == [function])
