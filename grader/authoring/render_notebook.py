"""A stub module -> a Jupyter notebook (nbformat).

Its cells are the stub's own (:func:`grader.stubs.cells_of` splits the percent format), under a
title cell that heads the notebook (the module docstring's own ``# heading`` is left out: it would
repeat the title) and before the cells that run ``check()``. The way back, a notebook -> the module
source it holds, is the opener's: :func:`grader.submission.notebook_source`.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.stubs import cells_of, split_docstring
from grader.templating import render


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
    has_docstring = bool(split_docstring(source.replace("\r\n", "\n").split("\n"))[0])
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
