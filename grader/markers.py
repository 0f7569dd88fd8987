"""Find the solution regions of a reference source file.

Two forms mark what students must write:

* a block, at any indentation::

      # BEGIN SOLUTION: compute the output of the unit
      output = sigmoid(x @ w)
      # END SOLUTION

  ``# BEGIN SOLUTION [names]`` or ``[raise]`` forces the placeholder style (otherwise: ``raise``
  inside a function, ``name = None`` for module-level code);
* one line: ``value = expression  # SOLUTION`` (stub: ``value = None``), ``# SOLUTION: prompt``
  (stub: ``value = None  # TODO: prompt``) or ``# SOLUTION = placeholder`` (stub: ``value =
  placeholder``). ``return expression  # SOLUTION`` becomes a ``raise NotImplementedError``.

Markers are found with :mod:`tokenize`, so marker text inside a string is recognised and refused.
Every problem raises :class:`MarkerError` naming the file and line.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

BEGIN = re.compile(r"^#\s*BEGIN SOLUTION\b(?:\s*\[(?P<style>names|raise)\])?\s*:?\s*(?P<prompt>.*)$")
END = re.compile(r"^#\s*END SOLUTION\s*$")
INLINE = re.compile(r"^#\s*SOLUTION\b\s*(?:(?P<op>[:=])\s*(?P<text>.*))?$")
ANY_MARKER = re.compile(r"#\s*(BEGIN SOLUTION|END SOLUTION|SOLUTION\b)")


class MarkerError(ValueError):
    """A malformed marker, with the file and 1-based line it was found at."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class Region:
    """Lines ``start``..``end`` (0-based, inclusive, marker lines included) to replace."""

    start: int
    end: int
    indent: str
    prompt: str
    style: str  # "raise" | "names" | "inline"
    names: tuple[str, ...] = ()
    inline_code: str = ""  # for inline regions: the stub line without indentation
    body: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class ParsedSource:
    path: str
    lines: tuple[str, ...]  # without line endings
    newline: str
    regions: tuple[Region, ...]


def line_outside_regions(parsed: ParsedSource, text: str) -> int | None:
    """The 1-based line of the first line outside every region whose stripped text is ``text``."""
    inside = {i for r in parsed.regions for i in range(r.start, r.end + 1)}
    for index, line in enumerate(parsed.lines):
        if index not in inside and line.strip() == text:
            return index + 1
    return None


def _comments(path: str, text: str) -> list[tuple[int, int, str]]:
    """(line index, column, text) of every comment; refuse marker text inside strings."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                found.append((tok.start[0] - 1, tok.start[1], tok.string))
            elif tok.type == tokenize.STRING and ANY_MARKER.search(tok.string):
                offset = ANY_MARKER.search(tok.string).start()
                line = tok.start[0] + tok.string.count("\n", 0, offset)
                raise MarkerError(path, line, "solution marker inside a string; markers must be comments")
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise MarkerError(path, getattr(exc, "lineno", None) or (exc.args[1][0] if len(exc.args) > 1 else 1),
                          f"cannot tokenize the source: {exc.args[0]}") from None
    return found


def _assigned_names(path: str, line: int, body: list[str]) -> tuple[str, ...]:
    """Names bound at the top level of a region, in first-binding order."""
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent("\n".join(body)))
    except SyntaxError as exc:
        raise MarkerError(path, line, f"the solution region is not valid code on its own: {exc.msg}") from None
    names: list[str] = []

    def add(target: ast.AST) -> None:
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                add(elt)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                add(t)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
    return tuple(names)


def _inside_function(lines: list[str], index: int, indent: str) -> bool:
    """Is line ``index`` (with ``indent``) nested in a ``def`` above it?"""
    width = len(indent.expandtabs())
    for j in range(index - 1, -1, -1):
        stripped = lines[j].lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        w = len(lines[j][: len(lines[j]) - len(stripped)].expandtabs())
        if w < width:
            if re.match(r"(async\s+)?def\b", stripped):
                return True
            width = w
            if w == 0:
                return False
    return False


def parse(text: str, path: str = "<source>") -> ParsedSource:
    """Split ``text`` into lines and the solution regions it marks."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    regions: list[Region] = []
    open_at: tuple[int, str, str, str] | None = None  # (line, indent, prompt, style)
    for index, col, comment in _comments(path, text.replace("\r\n", "\n")):
        code_before = lines[index][:col]
        whole_line = not code_before.strip()
        begin, end, inline = BEGIN.match(comment), END.match(comment), INLINE.match(comment)
        if begin or end:
            if not whole_line:
                raise MarkerError(path, index + 1, "BEGIN/END SOLUTION must stand on a line of their own")
        if begin:
            if open_at is not None:
                raise MarkerError(path, index + 1, f"nested BEGIN SOLUTION (the region opened at line "
                                                   f"{open_at[0] + 1} is not closed)")
            open_at = (index, code_before, begin["prompt"].strip(), begin["style"] or "")
        elif end:
            if open_at is None:
                raise MarkerError(path, index + 1, "END SOLUTION without a BEGIN SOLUTION")
            start, indent, prompt, style = open_at
            body = lines[start + 1:index]
            if not any(b.strip() and not b.strip().startswith("#") for b in body):
                raise MarkerError(path, start + 1, "empty solution region: it marks no code")
            if code_before != indent:
                raise MarkerError(path, index + 1, f"END SOLUTION is indented differently from its BEGIN "
                                                   f"at line {start + 1}")
            names = _assigned_names(path, start + 2, body)
            if not style:
                style = "raise" if _inside_function(lines, start, indent) else "names"
            if style == "names" and not names:
                raise MarkerError(path, start + 1, "a [names] region must assign at least one variable")
            regions.append(Region(start, index, indent, prompt, style, names, body=tuple(body)))
            open_at = None
        elif inline:
            if whole_line:
                raise MarkerError(path, index + 1, "# SOLUTION marks the code on its own line; "
                                                   "use BEGIN/END SOLUTION for a block")
            if open_at is not None:
                raise MarkerError(path, index + 1, f"inline SOLUTION inside the region opened at line "
                                                   f"{open_at[0] + 1}")
            regions.append(_inline_region(path, index, code_before, inline))
        elif re.search(r"\b(BEGIN|END) SOLUTION\b", comment):
            raise MarkerError(path, index + 1, f"malformed solution marker {comment.strip()!r}")
    if open_at is not None:
        raise MarkerError(path, open_at[0] + 1, "BEGIN SOLUTION is never closed by END SOLUTION")
    return ParsedSource(path, tuple(lines), newline, tuple(sorted(regions, key=lambda r: r.start)))


def _inline_region(path: str, index: int, code: str, marker: re.Match) -> Region:
    indent = code[: len(code) - len(code.lstrip())]
    statement = code.strip()
    op, text = marker["op"], (marker["text"] or "").strip()
    try:
        node = ast.parse(statement).body[0]
    except (SyntaxError, IndexError):
        raise MarkerError(path, index + 1, "# SOLUTION must end a complete one-line statement") from None
    if isinstance(node, ast.Return):
        return Region(index, index, indent, text if op == ":" else "", "raise", body=(code,))
    if not isinstance(node, (ast.Assign, ast.AnnAssign)):
        raise MarkerError(path, index + 1, "# SOLUTION marks an assignment or a return statement")
    first = node.targets[0] if isinstance(node, ast.Assign) else node.target
    target = ast.get_source_segment(statement, first)
    if op == "=" and not text:
        raise MarkerError(path, index + 1, "# SOLUTION = needs the placeholder expression after '='")
    width = len(first.elts) if isinstance(first, (ast.Tuple, ast.List)) else 0
    value = text if op == "=" else ", ".join(["None"] * width) if width else "None"
    stub = f"{target} = {value}"
    prompt = text if op == ":" else ""
    return Region(index, index, indent, prompt, "inline", inline_code=stub, body=(code,))
