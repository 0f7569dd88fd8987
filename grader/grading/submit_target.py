"""Which folder `grade submit` grades: a student's copy of a pack, or (an instructor's preview) an
assignment's solutions folder. Deliberately light (no numpy): the command asks it before it starts
the sandbox, and starts the sandbox before it imports the rest of the grader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# the pack's and the solutions' file names (grader.course has them too, but importing it loads numpy)
CHECKS, EXPECTED = "checks.py", "expected.json"


class NoAssignmentHere(ValueError):
    """``grade submit`` was pointed at a folder that holds no assignment; the message says what to type."""


@dataclass(frozen=True)
class Target:
    folder: Path
    preview: bool  # a solutions folder: the reference graded as a student's copy would be, nothing handed in

    @property
    def checks(self) -> Path:
        return self.folder / CHECKS


def _is_pack(folder: Path) -> bool:
    return (folder / EXPECTED).is_file()


def _is_solution(folder: Path) -> bool:
    return (folder / f"{folder.name}.py").is_file() and (folder / CHECKS).is_file() and not _is_pack(folder)


def locate(path: Path, assignment: str | None = None) -> Target:
    """The folder to grade: ``path`` itself, else ``path/<assignment>`` (``grade submit assignments
    --assignment optim``); a clear error naming what to type when neither holds an assignment."""
    path = Path(path)
    for folder in (path, path / assignment) if assignment else (path,):
        if _is_pack(folder) or _is_solution(folder):
            if assignment and _is_solution(folder) and folder.name != assignment:
                raise NoAssignmentHere(f"{folder} holds the assignment {folder.name!r}, not {assignment!r}")
            return Target(folder.resolve(), preview=not _is_pack(folder))
    raise NoAssignmentHere(_advice(path, assignment))


def _advice(path: Path, assignment: str | None) -> str:
    """What to type instead, from what ``path`` (say, a course root) holds."""
    shown = str(path) if str(path) != "." else "this folder"
    where = f"neither {shown} nor {path / assignment} holds an assignment" if assignment \
        else f"{shown} holds no assignment"
    lines = [f"{where}: a copy of the pack has {CHECKS} and {EXPECTED}; "
             f"a solutions folder NAME has NAME.py and {CHECKS}."]
    found = [f for parent in (path, path / "assignments", path / "solutions") if parent.is_dir()
             for f in sorted(parent.iterdir()) if f.is_dir() and (_is_pack(f) or _is_solution(f))]
    if found:
        name = assignment if assignment and any(f.name == assignment for f in found) else found[0].name
        packs = [f for f in found if _is_pack(f) and f.name == name]
        solutions = [f for f in found if _is_solution(f) and f.name == name]
        if packs:
            lines.append(f"Grade a copy of the pack: grade submit {packs[0]}")
        if solutions:
            lines.append(f"Preview the feedback on the reference solution: grade submit {solutions[0]}")
    else:
        lines.append("Run grade submit inside your copy of the assignment (the folder the pack unzipped to), "
                     "or give its path: grade submit PATH/TO/ASSIGNMENT")
    return "\n".join(lines)
