"""Where a course's ``course.toml`` is, and the one key the course loader reads from it (the title).

The whole file is read and validated by :mod:`grader.config`, which sits above grading; this module
sits at the bottom so that loading an assignment can take its title without importing the settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from grader.errors import AuthoringError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_ENV = "GRADE_CONFIG"
CONFIG_NAME = "course.toml"


class ConfigError(AuthoringError):
    """A problem in course.toml: the message names the file, the key and what is allowed."""


def find_config(root: Path | str | None = None) -> Path | None:
    """``$GRADE_CONFIG`` if set, else ``<root>/course.toml`` if it exists (root: the current folder)."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"${CONFIG_ENV} names {path}, which is not a file")
        return path
    candidate = Path(root if root is not None else ".") / CONFIG_NAME
    return candidate if candidate.is_file() else None


def course_root(solutions: Path | str | None) -> Path:
    """The folder holding the solutions folder (where course.toml lives)."""
    if solutions is None:
        return Path(".")
    parent = Path(solutions).parent
    return parent if str(parent) else Path(".")


def configured_title(folder: Path) -> str | None:
    """The ``title`` that course.toml gives the assignment in ``solutions/<name>/`` (``None``: none)."""
    path = find_config(course_root(folder.parent))
    if path is None:
        return None
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    section = table.get("assignments", {}).get(folder.name) if isinstance(table.get("assignments"), dict) else None
    title = section.get("title") if isinstance(section, dict) else None
    if title is not None and not isinstance(title, str):
        raise ConfigError(f"{path}: [assignments.{folder.name}] title must be a string")
    return title or None
