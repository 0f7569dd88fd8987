"""Regrade history: which students' scores a change to the checks moved.

The gradebook keeps every graded version of a submission (assignment version, content hash, raw
score, time). A *change from the checks* is two consecutive graded versions of the same content
under different assignment versions with different scores: the student did nothing, the checks did.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from grader.reports.export import fmt_score


@dataclass(frozen=True)
class Change:
    student: str
    before: float
    after: float
    max_score: float
    from_version: str
    to_version: str
    at: str


def score_changes(history: list[tuple]) -> list[Change]:
    """The latest change from the checks of each student whose score moved (rows as
    :meth:`Gradebook.history` returns them, oldest first per student)."""
    changes = []
    for student, rows in groupby(history, key=lambda row: row[0]):
        rows = list(rows)
        for old, new in reversed(list(zip(rows, rows[1:]))):
            _, v0, sha0, s0, _, _, _ = old
            _, v1, sha1, s1, max1, _, at = new
            if sha0 == sha1 and v0 != v1:
                if s0 != s1:
                    changes.append(Change(student, s0, s1, max1, v0, v1, at))
                break  # only the latest regrade of unchanged work counts
    return changes


def format_changes(changes: list[Change], assignment: str) -> str:
    """A line per student whose score the checks changed (raw scores, before penalties and adjustments)."""
    if not changes:
        return f"{assignment}: no score changed when the checks changed"
    lines = [f"{assignment}: {len(changes)} student{'s' if len(changes) != 1 else ''} whose score changed when the "
             f"checks changed (raw scores):"]
    width = max(len(c.student) for c in changes)
    for c in sorted(changes, key=lambda c: (c.after - c.before, c.student)):
        lines.append(f"  {c.student.ljust(width)}  {fmt_score(c.before)} -> {fmt_score(c.after)} / "
                     f"{fmt_score(c.max_score)}  ({c.after - c.before:+g}; checks {c.from_version} -> "
                     f"{c.to_version}, {c.at})")
    return "\n".join(lines)
