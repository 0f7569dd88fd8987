"""Load one assignment: its checks, and (where the solutions are) its reference and known mistakes.

Two places hold an assignment: the instructor's ``solutions/<name>/`` (reference, public and hidden
checks, mistakes) and the student pack ``assignments/<name>/`` (stub, public checks, frozen expected
outputs). Both load into :class:`Assignment`; only the first can compute expected outputs itself.

An assignment has one title, computed here as it loads and used everywhere (the pack's README and
notebook, ``grade new``, the class report): ``[assignments.<name>] title`` in ``course.toml``, else
the first line of the reference's docstring (its ``# heading``), else the name, capitalised. The
pack freezes it into ``expected.json``, so a student's copy shows the same one.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType

from grader.checks.api import Check, Mistake
from grader.checks.loader import load_checks, load_mistakes, load_module
from grader.course_toml import configured_title
from grader.errors import AuthoringError

CHECKS, HIDDEN_CHECKS, MISTAKES = "checks.py", "hidden_checks.py", "mistakes.py"
SPECIAL = {CHECKS, HIDDEN_CHECKS, MISTAKES}
EXPECTED = "expected.json"
DATA = "data"


@dataclass
class Assignment:
    name: str
    folder: Path
    public_checks: list[Check]
    hidden_checks: list[Check] = field(default_factory=list)
    is_pack: bool = False
    title: str = ""  # set by load_solution / load_pack; see the module docstring

    def __post_init__(self) -> None:
        self.title = self.title or default_title(self.name)

    @property
    def module(self) -> str:
        return self.name

    @property
    def module_path(self) -> Path:
        return self.folder / f"{self.name}.py"

    @property
    def checks(self) -> list[Check]:
        return self.public_checks + self.hidden_checks

    @property
    def check_files(self) -> list[Path]:
        files = [self.folder / CHECKS]
        if self.hidden_checks:
            files.append(self.folder / HIDDEN_CHECKS)
        return files

    @property
    def max_score(self) -> float:
        return round(sum(c.points for c in self.checks), 6)

    def sources(self) -> list[Path]:
        """The Python files rendered into the pack: the graded module first, then support modules."""
        others = sorted(p for p in self.folder.glob("*.py") if p.name not in SPECIAL and p != self.module_path)
        return [self.module_path, *others]

    def functions(self) -> list[str]:
        names: list[str] = []
        for c in self.checks:
            names.extend(f for f in c.functions if f not in names)
        return names

    @cached_property
    def reference(self) -> ModuleType:
        if self.is_pack:
            raise AuthoringError(f"{self.folder}: a student pack holds no reference solution")
        return load_module(self.module_path, "reference")

    @cached_property
    def mistakes(self) -> list[Mistake]:
        path = self.folder / MISTAKES
        if self.is_pack or not path.is_file():
            return []
        found = load_mistakes(path, self.reference, self.module)
        known = set(self.functions())
        for m in found:
            if m.function not in known:
                raise AuthoringError(f"{path}: {m.name!r} replaces {m.function!r}, which no check exercises "
                                     f"(checked functions: {', '.join(sorted(known))})")
        return found

    @cached_property
    def frozen(self) -> dict:
        path = self.folder / EXPECTED
        if not path.is_file():
            raise AuthoringError(f"{path} is missing: regenerate the pack with `grade generate`")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise AuthoringError(f"{path}: not valid JSON ({exc}); regenerate it with `grade generate`") from None


def default_title(name: str) -> str:
    """The title of an assignment that names none: ``gradient_descent`` -> ``Gradient descent``."""
    return name.replace("_", " ").capitalize()


def docstring_title(source: str) -> str | None:
    """The first line of a module's docstring, without its Markdown ``#`` (``None`` if it has none)."""
    try:
        doc = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        return None
    return doc.strip().split("\n", 1)[0].lstrip("#").strip() or None


def solution_title(folder: Path) -> str:
    """The title of the assignment in ``solutions/<name>/`` (read without running anything): the course's
    ``course.toml`` (beside the solutions folder) first, then the reference's docstring, then the name."""
    folder = Path(folder)
    title = configured_title(folder)
    if title:
        return title
    reference = folder / f"{folder.name}.py"
    source = reference.read_text(encoding="utf-8") if reference.is_file() else ""
    return docstring_title(source) or default_title(folder.name)


def load_solution(folder: Path, hidden: bool = True) -> Assignment:
    """An instructor's assignment folder ``solutions/<name>/``."""
    folder = Path(folder)
    name = folder.name
    if not (folder / f"{name}.py").is_file():
        raise AuthoringError(f"{folder}: no {name}.py (the reference module is named after its folder)")
    if not (folder / CHECKS).is_file():
        raise AuthoringError(f"{folder}: no {CHECKS} (the public checks of the assignment)")
    module = folder / f"{name}.py"  # every function a check names must exist in it
    public = load_checks(folder / CHECKS, hidden=False, module=module)
    secret = load_checks(folder / HIDDEN_CHECKS, hidden=True, module=module) \
        if hidden and (folder / HIDDEN_CHECKS).is_file() else []
    names = [c.name for c in public + secret]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise AuthoringError(f"{folder}: check names must be unique; repeated: {', '.join(dupes)}")
    if not public:
        raise AuthoringError(f"{folder / CHECKS}: declares no check (use @check or @gradient_check)")
    return Assignment(name=name, folder=folder, public_checks=public, hidden_checks=secret,
                      title=solution_title(folder))


def load_pack(folder: Path) -> Assignment:
    """A student pack folder ``assignments/<name>/`` (public checks and frozen expectations)."""
    folder = Path(folder).resolve()
    path = folder / EXPECTED
    if not path.is_file():
        raise AuthoringError(f"{folder} is not an assignment folder: {EXPECTED} is missing "
                             f"(run this inside your copy of the pack, or pass --assignment)")
    assignment = Assignment(name=folder.name, folder=folder, public_checks=[], is_pack=True)
    name = assignment.frozen.get("assignment", folder.name)
    if not (folder / CHECKS).is_file():
        raise AuthoringError(f"{folder / CHECKS} is missing: copy it from the assignment pack")
    assignment.name = name
    assignment.title = assignment.frozen.get("title") or default_title(name)
    assignment.public_checks = load_checks(folder / CHECKS, hidden=False)
    return assignment


def assignment_folders(solutions: Path, names: tuple[str, ...] | list[str] = ()) -> list[Path]:
    """The assignment folders under ``solutions`` (all, or the ones named, in the order named)."""
    solutions = Path(solutions)
    if not solutions.is_dir():
        raise AuthoringError(f"{solutions}: no solutions folder here (run grade from a course root, "
                             f"or pass --solutions DIR)")
    found = {p.name: p for p in solutions.iterdir() if p.is_dir() and (p / f"{p.name}.py").is_file()}
    if not names:
        return [found[n] for n in sorted(found)]
    missing = [n for n in names if n not in found]
    if missing:
        raise AuthoringError(f"{solutions}: no assignment named {', '.join(missing)} "
                             f"(found: {', '.join(sorted(found)) or 'none'})")
    return [found[n] for n in names]
