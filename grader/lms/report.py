"""`grade report --to canvas|moodle`: the results of a gradebook written into the LMS's own file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.lms import to_canvas, to_moodle
from grader.lms.roster import CANVAS, MOODLE, read_roster
from grader.result import Result
from grader.wording import plural

FEEDBACK_PAGE = "feedback.html"


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what was filled, what was left alone, what had no row


def feedback_zip_path(out: Path) -> Path:
    """Where the Moodle feedback zip goes by default: beside the worksheet."""
    return out.with_name(f"{out.stem}-feedback-files.zip")


def to_lms(results: list[Result], assignment: str, lms: str, roster_path: Path, out: Path, *,
           title: str | None = None, column: str | None = None, mode: str = "points",
           feedback: Path | None = None, templates: Path | None = None) -> Written:
    """Fill the LMS file ``roster_path`` with ``results`` into ``out`` (and, for Moodle, the
    feedback-files zip); raises :class:`grader.lms.roster.RosterError` naming the file for bad input."""
    from grader.atomic import atomic_write

    roster = read_roster(roster_path)
    done = Written()
    if lms == CANVAS:
        filled = to_canvas.fill(roster, results, assignment, title=title, column=column, mode=mode)
        done.paths.append(atomic_write(out, filled.data))
        done.lines.append(f"{plural(filled.written, 'student')} filled in column {filled.column!r} ({mode})")
    elif lms == MOODLE:
        filled = to_moodle.fill(roster, results)
        done.paths.append(atomic_write(out, filled.data))
        done.lines.append(f"{plural(filled.written, 'student')} filled in Grade and Feedback comments")
        from grader.reports.html import render_student_page

        pages = [(person, render_student_page(result, templates=templates)) for person, result in filled.matched]
        target = feedback or feedback_zip_path(Path(out))
        done.paths.append(atomic_write(target, to_moodle.feedback_zip(pages, FEEDBACK_PAGE)))
        done.lines.append(f"{len(pages)} feedback pages in {target.name} (Moodle: \"Upload multiple feedback "
                          f"files in a zip\")")
    else:
        raise ValueError(f"unknown LMS {lms!r}")
    done.lines += [f"left as it was: {line}" for line in filled.untouched]
    done.lines += [f"not in {roster_path.name} (no row to fill): {student}" for student in filled.unmatched]
    return done
