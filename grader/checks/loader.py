"""Load an instructor's Python file (checks, mistakes, reference) as a module of its own."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Iterator

from grader.checks.api import Check, Mistake, declared
from grader.errors import AuthoringError


def module_name(path: Path, kind: str) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"_grade_{kind}_{path.stem}_{digest}"


@contextmanager
def importable(folder: Path, aliases: dict[str, ModuleType] | None = None) -> Iterator[None]:
    """Let code in ``folder`` import its siblings (and ``aliases``) while it loads."""
    saved_path = list(sys.path)
    saved = {name: sys.modules.get(name) for name in (aliases or {})}
    sys.path.insert(0, str(folder))
    sys.modules.update(aliases or {})
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def load_module(path: Path, kind: str, aliases: dict[str, ModuleType] | None = None,
                name: str | None = None) -> ModuleType:
    """Execute ``path`` as a fresh module; errors name the file."""
    name = name or module_name(path, kind)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AuthoringError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with importable(path.parent, aliases):
            spec.loader.exec_module(module)
    except AuthoringError:
        raise
    except Exception as exc:
        sys.modules.pop(name, None)
        raise AuthoringError(f"{path}: failed to load: {type(exc).__name__}: {exc}") from exc
    return module


def load_checks(path: Path, hidden: bool) -> list[Check]:
    """The checks declared in ``path``; each must match the file's visibility."""
    checks = declared(vars(load_module(path, "checks")), Check)
    where = "hidden_checks.py" if hidden else "checks.py"
    for c in checks:
        if c.hidden != hidden:
            should = "hidden_checks.py" if c.hidden else "checks.py"
            raise AuthoringError(f"{path}: check {c.name!r} has hidden={c.hidden} but {where} holds only "
                                 f"{'hidden' if hidden else 'public'} checks; move it to {should}")
    return checks


def load_mistakes(path: Path, reference: ModuleType, reference_name: str) -> list[Mistake]:
    """Known mistakes and accepted variants; ``import <reference_name>`` gives the reference."""
    module = load_module(path, "mistakes", aliases={reference_name: reference})
    return declared(vars(module), Mistake)
