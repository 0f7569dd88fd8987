"""Late submissions: a deadline, a policy, and the penalty they give a submission.

A submission is ``n`` days late when it arrives within the ``n``-th started 24-hour period after the
deadline: one minute late and exactly 24 hours late are both 1 day; 24 hours and a second is 2 days.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.result import Result
from grader.times import parse_time, utc

FORMS = '"none", "zero" (any lateness scores 0), "P%/day" (P percent per started day late) or ' \
        '"P%/day,max=C%" (capped at C percent), e.g. "10%/day,max=50%"'
_PER_DAY = re.compile(r"(?P<pct>\d+(?:\.\d+)?)\s*%\s*/\s*day(?:\s*,\s*max\s*=\s*(?P<cap>\d+(?:\.\d+)?)\s*%)?")
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class LatePolicy:
    """``kind`` is "none", "zero" or "per_day"; percentages are of the raw score."""

    kind: str = "none"
    percent_per_day: float = 0.0
    max_percent: float = 100.0

    def __str__(self) -> str:
        if self.kind != "per_day":
            return self.kind
        cap = f",max={self.max_percent:g}%" if self.max_percent < 100 else ""
        return f"{self.percent_per_day:g}%/day{cap}"

    def penalty(self, late_days: int) -> float:
        """The fraction (0..1) of the score taken for ``late_days`` days late."""
        if late_days <= 0 or self.kind == "none":
            return 0.0
        if self.kind == "zero":
            return 1.0
        return round(min(self.max_percent, self.percent_per_day * late_days, 100.0) / 100.0, 10)

    def assess(self, submitted_at: str | None, deadline: datetime | None) -> tuple[int, float]:
        """(late_days, penalty fraction) for a submission made at ``submitted_at`` (ISO 8601; naive = UTC)."""
        if submitted_at is None or deadline is None:
            return 0, 0.0
        days = days_late(parse_time(submitted_at), utc(deadline))
        return days, self.penalty(days)


def days_late(submitted: datetime, deadline: datetime) -> int:
    """Started 24-hour periods between ``deadline`` and ``submitted`` (0 when on time)."""
    delta = utc(submitted) - utc(deadline)
    if delta <= timedelta(0):
        return 0
    return math.ceil(delta / DAY)


def parse_policy(spec: str) -> LatePolicy:
    """``"none"``, ``"zero"``, ``"10%/day"`` or ``"10%/day,max=50%"``."""
    text = (spec or "").strip().lower()
    if text in ("none", "zero"):
        return LatePolicy(kind=text)
    match = _PER_DAY.fullmatch(text)
    if not match:
        raise ValueError(f"late policy {spec!r} not understood; accepted forms: {FORMS}")
    pct = float(match["pct"])
    cap = float(match["cap"]) if match["cap"] is not None else 100.0
    if not 0 < pct <= 100 or not 0 <= cap <= 100:
        raise ValueError(f"late policy {spec!r}: percentages must be between 0 and 100; accepted forms: {FORMS}")
    return LatePolicy(kind="per_day", percent_per_day=pct, max_percent=cap)


def parse_deadline(text: str) -> datetime:
    """The deadline from ISO 8601 text (naive means UTC; a bare date means 00:00 UTC that day)."""
    return parse_time(text)


def apply_late(result: Result, late_days: int, penalty: float) -> Result:
    """Record lateness on ``result`` and set its score to the raw score less the penalty (in place)."""
    result.late_days = int(late_days)
    result.penalty = float(penalty)
    result.score = round(sum(c.score for c in result.checks) * (1.0 - result.penalty), 6)
    return result
