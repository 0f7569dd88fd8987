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


_BUILTINS = frozenset(dir(builtins))
_SKIP_FIELDS = frozenset(("ctx", "type_comment", "kind"))
_ENDS_BLOCK = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _module_names(tree: ast.Module) -> tuple[frozenset[str], frozenset[str]]:
    """(names a function keeps as they are, names module-level code keeps as they are).

    In a function every name is abstracted but those bound at module level outside functions
    (imports, constants) and the built-ins: the stub's ``return next_w, config`` uses a ``next_w``
    only the student binds, and a student's ``np`` is everyone's ``np``. At module level only the
    imported names and the built-ins are kept.
    """
    imported: set[str] = set()
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                imported.update((a.asname or a.name).split(".")[0] for a in sub.names)
            elif isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                bound.add(sub.id)
    return frozenset(bound | imported | _BUILTINS), frozenset(imported | _BUILTINS)


def _binds(fn: ast.AST) -> set[str]:
    """The names a function binds (parameters; assignment, loop, ``with`` and ``except`` targets): local
    even when the module binds the same name (a stub's demo code at module level often uses ``w``
    and ``config``). Statements are followed, expressions are not (a walrus stays as it is): a full
    walk of the tree would cost more than all the rest of the normalizing."""
    names = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs, fn.args.vararg,
                             fn.args.kwarg) if a is not None}

    def targets(node: ast.AST) -> None:
        kind = type(node)
        if kind is ast.Name:
            names.add(node.id)
        elif kind is ast.Tuple or kind is ast.List:
            for elt in node.elts:
                targets(elt)
        elif kind is ast.Starred:
            targets(node.value)

    def statements(body: list[ast.stmt]) -> None:
        for stmt in body:
            kind = type(stmt)
            if kind is ast.Assign:
                for t in stmt.targets:
                    targets(t)
            elif kind is ast.AugAssign or kind is ast.AnnAssign or kind is ast.For or kind is ast.AsyncFor:
                targets(stmt.target)
            elif kind is ast.With or kind is ast.AsyncWith:
                for item in stmt.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
                names.add(stmt.name)
                continue  # its own locals are its own
            elif kind is ast.Import or kind is ast.ImportFrom:
                names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if type(inner) is list:
                    statements(inner)
            for handler in getattr(stmt, "handlers", ()) or ():
                if handler.name:
                    names.add(handler.name)
                statements(handler.body)

    statements(fn.body)
    return names


class _Tokens:
    """Pre-order walk of an AST emitting normalized tokens and their lines, leaving out each
    statement whose normalized form is one of ``given`` (the stub's), once per given statement."""

    def __init__(self, kept: frozenset[str], given: Counter[tuple[str, ...]] | None = None) -> None:
        self.kept = kept
        self.given = Counter(given) if given else None
        self.tokens: list[str] = []
        self.lines: list[int] = []

    def node(self, node: ast.AST, line: int) -> None:
        line = getattr(node, "lineno", line)
        tokens, lines = self.tokens, self.lines
        kind = type(node)
        if kind is ast.Name:
            tokens.append(node.id if node.id in self.kept else "v")
            lines.append(line)
            return
        if kind is ast.Constant:
            value = node.value
            tokens.append("s" if isinstance(value, (str, bytes))
                          else ("c" if value is None or isinstance(value, bool) else "n"))
            lines.append(line)
            return
        if kind is ast.arg:
            tokens.append("v")
            lines.append(line)
            return
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            tokens.append("def")  # its name is a binding like any other
            lines.append(line)
            self.node(node.args, line)
            self.body(node.body, line)
            return
        tokens.append(kind.__name__)
        lines.append(line)
        if kind is ast.Attribute:
            tokens.append("." + node.attr)
            lines.append(line)
        elif kind is ast.keyword and node.arg:
            tokens.append(node.arg + "=")  # keyword names belong to the callee: kept
            lines.append(line)
        for field in node._fields:
            if field in _SKIP_FIELDS:
                continue
            value = getattr(node, field, None)
            if type(value) is list:
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
            self.statement(stmt, line)
            if isinstance(stmt, _ENDS_BLOCK):
                break  # what follows in this block never runs

    def statement(self, stmt: ast.stmt, line: int) -> None:
        given = self.given
        if given is not None and _compound(stmt):  # a whole block the stub gave goes whole
            whole = _Tokens(self.kept)
            whole.statement(stmt, line)
            if given[tuple(whole.tokens)] > 0:
                given[tuple(whole.tokens)] -= 1
                return
        start = len(self.tokens)
        self.node(stmt, line)
        if given is not None and not _compound(stmt):
            form = tuple(self.tokens[start:])
            if given[form] > 0:
                given[form] -= 1
                del self.tokens[start:], self.lines[start:]


def _statement_forms(stmts: list[ast.stmt], kept: frozenset[str]) -> list[tuple[str, ...]]:
    """The normalized tokens of every statement, at any depth (the stub's given code)."""
    forms = []
    for node in stmts:
        for sub in ast.walk(node):
            if isinstance(sub, ast.stmt) and not _is_docstring(sub):
                t = _Tokens(kept)
                t.statement(sub, 0)
                forms.append(tuple(t.tokens))
    return forms


def _compound(node: ast.stmt) -> bool:
    return type(getattr(node, "body", None)) is list


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
        in_function, at_module = _module_names(tree)
        for name, fn, stmts in _units(tree):
            kept = at_module if fn is tree else in_function - _binds(fn)
            self.forms[name] = Counter(_statement_forms(stmts, kept))

    def functions(self) -> list[str]:
        """The units the stub defines (the functions the assignment asks for), module code excluded."""
        return [name for name in self.forms if name != MODULE]


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


def normalize(source: str, base: Base | None = None, prefix: str = "") -> dict[str, Unit]:
    """The units of a module's source (empty when it does not parse: it gives no code evidence)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    units: dict[str, Unit] = {}
    in_function, at_module = _module_names(tree)
    for name, fn, stmts in _units(tree):
        given = base.forms.get(name) if base is not None and not prefix else None
        # the body only: the signature is the stub's
        t = _Tokens(at_module if fn is tree else in_function - _binds(fn), given)
        try:
            t.body(stmts, getattr(fn, "lineno", 1))
        except RecursionError:
            continue  # nested beyond reason: no evidence from this function
        if t.tokens:
            span = ((fn.lineno, fn.end_lineno or fn.lineno) if fn is not tree
                    else (min(t.lines), max(getattr(s, "end_lineno", 0) or 0 for s in stmts) or max(t.lines)))
            units[prefix + name] = Unit(prefix + name, tuple(map(_token_id, t.tokens)), tuple(t.lines), span)
    return units
