"""Grades back to Canvas: its own gradebook export, filled in for one assignment.

The file keeps Canvas's header cells for the student (``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Integration ID``, ``Section``: those the export has), its rows that are not
students (``Points Possible``, ``Manual Posting``) and one column, the assignment's, named exactly as
the export names it (``Optim (4411)``), so Canvas's gradebook import shows only that column as
changed. Canvas's test student ("Student, Test") and students with no result keep the value they had.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from grader.lms.roster import CANVAS, POINTS_POSSIBLE, Roster, RosterError
from grader.reports.export import fmt_score
from grader.result import Result

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")
_WITH_ID = re.compile(r"(?P<name>.*?)\s*\((?P<id>\d+)\)")
MODES = ("points", "percent")


@dataclass
class Filled:
    data: bytes
    column: str
    written: int = 0
    unmatched: list[str] = field(default_factory=list)  # results with no row in the export
    untouched: list[str] = field(default_factory=list)  # export rows left as they were, and why


def _normal(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text).strip().casefold()


def assignment_column(roster: Roster, assignment: str, title: str | None, column: str | None) -> str:
    """The export's column for this assignment: ``column`` if given, else the one named after the
    assignment or its title (Canvas adds `` (<id>)``); an error listing the columns otherwise."""
    names = [h for h in roster.header if h not in IDENTITY]
    if column:
        if column not in roster.header:
            raise RosterError(f"{roster.path}:1: no column {column!r}; its assignment columns are "
                              f"{', '.join(repr(n) for n in names if _WITH_ID.fullmatch(n)) or 'none'}")
        return column
    wanted = {_normal(assignment)} | ({_normal(title)} if title else set())
    found = [h for h in names if (m := _WITH_ID.fullmatch(h)) and _normal(m["name"]) in wanted]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(repr(n) for n in names if _WITH_ID.fullmatch(n)) or "none"
    if not found:
        raise RosterError(f"{roster.path}:1: no column for assignment {assignment!r}; pass --column with one of "
                          f"its assignment columns: {listed}")
    raise RosterError(f"{roster.path}:1: several columns could be {assignment!r} ({', '.join(found)}); "
                      f"pass --column with the one to fill")


def value(result: Result, points_possible: float | None, mode: str) -> str:
    """The cell for ``result``: points on Canvas's scale (its Points Possible), or a percentage."""
    fraction = result.score / result.max_score if result.max_score else 0.0
    if mode == "percent":
        return f"{fmt_score(fraction * 100)}%"
    return fmt_score(fraction * points_possible if points_possible else result.score)


def fill(roster: Roster, results: list[Result], assignment: str, *, title: str | None = None,
         column: str | None = None, mode: str = "points") -> Filled:
    """The export in ``roster`` filled with ``results`` (matched by Canvas user id, else by any id)."""
    if roster.lms != CANVAS:
        raise RosterError(f"{roster.path}: a Moodle grading worksheet, not a Canvas gradebook export; "
                          f"use --to moodle with it, or export the gradebook from Canvas")
    target = assignment_column(roster, assignment, title, column)
    keep = [i for i, h in enumerate(roster.header) if h in IDENTITY]
    at = roster.header.index(target)
    by_id = {p.lms_id: p for p in roster.people}
    mine: dict[str, Result] = {}
    filled = Filled(b"", target)
    for r in results:
        lms_id = r.student.split(":", 1)[1] if r.student.startswith(f"{CANVAS}:") else None
        person = by_id.get(lms_id) if lms_id else roster.find(r.student)
        if person is None:
            filled.unmatched.append(r.student)
        else:
            mine[person.lms_id] = r
    points_possible = None
    for row in roster.rows:
        if row and row[0].strip() == POINTS_POSSIBLE:
            try:
                points_possible = float(row[at]) if at < len(row) else None
            except ValueError:
                points_possible = None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=roster.newline)
    writer.writerow([roster.header[i] for i in keep] + [target])
    people = {p.line: p for p in roster.people}
    for number, row in enumerate(roster.rows, start=2):
        cells = row + [""] * (len(roster.header) - len(row))
        person = people.get(number)
        cell = cells[at]
        if person is not None and person.test_student:
            filled.untouched.append(f"{roster.path}:{number}: Canvas's test student, left as it was")
        elif person is not None and person.lms_id in mine:
            cell = value(mine[person.lms_id], points_possible, mode)
            filled.written += 1
        elif person is not None:
            filled.untouched.append(f"{roster.path}:{number}: {person.name} has no result in the gradebook, "
                                    f"left as it was")
        elif not any(c.strip() for c in row):
            continue
        writer.writerow([cells[i] for i in keep] + [cell])
    text = out.getvalue()
    filled.data = (b"\xef\xbb\xbf" if roster.bom else b"") + text.encode("utf-8")
    return filled
