"""The files a student starts from: each source of an assignment with its solution regions replaced.

Room: the course layer, beside :mod:`grader.course` (it may import the course loader, the region
markers, the templates and the opener; nothing of authoring, grading or bulk). Turning a reference
source into a stub is text in, text out: nothing of the reference runs. So grading asks for an
assignment's :class:`StudentSources` (the stubs, their pristine hashes, the data files) cheaply, once
per batch, while `grade generate` renders the whole pack (notebook, frozen expected outputs, README,
figures) from the same stubs.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from grader.course import DATA, Assignment
from grader.markers import ParsedSource, Region, parse
from grader.submission import notebook_source
from grader.templating import render

# ---------------------------------------------------------------- a reference source -> its stub

BANNER_COLUMNS = 79
MIN_BANNER = 40


def _function_at(lines: tuple[str, ...], index: int) -> str | None:
    for j in range(index, -1, -1):
        m = re.match(r"\s*(?:async\s+)?def\s+(\w+)", lines[j])
        if m:
            return m.group(1)
    return None


def render_region(source: ParsedSource, region: Region, templates: Path | None) -> list[str]:
    """The stub lines that stand in for ``region``."""
    width = max(BANNER_COLUMNS - len(region.indent.expandtabs()), MIN_BANNER)
    context = dict(indent=region.indent, prompt=region.prompt, style=region.style, names=region.names,
                   code=region.inline_code, function=_function_at(source.lines, region.start))
    text = ""
    if region.start != region.end:  # a block gets the banner; a single line keeps its place
        text += render("banner.py.j2", templates, width=width,
                       **{**context, "prompt": region.prompt or "write your code here."})
    text += render("placeholder.py.j2", templates, **context)
    return text.rstrip("\n").split("\n")


def stub_body(source: ParsedSource, templates: Path | None = None) -> str:
    """The source with each region replaced, joined with "\\n" (no trailing newline)."""
    out: list[str] = []
    cursor = 0
    for region in source.regions:
        out.extend(source.lines[cursor:region.start])
        out.extend(render_region(source, region, templates))
        cursor = region.end + 1
    out.extend(source.lines[cursor:])
    return "\n".join(out)


def render_stub(text: str, path: str, assignment: str, templates: Path | None = None) -> str:
    """The whole stub module for the reference source ``text`` (keeps its line endings)."""
    source = parse(text, path)
    module = render("module.py.j2", templates, assignment=assignment, body=stub_body(source, templates))
    module = module.rstrip("\n") + "\n"
    return module.replace("\n", source.newline) if source.newline != "\n" else module


def solution_lines(text: str, path: str) -> list[str]:
    """The code lines inside solution regions (what must never reach a stub)."""
    source = parse(text, path)
    lines: list[str] = []
    for region in source.regions:
        lines.extend(line for line in region.body if line.strip() and not line.strip().startswith("#"))
    return lines


# ---------------------------------------------------------------- the notebook's cells

CELL = re.compile(r"^# %%(?P<rest>.*)$")


def split_docstring(lines: list[str]) -> tuple[str, list[str]]:
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
    doc, lines = split_docstring(source.replace("\r\n", "\n").split("\n"))
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


def notebook_code(body: str, assignment: str, templates: Path | None = None) -> str:
    """The module an untouched copy of the assignment's notebook grades as: its code cells are the
    stub ``body``'s own, then the cell that runs ``check()`` (the title and the questions add Markdown
    cells only; :func:`grader.authoring.notebook.build_notebook` writes the notebook itself)."""
    code = [text for kind, text in cells_of(body) if kind == "code"]
    code.append(render("notebook_check.py.j2", templates, assignment=assignment).strip())
    return notebook_source({"cells": [{"cell_type": "code", "source": text} for text in code]})


# ---------------------------------------------------------------- an assignment's student sources

@dataclass(frozen=True)
class StudentSources:
    """What a student of one assignment starts from, as bytes (picklable: a batch ships it to workers)."""

    module: str  # the graded module's name
    stubs: dict[str, bytes]  # file name -> stub: the graded module first, then its support modules
    data: dict[str, bytes]  # "data/<path>" -> bytes, as the pack ships them
    pristine: dict[str, str]  # "<module>.py" and "<module>.ipynb" -> sha256 of what an untouched copy grades as

    @property
    def given(self) -> dict[str, bytes]:
        """What every run of a submission starts from (the submission's own files go over them)."""
        return {**self.stubs, **self.data}

    @property
    def module_stub(self) -> bytes:
        """The graded module's stub: what every submission of it shares (the gradebook's zlib dictionary)."""
        return self.stubs[f"{self.module}.py"]


def data_files(folder: Path) -> dict[str, bytes]:
    """The files under ``folder/data`` ("data/<path>" -> bytes), in a stable order."""
    data = Path(folder) / DATA
    if not data.is_dir():
        return {}
    return {str(Path(DATA) / f.relative_to(data)): f.read_bytes()
            for f in sorted(p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts)}


def student_sources(assignment: Assignment, templates: Path | None = None) -> StudentSources:
    """The student sources of ``assignment`` (loaded from its solution folder): byte for byte the stubs and data `grade generate` writes into the pack, and the
    pristine hashes of its expected.json, without running the reference or building the notebook."""
    stubs = {path.name: render_stub(path.read_text(encoding="utf-8"), str(path), assignment.name, templates)
             .encode("utf-8") for path in assignment.sources()}
    main = assignment.module_path
    body = stub_body(parse(main.read_text(encoding="utf-8"), str(main)), templates)
    module = assignment.module
    pristine = {f"{module}.py": hashlib.sha256(stubs[main.name]).hexdigest(),
                f"{module}.ipynb": hashlib.sha256(notebook_code(body, assignment.name, templates).encode("utf-8"))
                .hexdigest()}
    return StudentSources(module, stubs, data_files(assignment.folder), pristine)
