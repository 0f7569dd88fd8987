"""Course-wide settings: the secret for hidden inputs (never stored in the repository)."""

from __future__ import annotations

import os
from pathlib import Path

SECRET_ENV = "GRADE_SECRET"
SECRET_FILE_ENV = "GRADE_SECRET_FILE"


def course_secret(path: str | None = None) -> bytes | None:
    """The secret from $GRADE_SECRET, else the file named by $GRADE_SECRET_FILE (or ``path``)."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return value.encode()
    file = path or os.environ.get(SECRET_FILE_ENV)
    if file and Path(file).expanduser().is_file():
        return Path(file).expanduser().read_bytes().strip()
    return None
