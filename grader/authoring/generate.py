"""The whole student pack: stubs, notebook, public checks, frozen expected outputs, README, data."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import grader
from grader.authoring.pack_figures import drawn_elsewhere, figure_functions, reference_figures
from grader.authoring.render_notebook import build_notebook, notebook_text
from grader.checks.expected import freeze
from grader.course import CHECKS, EXPECTED, Assignment, assignment_folders, load_solution
from grader.errors import AuthoringError
from grader.figures import DRAWN_WITH, FOLDER as FIGURES, figure_name
from grader.markers import line_outside_regions, parse
from grader.stubs import stub_body, student_sources
from grader.submission import notebook_source
from grader.templating import render

TRIVIAL = {"else:", "try:", "finally:", "pass", "return", "break", "continue", ")", "]", "}", "),", "])"}


@dataclass
class Rendered:
    """The files of one assignment's pack: relative path -> bytes."""

    assignment: str
    files: dict[str, bytes] = field(default_factory=dict)


def check_no_leak(path: Path, source: str, stub: str) -> None:
    """Refuse a stub in which a line of a solution region survives."""
    stub_lines = [line.strip() for line in stub.replace("\r\n", "\n").split("\n")]
    parsed = parse(source, str(path))
    for region in parsed.regions:
        for offset, line in enumerate(region.body):
            text = line.strip()
            if not text or text.startswith("#") or text in TRIVIAL or len(text) < 6:
                continue
            if text in stub_lines:
                other = line_outside_regions(parsed, text)
                where = (f"at {path}:{other}, outside the region" if other else
                         f"in the stub the templates render, at its line {stub_lines.index(text) + 1}")
                raise AuthoringError(f"{path}:{region.start + 2 + offset}: solution line {text!r} also stands "
                                     f"{where}, so the stub would reveal it; rephrase one of them")


def question_texts(assignment: Assignment, templates: Path | None) -> dict[str, str]:
    """Each question's Markdown (text, lettered choices, how to answer) by its answer variable.

    Hidden questions are shown too (a student must see a question to answer it), by their text and
    variable only: the check's name and the answer stay on the instructor's side."""
    from grader.checks.api import LETTERS

    return {c.functions[0]: render("question.md.j2", templates, text=c.description, hidden=c.hidden,
                                   variable=c.functions[0], several=c.several,
                                   choices=list(zip(LETTERS, c.choices))).strip()
            for c in assignment.checks if c.kind == "question"}


def render_assignment(assignment: Assignment, templates: Path | None, *, wheel: str | None = None,
                      figures: bool = False) -> Rendered:
    """The student pack of ``assignment``; ``wheel`` names the grader's wheel shipped in ``wheels/``
    (a `grade pack` zip), so the README starts with the lines that install it; with ``figures``, the
    reference's figures too (they need matplotlib and take seconds, so only the pack itself draws
    them: grading and verifying need the stubs only)."""
    out = Rendered(assignment.name)
    main_source = assignment.module_path.read_text(encoding="utf-8")
    title = assignment.title
    sources = student_sources(assignment, templates)
    for path in assignment.sources():
        check_no_leak(path, path.read_text(encoding="utf-8"), sources.stubs[path.name].decode("utf-8"))
    out.files.update(sources.stubs)
    body = stub_body(parse(main_source, str(assignment.module_path)), templates)
    questions = question_texts(assignment, templates)
    nb = build_notebook(body, assignment.name, title, templates, questions)
    out.files[f"{assignment.name}.ipynb"] = notebook_text(nb).encode("utf-8")
    out.files[CHECKS] = (assignment.folder / CHECKS).read_bytes()
    frozen = freeze(assignment, grader.__version__)
    frozen["title"] = title  # the student's copy shows the instructor's title (load_pack reads it)
    frozen["pristine"] = {  # lets `grade submit` tell which of the .py and the notebook was edited
        f"{assignment.module}.py": hashlib.sha256(out.files[assignment.module_path.name]).hexdigest(),
        f"{assignment.module}.ipynb": hashlib.sha256(notebook_source(nb).encode("utf-8")).hexdigest(),
    }
    out.files[EXPECTED] = (json.dumps(frozen, sort_keys=True, indent=1) + "\n").encode("utf-8")
    public = assignment.public_checks
    hidden = assignment.hidden_checks
    readme = render("pack_README.md.j2", templates, title=title, assignment=assignment.name,
                    module=assignment.module, functions=[f for f in assignment.functions() if f not in questions],
                    questions=list(questions.values()), checks=public,
                    figures=[figure_name(f) for f in figure_functions(assignment.reference)],
                    public_points=sum(c.points for c in public), hidden_count=len(hidden),
                    hidden_points=sum(c.points for c in hidden), wheel=wheel)
    out.files["README.md"] = readme.encode("utf-8")
    if figures:
        out.files.update(reference_figures(assignment))
    out.files.update(sources.data)
    return out


def render_course(solutions: Path, names: tuple[str, ...] = (), templates: Path | None = None) -> list[Rendered]:
    return [render_assignment(load_solution(folder), templates, figures=True)
            for folder in assignment_folders(solutions, names)]


def _on_disk(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")}


def stale_files(rendered: list[Rendered], out: Path, notes: list[str] | None = None) -> list[str]:
    """Lines naming each pack file that is missing, different or unexpected.

    The reference's figures are compared byte for byte when they were drawn by the renderer drawing
    them now (``figures/drawn-with.txt``); when not, they are only required to exist, and a line
    saying so goes to ``notes``."""
    problems = []
    for r in rendered:
        folder = out / r.assignment
        elsewhere = drawn_elsewhere(r.files, folder)
        if elsewhere and notes is not None:
            notes.append(f"{folder / FIGURES}: drawn with {elsewhere}, this is "
                         f"{r.files[f'{FIGURES}/{DRAWN_WITH}'].decode().strip()}: figures not compared byte for byte")
        for rel, content in sorted(r.files.items()):
            target = folder / rel
            if not target.is_file():
                problems.append(f"missing: {target}")
            elif target.read_bytes() != content and not (elsewhere and Path(rel).parts[0] == FIGURES):
                problems.append(f"stale:   {target}")
        for rel in sorted(_on_disk(folder) - set(r.files)):
            problems.append(f"extra:   {folder / rel}")
    return problems


def write_pack(rendered: list[Rendered], out: Path) -> list[Path]:
    """Write every file (only where content changed) and remove files the pack no longer has."""
    written = []
    for r in rendered:
        folder = out / r.assignment
        for rel in _on_disk(folder) - set(r.files):
            (folder / rel).unlink()
        for rel, content in sorted(r.files.items()):
            target = folder / rel
            if target.is_file() and target.read_bytes() == content:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
        for d in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
            if d.name == "__pycache__":
                shutil.rmtree(d, ignore_errors=True)
            elif not any(d.iterdir()):
                d.rmdir()
    return written
