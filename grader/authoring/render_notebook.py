"""A stub module -> a Jupyter notebook (nbformat), and a notebook -> the module source it holds.

Cells come from the percent format: ``# %% [markdown]`` starts a Markdown cell whose lines are
``# `` comments, ``# %%`` a code cell. The module docstring becomes the first Markdown cell, under
the title cell that heads the notebook (without its own ``# heading``: that would repeat the title).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from typing import Any

from grader.templating import render

CELL = re.compile(r"^# %%(?P<rest>.*)$")
MAGIC = re.compile(r"^\s*(%|!)")


def _split_docstring(lines: list[str]) -> tuple[str, list[str]]:
    """(docstring, remaining lines) of a module source."""
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return "", lines
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(getattr(tree.body[0], "value", None), ast.Constant) \
            and isinstance(tree.body[0].value.value, str):
        node = tree.body[0]
        return ast.get_docstring(tree) or "", lines[: node.lineno - 1] + lines[node.end_lineno:]
    return "", lines


def cells_of(source: str) -> list[tuple[str, str]]:
    """(kind, text) cells of a percent-format module; the docstring first, as Markdown."""
    doc, lines = _split_docstring(source.replace("\r\n", "\n").split("\n"))
    cells: list[tuple[str, list[str]]] = []
    if doc:
        cells.append(("markdown", doc.split("\n")))
    kind, buf = "code", []
    for line in lines:
        m = CELL.match(line)
        if m:
            cells.append((kind, buf))
            kind, buf = ("markdown" if "[markdown]" in m.group("rest") else "code"), []
            continue
        if kind == "markdown":
            line = line[2:] if line.startswith("# ") else line.lstrip("#")
        buf.append(line)
    cells.append((kind, buf))
    out = []
    for kind, body in cells:
        text = "\n".join(body).strip("\n")
        if text.strip():
            out.append((kind, text))
    return out


def _with_questions(cells: list[tuple[str, str]], questions: dict[str, str]) -> list[tuple[str, str]]:
    """``cells`` with each question's Markdown cell before the code cell that sets its variable."""
    if not questions:
        return cells
    out = []
    for kind, text in cells:
        if kind == "code":
            out += [("markdown", md) for variable, md in questions.items()
                    if re.search(rf"^{re.escape(variable)}\s*=", text, re.M)]
        out.append((kind, text))
    return out


def _without_heading(cells: list[tuple[str, str]], source: str) -> list[tuple[str, str]]:
    """``cells`` of ``source`` without its docstring's ``# heading``: the title cell heads the notebook,
    and the docstring's heading is the title (or the one course.toml replaces)."""
    has_docstring = bool(_split_docstring(source.replace("\r\n", "\n").split("\n"))[0])
    if not has_docstring or not cells or cells[0][0] != "markdown" or not cells[0][1].startswith("# "):
        return cells
    rest = cells[0][1].partition("\n")[2].strip("\n")
    return ([("markdown", rest)] if rest.strip() else []) + cells[1:]


def build_notebook(stub_source: str, assignment: str, title: str, templates: Path | None = None,
                   questions: dict[str, str] | None = None):
    """The student notebook for a stub module (valid nbformat v4, deterministic cell ids).

    ``questions`` maps a question's answer variable to its Markdown, shown as a cell of its own just
    before the code cell that sets the variable."""
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "grade": {"assignment": assignment},
    }
    cells = [("markdown", render("notebook_title.md.j2", templates, assignment=assignment, title=title).strip())]
    cells += _with_questions(_without_heading(cells_of(stub_source), stub_source), questions or {})
    cells += [("markdown", render("notebook_check.md.j2", templates, assignment=assignment).strip()),
              ("code", render("notebook_check.py.j2", templates, assignment=assignment).strip())]
    for i, (kind, text) in enumerate(cells):
        cell = v4.new_markdown_cell(text) if kind == "markdown" else v4.new_code_cell(text)
        cell.id = f"{assignment}-{i:02d}".replace("_", "-")
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def notebook_text(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


def notebook_source(nb: dict[str, Any]) -> str:
    """The module a notebook's code cells make, in order; IPython magics and ``!`` lines are dropped.

    ``nb`` is the notebook's JSON (a dict or an nbformat node): reading it needs no nbformat. It may
    be a student's unvalidated notebook, so a cell's source that is neither text nor a list of
    text lines counts as empty instead of raising.
    """
    chunks = []
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(line for line in source if isinstance(line, str))
        elif not isinstance(source, str):
            source = ""
        lines = source.split("\n")
        if lines and lines[0].startswith("%%"):  # a cell magic makes the whole cell non-Python
            continue
        chunks.append("\n".join("" if MAGIC.match(l) else l for l in lines))
    return "\n\n".join(chunks) + "\n"
