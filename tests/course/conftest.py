"""Shared fixtures of the course tests: the reference solutions, loaded from their files.

``reference(name)`` loads ``solutions/<name>/<name>.py``; ``reference(name, "admissions")`` loads a
support module of that assignment. The assignment's folder is put on ``sys.path`` while the module
runs, so sibling imports work, and each module is loaded once per test session under a private name
(it never shadows, nor is shadowed by, another assignment's module of the same name).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
_LOADED: dict[tuple[str, str], ModuleType] = {}


def load_reference(name: str, module: str | None = None) -> ModuleType:
    """The module ``solutions/<name>/<module or name>.py``, imported from its path."""
    module = module or name
    key = (name, module)
    if key not in _LOADED:
        folder = SOLUTIONS / name
        path = folder / f"{module}.py"
        if not path.is_file():
            raise FileNotFoundError(f"no reference module {path}")
        spec = importlib.util.spec_from_file_location(f"_course_reference_{name}_{module}", path)
        loaded = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(folder))
        try:
            spec.loader.exec_module(loaded)
        finally:
            sys.path.remove(str(folder))
        _LOADED[key] = loaded
    return _LOADED[key]


@pytest.fixture(scope="session")
def reference():
    """``reference(name, module=None)`` -> the reference module of assignment ``name``."""
    return load_reference
