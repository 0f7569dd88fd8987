"""Write a file all at once: a reader sees the old file or the new one, never half of one.

Room: shared, the bottom layer (imports nothing of the grader). Every output the grader writes for
people (reports, packs, LMS files, the Gradescope autograder) goes through :func:`atomic_write`.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    with atomic_stream(path) as handle:
        handle.write(data)
    return Path(path)


@contextmanager
def atomic_stream(path: Path) -> Iterator[BinaryIO]:
    """A file written piece by piece (a whole class's results, never all in memory) that appears
    at ``path`` whole when the block ends, or not at all if it raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
