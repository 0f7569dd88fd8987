"""The names Canvas gives the files of its "Download Submissions" zip.

One flat zip entry per submitted file: ``<lastfirst>_[LATE_]<user id>_<attachment id>_<file name>``,
where ``lastfirst`` is the student's sortable name with everything but ASCII word characters removed
and lowered (``Müller, Jörg`` -> ``mllerjrg``), ``LATE_`` marks a submission Canvas counts as late,
and the file name is the one the student uploaded, with ``-1``, ``-2``... before the extension when
Canvas had to tell a resubmitted file from an earlier one of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

# lastfirst may hold "_" (a word character Canvas keeps); the ids are the first "_<digits>_<digits>_"
NAME = re.compile(r"(?P<lastfirst>[^/]*?)_(?P<late>LATE_)?(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>[^/]+)")
RESUBMISSION = re.compile(r"(?P<stem>.+)-(?P<n>\d+)(?P<suffix>\.[^.]+)?")


@dataclass(frozen=True)
class CanvasName:
    """What the name of one file of a Canvas download says."""

    lastfirst: str
    user_id: str
    attachment_id: int
    late: bool
    file: str  # as Canvas wrote it (perhaps with a -N resubmission suffix)


def parse(entry: str) -> CanvasName | None:
    """The parts of a Canvas download's file name, or None when it is not named that way."""
    name = PurePosixPath(entry).name
    if "/" in entry.strip("/"):  # Canvas's zip is flat: a folder means another tool made it
        return None
    match = NAME.fullmatch(name)
    if not match:
        return None
    return CanvasName(lastfirst=match["lastfirst"], user_id=match["user"], attachment_id=int(match["attachment"]),
                      late=bool(match["late"]), file=match["file"])


def resubmission(file: str) -> tuple[str, int]:
    """(the name without a ``-N`` resubmission suffix, N): ``optim-2.py`` -> ``("optim.py", 2)``."""
    match = RESUBMISSION.fullmatch(file)
    if not match:
        return file, 0
    return match["stem"] + (match["suffix"] or ""), int(match["n"])
