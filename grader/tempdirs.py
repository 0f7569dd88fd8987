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
    left: list[str] = []

    def fail(where: str, exc: OSError) -> None:
        left.append(where)
        if warn:
            _warn(where, exc)

    try:
        st = os.lstat(top)
    except FileNotFoundError:
        return []
    except OSError as exc:
        fail(top, exc)
        return left
    if not stat.S_ISDIR(st.st_mode):
        try:
            os.unlink(top)
        except FileNotFoundError:
            pass
        except OSError as exc:
            fail(top, exc)
        return left
    try:
        if stat.S_IMODE(st.st_mode) & _DIR_MODE != _DIR_MODE:
            os.chmod(top, stat.S_IMODE(st.st_mode) | _DIR_MODE)
        top_fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        fail(top, exc)
        return left
    tag = f".grade-remove-{os.getpid()}-{int(time.time() * 1e6)}-"
    moved = 0
    # each frame: (descriptor, path for messages, name in its parent, names that stay)
    stack: list[tuple[int, str, str, set[str]]] = [(top_fd, top, "", set())]
    while stack:
        fd, where, name, stuck = stack[-1]
        child = None
        try:
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.name in stuck:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        child = entry.name
                        break
                    try:
                        os.unlink(entry.name, dir_fd=fd)
                    except FileNotFoundError:
                        pass
                    except OSError as exc:
                        stuck.add(entry.name)
                        fail(os.path.join(where, entry.name), exc)
        except OSError as exc:  # cannot even list it: it stays
            stuck.add("/")
            fail(where, exc)
        if child is None:  # as empty as it gets: close it and remove it from its parent
            stack.pop()
            os.close(fd)
            if not stack:
                break
            parent_fd, _, _, parent_stuck = stack[-1]
            if stuck:  # something in it stays (already reported), so it stays too
                parent_stuck.add(name)
                continue
            try:
                os.rmdir(name, dir_fd=parent_fd)
            except FileNotFoundError:
                pass
            except OSError as exc:
                parent_stuck.add(name)
                fail(where, exc)
            continue
        sub = os.path.join(where, child)
        try:
            if len(stack) >= _MAX_OPEN:  # too deep: move it up into the top folder and meet it there
                moved += 1
                os.rename(child, f"{tag}{moved}", src_dir_fd=fd, dst_dir_fd=top_fd)
                continue
            mode = stat.S_IMODE(os.stat(child, dir_fd=fd, follow_symlinks=False).st_mode)
            if mode & _DIR_MODE != _DIR_MODE:  # a folder (seen above), not a link: chmod follows nothing
                os.chmod(child, mode | _DIR_MODE, dir_fd=fd)
            sub_fd = os.open(child, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        except FileNotFoundError:
            continue
        except OSError as exc:
            stuck.add(child)
            fail(sub, exc)
            continue
        stack.append((sub_fd, sub, child, set()))
    try:
        os.rmdir(top)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if not left:
            fail(top, exc)
    return left
