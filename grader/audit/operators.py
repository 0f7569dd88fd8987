"""The mutation operators: each looks at one ``ast`` node of a solution region and proposes
replacement source texts for it (one small change each), the slips of numerical code.

An operator is ``(node, scope) -> iterator of replacement texts``; :data:`OPERATORS` names them,
and the name is the middle part of a mutant's id.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

MAX_CONSTANT_MUTANTS = 4  # per constant: enough to cover 0/1, +-1, x10 and /10 without a flood
MAX_VARIABLE_MUTANTS = 3  # per variable read
SMALL = 1e-3  # a positive constant below this is an epsilon: try it at 0

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


# --------------------------------------------------------------------------- names in scope

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
