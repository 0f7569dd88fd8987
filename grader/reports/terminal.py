"""The table a student (or instructor) reads in a terminal."""

from __future__ import annotations

import shutil
import textwrap
from collections import Counter
from pathlib import Path
from statistics import mean, median
from typing import Any

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
    graded = [r for r in results if r.status != NOT_GRADABLE]
    scores = [r.score for r in results]
    failed = Counter(c.name for r in graded for c in r.checks if c.status != PASSED)
    mistakes = Counter(c.mistake for r in graded for c in r.checks if c.mistake)
    students = {m: sum(any(c.mistake == m for c in r.checks) for r in graded) for m in mistakes}
    return {
        "students": len(results), "graded": len(graded), "not_gradable": len(results) - len(graded),
        "max_score": f"{max(r.max_score for r in results):g}",
        "mean_all": f"{mean(scores):.1f}", "mean_graded": f"{mean(r.score for r in graded):.1f}" if graded else "-",
        "median_all": f"{median(scores):g}",
        "full": sum(r.score == r.max_score for r in results), "late": sum(r.late_days > 0 for r in results),
        "failed": failed.most_common(top),
        "mistakes": sorted(students.items(), key=lambda kv: -kv[1])[:top],
    }


def format_class_summary(results: list[Result], *, top: int = 5, templates: Path | None = None) -> str:
    """A few lines about a whole class (``class_summary.txt.j2``): both means, each saying what it is over."""
    if not results:
        return "no submissions"
    return render("class_summary.txt.j2", templates, **class_summary_context(results, top=top)).rstrip("\n")
