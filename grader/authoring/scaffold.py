"""`grade new NAME`: start an assignment from templates and register it in course.toml.

The new ``solutions/<name>/`` holds a reference module showing the three marker forms, a public
check, a hidden check and a known mistake, so `grade generate NAME` and `grade verify NAME` work on
it straight away. The templates (``new_solution.py.j2``, ``new_checks.py.j2``,
``new_hidden_checks.py.j2``, ``new_mistakes.py.j2``) can be overridden in the course's
``templates/`` folder like any other.
"""

from __future__ import annotations

import keyword
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.config import CONFIG_NAME, find_config, load_config, new_config_text, register_assignment
from grader.course import CHECKS, HIDDEN_CHECKS, MISTAKES, default_title
from grader.errors import AuthoringError
from grader.templating import render

FILES = {"{name}.py": "new_solution.py.j2", CHECKS: "new_checks.py.j2", HIDDEN_CHECKS: "new_hidden_checks.py.j2",
         MISTAKES: "new_mistakes.py.j2"}
# Names a student module cannot take: the pack's own files, and modules the grader or numpy import
# (a submission's folder comes first on sys.path, so it would shadow them).
RESERVED = {"checks", "hidden_checks", "mistakes", "expected", "grader", "grade", "numpy", "np", "conftest",
            "setup", "test", "tests"}


@dataclass
class Scaffolded:
    folder: Path
    files: list[Path]
    config: Path
    created_config: bool


def check_name(name: str) -> None:
    """Refuse a name that cannot be an assignment (its module is imported as ``name``)."""
    if not name.isidentifier() or not name.isascii():
        raise AuthoringError(f"{name!r} is not a valid assignment name: use a Python identifier "
                             f"(ASCII letters, digits and _, not starting with a digit), e.g. gradient_descent")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise AuthoringError(f"{name!r} is a Python keyword: choose another assignment name")
    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    if name in RESERVED or name in stdlib or name in sys.builtin_module_names:
        raise AuthoringError(f"{name!r} would shadow the module of the same name that grading imports "
                             f"(the student's {name}.py comes first on the path): choose another name")


def scaffold(solutions: Path, name: str, *, title: str | None = None, templates: Path | None = None,
             course_name: str | None = None) -> Scaffolded:
    """Write ``solutions/<name>/`` and register it in the course's course.toml (created if missing)."""
    check_name(name)
    solutions = Path(solutions)
    folder = solutions / name
    if folder.exists():
        raise AuthoringError(f"{folder} already exists: choose another name, or delete it first")
    root = solutions.parent if str(solutions.parent) else Path(".")
    config_path = find_config(root)
    created = config_path is None
    if config_path is None:
        config_path = root / CONFIG_NAME
    else:
        config = load_config(config_path)
        if name in config.assignments:
            raise AuthoringError(f"{config_path}: [assignments.{name}] already exists, though {folder} does not: "
                                 f"remove the section or choose another name")
    heading = title or default_title(name)  # the docstring's heading is the title (grader.course)
    context = {"assignment": name, "title": heading}
    rendered = {pattern.format(name=name): render(template, templates, **context)
                for pattern, template in FILES.items()}
    folder.mkdir(parents=True)
    written = []
    for filename, text in rendered.items():
        path = folder / filename
        path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        written.append(path)
    if created:
        config_path.write_text(new_config_text(course_name or Path(root).resolve().name), encoding="utf-8")
    register_assignment(config_path, name, title)
    return Scaffolded(folder, written, config_path, created)
