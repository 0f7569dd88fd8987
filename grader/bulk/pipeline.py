"""``grade batch`` from end to end: plan it, grade into the gradebook, write the outputs.

The command line only parses and prints; the order of the steps and the gradebook's lifetime live
here. The gradebook is opened before anything is graded (a locked or foreign file stops the batch
at once) and closed whatever happens; the outputs show the results at the published points with
the manual adjustments, as ``grade report`` shows them. They are read back from the gradebook a
result at a time, in passes (the class's figures and the outputs' outline, then the outputs), so
the batch's memory stays flat however large the class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.bulk.adjustments import each_published
from grader.bulk.batch import BatchSummary, run_batch
from grader.bulk.batch_options import BatchPlan, BatchRequest, plan_batch
from grader.bulk.gradebook import Gradebook
from grader.bulk.progress import BatchProgress
from grader.course import solution_title
from grader.reports.export import Outline
from grader.reports.outputs import write_streamed
from grader.reports.terminal import ClassFigures


@dataclass
class BatchOutcome:
    """What a batch did: its plan, the run's summary, the class's figures as published, and the files written."""

    request: BatchRequest
    plan: BatchPlan
    summary: BatchSummary
    figures: ClassFigures
    written: list[Path]

    @property
    def has_deadline(self) -> bool:
        return self.plan.options.deadline is not None


def grade_batch(request: BatchRequest, *, warn: Callable[[str], None],
                progress: Callable[[int], BatchProgress] = BatchProgress) -> BatchOutcome:
    """Grade ``request.submissions`` into its gradebook and write the outputs it asks for.

    ``warn`` receives what the instructor should read before the batch starts; ``progress`` makes
    the per-result callback from the number of entries (0 when an LMS zip is counted as it is read).
    """
    plan = plan_batch(request)
    for warning in plan.warnings:
        warn(warning)
    book = Gradebook(request.gradebook)
    try:
        with progress(entry_count(request.submissions)) as shown:
            summary = run_batch(request.submissions, plan.folder, book, plan.options, shown)

        def each(plots: bool):
            return each_published(book, request.assignment, plan.points, plots=plots)

        figures, outline = ClassFigures(), Outline()
        for result in each(False):
            figures.add(result)
            outline.add(result)
        written = write_streamed(each, request.assignment, request.outputs, title=solution_title(plan.folder),
                                 outline=outline)
    finally:
        book.close()
    return BatchOutcome(request, plan, summary, figures, written)


def entry_count(submissions: Path) -> int:
    """The entries of a folder of submissions (hidden files are not entries); 0 for a zip."""
    if not submissions.is_dir():
        return 0
    return sum(1 for p in submissions.iterdir() if not p.name.startswith("."))
