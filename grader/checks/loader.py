"""Load an instructor's Python file (checks, mistakes, reference) as a module of its own."""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib.util
import inspect
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Iterator

from grader.checks.api import ATTR, Check, Mistake, declared
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


def load_checks(path: Path, hidden: bool, module: Path | None = None) -> list[Check]:
    """The checks declared in ``path``; each must match the file's visibility and, given the
    assignment's ``module``, name only functions (or answer variables) that the module defines."""
    namespace = vars(load_module(path, "checks"))
    checks = declared(namespace, Check)
    where = "hidden_checks.py" if hidden else "checks.py"
    for c in checks:
        if c.hidden != hidden:
            should = "hidden_checks.py" if c.hidden else "checks.py"
            raise AuthoringError(f"{path}: check {c.name!r} has hidden={c.hidden} but {where} holds only "
                                 f"{'hidden' if hidden else 'public'} checks; move it to {should}")
    if module is not None:
        check_function_names(path, namespace, module)
    return checks


def check_function_names(path: Path, namespace: dict, module: Path) -> None:
    """Refuse a check naming a function ``module`` does not define (a typo in ``functions=[...]``
    would otherwise list a function that does not exist in the student's README, and the check
    would fail for every student): the error names the decorator's line and the closest name."""
    defined = top_level_names(module)
    for value in namespace.values():
        c = getattr(value, ATTR, None)
        if not isinstance(c, Check):
            continue
        for name in c.functions:
            if name in defined or _defined_when_run(module, name):
                continue
            close = difflib.get_close_matches(name, sorted(n for n in defined if not n.startswith("__")), n=1)
            hint = f"did you mean {close[0]!r}?" if close else \
                f"it defines: {', '.join(sorted(n for n in defined if not n.startswith('_'))) or 'nothing'}"
            line = _decorator_line(value, name)
            raise AuthoringError(f"{path}{f':{line}' if line else ''}: check {c.name!r} names {name!r}, which "
                                 f"{module.name} does not define; {hint}")


def top_level_names(module: Path) -> set[str]:
    """The names ``module`` binds at its top level (also inside top-level ``if``/``try``/``with``
    blocks), read from its syntax tree without running it."""
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
    except (OSError, SyntaxError, ValueError) as exc:
        raise AuthoringError(f"{module}: cannot be read as Python ({exc})") from None
    names: set[str] = set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        else:  # compound statements: the names bound in their blocks are top-level names too
            for block in ("body", "orelse", "finalbody", "handlers", "cases"):
                pending.extend(getattr(node, block, None) or [])
    return names


def _defined_when_run(module: Path, name: str) -> bool:
    """Whether ``module``, run, has ``name``: for names bound in ways the syntax tree does not show
    (``from x import *``, ``globals()``). Only asked about a name the tree does not bind."""
    try:
        return hasattr(load_module(module, "names"), name)
    except AuthoringError:
        return False


def _decorator_line(decorated: object, name: str) -> int | None:
    """The line of the decorator that names ``name`` (else the first decorator's line)."""
    code = getattr(decorated, "__code__", None)
    if code is None:
        return None
    first = code.co_firstlineno  # a decorated function's code starts at its first decorator
    try:
        lines = inspect.getsourcelines(decorated)[0]
    except (OSError, TypeError):
        return first
    for offset, text in enumerate(lines):
        if text.lstrip().startswith(("def ", "async def ")):
            break
        if re.search(rf"""["']{re.escape(name)}["']""", text):
            return first + offset
    return first


def load_mistakes(path: Path, reference: ModuleType, reference_name: str) -> list[Mistake]:
    """Known mistakes and accepted variants; ``import <reference_name>`` gives the reference."""
    module = load_module(path, "mistakes", aliases={reference_name: reference})
    return declared(vars(module), Mistake)
