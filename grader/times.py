"""Times as the grader reads and writes them: ISO 8601 text, always meant as UTC.

Room: shared, the bottom layer (imports nothing of the grader). The opener reads a manifest's
``submitted_at`` with it, the late policy and the timing decision compare times with it.
"""

from __future__ import annotations

from datetime import datetime, timezone


def iso(ts: float) -> str:
    """A POSIX timestamp as ISO 8601 UTC text to the second (``2024-05-01T21:59:00Z``)."""
    return datetime.fromtimestamp(ts, timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time ('Z' allowed) as an aware UTC datetime; a time without offset is taken as UTC."""
    raw = str(text).strip()
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time (e.g. 2024-05-01T23:59:00+02:00, "
                         f"or 2024-05-01T21:59Z; without an offset it is UTC)") from None
    return utc(value)


def utc(value: datetime) -> datetime:
    """``value`` in UTC (a naive datetime is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
