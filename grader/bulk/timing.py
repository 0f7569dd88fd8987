"""When a submission arrived, and which source says so: the LMS, or one the instructor names.

The manifest of a ``grade submit`` zip and a file's modification time are written on the student's
machine (or by whoever copied the file), so neither is trusted by default: a batch takes the time
from the LMS where the download carries one, else from the source the instructor names with
``--time-from``, else from nothing, and then applies no late penalty and says so. Every row records
the source that decided its lateness (``late_source``: lms, manifest, mtime or none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.bulk.late import DAY, days_late
from grader.times import parse_time

SOURCES = ("lms", "manifest", "mtime")
NONE = "none"


@dataclass(frozen=True)
class Facts:
    """What is known of one submission's arrival, source by source (None: that source says nothing)."""

    lms_late: bool | None = None  # the LMS's late flag (Canvas's LATE_)
    lms_late_by: timedelta | None = None  # how late the LMS says it was (Moodle's Status)
    lms_time: str | None = None
    manifest_time: str | None = None  # ISO 8601, from the student's own manifest.json
    mtime: str | None = None  # ISO 8601, the entry's modification time


@dataclass(frozen=True)
class Lateness:
    submitted_at: str | None
    late_days: int
    source: str  # lms | manifest | mtime | none
    note: str = ""  # why, when it is not plain


def decide(facts: Facts, time_from: str | None, deadline: datetime | None,
           extension: timedelta = timedelta(0), new_due: datetime | None = None) -> Lateness:
    """The lateness of one submission: from the LMS when it says anything, else from ``time_from``
    (``manifest`` or ``mtime``; ``lms`` or None: no other source).

    ``extension`` moves this student's deadline (and shortens how late the LMS counts them);
    ``new_due`` replaces the deadline for this student.
    """
    due = new_due or (deadline + extension if deadline is not None else None)
    has_lms = facts.lms_late is not None or facts.lms_late_by is not None or facts.lms_time is not None
    if has_lms:  # the LMS wins wherever it says anything; the named source only fills its gaps
        if facts.lms_time is not None and due is not None:
            return Lateness(facts.lms_time, days_late(parse_time(facts.lms_time), due), "lms")
        if facts.lms_late_by is not None:
            late_by = facts.lms_late_by - extension if new_due is None else facts.lms_late_by
            days = math.ceil(late_by / DAY) if late_by > timedelta(0) else 0
            return Lateness(facts.lms_time, days, "lms")
        if facts.lms_late:
            if extension > timedelta(0) or new_due is not None:
                return Lateness(facts.lms_time, 0, "lms", "the LMS marks it late without a time; this student has "
                                                          "an extension, so it is not counted late")
            return Lateness(facts.lms_time, 1, "lms", "the LMS marks it late without saying when it arrived: "
                                                      "counted as 1 day late (the least it can be)")
        return Lateness(facts.lms_time, 0, "lms")
    if time_from == "manifest" and facts.manifest_time is not None:
        return Lateness(facts.manifest_time, _days(facts.manifest_time, due), "manifest")
    if time_from == "mtime" and facts.mtime is not None:
        return Lateness(facts.mtime, _days(facts.mtime, due), "mtime")
    why = f"no {time_from} time for this entry" if time_from else "no time source"
    return Lateness(None, 0, NONE, f"{why}: no late penalty applied")


def _days(when: str, due: datetime | None) -> int:
    return days_late(parse_time(when), due) if due is not None else 0
