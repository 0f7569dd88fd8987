"""Private temporary folders named after the process that made them, and a sweep of the ones a
killed process left behind.

A process killed with SIGKILL (the OOM killer, a cancelled CI job) cannot remove its folders, and
some of them hold a copy of the instructor's files, reference solution included. Each folder's
name says who made it: ``grade-<kind>-<pid namespace>-<pid>-<random>``. :func:`sweep` removes those
of this user whose process is gone, in this pid namespace only (a pid means nothing in another
one), and only once they are a few minutes old.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

NAME = re.compile(r"grade-(zygote|solutions|run)-(\d+)-(\d+)-")
MIN_AGE = 600.0  # seconds: never touch a folder younger than this, whatever its name says


_known: dict[int, int] = {}  # pid -> its pid namespace (read once per process: make() runs per submission)


def _namespace() -> int:
    """This process's pid namespace (its inode), or 0 where there is none to read."""
    pid = os.getpid()
    if pid not in _known:
        try:
            _known[pid] = os.stat("/proc/self/ns/pid").st_ino
        except OSError:
            _known[pid] = 0
    return _known[pid]


def make(kind: str) -> Path:
    """A new private folder ``grade-<kind>-<namespace>-<pid>-<random>`` in the temporary folder."""
    return Path(tempfile.mkdtemp(prefix=f"grade-{kind}-{_namespace()}-{os.getpid()}-"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, and belongs to someone else
        return True
    return True


def sweep(folder: Path | None = None, *, min_age: float | None = None) -> list[Path]:
    """Remove folders of :func:`make` whose process no longer exists; return what was removed.

    POSIX only (on Windows ``os.kill(pid, 0)`` would not probe, it would signal). Folders of
    other users, of another pid namespace, of a process that is alive, or younger than
    ``min_age`` seconds (default ``MIN_AGE``) are left alone.
    """
    if os.name != "posix" or not sys.platform.startswith("linux"):
        return []
    folder = Path(folder or tempfile.gettempdir())
    here, me = _namespace(), os.getpid()
    now = time.time()
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = NAME.match(entry.name)
        if not match or int(match.group(2)) != here or int(match.group(3)) == me:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_dir(follow_symlinks=False) or st.st_uid != os.geteuid() or now - st.st_mtime < (MIN_AGE if min_age is None else min_age):
            continue
        if _alive(int(match.group(3))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed
