"""The files a graded batch is written to, chosen once and written by one path.

``grade batch`` (after grading) and ``grade report`` (from the gradebook alone) take the same output
options and write them here, so both fail the same way: a file that cannot be written, or pages
asked of an installation without the HTML report's dependencies, is an :class:`OutputError` with
one sentence, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from grader.reports.export import write_outputs
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


def write_requested(results: Sequence[Result], assignment: str, outputs: OutputOptions,
                    title: str | None = None) -> list[Path]:
    """Write every output ``outputs`` names; return the paths written (a folder for Gradescope and HTML).
    ``title``: the assignment's, for the class report (default: its name)."""
    results = list(results)
    max_score = max((r.max_score for r in results), default=0.0)
    try:
        written = write_outputs(results, assignment, max_score, json=outputs.json, csv=outputs.csv,
                                junit=outputs.junit, gradescope=outputs.gradescope)
        if outputs.html is not None:
            written.append(_write_pages(results, assignment, max_score, outputs.html, title))
    except OSError as exc:
        raise OutputError(f"cannot write the outputs: {exc}") from None
    return written


def _write_pages(results: list[Result], assignment: str, max_score: float, folder: Path,
                 title: str | None) -> Path:
    try:  # numpy and the SVG drawing: an installation may lack what the pages need
        from grader.reports.html import write_class_report
    except ImportError as exc:
        raise OutputError(f"--html is not available in this installation ({exc}); "
                          f"the other outputs were written") from None
    return write_class_report(results, assignment, max_score, folder, title=title)
