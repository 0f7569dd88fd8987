"""Rosters: the LMS's own export read as the list of who is in the class.

Two shapes, told apart by their header: Canvas's gradebook export (``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, one column per assignment, then a
``Points Possible`` row) and Moodle's grading worksheet (``Identifier`` "Participant N",
``Full name``, ``Email address``, ``Status``, ``Grade``, ..., ``Feedback comments``). Both are read
as UTF-8 with or without a byte-order mark, with any line ends; the rows are kept as read so the
same file can be filled in and handed back (:mod:`grader.lms.to_canvas`, :mod:`grader.lms.to_moodle`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

CANVAS, MOODLE = "canvas", "moodle"
CANVAS_ID, CANVAS_NAME = "ID", "Student"
CANVAS_TEST_STUDENT = "Student, Test"  # the student Canvas's "Student View" adds to every course
MOODLE_ID, MOODLE_NAME = "Identifier", "Full name"
POINTS_POSSIBLE = "Points Possible"
_LATE = re.compile(r"(?P<amount>\d+)\s*(?P<unit>day|hour|min|sec)s?\b")
_UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1), "min": timedelta(minutes=1),
          "sec": timedelta(seconds=1)}


class RosterError(ValueError):
    """A roster that cannot be used; the message names the file, the line and the fix."""


@dataclass
class Person:
    """One student of a roster."""

    lms_id: str  # Canvas's user ID, Moodle's participant number
    name: str
    line: int  # where the row stands in the file (1 = the header)
    email: str = ""
    sis_id: str = ""
    login: str = ""
    section: str = ""
    test_student: bool = False
    late_by: timedelta | None = None  # Moodle's Status says how late ("... 2 days 3 hours late")
    status: str = ""

    def keys(self) -> set[str]:
        """Every id this person may be named by elsewhere (an extensions file, a folder entry)."""
        return {k.casefold() for k in (self.lms_id, self.sis_id, self.login, self.email, self.name) if k}


@dataclass
class Roster:
    lms: str
    path: Path
    header: list[str]
    rows: list[list[str]]  # every row after the header, as read
    people: list[Person]
    skipped: list[str] = field(default_factory=list)  # "file:line: why" for rows that are not students
    bom: bool = False
    newline: str = "\r\n"

    def by_lms_id(self) -> dict[str, Person]:
        return {p.lms_id: p for p in self.people}

    def find(self, key: str) -> Person | None:
        """The person any of whose ids is ``key`` (case-insensitive), if exactly one."""
        found = [p for p in self.people if key.casefold() in p.keys()]
        return found[0] if len(found) == 1 else None


def read_text(path: Path) -> tuple[str, bool, str]:
    """(text, had a BOM, the line end the file uses); an error naming the file when it is not UTF-8."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterError(f"{path}:{line}: not UTF-8 text (byte {exc.start}); export it again from the LMS as "
                          f"UTF-8 (in a spreadsheet: save as \"CSV UTF-8\")") from None
    return text, raw.startswith(b"\xef\xbb\xbf"), "\r\n" if b"\r\n" in raw[:4096] else "\n"


def read_rows(path: Path) -> tuple[list[list[str]], bool, str]:
    text, bom, newline = read_text(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RosterError(f"{path}: not a CSV file ({exc})") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RosterError(f"{path}:1: empty; export the roster again from the LMS")
    return rows, bom, newline


def read_roster(path: Path, lms: str | None = None) -> Roster:
    """The roster in ``path``: a Canvas gradebook export or a Moodle grading worksheet (told apart by
    the header unless ``lms`` says which); a :class:`RosterError` naming the file and line otherwise."""
    path = Path(path)
    try:
        rows, bom, newline = read_rows(path)
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    header = [cell.strip() for cell in rows[0]]
    found = CANVAS if CANVAS_NAME in header or CANVAS_ID in header else MOODLE if MOODLE_ID in header else None
    lms = lms or found
    if lms == CANVAS:
        roster = _canvas(path, header, rows[1:])
    elif lms == MOODLE:
        roster = _moodle(path, header, rows[1:])
    else:
        raise RosterError(f"{path}:1: neither a Canvas gradebook export (columns {CANVAS_NAME!r}, {CANVAS_ID!r}) nor "
                          f"a Moodle grading worksheet (column {MOODLE_ID!r}); its header is {', '.join(header[:8])}")
    roster.bom, roster.newline = bom, newline
    return roster


def _column(path: Path, header: list[str], name: str, what: str) -> int:
    if name not in header:
        raise RosterError(f"{path}:1: no {name!r} column, so no {what}; export the roster again from the LMS "
                          f"without removing columns (its header is {', '.join(header[:8])})")
    return header.index(name)


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _canvas(path: Path, header: list[str], rows: list[list[str]]) -> Roster:
    ident = _column(path, header, CANVAS_ID, "Canvas user ids")
    name = _column(path, header, CANVAS_NAME, "student names")
    optional = {key: header.index(key) if key in header else None
                for key in ("SIS User ID", "SIS Login ID", "Section")}
    roster = Roster(CANVAS, path, header, rows, [])
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        lms_id = _cell(row, ident)
        if not any(cell.strip() for cell in row):
            roster.skipped.append(f"{path}:{number}: empty row")
            continue
        if not lms_id.isdigit():  # "Points Possible", "Manual Posting" and other rows Canvas adds
            roster.skipped.append(f"{path}:{number}: not a student ({_cell(row, name) or row[0].strip()!r})")
            continue
        if lms_id in seen:
            raise RosterError(f"{path}:{number}: Canvas user {lms_id} appears again (first on line {seen[lms_id]}); "
                              f"export the gradebook again")
        seen[lms_id] = number
        student = _cell(row, name)
        roster.people.append(Person(lms_id=lms_id, name=student, line=number,
                                    sis_id=_cell(row, optional["SIS User ID"]),
                                    login=_cell(row, optional["SIS Login ID"]),
                                    section=_cell(row, optional["Section"]),
                                    test_student=student == CANVAS_TEST_STUDENT))
    return roster


def late_by(status: str) -> timedelta | None:
    """How late Moodle's Status says a submission was ("Submitted for grading - 2 days 3 hours late"),
    or None when it says nothing of lateness."""
    if "late" not in status.lower():
        return None
    amounts = _LATE.findall(status.lower().split("late")[0])
    if not amounts:
        return None
    return sum((int(n) * _UNITS[unit] for n, unit in amounts), timedelta())


def _moodle(path: Path, header: list[str], rows: list[list[str]]) -> Roster:
    from grader.lms.moodle import participant_number

    ident = _column(path, header, MOODLE_ID, "participant ids")
    name = _column(path, header, MOODLE_NAME, "student names")
    optional = {key: header.index(key) if key in header else None
                for key in ("Email address", "ID number", "Username", "Status")}
    roster = Roster(MOODLE, path, header, rows, [])
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            roster.skipped.append(f"{path}:{number}: empty row")
            continue
        participant = participant_number(_cell(row, ident))
        if participant is None:
            raise RosterError(f"{path}:{number}: {MOODLE_ID} {_cell(row, ident)!r} is not \"Participant <number>\"; "
                              f"download the grading worksheet again")
        if participant in seen:
            raise RosterError(f"{path}:{number}: participant {participant} appears again (first on line "
                              f"{seen[participant]}); download the grading worksheet again")
        seen[participant] = number
        status = _cell(row, optional["Status"])
        roster.people.append(Person(lms_id=participant, name=_cell(row, name), line=number,
                                    email=_cell(row, optional["Email address"]),
                                    sis_id=_cell(row, optional["ID number"]),
                                    login=_cell(row, optional["Username"]), status=status,
                                    late_by=late_by(status)))
    return roster
