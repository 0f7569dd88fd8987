"""Fresh temporary folders holding exactly what one run of a submission may see."""

from __future__ import annotations

from pathlib import Path

from grader import tempdirs
from grader.course import CHECKS, EXPECTED, Assignment
from grader.stubs import student_sources

NOT_FOR_THE_CHILD = {CHECKS, EXPECTED, "README.md"}


def base_files(assignment: Assignment, templates: Path | None = None) -> dict[str, bytes]:
    """What every submission starts from: the pack's given files (support modules, data).

    From a student pack, its own files; from a solution folder, its student sources (the stubs,
    rendered without running anything, and the data)."""
    if assignment.is_pack:
        files = {}
        for p in sorted(assignment.folder.rglob("*")):
            rel = str(p.relative_to(assignment.folder))
            if p.is_file() and rel not in NOT_FOR_THE_CHILD and p.suffix != ".ipynb" and "__pycache__" not in p.parts \
                    and not p.name.endswith("-submission.zip") and not p.name.startswith("."):
                files[rel] = p.read_bytes()
        return files
    return student_sources(assignment, templates).given


def write_run_folder(files: dict[str, bytes]) -> Path:
    """A new private temporary folder holding ``files`` (relative paths, already validated)."""
    root = tempdirs.make("run")
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def remove(root: Path) -> list[str]:
    """Remove a run's folder, whatever the submission did to its permissions; return (and warn about)
    the paths that could not be removed."""
    return tempdirs.remove(root)
