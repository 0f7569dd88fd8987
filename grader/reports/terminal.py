"""The table a student (or instructor) reads in a terminal."""

from __future__ import annotations

import shutil
import textwrap

import click

from grader.result import NOT_GRADABLE, PASSED, Result
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


def format_class_summary(results: list[Result], *, top: int = 5) -> str:
    """A few lines about a whole class: scores, the checks most often failed, the commonest mistakes."""
    from collections import Counter
    from statistics import mean, median

    if not results:
        return "no submissions"
    graded = [r for r in results if r.status != NOT_GRADABLE]
    max_score = max(r.max_score for r in results)
    scores = [r.score for r in results]
    lines = [f"{len(results)} students: mean {mean(scores):.1f}/{max_score:g}, median {median(scores):g}, "
             f"{sum(r.score == r.max_score for r in results)} full marks, {len(results) - len(graded)} not gradable, "
             f"{sum(r.late_days > 0 for r in results)} late"]
    failed = Counter(c.name for r in graded for c in r.checks if c.status != PASSED)
    if failed:
        lines.append("most failed checks: " + ", ".join(f"{n} ({k})" for n, k in failed.most_common(top)))
    mistakes = Counter(c.mistake for r in graded for c in r.checks if c.mistake)
    students = {m: sum(any(c.mistake == m for c in r.checks) for r in graded) for m in mistakes}
    if students:
        lines.append("most frequent mistakes: " + ", ".join(
            f"{m} ({n} student{'s' if n != 1 else ''})" for m, n in sorted(students.items(), key=lambda kv: -kv[1])[:top]))
    return "\n".join(lines)
