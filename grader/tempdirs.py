"""Private temporary folders named after the process that made them, and a sweep of the ones a
killed process left behind.

A process killed with SIGKILL (the OOM killer, a cancelled CI job) cannot remove its folders, and
some of them hold a copy of the instructor's files, reference solution included. Each folder's
name says who made it: ``grade-<kind>-<pid namespace>-<pid>-<random>``. :func:`sweep` removes those
of this user whose process is gone, in this pid namespace only (a pid means nothing in another
one), and only once they are a few minutes old.

:func:`remove` is how every such folder goes away: a submission may have taken the permissions off
the folders it made (``chmod 000``), which an ordinary user's ``rmtree`` cannot get past, and may have
nested them deeper than a recursive walk survives. It gives the permissions back on the way down,
keeps the walk shallow, and says what it could not remove instead of failing silently.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

NAME = re.compile(r"grade-(zygote|solutions|run|similarity)-(\d+)-(\d+)-")
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
        if not remove(entry.path):
            removed.append(Path(entry.path))
    return removed


_DIR_MODE = stat.S_IRWXU  # what the owner needs to list a folder, enter it and remove its entries
_MAX_OPEN = 32  # folders held open at once; a deeper one is moved up to the top folder first


def _warn(path: str, exc: OSError) -> None:
    sys.stderr.write(f"warning: could not remove {path}: {exc.strerror or exc}\n")


def remove(path: str | os.PathLike[str], *, warn: bool = True) -> list[str]:
    """Remove ``path`` (a folder or a file) and everything in it; return the paths left behind.

    Folders whose owner permissions were taken away get them back first (only the owner's bits, only
    on folders, only as far as this user may: a folder of someone else stays and is reported). The
    walk holds at most ``_MAX_OPEN`` folders open: a folder nested deeper is first moved up into the
    top folder, so depth costs neither recursion nor descriptors nor path length. Links are removed,
    never followed. Each path that could not be removed is written to stderr as a warning (unless
    ``warn`` is False) and returned.
    """
    top = os.fspath(path)
    removal = _Removal(top, warn)
    try:
        st = os.lstat(top)
    except FileNotFoundError:
        return []
    except OSError as exc:
        removal.fail(top, exc)
        return removal.left
    if not stat.S_ISDIR(st.st_mode):
        removal.unlink(top)
        return removal.left
    if removal.open_top(st):
        removal.walk()
        removal.remove_top()
    return removal.left


class _Frame(NamedTuple):
    """A folder held open during a removal: its descriptor, its path (for messages), its name in its
    parent, and the names in it that stay (already reported)."""

    fd: int
    where: str
    name: str
    stuck: set[str]


class _Removal:
    """One :func:`remove` of a folder: a depth-first walk over descriptors, without recursion."""

    def __init__(self, top: str, warn: bool):
        self.top, self.warn = top, warn
        self.left: list[str] = []
        self.top_fd = -1
        self.tag = f".grade-remove-{os.getpid()}-{int(time.time() * 1e6)}-"
        self.moved = 0

    def fail(self, where: str, exc: OSError) -> None:
        self.left.append(where)
        if self.warn:
            _warn(where, exc)

    def unlink(self, where: str) -> None:
        try:
            os.unlink(where)
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.fail(where, exc)

    def open_top(self, st: os.stat_result) -> bool:
        """Give the top folder its owner's bits back and open it; False (reported) if it cannot be."""
        try:
            if stat.S_IMODE(st.st_mode) & _DIR_MODE != _DIR_MODE:
                os.chmod(self.top, stat.S_IMODE(st.st_mode) | _DIR_MODE)
            self.top_fd = os.open(self.top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            self.fail(self.top, exc)
            return False
        return True

    def walk(self) -> None:
        """Empty the top folder: each folder's files go, then its sub-folders, deepest first."""
        stack = [_Frame(self.top_fd, self.top, "", set())]
        while stack:
            frame = stack[-1]
            child = self.clear_files(frame)
            if child is None:
                stack.pop()
                os.close(frame.fd)
                if stack:
                    self.remove_emptied(frame, stack[-1])
                continue
            opened = self.enter(frame, child, depth=len(stack))
            if opened is not None:
                stack.append(opened)

    def clear_files(self, frame: _Frame) -> str | None:
        """Unlink the files (and links) in ``frame``'s folder; return its first sub-folder, if any."""
        try:
            with os.scandir(frame.fd) as entries:
                for entry in entries:
                    if entry.name in frame.stuck:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        return entry.name
                    try:
                        os.unlink(entry.name, dir_fd=frame.fd)
                    except FileNotFoundError:
                        pass
                    except OSError as exc:
                        frame.stuck.add(entry.name)
                        self.fail(os.path.join(frame.where, entry.name), exc)
        except OSError as exc:  # cannot even list it: it stays
            frame.stuck.add("/")
            self.fail(frame.where, exc)
        return None

    def remove_emptied(self, frame: _Frame, parent: _Frame) -> None:
        """Remove a folder as empty as it gets from its parent (it stays if something in it stays)."""
        if frame.stuck:  # already reported
            parent.stuck.add(frame.name)
            return
        try:
            os.rmdir(frame.name, dir_fd=parent.fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            parent.stuck.add(frame.name)
            self.fail(frame.where, exc)

    def enter(self, frame: _Frame, child: str, depth: int) -> _Frame | None:
        """Open the sub-folder ``child`` (its owner's bits given back); None when it was moved up to
        the top folder (too deep), vanished, or cannot be opened (reported)."""
        sub = os.path.join(frame.where, child)
        try:
            if depth >= _MAX_OPEN:  # too deep: move it up into the top folder and meet it there
                self.moved += 1
                os.rename(child, f"{self.tag}{self.moved}", src_dir_fd=frame.fd, dst_dir_fd=self.top_fd)
                return None
            mode = stat.S_IMODE(os.stat(child, dir_fd=frame.fd, follow_symlinks=False).st_mode)
            if mode & _DIR_MODE != _DIR_MODE:  # a folder (seen above), not a link: chmod follows nothing
                os.chmod(child, mode | _DIR_MODE, dir_fd=frame.fd)
            return _Frame(os.open(child, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=frame.fd),
                          sub, child, set())
        except FileNotFoundError:
            return None
        except OSError as exc:
            frame.stuck.add(child)
            self.fail(sub, exc)
            return None

    def remove_top(self) -> None:
        try:
            os.rmdir(self.top)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if not self.left:
                self.fail(self.top, exc)
