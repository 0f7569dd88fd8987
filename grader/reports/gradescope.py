"""`grade export gradescope`: a Gradescope autograder zip for one assignment.

Gradescope unzips the autograder into ``/autograder/source``, runs ``setup.sh`` once to build the image,
and runs ``run_autograder`` (copied to ``/autograder/run_autograder``) for each submission. The zip holds,
at its root (so under ``/autograder/source`` once unzipped):

* ``setup.sh`` and ``run_autograder`` (executable), rendered from the templates;
* ``grade/``: this package's source (``pyproject.toml``, ``README.md``, ``grader/``, ``templates/``),
  which ``setup.sh`` pip-installs with numpy;
* ``solutions/<assignment>/``: the reference, public and hidden checks, known mistakes and data;
* ``course_secret`` when the course has a secret (it seeds the hidden checks' per-student inputs);
* ``course.toml`` when the course's has settings that apply here (timeouts, the assignment's title
  and points; not its due date or late policy, which Gradescope applies itself).

The zip therefore holds the solutions and the secret: it is for the instructor's eyes and Gradescope's
autograder settings only, never for students. It is reproducible byte for byte: sorted entries, a fixed
timestamp, fixed permissions.
"""

from __future__ import annotations

import io
import shlex
import zipfile
from pathlib import Path

import grader
from grader.course import assignment_folders, load_solution
from grader.atomic import atomic_write
from grader.errors import AuthoringError
from grader.templating import render

SECRET_NAME = "course_secret"
VENV = "/opt/grade-venv"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP_DIRS = {"__pycache__", ".git", ".pytest_cache", ".mypy_cache", ".ipynb_checkpoints"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
SKIP_NAMES = {".DS_Store"}
PACKAGE_PARTS = ("pyproject.toml", "README.md", "grader", "templates")


def package_root() -> Path:
    """The source checkout this package runs from (the folder holding ``pyproject.toml``)."""
    root = Path(grader.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file() or not (root / "templates").is_dir():
        raise AuthoringError(f"grade is not running from a source checkout ({root} has no pyproject.toml and "
                             f"templates/): install it with `pip install -e .` from its repository to export "
                             f"a Gradescope autograder")
    return root


def _files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part in SKIP_DIRS for part in rel.parts) or path.suffix in SKIP_SUFFIXES or path.name in SKIP_NAMES:
            continue
        if path.is_file():
            found.append(path)
    return found


def autograder_files(solutions: Path, assignment: str, *, secret: bytes | None,
                     templates: Path | None = None, config=None) -> dict[str, tuple[bytes, int]]:
    """Every entry of the zip: ``{name: (content, permission bits)}``.

    ``config``: the course's :class:`~grader.config.CourseConfig` (default: the course.toml beside
    ``solutions``, if any).
    """
    from grader.config import autograder_config_text, load_course

    folder = assignment_folders(solutions, [assignment])[0]
    config = config if config is not None else load_course(solutions)
    load_solution(folder)  # refuse to package an assignment whose checks do not load
    root = package_root()
    entries: dict[str, tuple[bytes, int]] = {}
    for part in PACKAGE_PARTS:
        path = root / part
        if path.is_file():
            entries[f"grade/{part}"] = (path.read_bytes(), 0o644)
        elif path.is_dir():
            for file in _files(path):
                entries[f"grade/{file.relative_to(root).as_posix()}"] = (file.read_bytes(), 0o644)
    if "grade/README.md" not in entries:  # pyproject.toml names it as the readme: pip needs it
        entries["grade/README.md"] = (f"grade {grader.__version__}\n".encode(), 0o644)
    for file in _files(folder):
        entries[f"solutions/{assignment}/{file.relative_to(folder).as_posix()}"] = (file.read_bytes(), 0o644)
    if secret:
        entries[SECRET_NAME] = (secret, 0o600)
    course_toml = autograder_config_text(config, assignment)
    if course_toml:  # beside solutions/, where `grade batch --solutions "$SOURCE/solutions"` finds it
        entries["course.toml"] = (course_toml.encode("utf-8"), 0o644)
    context = {"assignment": assignment, "assignment_sh": shlex.quote(assignment), "version": grader.__version__,
               "venv": VENV, "secret_name": SECRET_NAME}
    entries["setup.sh"] = (render("gradescope_setup.sh.j2", templates, **context).encode(), 0o755)
    entries["run_autograder"] = (render("gradescope_run_autograder.j2", templates, **context).encode(), 0o755)
    return entries


def build_autograder(solutions: Path, assignment: str, out: Path, *, secret: bytes | None,
                     templates: Path | None = None, config=None) -> Path:
    """Write the Gradescope autograder zip for ``assignment`` (from ``solutions/<assignment>/``) to ``out``."""
    entries = autograder_files(Path(solutions), assignment, secret=secret, templates=templates, config=config)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(entries):
            data, mode = entries[name]
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3  # Unix, so unzip honours the permission bits below
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return atomic_write(Path(out), buffer.getvalue())
