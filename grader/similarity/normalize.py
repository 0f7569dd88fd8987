"""Student code as a stream of normalized tokens per function, with the starter code taken out.

Built on :mod:`ast`: comments are gone by construction, docstrings are dropped, every name a
function binds (its parameters, its assignments, loop and ``with`` targets) becomes ``v`` and every
literal ``n`` (number) or ``s`` (text), so renaming variables and rewording messages change nothing.
Names the function does not bind (``np``, ``range``) and attribute names (``sqrt``) are kept: they
say which operations the code uses. Unreachable code (statements after a ``return`` or ``raise``,
``if False:`` blocks) is dropped.

The starter code never counts: statements of the stub's own function (``config.setdefault(...)``,
the ``raise NotImplementedError`` placeholder) are removed from the student's function when their
normalized form is one the stub has, so two students who wrote nothing share nothing.

One unit per top-level function (``Class.method`` for methods); everything at module level outside
functions (imports, constants, code) is the unit ``<module>``. Helper files get ``file.py:name``.
"""

from __future__ import annotations

import ast
import builtins
import zlib
from collections import Counter
from dataclasses import dataclass

MODULE = "<module>"


@dataclass(frozen=True)
class Unit:
    """One function's normalized tokens (as stable 32-bit ints) and the source line of each."""

    name: str
    tokens: tuple[int, ...]
    lines: tuple[int, ...]
    span: tuple[int, int] = (1, 1)  # the first and last source line of the function


def _token_id(text: str) -> int:
    return zlib.crc32(text.encode())  # stable across processes and runs, unlike hash()


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _never_runs(node: ast.stmt) -> bool:
    return isinstance(node, (ast.If, ast.While)) and isinstance(node.test, ast.Constant) and not node.test.value


def _bound_names(fn: ast.AST) -> set[str]:
    """Every name a function binds: parameters, assignment targets, loop/with/except/import names."""
    names: set[str] = set()
    args = getattr(fn, "args", None)
    if args is not None:
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None:
                names.add(a.arg)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not fn:
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


class _Tokens:
    """Pre-order walk of an AST emitting normalized tokens and their lines."""

    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.tokens: list[str] = []
        self.lines: list[int] = []

    def emit(self, text: str, line: int) -> None:
        self.tokens.append(text)
        self.lines.append(line)

    def node(self, node: ast.AST, line: int) -> None:
        line = getattr(node, "lineno", line)
        if isinstance(node, ast.Name):
            self.emit("v" if node.id in self.bound else node.id, line)
            return
        if isinstance(node, ast.Constant):
            value = node.value
            self.emit("s" if isinstance(value, (str, bytes)) else ("c" if value is None or isinstance(value, bool)
                                                                   else "n"), line)
            return
        if isinstance(node, ast.arg):
            self.emit("v", line)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.emit("def", line)  # its name is a binding like any other
            self.node(node.args, line)
            self.body(node.body, line)
            return
        self.emit(type(node).__name__, line)
        if isinstance(node, ast.Attribute):
            self.emit("." + node.attr, line)
        elif isinstance(node, ast.keyword) and node.arg:
            self.emit(node.arg + "=", line)  # keyword names belong to the callee: kept
        for field, value in ast.iter_fields(node):
            if field in ("ctx", "type_comment", "kind"):
                continue
            if isinstance(value, list):
                if value and isinstance(value[0], ast.stmt):
                    self.body(value, line)
                else:
                    for item in value:
                        if isinstance(item, ast.AST):
                            self.node(item, line)
            elif isinstance(value, ast.AST):
                self.node(value, line)

    def body(self, stmts: list[ast.stmt], line: int) -> None:
        for stmt in stmts:
            if _is_docstring(stmt) or _never_runs(stmt):
                continue
            self.node(stmt, line)
            if isinstance(stmt, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
                break  # what follows in this block never runs


def _statement_forms(stmts: list[ast.stmt], bound: set[str]) -> list[tuple[str, ...]]:
    """The normalized tokens of every statement, at any depth (the stub's given code)."""
    forms = []
    for node in stmts:
        for sub in ast.walk(node):
            if isinstance(sub, ast.stmt) and not _is_docstring(sub):
                t = _Tokens(bound)
                t.node(sub, 0)
                forms.append(tuple(t.tokens))
    return forms


def _compound(node: ast.stmt) -> bool:
    return hasattr(node, "body") and isinstance(getattr(node, "body"), list)


class Base:
    """The stub's code: per unit, the normalized form of each statement it gives the student."""

    def __init__(self, source: str | None = None) -> None:
        self.forms: dict[str, Counter[tuple[str, ...]]] = {}
        if not source:
            return
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return
        module_names = _module_names(tree)
        for name, fn, stmts in _units(tree):
            self.forms[name] = Counter(_statement_forms(stmts, _local_names(fn, tree, module_names)))

    def functions(self) -> list[str]:
        """The units the stub defines (the functions the assignment asks for), module code excluded."""
        return [name for name in self.forms if name != MODULE]


def _module_names(tree: ast.Module) -> set[str]:
    """Names bound at module level (outside functions), and the built-ins."""
    return {n for node in tree.body if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for n in _bound_names(node)} | set(dir(builtins))


def _local_names(fn: ast.AST, tree: ast.Module, module_names: set[str]) -> set[str]:
    """The names to abstract in a unit: those it binds, and any other it uses that is not a module-level
    or built-in name (the stub's ``return next_w, config`` uses ``next_w`` that only the student binds)."""
    if fn is tree:
        return _bound_names(tree)
    used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    return _bound_names(fn) | (used - module_names)


def _units(tree: ast.Module) -> list[tuple[str, ast.AST, list[ast.stmt]]]:
    """(unit name, the node whose bindings are local, its statements) for each unit of a module."""
    found: list[tuple[str, ast.AST, list[ast.stmt]]] = []
    module: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, node, node.body))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.append((f"{node.name}.{item.name}", item, item.body))
        else:
            module.append(node)
    found.append((MODULE, tree, module))
    return found


def _strip_base(fn: ast.AST, stmts: list[ast.stmt], given: Counter[tuple[str, ...]], bound: set[str]) -> list[ast.stmt]:
    """``stmts`` without the statements the stub gave (each removed once; a block the student changed
    is kept, less the statements inside it that the stub gave)."""
    left = Counter(given)

    def keep(node: ast.stmt) -> bool:
        if _is_docstring(node):
            return True
        t = _Tokens(bound)
        t.node(node, 0)
        form = tuple(t.tokens)
        if left[form] > 0:
            left[form] -= 1
            return False
        return True

    def prune(body: list[ast.stmt]) -> list[ast.stmt]:
        kept = []
        for node in body:
            if not keep(node):
                continue
            if _compound(node):
                for field in ("body", "orelse", "finalbody"):
                    if isinstance(getattr(node, field, None), list):
                        setattr(node, field, prune(getattr(node, field)))
                for handler in getattr(node, "handlers", []) or []:
                    handler.body = prune(handler.body)
            kept.append(node)
        return kept

    return prune(stmts)


def normalize(source: str, base: Base | None = None, prefix: str = "") -> dict[str, Unit]:
    """The units of a module's source (empty when it does not parse: it gives no code evidence)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    units: dict[str, Unit] = {}
    module_names = _module_names(tree)
    for name, fn, stmts in _units(tree):
        bound = _local_names(fn, tree, module_names)
        given = base.forms.get(name) if base is not None and not prefix else None
        if given:
            stmts = _strip_base(fn, stmts, given, bound)
        t = _Tokens(bound)  # the body only: the signature is the stub's
        t.body(stmts, getattr(fn, "lineno", 1))
        if t.tokens:
            span = ((fn.lineno, fn.end_lineno or fn.lineno) if fn is not tree
                    else (min(t.lines), max(getattr(s, "end_lineno", 0) or 0 for s in stmts) or max(t.lines)))
            units[prefix + name] = Unit(prefix + name, tuple(map(_token_id, t.tokens)), tuple(t.lines), span)
    return units
