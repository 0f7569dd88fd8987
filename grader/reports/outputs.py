"""The files a graded batch is written to, chosen once and written by one path.

``grade batch`` (after grading) and ``grade report`` (from the gradebook alone) take the same output
options and write them here, so both fail the same way: a file that cannot be written, or pages
asked of an installation without the HTML report's dependencies, is an :class:`OutputError` with
one sentence, never a traceback.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from grader.reports.export import Outline, Writers
from grader.result import Result


class OutputError(Exception):
    """An output could not be written (the message says which and why)."""


@dataclass(frozen=True)
class OutputOptions:
    """Where each output goes; ``None`` leaves it out."""

    json: Path | None = None  # every result, for instructors
    csv: Path | None = None  # one row per student, for an LMS import
    junit: Path | None = None  # JUnit XML
    gradescope: Path | None = None  # a folder of Gradescope results.json files (what students see)
    html: Path | None = None  # a folder of feedback pages and the class report

    @property
    def any(self) -> bool:
        return any(path is not None for path in (self.json, self.csv, self.junit, self.gradescope, self.html))

    @property
    def plots(self) -> bool:
        """Whether the results need their plot arrays: only pages draw them, and they are most of
        the gradebook's data."""
        return self.html is not None


Pass = Callable[[bool], Iterable[Result]]  # plots -> a new pass over every result, in the outputs' order


def write_requested(results: Sequence[Result], assignment: str, outputs: OutputOptions,
                    title: str | None = None) -> list[Path]:
    """Write every output ``outputs`` names; return the paths written (a folder for Gradescope and HTML).
    ``title``: the assignment's, for the class report (default: its name)."""
    results = list(results)
    return write_streamed(lambda plots: results, assignment, outputs, title=title)


def outline_of(each: Pass) -> Outline:
    """The :class:`Outline` of the results ``each`` reads (a pass without plots)."""
    return Outline.of(each(False))


def write_streamed(each: Pass, assignment: str, outputs: OutputOptions, *, title: str | None = None,
                   outline: Outline | None = None) -> list[Path]:
    """:func:`write_requested` of results read a pass at a time (from the gradebook: never the whole
    class in memory): ``outline``, when the caller has made it, else a pass to make it; then one
    pass, with plots only when pages are asked for, that feeds every output."""
    if not outputs.any:
        return []
    outline = outline if outline is not None else outline_of(each)
    max_score = outline.top
    missing = None
    try:
        with ExitStack() as stack:
            writers = Writers(stack, outline, assignment, max_score, json=outputs.json, csv=outputs.csv,
                              junit=outputs.junit, gradescope=outputs.gradescope)
            pages, missing = _pages(outputs.html, outline)
            in_order = pages is not None and outline.in_page_order  # the gradebook's order is
            if writers.writers or in_order:
                for result in each(in_order):  # plots only for pages
                    writers.add(result)
                    if in_order:
                        pages.add(result)
            writers.close()
        written = writers.written
        if pages is not None:
            if not in_order:  # a list in another order: the pages take it sorted, in a pass of their own
                for result in sorted(each(True), key=pages.order):
                    pages.add(result)
            written.append(pages.close(assignment, max_score, title=title))
    except OSError as exc:
        raise OutputError(f"cannot write the outputs: {exc}") from None
    if missing is not None:
        raise OutputError(f"--html is not available in this installation ({missing}); "
                          f"the other outputs were written")
    return written


def _pages(folder: Path | None, outline: Outline):
    """The class report's writer (None when not asked for, or not available: then why)."""
    if folder is None:
        return None, None
    try:  # numpy and the SVG drawing: an installation may lack what the pages need
        from grader.reports.html import ClassPages
    except ImportError as exc:
        return None, exc
    return ClassPages(folder, sorted(outline.students)), None
