"""What `grade batch` grades: the entries of a submissions folder, or of a Canvas or Moodle download.

A plain folder holds one entry per student (a folder, ``.zip``, ``.py`` or ``.ipynb``) named after
them; an LMS download is read by :mod:`grader.lms.intake`. Either way each entry has the student id
it is graded under, taken from the entry's own name or the LMS user, never from data the student
wrote. Two entries claiming one student are reported as a conflict (neither is graded in the other's
place, neither is renamed); a roster adds a row for each student without a submission.
"""

from __future__ import annotations

from pathlib import Path

from grader.lms.intake import Entry, Intake, IntakeError, detect, folder_names, read_download
from grader.lms.roster import Roster

SKIP_NAMES = {"__MACOSX", ".DS_Store", "Thumbs.db"}
SOURCES = ("auto", "folder", "canvas", "moodle")


def entry_student(entry: Path) -> str:
    """The student id an entry's own name gives (``alice.zip`` -> ``alice``)."""
    for suffix in (".zip", ".py", ".ipynb"):
        if entry.name.endswith(suffix) and not entry.is_dir():
            return entry.name[: -len(suffix)]
    return entry.name


def plain_entries(folder: Path) -> list[Path]:
    """One entry per student: folders, .zip, .py, .ipynb (hidden and OS clutter skipped)."""
    return sorted(p for p in Path(folder).iterdir() if not p.name.startswith(".") and p.name not in SKIP_NAMES)


def collect(submissions: Path, source: str, module: str, roster: Roster | None = None) -> Intake:
    """The entries of ``submissions`` (a folder, or an LMS zip), their conflicts, and the roster's view."""
    submissions = Path(submissions)
    if source not in SOURCES:
        raise IntakeError(f"unknown source {source!r}; one of {', '.join(SOURCES)}")
    if submissions.is_file():
        if source == "folder":
            raise IntakeError(f"{submissions}: a file; --from folder needs a folder of entries")
        return read_download(submissions, None if source == "auto" else source, module, roster)
    if source in ("canvas", "moodle"):
        return read_download(submissions, source, module, roster)
    entries = plain_entries(submissions)
    if source == "auto" and entries and detect([p.name + ("/" if p.is_dir() else "") for p in entries]) \
            and _looks_like_download(submissions):
        return read_download(submissions, None, module, roster)
    return _plain(entries, roster)


def _looks_like_download(folder: Path) -> bool:
    return detect(folder_names(folder)) is not None


def _plain(paths: list[Path], roster: Roster | None) -> Intake:
    intake = Intake(None, [])
    claims: dict[str, list[Path]] = {}
    for path in paths:
        claims.setdefault(entry_student(path), []).append(path)
    for student, claimed in claims.items():
        person = roster.find(student) if roster is not None else None
        for path in claimed:
            entry = Entry(path, student, path.name, person=person)
            intake.entries.append(entry)
        if roster is not None and person is None:
            intake.unmatched.append(intake.entries[-1])
    if roster is not None:
        matched = {id(e.person) for e in intake.entries if e.person is not None}
        intake.missing = [p for p in roster.people if id(p) not in matched and not p.test_student]
    return intake


def conflicts(intake: Intake) -> dict[str, list[Entry]]:
    """Students claimed by more than one entry (student id -> the entries claiming it)."""
    by_student: dict[str, list[Entry]] = {}
    for entry in intake.entries:
        by_student.setdefault(entry.student, []).append(entry)
    return {s: es for s, es in by_student.items() if len(es) > 1}


def problems(intake: Intake, clashes: dict[str, list[Entry]]) -> list[str]:
    """What the instructor should look at: students claimed twice, submissions not on the roster."""
    found = [f"{len(claimed)} entries claim student {student!r}: {', '.join(e.shown for e in claimed)}; none is "
             f"graded: keep one (or rename the others after their own students) and run again"
             for student, claimed in clashes.items()]
    found += [f"{entry.shown}: graded as {entry.student!r}, but not on the roster" for entry in intake.unmatched]
    return found


def missing_id(person, lms: str | None) -> str:
    """The id a roster student without a submission is listed under."""
    if lms:
        return f"{lms}:{person.lms_id}"
    return person.login or person.sis_id or person.email or person.name or person.lms_id
