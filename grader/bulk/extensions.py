"""Per-student extensions: extra days or a new due date, from course.toml or a CSV file.

``[assignments.NAME.extensions]`` in course.toml maps a student (any id the roster knows them by:
the graded id, LMS id, SIS id, login, e-mail) to a number of extra days or an ISO 8601 due date;
a CSV with the columns ``student`` and ``days`` or ``due`` says the same. The late policy reads them
through :func:`grader.bulk.timing.decide`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from grader.bulk.late import parse_deadline


class ExtensionError(ValueError):
    """An extension that cannot be used; the message names where it stands and the fix."""


@dataclass(frozen=True)
class Extension:
    days: float = 0.0
    due: datetime | None = None  # replaces the deadline for this student

    @property
    def delta(self) -> timedelta:
        return timedelta(days=self.days)

    def describe(self) -> str:
        return f"due {self.due.isoformat()}" if self.due else f"+{self.days:g} day{'s' if self.days != 1 else ''}"


@dataclass
class Extensions:
    by_student: dict[str, Extension] = field(default_factory=dict)  # casefolded id -> extension

    def find(self, keys: Iterable[str]) -> Extension | None:
        for key in keys:
            if key and key.casefold() in self.by_student:
                return self.by_student[key.casefold()]
        return None

    def merged(self, other: "Extensions") -> "Extensions":
        return Extensions({**self.by_student, **other.by_student})


def parse_value(value: Any, where: str) -> Extension:
    """A number of extra days, or a due date (a TOML date-time or date, or ISO 8601 text)."""
    if isinstance(value, bool):
        raise ExtensionError(f"{where}: {value!r} is neither a number of days nor a due date")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ExtensionError(f"{where}: {value!r} days: an extension cannot be negative")
        return Extension(days=float(value))
    if isinstance(value, datetime):
        return Extension(due=value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc))
    if isinstance(value, date):
        return Extension(due=datetime(value.year, value.month, value.day, tzinfo=timezone.utc))
    if isinstance(value, str):
        text = value.strip()
        try:
            return parse_value(float(text), where)
        except ValueError:
            pass
        try:
            return Extension(due=parse_deadline(text))
        except ValueError:
            pass
    raise ExtensionError(f"{where}: {value!r} is neither a number of days (e.g. 2) nor an ISO 8601 due date "
                         f"(e.g. 2030-03-05T23:59:00+01:00)")


def from_table(table: Mapping[str, Any], label: str) -> Extensions:
    """``[assignments.NAME.extensions]``: student = days or due date."""
    return Extensions({str(k).casefold(): parse_value(v, f"{label}: {k}") for k, v in table.items()})


def read_csv(path: Path) -> Extensions:
    """A CSV with a ``student`` column and a ``days`` or ``due`` column (UTF-8, a BOM allowed)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ExtensionError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ExtensionError(f"{path}: not UTF-8 text; save it as CSV UTF-8") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if "student" not in header or not {"days", "due"} & set(header):
        raise ExtensionError(f"{path}:1: needs a 'student' column and a 'days' or 'due' column "
                             f"(its header is {', '.join(header) or 'empty'})")
    found: dict[str, Extension] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, (c.strip() for c in row)))
        if not any(cells.values()):
            continue
        student = cells.get("student", "")
        if not student:
            raise ExtensionError(f"{path}:{number}: no student")
        value = cells.get("due") or cells.get("days") or ""
        found[student.casefold()] = parse_value(value, f"{path}:{number}")
    return Extensions(found)
