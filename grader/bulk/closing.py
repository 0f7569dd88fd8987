"""What ``grade batch`` prints when it is done: the run, what was not graded, who decided lateness,
the files written and the class in a few lines (``batch_summary.txt.j2``)."""

from __future__ import annotations

from pathlib import Path

from grader.bulk.batch import BatchSummary
from grader.bulk.pipeline import BatchOutcome
from grader.bulk.timing import NONE
from grader.reports.terminal import format_class_summary
from grader.templating import render
from grader.wording import plural


def format_batch_summary(outcome: BatchOutcome, templates: Path | None = None) -> str:
    """The closing lines of a batch, for stdout."""
    summary = outcome.summary
    sections = [(title, lines) for title, lines in (("skipped (not graded)", summary.skipped),
                                                    ("check these", summary.problems),
                                                    ("on the roster, no submission (0 points)", summary.missing))
                if lines]
    lateness = _says_lateness(summary, outcome.has_deadline)
    return render("batch_summary.txt.j2", templates, assignment=summary.assignment, entries=summary.entries,
                  lms=summary.lms, graded=summary.graded, reused=summary.reused, elapsed=summary.elapsed,
                  rate=summary.rate, gradebook=outcome.request.gradebook, sections=sections,
                  late_sources=sorted(summary.late_sources.items()) if lateness else [],
                  late_notes=sorted(summary.late_notes.items()) if lateness else [],
                  written=outcome.written,
                  class_summary=format_class_summary(outcome.figures) if summary.entries else None).rstrip("\n")


def untimed_warning(outcome: BatchOutcome) -> str | None:
    """A warning for stderr when rows had no submission time under a deadline (no penalty applied)."""
    untimed = outcome.summary.late_sources.get(NONE)
    if not (untimed and outcome.has_deadline):
        return None
    return (f"warning: {plural(untimed, 'row has', 'rows have')} no submission time, so no late penalty was applied to them; "
            f"name a source with --time-from manifest|mtime if you trust one")


def _says_lateness(summary: BatchSummary, has_deadline: bool) -> bool:
    """Whether there is anything about lateness to say: a deadline, an LMS's times, or any time at all."""
    return bool(has_deadline or summary.lms or set(summary.late_sources) - {NONE})
