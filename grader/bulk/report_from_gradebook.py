"""``grade report``: the outputs of a graded batch written again from its gradebook, without grading.

The results are read as :func:`~grader.bulk.adjustments.published_results` shows them (the published
points, the manual adjustments), a result at a time, and written through the same output path as
``grade batch`` (memory stays flat in the class); when asked, into the LMS's own file for import
(which takes the whole class at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.bulk.adjustments import each_published
from grader.bulk.gradebook import Gradebook
from grader.bulk.history import format_changes, score_changes
from grader.errors import AuthoringError
from grader.config import OptionError, load_course
from grader.course import solution_title
from grader.reports.outputs import OutputError, OutputOptions, outline_of, write_streamed
from grader.result import Result
from grader.templating import render


@dataclass
class ReportRequest:
    """The command line of ``grade report`` (``points`` ``None``: as ./course.toml says)."""

    gradebook: Path
    assignment: str
    outputs: OutputOptions = field(default_factory=OutputOptions)
    points: float | None = None
    lms: str | None = None  # canvas | moodle: fill that LMS's file for import
    roster: Path | None = None  # the file the LMS exported
    lms_out: Path | None = None  # the file to import into the LMS
    column: str | None = None  # Canvas: the export's column to fill
    mode: str = "points"  # Canvas: points or percent
    feedback_zip: Path | None = None  # Moodle: where the feedback-files zip goes
    changes: bool = False  # list the students whose score changed when the checks changed


@dataclass
class ReportOutcome:
    request: ReportRequest
    results: list[Result]  # every row as published, when the LMS's file needs them (else empty)
    written: list[Path]
    students: int = 0
    lms_lines: list[str] = field(default_factory=list)  # what the LMS file got, and what it did not
    changes: str | None = None  # the students whose score the checks changed, when asked


def report_from_gradebook(request: ReportRequest) -> ReportOutcome:
    """Read the gradebook and write every output ``request`` asks for."""
    section = load_course(None).assignment(request.assignment)
    _check(request)
    title = solution_title(Path("solutions") / request.assignment)  # the one title, as the pack shows it
    outcome = _write(request, request.points or section.points, title)
    if request.lms:
        _fill_lms(outcome, title=title)
    return outcome


def _check(request: ReportRequest) -> None:
    """Refuse, before reading anything, a request that cannot be done or would do nothing."""
    if not request.gradebook.is_file():
        raise AuthoringError(f"{request.gradebook}: no such gradebook (write one with "
                             f"`grade batch ... --gradebook {request.gradebook}`)")
    if request.lms and not (request.roster and request.lms_out):
        raise OptionError(f"--to {request.lms} needs --roster (the file {request.lms.capitalize()} exported) "
                          f"and --out")
    if not (request.outputs.any or request.lms or request.changes):
        raise OptionError("nothing to write: give at least one of --json, --csv, --junit, --gradescope, --html, "
                          "--to, --changes")


def _write(request: ReportRequest, points: float | None, title: str | None) -> ReportOutcome:
    """The outputs written from the results as published at ``points``, read a pass at a time; the
    rows themselves only when the LMS's file needs them; the changes, when asked."""
    with Gradebook(request.gradebook) as book:
        def each(plots: bool):
            return each_published(book, request.assignment, points, plots=plots)

        outline = outline_of(each)
        if not outline.students:
            known = ", ".join(book.assignments()) or "none"
            raise AuthoringError(f"{request.gradebook} holds no results for {request.assignment!r} "
                                 f"(it holds: {known})")
        written = write_streamed(each, request.assignment, request.outputs, title=title, outline=outline)
        results = list(each(request.outputs.plots)) if request.lms else []
        history = book.history(request.assignment) if request.changes else []
    return ReportOutcome(request, results, written, students=len(outline.students),
                         changes=format_changes(score_changes(history), request.assignment)
                         if request.changes else None)


def _fill_lms(outcome: ReportOutcome, *, title: str | None) -> None:
    from grader.lms.report import to_lms

    r = outcome.request
    try:
        done = to_lms(outcome.results, r.assignment, r.lms, r.roster, r.lms_out, title=title, column=r.column,
                      mode=r.mode, feedback=r.feedback_zip)
    except OSError as exc:
        raise OutputError(f"cannot write the outputs: {exc}") from None
    outcome.written += done.paths
    outcome.lms_lines = done.lines


def format_report(outcome: ReportOutcome, templates: Path | None = None) -> str:
    """What ``grade report`` prints (``report_summary.txt.j2``): the changes asked for, the files written."""
    r = outcome.request
    return render("report_summary.txt.j2", templates, changes=outcome.changes, assignment=r.assignment,
                  students=outcome.students, gradebook=r.gradebook, written=outcome.written,
                  lms_lines=outcome.lms_lines).rstrip("\n")
