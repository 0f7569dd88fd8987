"""`grade pack`: one zip per assignment to hand to students (upload it to the LMS).

The zip holds ``<name>/`` with what `grade generate` renders for the student pack (the stub(s),
the notebook, ``data/``, the public ``checks.py`` with ``expected.json``, and a README telling how
to run `grade submit`), rendered afresh from ``solutions/<name>/`` (never copied from a committed
folder, which could be stale or hold stray files), and the grader's own wheel in ``wheels/``, with
the README's first lines installing it into a fresh environment (:mod:`grader.authoring.wheel`).

It is reproducible byte for byte: sorted entries, one fixed timestamp, fixed permissions, fixed
compression. Before a zip is written, :func:`leaks` looks for solution or hidden material in every
file of it; a pack with any is refused.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.atomic import atomic_write
from grader.authoring.generate import TRIVIAL, render_assignment
from grader.authoring.wheel import Wheel
from grader.course import HIDDEN_CHECKS, MISTAKES, Assignment, assignment_folders, load_solution
from grader.errors import AuthoringError
from grader.markers import parse

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
# Files that never belong in a student's hands, wherever they stand in the pack.
FORBIDDEN_NAMES = {HIDDEN_CHECKS, MISTAKES, "course.toml", "course_secret", "gradebook.db"}
FORBIDDEN_SUFFIXES = (".secret", ".db")


class PackLeak(AuthoringError):
    """A pack that would give students solution or hidden material (the message lists what)."""


@dataclass
class Packed:
    assignment: str
    path: Path
    files: int


WHEELS = "wheels"


def pack_files(assignment: Assignment, templates: Path | None = None, wheel: Wheel | None = None) -> dict[str, bytes]:
    """The files of the student pack of ``assignment`` (relative POSIX path -> bytes), freshly rendered,
    with ``wheels/<wheel>`` when a wheel is given."""
    name = f"{WHEELS}/{wheel.filename}" if wheel else None
    rendered = render_assignment(assignment, templates, wheel=name, figures=True).files
    files = {PurePosixPath(*Path(rel).parts).as_posix(): data for rel, data in rendered.items()}
    if wheel:
        files[name] = wheel.data
    return files


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _lines(rel: str, data: bytes) -> list[str]:
    """The lines of a text file as a student reads them (a notebook: its cells' lines)."""
    text = _text(data)
    if text is None:
        return []
    if rel.endswith(".ipynb"):
        try:
            cells = json.loads(text).get("cells", [])
        except (ValueError, AttributeError):
            return text.splitlines()
        lines: list[str] = []
        for cell in cells:
            source = cell.get("source", "")
            lines.extend(("".join(source) if isinstance(source, list) else str(source)).splitlines())
        return lines
    return text.splitlines()


def solution_lines(assignment: Assignment) -> dict[str, str]:
    """Each telling line of the solution regions (stripped) -> where it stands (file:line)."""
    found: dict[str, str] = {}
    for path in assignment.sources():
        parsed = parse(path.read_text(encoding="utf-8"), str(path))
        for region in parsed.regions:
            first = region.start + (1 if region.start != region.end else 0)
            for offset, line in enumerate(region.body):
                text = line.strip()
                if region.style == "inline":  # the code before the marker is the solution
                    text = re.split(r"#\s*SOLUTION\b", text)[0].strip()
                if not text or text.startswith("#") or text in TRIVIAL or len(text) < 6:
                    continue
                found.setdefault(text, f"{path}:{first + offset + 1}")
    return found


def leaks(assignment: Assignment, files: dict[str, bytes], secret: bytes | None = None) -> list[str]:
    """Every reason the pack ``files`` would give away solution or hidden material ([] when clean)."""
    problems: list[str] = []
    regions = solution_lines(assignment)
    hidden = [c.name for c in assignment.hidden_checks]
    hidden_words = re.compile(r"\b(" + "|".join(map(re.escape, hidden)) + r")\b") if hidden else None
    reference = assignment.module_path.read_bytes()
    for rel, data in sorted(files.items()):
        name = PurePosixPath(rel).name
        if rel.startswith(f"{WHEELS}/") and rel.endswith(".whl"):
            problems += [f"{rel}: {p}" for p in _wheel_leaks(assignment, data, secret)]
            continue
        if name in FORBIDDEN_NAMES or name.endswith(FORBIDDEN_SUFFIXES):
            problems.append(f"{rel}: {name} is instructor material (hidden checks, known mistakes, "
                            f"course settings or secrets) and never goes to students")
        if data == reference:
            problems.append(f"{rel}: is the reference solution {assignment.module_path.name} itself")
        for number, line in enumerate(_lines(rel, data), start=1):
            text = line.strip()
            if text in regions:
                problems.append(f"{rel}:{number}: holds the solution line {text!r} ({regions[text]})")
        text = _text(data)
        if text is not None and hidden_words is not None:
            for match in sorted(set(hidden_words.findall(text))):
                problems.append(f"{rel}: names the hidden check {match!r}")
        if secret and len(secret) >= 8 and secret in data:
            problems.append(f"{rel}: holds the course secret")
    return problems


def _wheel_leaks(assignment: Assignment, data: bytes, secret: bytes | None) -> list[str]:
    """The grader's wheel holds the grader only: never a course file (a solution, checks, the secret)."""
    import io

    problems = []
    course = {p.read_bytes() for p in assignment.folder.rglob("*") if p.is_file() and p.suffix == ".py"}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            member = zf.read(info)
            if member in course:
                problems.append(f"{info.filename} is a file of solutions/{assignment.name}/")
            if secret and len(secret) >= 8 and secret in member:
                problems.append(f"{info.filename} holds the course secret")
    return problems


def check_pack(assignment: Assignment, files: dict[str, bytes], secret: bytes | None = None) -> None:
    """Refuse (raise :class:`PackLeak`) a pack with solution or hidden material in it."""
    problems = leaks(assignment, files, secret)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise PackLeak(f"refusing to write the {assignment.name} pack: it would give students solution or "
                       f"hidden material:\n  " + "\n  ".join(shown))


def zip_bytes(assignment: str, files: dict[str, bytes]) -> bytes:
    """The pack as a zip: ``<assignment>/<file>`` entries, sorted, with fixed times and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{assignment}/{rel}", date_time=FIXED_TIME)
            info.create_system = 3  # Unix, so unzip applies the permission bits
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[rel], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def build_pack(assignment: Assignment, templates: Path | None = None, secret: bytes | None = None,
               wheel: Wheel | None = None) -> bytes:
    """The checked zip of one assignment's student pack."""
    files = pack_files(assignment, templates, wheel)
    check_pack(assignment, files, secret)
    return zip_bytes(assignment.name, files)


def write_packs(solutions: Path, names: tuple[str, ...] | list[str], out: Path, *, templates: Path | None = None,
                secret: bytes | None = None, wheel: Wheel | None = None) -> list[Packed]:
    """``out/<name>.zip`` for each assignment named (all when none), with ``wheel`` in ``wheels/``:
    every pack is built and checked before any is written, so a leak in one writes none."""
    built = []
    for folder in assignment_folders(Path(solutions), names):
        assignment = load_solution(folder)
        files = pack_files(assignment, templates, wheel)
        check_pack(assignment, files, secret)
        built.append((assignment.name, zip_bytes(assignment.name, files), len(files)))
    return [Packed(name, atomic_write(Path(out) / f"{name}.zip", data), count) for name, data, count in built]
