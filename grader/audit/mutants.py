"""Mutants of a reference solution: one small change each, made with :mod:`ast`, only inside the
solution regions (what students write).

Each operator looks at one node and proposes replacement source texts for it; a mutant is the
reference file with that node's source segment replaced (the rest of the file byte for byte the
same, so a diff shows only the change). A mutant's id is ``function:operator:hash``, the hash taken
over the node's own source and its replacement (plus ``#n`` for a repeat in the same function), so
ids survive edits elsewhere in the file and an ``audit.toml`` decision stays attached to its mutant.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.authoring.markers import parse

MAX_CONSTANT_MUTANTS = 4  # per constant: enough to cover 0/1, +-1, x10 and /10 without a flood
MAX_VARIABLE_MUTANTS = 3  # per variable read
SMALL = 1e-3  # a positive constant below this is an epsilon: try it at 0


class AuditError(ValueError):
    """Bad audit input (no solution region, a bad audit.toml), naming the file and line."""


@dataclass(frozen=True)
class Mutant:
    id: str
    function: str
    operator: str
    file: str  # the mutated file's name in the assignment folder
    line: int  # 1-based line of the change in the reference file
    original: str  # the node's source
    replacement: str  # what replaced it
    source: str = field(repr=False)  # the whole mutated file

    @property
    def digest(self) -> str:
        return mutant_digest(self.file, self.source)


def mutant_digest(file: str, source: str) -> str:
    """What identifies a mutant's code: its file's name and whole text."""
    return hashlib.sha256(f"{file}\0{source}".encode()).hexdigest()


@dataclass
class MutantSet:
    mutants: list[Mutant]
    not_compiling: int = 0
    duplicates: int = 0


# --------------------------------------------------------------------------- operators
# Each operator: (node, function's context) -> replacement texts for that node.

Proposal = Iterator[str]
_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


def _u(node: ast.AST) -> str:
    return ast.unparse(node)


def _paren(node: ast.AST) -> str:
    return f"({_u(node)})"


def arith(node: ast.AST, ctx: "Scope") -> Proposal:
    """``+ -``, ``* /``, ``** *`` (in expressions and augmented assignments)."""
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        yield _u(ast.BinOp(node.left, _ARITH[type(node.op)](), node.right))
    elif isinstance(node, ast.AugAssign) and type(node.op) in _ARITH:
        yield _u(ast.AugAssign(node.target, _ARITH[type(node.op)](), node.value))


def sign(node: ast.AST, ctx: "Scope") -> Proposal:
    """A unary minus removed, or added to a value that is assigned or returned."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield _paren(node.operand)
    elif isinstance(node, (ast.Assign, ast.Return)) and node.value is not None \
            and not isinstance(node.value, (ast.Tuple, ast.Constant, ast.Dict, ast.List, ast.UnaryOp)):
        if isinstance(node, ast.Assign):
            yield _u(ast.Assign(node.targets, ast.UnaryOp(ast.USub(), node.value), lineno=0))
        else:
            yield _u(ast.Return(ast.UnaryOp(ast.USub(), node.value)))


def constant(node: ast.AST, ctx: "Scope") -> Proposal:
    """0 <-> 1, +-1, x10, /10, a small epsilon-like constant to 0 (at most a few per constant)."""
    if not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
        return
    v = node.value
    candidates: list[float | int] = []
    if 0 < abs(v) < SMALL:
        candidates += [0, v * 10, v / 10]
    elif v == 0:
        candidates += [1]
    elif v == 1:
        candidates += [0, 2]
    else:
        candidates += [v + 1, v - 1, v * 10, v / 10] if isinstance(v, int) else [v * 10, v / 10, v + 1, v - 1]
    if isinstance(v, int):
        candidates = [int(c) if float(c).is_integer() else c for c in candidates]
    else:
        candidates = [float(c) for c in candidates]  # 1.0 -> 2.0, not 2: the student's own spelling
    seen: list[str] = []
    for c in candidates:
        text = repr(c)
        if c != v and text not in seen:
            seen.append(text)
    for text in seen[:MAX_CONSTANT_MUTANTS]:
        yield f"({text})" if text.startswith("-") else text


def compare(node: ast.AST, ctx: "Scope") -> Proposal:
    """``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=`` (one comparison operator at a time)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE:
                ops = list(node.ops)
                ops[i] = _COMPARE[type(op)]()
                yield _u(ast.Compare(node.left, ops, node.comparators))


def _plus(node: ast.AST, k: int) -> ast.AST:
    return ast.BinOp(node, ast.Add() if k > 0 else ast.Sub(), ast.Constant(1))


def off_by_one(node: ast.AST, ctx: "Scope") -> Proposal:
    """``t`` vs ``t+1`` / ``t-1`` in range bounds, indices, slice bounds and exponents."""
    if isinstance(node, ast.Call) and _name(node.func) in ("range", "np.arange", "numpy.arange"):
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Constant):
                continue  # the constant operator covers it
            for k in (1, -1):
                args = list(node.args)
                args[i] = _plus(arg, k)
                yield _u(ast.Call(node.func, args, node.keywords))
    elif isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.Slice):
            for part in ("lower", "upper"):
                bound = getattr(index, part)
                if bound is None or isinstance(bound, ast.Constant):
                    continue
                for k in (1, -1):
                    parts = {"lower": index.lower, "upper": index.upper, "step": index.step, part: _plus(bound, k)}
                    yield _u(ast.Subscript(node.value, ast.Slice(**parts), node.ctx))
        elif isinstance(index, (ast.Name, ast.BinOp)):
            for k in (1, -1):
                yield _u(ast.Subscript(node.value, _plus(index, k), node.ctx))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and not isinstance(node.right, ast.Constant):
        for k in (1, -1):
            yield _u(ast.BinOp(node.left, ast.Pow(), _plus(node.right, k)))


def drop_term(node: ast.AST, ctx: "Scope") -> Proposal:
    """A term of a sum or a factor of a product dropped (a denominator dropped for a quotient)."""
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add):
            yield _paren(node.left)
            yield _paren(node.right)
        elif isinstance(node.op, ast.Sub):
            yield _paren(node.left)
            yield _u(ast.UnaryOp(ast.USub(), node.right))
        elif isinstance(node.op, (ast.Mult, ast.MatMult)):
            yield _paren(node.left)
            yield _paren(node.right)
        elif isinstance(node.op, ast.Div):
            yield _paren(node.left)


def remove_statement(node: ast.AST, ctx: "Scope") -> Proposal:
    """A state store (``config['m'] = m``), an in-place update, a call made for its effect, or a
    reset (a name bound again) removed."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        stores = any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets)
        rebinds = isinstance(node, ast.AugAssign) or any(
            isinstance(t, ast.Name) and ctx.bound_before(t.id, node.lineno) for t in targets)
        if stores or rebinds:
            yield "pass"
    elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
        yield "pass"


def swap_args(node: ast.AST, ctx: "Scope") -> Proposal:
    """Two neighbouring positional arguments of a call swapped."""
    if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
        for i in range(len(node.args) - 1):
            if _u(node.args[i]) == _u(node.args[i + 1]):
                continue
            args = list(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            yield _u(ast.Call(node.func, args, node.keywords))


def axis(node: ast.AST, ctx: "Scope") -> Proposal:
    """``axis=0`` <-> ``axis=1``, ``axis=-1`` -> 0, and the axis dropped (``None``: every element)."""
    if not isinstance(node, ast.Call):
        return
    for i, kw in enumerate(node.keywords):
        if kw.arg != "axis":
            continue
        others = node.keywords[:i] + node.keywords[i + 1:]
        swaps = {0: [1], 1: [0], -1: [0]}.get(kw.value.value, []) if isinstance(kw.value, ast.Constant) \
            and type(kw.value.value) is int else []
        for new in swaps:
            kws = node.keywords[:i] + [ast.keyword("axis", ast.Constant(new))] + node.keywords[i + 1:]
            yield _u(ast.Call(node.func, node.args, kws))
        if not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
            yield _u(ast.Call(node.func, node.args, others))


def drop_call(node: ast.AST, ctx: "Scope") -> Proposal:
    """A ``.T`` or an ``np.sqrt`` removed."""
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield _paren(node.value)
    elif isinstance(node, ast.Call) and _name(node.func) in ("np.sqrt", "numpy.sqrt", "math.sqrt", "sqrt") \
            and len(node.args) == 1 and not node.keywords:
        yield _paren(node.args[0])


def replace_variable(node: ast.AST, ctx: "Scope") -> Proposal:
    """A variable read replaced by a related one bound before it (``m_hat`` by ``m``, ``dw`` by ``w``)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for other in ctx.related(node.id, node.lineno):
            yield other


def copy(node: ast.AST, ctx: "Scope") -> Proposal:
    """In place instead of a copy and the reverse: ``x = x + y`` <-> ``x += y``; ``.copy()`` removed."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.BinOp) \
            and _u(node.targets[0]) == _u(node.value.left) and isinstance(node.targets[0], (ast.Name, ast.Subscript)):
        yield _u(ast.AugAssign(node.targets[0], node.value.op, node.value.right))
    elif isinstance(node, ast.AugAssign):
        load = ast.parse(_u(node.target), mode="eval").body
        yield _u(ast.Assign([node.target], ast.BinOp(load, node.op, node.value), lineno=0))
    elif isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "copy":
        yield _paren(node.func.value)
    elif isinstance(node, ast.Call) and _name(node.func) in ("np.copy", "numpy.copy") and len(node.args) == 1:
        yield _paren(node.args[0])


def keepdims(node: ast.AST, ctx: "Scope") -> Proposal:
    """``keepdims=True`` dropped."""
    if isinstance(node, ast.Call):
        kept = [k for k in node.keywords if k.arg != "keepdims"]
        if len(kept) != len(node.keywords):
            yield _u(ast.Call(node.func, node.args, kept))


OPERATORS: dict[str, Callable[[ast.AST, "Scope"], Proposal]] = {
    "arith": arith, "sign": sign, "constant": constant, "compare": compare, "off_by_one": off_by_one,
    "drop_term": drop_term, "remove_statement": remove_statement, "swap_args": swap_args, "axis": axis,
    "drop_call": drop_call, "replace_variable": replace_variable, "copy": copy, "keepdims": keepdims,
}


# --------------------------------------------------------------------------- scopes and regions

def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


def _related(a: str, b: str) -> bool:
    """Names a student could confuse: one a part of the other (``m``/``m_hat``, ``w``/``dw``/``next_w``)."""
    ta, tb = a.split("_"), b.split("_")
    return ta[0] == tb[0] or ta[-1] == tb[-1] or (len(a) <= 3 and len(b) <= 3 and (a in b or b in a))


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


class Scope:
    """The names a function binds (parameters, assignments, loop targets) and where."""

    def __init__(self, function: ast.AST | None):
        self.bindings: dict[str, int] = {}
        if function is None:
            return
        args = function.args
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None:
                self.bindings[a.arg] = function.lineno
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.bindings.setdefault(node.id, node.lineno)
                self.bindings[node.id] = min(self.bindings[node.id], node.lineno)

    def bound_before(self, name: str, line: int) -> bool:
        return name in self.bindings and self.bindings[name] < line

    def related(self, name: str, line: int) -> list[str]:
        if name not in self.bindings:
            return []  # a global or a builtin: not a variable the student chose
        found = [o for o, at in self.bindings.items() if o != name and at < line and _related(name, o)]
        # the closest names first (a shared prefix), a few per read: enough to catch a confusion
        return sorted(found, key=lambda o: (-len(_common_prefix(name, o)), o))[:MAX_VARIABLE_MUTANTS]


def _region_lines(text: str, path: str) -> set[int]:
    """1-based line numbers of code inside solution regions."""
    lines: set[int] = set()
    for r in parse(text, path).regions:
        if r.style == "inline":
            lines.add(r.start + 1)
        else:
            lines.update(range(r.start + 2, r.end + 1))
    return lines


def _enclosing_functions(tree: ast.AST) -> dict[ast.AST, ast.AST | None]:
    owner: dict[ast.AST, ast.AST | None] = {}

    def visit(node: ast.AST, function: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            owner[child] = function
            visit(child, inner)

    visit(tree, None)
    return owner


def _segment(lines: list[bytes], node: ast.AST) -> str:
    """The node's own source (``ast.get_source_segment`` splits the whole file on every call)."""
    start, end = node.lineno - 1, node.end_lineno - 1
    if start == end:
        return lines[start][node.col_offset:node.end_col_offset].decode()
    parts = [lines[start][node.col_offset:], *lines[start + 1:end], lines[end][:node.end_col_offset]]
    return b"".join(parts).decode()


def _splice(lines: list[bytes], node: ast.AST, replacement: str) -> str:
    """The file with ``node``'s source (ast offsets are in UTF-8 bytes) replaced."""
    start, end = node.lineno - 1, node.end_lineno - 1
    head = lines[start][: node.col_offset]
    tail = lines[end][node.end_col_offset:]
    indent = b"\n" + b" " * node.col_offset
    middle = replacement.encode().replace(b"\n", indent)
    return b"".join(lines[:start] + [head + middle + tail] + lines[end + 1:]).decode()


def mutate_file(path: Path, operators: dict[str, Callable] | None = None) -> MutantSet:
    """Every mutant of the solution regions of ``path`` (an error names the file if it has none)."""
    text = path.read_text(encoding="utf-8")
    regions = _region_lines(text, str(path))
    if not regions:
        raise AuditError(f"{path}: no solution region (mark what students write with # BEGIN SOLUTION / "
                         f"# END SOLUTION or # SOLUTION) - there is nothing to mutate")
    return _mutants(text, path.name, regions, operators or OPERATORS)


def _mutants(text: str, filename: str, region: set[int], operators: dict[str, Callable]) -> MutantSet:
    tree = ast.parse(text, filename)
    lines = text.encode("utf-8").splitlines(keepends=True)
    owner = _enclosing_functions(tree)
    scopes: dict[ast.AST | None, Scope] = {}
    found = MutantSet([])
    seen_sources = {text}
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or node.lineno not in region or node.end_lineno not in region:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.arg, ast.keyword)):
            continue
        function = owner.get(node)
        if function not in scopes:
            scopes[function] = Scope(function)
        scope = scopes[function]
        fname = function.name if function is not None else "<module>"
        original = _segment(lines, node)
        for op_name, operator in operators.items():
            for replacement in operator(node, scope):
                source = _splice(lines, node, replacement)
                if source in seen_sources:
                    found.duplicates += 1
                    continue
                seen_sources.add(source)
                try:
                    compile(source, filename, "exec")
                except (SyntaxError, ValueError):
                    found.not_compiling += 1
                    continue
                digest = hashlib.sha256(f"{original}\0{replacement}".encode()).hexdigest()[:10]
                base = f"{fname}:{op_name}:{digest}"
                counts[base] = counts.get(base, 0) + 1
                mutant_id = base if counts[base] == 1 else f"{base}#{counts[base]}"
                found.mutants.append(Mutant(mutant_id, fname, op_name, filename, node.lineno, original,
                                            replacement, source))
    found.mutants.sort(key=lambda m: (m.line, m.id))
    return found
