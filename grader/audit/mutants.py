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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.audit.operators import OPERATORS, Scope
from grader.markers import parse



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
