"""Manual adjustments (``grade adjust``): points an instructor adds or takes, with a note.

They live in the gradebook beside the graded results, never inside them, so a regrade replaces the
result and keeps the adjustment; every output applies them through :func:`apply_adjustments`, after
scaling (the points are the assignment's points as published). The note joins the result's message,
so every report that shows a message shows it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from grader.errors import AuthoringError
from grader.result import Result, scale_result
from grader.wording import plural

if TYPE_CHECKING:
    from grader.bulk.gradebook import Gradebook


def describe(adjustment: dict[str, Any]) -> str:
    points = float(adjustment["points"])
    text = f"{points:+g}".replace("+", "+") + f" point{'s' if abs(points) != 1 else ''}"
    return f"Adjustment {text}" + (f": {adjustment['note']}" if adjustment.get("note") else "")


def apply_adjustments(results: Iterable[Result], adjustments: dict[str, list[dict[str, Any]]]) -> list[Result]:
    """Copies of ``results`` with each student's adjustments added to the score (never below 0) and
    described in the message."""
    out = []
    for result in results:
        made = adjustments.get(result.student)
        if not made:
            out.append(result)
            continue
        adjusted = copy.copy(result)
        adjusted.adjustments = [dict(a) for a in made]
        adjusted.score = round(max(0.0, result.score + sum(float(a["points"]) for a in made)), 6)
        notes = "; ".join(describe(a) for a in made)
        adjusted.message = f"{result.message}\n{notes}" if result.message else notes
        out.append(adjusted)
    return out


def published_results(book: "Gradebook", assignment: str, points: float | None, *, plots: bool) -> list[Result]:
    """The gradebook's results for ``assignment`` as every output shows them: scaled to the
    published ``points``, then adjusted (with their plot arrays only when ``plots``)."""
    return list(each_published(book, assignment, points, plots=plots))


def each_published(book: "Gradebook", assignment: str, points: float | None, *, plots: bool) -> Iterator[Result]:
    """:func:`published_results` one at a time, by student (memory stays flat in the class)."""
    adjustments = book.adjustments(assignment)
    for result in book.each_result(assignment, plots=plots):
        yield from apply_adjustments([scale_result(result, points)], adjustments)


def adjust_score(gradebook: Path, assignment: str, student: str, points: float, note: str) -> float:
    """Record an adjustment of ``points`` (with its ``note``) for ``student``; return the sum of their
    adjustments now. A missing gradebook or an unknown student is an :class:`AuthoringError` that
    says what exists (a few close ids, when some are)."""
    from grader.bulk.gradebook import Gradebook

    if not gradebook.is_file():
        raise AuthoringError(f"{gradebook}: no such gradebook (write one with `grade batch ... --gradebook {gradebook}`)")
    with Gradebook(gradebook) as book:
        students = book.students(assignment)
        if student not in students:
            raise AuthoringError(f"{gradebook} has no student {student!r} for {assignment!r}"
                                 + _did_you_mean(student, students))
        book.adjust(assignment, student, points, note)
        return sum(a["points"] for a in book.adjustments(assignment)[student])


def _did_you_mean(student: str, students: list[str]) -> str:
    close = [s for s in students if student.casefold() in s.casefold()][:5]
    if close:
        return f"; did you mean {', '.join(close)}?"
    return f" (it has {plural(len(students), 'student')}; see `grade report --csv`)"
