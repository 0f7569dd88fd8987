"""The table a student (or instructor) reads in a terminal."""

from __future__ import annotations

import shutil
import textwrap
from collections import Counter
from pathlib import Path
from statistics import mean, median
from typing import Any, Iterable

import click

from grader.result import NOT_GRADABLE, PASSED, Result
from grader.templating import render
from grader.wording import plural

STATUS_COLOURS = {"passed": "green", "failed": "red", "error": "red", "timeout": "yellow"}


def format_result(result: Result, *, colour: bool = True, width: int | None = None) -> str:
    """A table of checks (check, points, status, message, hint) and the total."""
    width = width or min(shutil.get_terminal_size((100, 20)).columns, 120)
    style = click.style if colour else (lambda text, **_: text)
    lines = [style(f"{result.assignment}: {result.student}", bold=True)]
    if result.status == NOT_GRADABLE:
        lines.append(style("not gradable: ", fg="red", bold=True) + result.message)
    name_w = max([len("check")] + [len(c.name) for c in result.checks])
    lines.append(f"{'check'.ljust(name_w)}  {'points':>9}  status   message")
    indent = " " * (name_w + 22)
    for c in result.checks:
        points = f"{c.score:g}/{c.max_score:g}"
        status = style(c.status.ljust(7), fg=STATUS_COLOURS.get(c.status, "white"))
        message = c.message if c.status != PASSED else ""
        wrapped = textwrap.wrap(message, max(width - len(indent), 30)) or [""]
        lines.append(f"{c.name.ljust(name_w)}  {points:>9}  {status}  {wrapped[0]}")
        lines.extend(indent + w for w in wrapped[1:])
        if c.hint:
            label = "note: " if c.status == PASSED else "hint: "
            for i, w in enumerate(textwrap.wrap(c.hint, max(width - len(indent) - 6, 30))):
                lines.append(indent + (style(label, fg="cyan") if i == 0 else " " * 6) + w)
    total = f"total: {result.score:g}/{result.max_score:g}"
    if result.penalty:
        total += f" (after a late penalty of {result.penalty:.0%}; {plural(result.late_days, 'day')} late)"
    lines.append(style(total, bold=True))
    return "\n".join(lines)


def class_summary_context(results: list[Result], *, top: int = 5) -> dict[str, Any]:
    """What ``class_summary.txt.j2`` receives: scores, the checks most often failed, the commonest mistakes."""
    return ClassFigures.of(results).context(top=top)


class ClassFigures:
    """:func:`class_summary_context`'s figures gathered a result at a time (a batch's closing lines
    are made without holding the class's results): scores, and counts per check and per mistake."""

    def __init__(self) -> None:
        self.scores: list[float] = []
        self.graded: list[float] = []
        self.max_score: float | None = None
        self.full = self.late = 0
        self.failed: Counter = Counter()
        self.mistakes: Counter = Counter()
        self.students: dict[str, int] = {}  # mistake -> graded students whose checks show it

    @classmethod
    def of(cls, results: Iterable[Result]) -> "ClassFigures":
        """The figures of ``results``, gathered in one pass."""
        figures = cls()
        for result in results:
            figures.add(result)
        return figures

    def __len__(self) -> int:
        return len(self.scores)

    def add(self, r: Result) -> None:
        self.scores.append(r.score)
        if self.max_score is None or r.max_score > self.max_score:
            self.max_score = r.max_score
        self.full += r.score == r.max_score
        self.late += r.late_days > 0
        if r.status == NOT_GRADABLE:
            return
        self.graded.append(r.score)
        seen = set()
        for c in r.checks:
            if c.status != PASSED:
                self.failed[c.name] += 1
            if c.mistake:
                self.mistakes[c.mistake] += 1
                if c.mistake not in seen:
                    seen.add(c.mistake)
                    self.students[c.mistake] = self.students.get(c.mistake, 0) + 1

    def context(self, *, top: int = 5) -> dict[str, Any]:
        students = {m: self.students[m] for m in self.mistakes}  # in the order the mistakes were first seen
        return {
            "students": len(self.scores), "graded": len(self.graded),
            "not_gradable": len(self.scores) - len(self.graded),
            "max_score": f"{self.max_score:g}",
            "mean_all": f"{mean(self.scores):.1f}", "mean_graded": f"{mean(self.graded):.1f}" if self.graded else "-",
            "median_all": f"{median(self.scores):g}",
            "full": self.full, "late": self.late,
            "failed": self.failed.most_common(top),
            "mistakes": sorted(students.items(), key=lambda kv: -kv[1])[:top],
        }


def format_class_summary(results: list[Result] | ClassFigures, *, top: int = 5, templates: Path | None = None) -> str:
    """A few lines about a whole class (``class_summary.txt.j2``): both means, each saying what it is
    over. ``results``: the class's, or their :class:`ClassFigures` gathered already."""
    figures = results if isinstance(results, ClassFigures) else ClassFigures.of(results)
    if not len(figures):
        return "no submissions"
    return render("class_summary.txt.j2", templates, **figures.context(top=top)).rstrip("\n")
