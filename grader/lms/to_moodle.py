"""Grades back to Moodle: its grading worksheet filled in, and the feedback-files zip.

The worksheet keeps every column and row Moodle wrote; for each student with a result, ``Grade``
takes the score on the worksheet's ``Maximum Grade`` scale and ``Feedback comments`` a short summary.
Moodle's "Upload grading worksheet" then updates those two. The feedback zip holds one folder per
student named as Moodle's own download names it (``<Full name>_<participant id>_assignsubmission_file_``)
with their feedback page inside, which "Upload multiple feedback files in a zip" accepts.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from grader.lms import moodle
from grader.lms.roster import MOODLE, Person, Roster, RosterError
from grader.reports.export import fmt_score, summary
from grader.result import Result

GRADE, MAXIMUM, FEEDBACK = "Grade", "Maximum Grade", "Feedback comments"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class Filled:
    data: bytes
    written: int = 0
    unmatched: list[str] = field(default_factory=list)
    untouched: list[str] = field(default_factory=list)
    matched: list[tuple[Person, Result]] = field(default_factory=list)


def _column(roster: Roster, *names: str) -> int:
    lowered = [h.casefold() for h in roster.header]
    for name in names:
        if name.casefold() in lowered:
            return lowered.index(name.casefold())
    raise RosterError(f"{roster.path}:1: no {names[0]!r} column; in the assignment's settings turn on "
                      f"\"Offline grading worksheet\" (and \"Feedback comments\"), then download it again")


def match(roster: Roster, results: list[Result]) -> tuple[dict[str, Result], list[str]]:
    """participant number -> result (by the ``moodle:N`` id, else by any id the roster knows)."""
    by_id = roster.by_lms_id()
    found: dict[str, Result] = {}
    unmatched = []
    for r in results:
        number = r.student.split(":", 1)[1] if r.student.startswith(f"{MOODLE}:") else None
        person = by_id.get(number) if number else roster.find(r.student)
        if person is None:
            unmatched.append(r.student)
        else:
            found[person.lms_id] = r
    return found, unmatched


def fill(roster: Roster, results: list[Result]) -> Filled:
    """The worksheet in ``roster`` with Grade and Feedback comments filled from ``results``."""
    if roster.lms != MOODLE:
        raise RosterError(f"{roster.path}: a Canvas gradebook export, not a Moodle grading worksheet; "
                          f"use --to canvas with it, or download the worksheet from Moodle")
    grade, feedback = _column(roster, GRADE), _column(roster, FEEDBACK)
    try:
        maximum = _column(roster, MAXIMUM)
    except RosterError:
        maximum = None
    found, unmatched = match(roster, results)
    filled = Filled(b"", unmatched=unmatched)
    people = {p.line: p for p in roster.people}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=roster.newline)
    writer.writerow(roster.header)
    for number, row in enumerate(roster.rows, start=2):
        cells = row + [""] * (len(roster.header) - len(row))
        person = people.get(number)
        if person is not None and person.lms_id in found:
            result = found[person.lms_id]
            scale = _number(cells[maximum]) if maximum is not None else None
            fraction = result.score / result.max_score if result.max_score else 0.0
            cells[grade] = fmt_score(fraction * scale if scale else result.score)
            cells[feedback] = summary(result)
            filled.written += 1
            filled.matched.append((person, result))
        elif person is not None:
            filled.untouched.append(f"{roster.path}:{number}: {person.name} has no result in the gradebook, "
                                    f"left as it was")
        writer.writerow(cells)
    filled.data = (b"\xef\xbb\xbf" if roster.bom else b"") + out.getvalue().encode("utf-8")
    return filled


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def feedback_zip(pages: list[tuple[Person, str]], filename: str) -> bytes:
    """The zip Moodle's "Upload multiple feedback files in a zip" takes: ``<folder>/<filename>`` per
    student, reproducible (sorted entries, one fixed time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for person, html in sorted(pages, key=lambda item: item[0].lms_id):
            info = zipfile.ZipInfo(f"{moodle.folder(person.name, person.lms_id)}/{filename}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            zf.writestr(info, html.encode("utf-8"))
    return buffer.getvalue()
