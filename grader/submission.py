"""Open one submission (folder, zip, .py or .ipynb) safely into plain bytes, never extracting to disk.

Zip entries with absolute paths or ``..``, links, too many or too large entries are refused; the
graded module is found at any depth up to ``MAX_DEPTH`` folders. Nothing here runs or unpickles
anything, and every read is bounded: folders are walked without recursion, files are read in
chunks up to a cap, JSON deeper than ``MAX_JSON_DEPTH`` is refused (the standard parser recurses),
so whatever shape an entry has, opening it ends in an :class:`Opened` or a :class:`NotGradable`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from grader.authoring.render_notebook import notebook_source

MAX_FILE_BYTES = 8 << 20
MAX_TOTAL_BYTES = 32 << 20
MAX_ENTRIES = 500
MAX_LISTED = 20 * MAX_ENTRIES  # names looked at in a folder entry, skipped ones (hidden, links) included
MAX_DEPTH = 32  # folders inside a folder entry; honest layouts are a handful deep
MAX_JSON_DEPTH = 64  # nesting of a notebook or manifest; nbformat's own are under 10
CHUNK = 1 << 20
MANIFEST = "manifest.json"
MANIFEST_KEYS = ("student", "graded", "submitted_at")  # all the opener uses of a manifest


class NotGradable(ValueError):
    """A submission that cannot be opened; the message is the reason shown to the student."""


@dataclass
class Opened:
    student: str
    files: dict[str, bytes]  # what goes into the sandbox's folder: <module>.py and sibling modules
    graded: str  # the file the module came from (e.g. "optim.ipynb")
    sha256: str
    submitted_at: str | None = None  # ISO 8601 UTC
    manifest: dict = field(default_factory=dict)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def decode_source(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotGradable(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


class TooDeep(ValueError):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


def load_json(text: str | bytes) -> Any:
    """``json.loads`` for text a student wrote: ValueError when it is not JSON, :class:`TooDeep`
    when it nests more than ``MAX_JSON_DEPTH`` deep.

    The standard parser recurses once per level and raises RecursionError (not ValueError) on deep
    input; what it returns is checked again here without recursion, so that nothing downstream
    (nbformat, pickling to a worker) recurses through a structure deeper than the limit.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(f"it is nested more than {MAX_JSON_DEPTH} levels deep") from None
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise TooDeep(f"it is nested more than {MAX_JSON_DEPTH} levels deep")
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value


def _chunks(path: Path, limit: int) -> Iterator[bytes]:
    """A regular file's content in chunks, at most ``limit + 1`` bytes in all.

    Opened without following a link and without blocking on a FIFO, then checked to be a regular
    file: what was checked by name is what is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        size = 0
        while size <= limit:
            chunk = fh.read(min(CHUNK, limit + 1 - size))
            if not chunk:
                return
            size += len(chunk)
            yield chunk


def read_bounded(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (the caller compares the length with ``limit``)."""
    return b"".join(_chunks(path, limit))


def notebook_to_module(data: bytes, name: str, validate: bool = True) -> bytes:
    """The module source a notebook's code cells make (validated with nbformat when grading it)."""
    text = decode_source(data, name)
    try:
        raw = load_json(text)
    except TooDeep as exc:
        raise NotGradable(f"{name} is not a notebook: {exc}") from None
    except ValueError as exc:
        raise NotGradable(f"{name} is not a notebook: it is not JSON ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotGradable(f"{name} is not a notebook: it has no list of cells")
    if validate:
        import nbformat

        try:
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise NotGradable(f"{name} is not a valid notebook: {first}") from None
    return notebook_source(raw).encode("utf-8")


def walk(folder: Path, max_depth: int = MAX_DEPTH, max_listed: int = MAX_LISTED) -> Iterator[tuple[str, os.stat_result]]:
    """(relative path, lstat) of every file, link and special file under ``folder``, in a stable order.

    Iterative (``os.walk`` recurses once per level before Python 3.12): folders whose names start
    with a dot and ``__pycache__`` are not entered, links are never followed, and an entry deeper
    than ``max_depth`` folders, or with more than ``max_listed`` names, is refused with
    :class:`NotGradable` before it costs more than that many system calls.
    """
    stack, listed = [""], 0
    while stack:
        rel_dir = stack.pop()
        where = folder / rel_dir if rel_dir else folder
        try:
            with os.scandir(where) as it:
                names = []
                for item in it:
                    listed += 1
                    if listed > max_listed:
                        raise NotGradable(f"{folder.name}: more than {max_listed} files and folders")
                    names.append(item.name)
        except OSError as exc:
            raise NotGradable(f"{folder.name}: {rel_dir or 'the folder'} cannot be read ({exc.strerror})") from None
        subfolders = []
        for name in sorted(names):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                st = os.lstat(where / name)
            except OSError as exc:
                raise NotGradable(f"{folder.name}: {rel} cannot be read ({exc.strerror})") from None
            if stat.S_ISDIR(st.st_mode):
                if name.startswith(".") or name == "__pycache__":
                    continue
                if rel.count("/") + 1 > max_depth:
                    raise NotGradable(f"{folder.name}: folders nested more than {max_depth} deep "
                                      f"({rel[:120]}...); submit a flatter folder")
                subfolders.append(rel)
            else:
                yield rel, st
        stack.extend(reversed(subfolders))


def _read_folder(folder: Path) -> tuple[dict[str, bytes], dict[str, float]]:
    files, mtimes, total = {}, {}, 0
    for rel, st in walk(folder):
        source = rel.endswith((".py", ".ipynb"))
        if not stat.S_ISREG(st.st_mode):
            if source:  # say so, rather than "no optim.py found"
                raise NotGradable(f"{folder.name}: {rel} is a link or special file; submit the file itself")
            continue  # links, devices, fifos: never followed
        if len(files) >= MAX_ENTRIES:
            raise NotGradable(f"{folder.name}: more than {MAX_ENTRIES} files")
        if st.st_size > MAX_FILE_BYTES:
            if source:
                raise NotGradable(f"{folder.name}: {rel} is larger than {MAX_FILE_BYTES >> 20} MB")
            continue  # large data files are not needed to grade
        total += st.st_size
        if total > MAX_TOTAL_BYTES:
            raise NotGradable(f"{folder.name}: more than {MAX_TOTAL_BYTES >> 20} MB of files")
        try:
            data = read_bounded(folder / rel, MAX_FILE_BYTES)
        except OSError as exc:
            raise NotGradable(f"{folder.name}: {rel} cannot be read ({exc.strerror or exc})") from None
        if len(data) > MAX_FILE_BYTES:  # it grew since it was listed
            raise NotGradable(f"{folder.name}: {rel} is larger than {MAX_FILE_BYTES >> 20} MB")
        files[rel] = data
        mtimes[rel] = st.st_mtime
    return files, mtimes


def _check_directory_size(path: Path) -> None:
    """Refuse an archive whose central directory is too large before zipfile parses all of it.

    zipfile builds an object per entry while opening, so a million-entry archive would cost seconds
    and hundreds of MB before the entry count could be checked. The end-of-central-directory record
    (the last 22 bytes, before an optional comment) declares the entry count and the directory's size
    in bytes, which is what zipfile reads; both are checked here (ZIP64 markers mean too many).
    """
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - (22 + 0xFFFF)))
            tail = fh.read()
    except OSError:
        return  # zipfile reports it
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # not a zip: zipfile reports it
    entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if entries > MAX_ENTRIES or directory_bytes > MAX_ENTRIES * 1024:
        raise NotGradable(f"{path.name}: more than {MAX_ENTRIES} entries")


def _read_zip(path: Path) -> tuple[dict[str, bytes], dict[str, float]]:
    _check_directory_size(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotGradable(f"{path.name} is not a readable zip archive ({exc})") from None
    files, mtimes, total = {}, {}, 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise NotGradable(f"{path.name}: more than {MAX_ENTRIES} entries")
        for info in infos:
            name = info.filename
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or ":" in name or name.startswith("/"):
                raise NotGradable(f"{path.name}: unsafe entry name {name!r} (absolute or with '..')")
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise NotGradable(f"{path.name}: entry {name!r} is a symbolic link; archive plain files only")
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                raise NotGradable(f"{path.name}: entry {name!r} is not a regular file")
            rel = str(pure)
            if rel in files:
                raise NotGradable(f"{path.name}: entry {name!r} appears twice")
            if any(part.startswith(".") or part == "__pycache__" for part in pure.parts):
                continue
            if info.file_size > MAX_FILE_BYTES:
                if rel.endswith((".py", ".ipynb")):  # say so, rather than "no optim.py found"
                    raise NotGradable(f"{path.name}: entry {name!r} is larger than {MAX_FILE_BYTES >> 20} MB")
                continue
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise NotGradable(f"{path.name}: more than {MAX_TOTAL_BYTES >> 20} MB uncompressed")
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)  # never trust the declared size
            except Exception as exc:
                raise NotGradable(f"{path.name}: entry {name!r} cannot be read ({exc})") from None
            if len(data) > MAX_FILE_BYTES:
                continue
            files[rel] = data
            mtimes[rel] = datetime(*info.date_time, tzinfo=timezone.utc).timestamp()
    return files, mtimes


def _pick(files: dict[str, bytes], mtimes: dict[str, float], module: str, pristine: dict[str, str],
          prefer: str | None) -> str:
    """The file to grade: ``<module>.py`` or ``<module>.ipynb``, shallowest first, the edited one."""
    candidates = sorted((rel for rel in files if PurePosixPath(rel).name in (f"{module}.py", f"{module}.ipynb")),
                        key=lambda r: (r.count("/"), r))
    if prefer:
        chosen = [r for r in candidates if PurePosixPath(r).name == prefer]
        if chosen:
            return chosen[0]
    if not candidates:
        raise NotGradable(f"no {module}.py or {module}.ipynb found in the submission")
    top = candidates[0].count("/")
    level = [r for r in candidates if r.count("/") == top]
    if len(level) == 1:
        return level[0]
    py, nb = sorted(level, key=lambda r: not r.endswith(".py"))
    py_edited = hashlib.sha256(files[py]).hexdigest() != pristine.get(f"{module}.py")
    nb_edited = True
    if pristine.get(f"{module}.ipynb"):
        try:
            nb_edited = hashlib.sha256(notebook_to_module(files[nb], nb, validate=False)).hexdigest() \
                != pristine[f"{module}.ipynb"]
        except NotGradable:
            nb_edited = True
    if py_edited and nb_edited:
        return nb if mtimes.get(nb, 0) > mtimes.get(py, 0) else py
    return nb if nb_edited and not py_edited else py


def open_submission(entry: Path, module: str, *, pristine: dict[str, str] | None = None,
                    prefer: str | None = None) -> Opened:
    """Read a submission entry; raise :class:`NotGradable` with the reason when it cannot be graded."""
    entry = Path(entry)
    student = entry.name
    for suffix in (".zip", ".py", ".ipynb"):
        if student.endswith(suffix):
            student = student[: -len(suffix)]
    try:
        st = entry.lstat()
    except OSError as exc:
        raise NotGradable(f"{entry.name} cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise NotGradable(f"{entry.name} is a symbolic link; submit the file itself")
    if stat.S_ISDIR(st.st_mode):
        if entry.suffix in (".py", ".ipynb", ".zip"):
            raise NotGradable(f"{entry.name} is a folder, not a file")
        files, mtimes = _read_folder(entry)
    elif not stat.S_ISREG(st.st_mode):
        raise NotGradable(f"{entry.name} is not a regular file or folder")
    elif entry.suffix == ".zip":
        files, mtimes = _read_zip(entry)
    elif entry.suffix in (".py", ".ipynb"):
        try:
            data = read_bounded(entry, MAX_FILE_BYTES) if st.st_size <= MAX_FILE_BYTES else b""
        except OSError as exc:
            raise NotGradable(f"{entry.name} cannot be read ({exc.strerror or exc})") from None
        if st.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
            raise NotGradable(f"{entry.name} is larger than {MAX_FILE_BYTES >> 20} MB")
        files, mtimes = {f"{module}{entry.suffix}": data}, {f"{module}{entry.suffix}": st.st_mtime}
    else:
        raise NotGradable(f"{entry.name}: expected a folder, a .zip, a .py or an .ipynb")
    manifest = _manifest(files.get(MANIFEST))
    graded = _pick(files, mtimes, module, pristine or {}, prefer or (manifest.get("graded") if manifest else None))
    data = files[graded]
    shown = entry.name if entry.suffix in (".py", ".ipynb") else graded  # name what the student sent
    if not data.strip():
        raise NotGradable(f"{shown} is empty")
    source = notebook_to_module(data, shown) if graded.endswith(".ipynb") else data
    decode_source(source, shown)
    folder = str(PurePosixPath(graded).parent)
    taken = {f"{module}.py": source}
    for rel, blob in files.items():  # sibling modules the student wrote (helpers) come along
        p = PurePosixPath(rel)
        if p.suffix == ".py" and str(p.parent) == folder and p.name != f"{module}.py":
            taken[p.name] = blob
    sid = manifest.get("student") if isinstance(manifest.get("student"), str) and manifest.get("student") else student
    when = _manifest_time(manifest.get("submitted_at"))
    if when is None:
        when = iso(mtimes.get(graded, st.st_mtime) if not entry.suffix == ".zip" else st.st_mtime)
    return Opened(student=_safe_id(sid), files=taken, graded=PurePosixPath(graded).name, sha256=digest(taken),
                  submitted_at=when, manifest=manifest)


def _manifest(data: bytes | None) -> dict[str, str]:
    """The manifest's text fields the opener uses; a manifest that is not a JSON object (too deep,
    not UTF-8...) is ignored, as if absent: it is student-written metadata, not the work."""
    try:
        raw = load_json(data.decode("utf-8")) if data is not None else {}
    except ValueError:  # UnicodeDecodeError and TooDeep included
        return {}
    return {k: raw[k] for k in MANIFEST_KEYS if isinstance(raw, dict) and isinstance(raw.get(k), str)}


def _manifest_time(value: object) -> str | None:
    """The manifest's ``submitted_at`` if it is a time the late policy can use, else None.

    The manifest is written on the student's machine: anything else in it (not text, not ISO 8601,
    out of range) is ignored rather than allowed to stop a batch that applies a late policy.
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    from grader.bulk.late import parse_time

    try:
        parse_time(value)
    except (ValueError, OverflowError):
        return None
    return value


def _safe_id(student: str) -> str:
    cleaned = "".join(ch for ch in student.strip() if ch.isprintable())[:200]
    return cleaned or "unknown"


def entry_digest(entry: Path) -> str:
    """A content hash of a raw entry (even one that cannot be opened), for incremental regrading.

    It reads bounded bytes whatever the entry holds: files are streamed in chunks, a file larger
    than ``MAX_FILE_BYTES`` (or past ``MAX_TOTAL_BYTES`` read in all) counts by its size and time
    instead of its content, and folders are walked as :func:`walk` does (at most ``MAX_LISTED``
    names, ``MAX_DEPTH`` deep; past that the reason it stopped is hashed instead).
    """
    h = hashlib.sha256()
    try:
        st = entry.lstat()
        if stat.S_ISDIR(st.st_mode):
            budget = MAX_TOTAL_BYTES
            try:
                for rel, file_st in walk(entry):
                    h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
                    if stat.S_ISREG(file_st.st_mode):
                        budget -= _hash_file(h, entry / rel, file_st, budget)
                    else:
                        h.update(b"special")
            except NotGradable as exc:
                h.update(b"stopped:" + str(exc).encode("utf-8", "surrogateescape"))
        elif stat.S_ISREG(st.st_mode):
            _hash_file(h, entry, st, MAX_TOTAL_BYTES)
        else:
            h.update(b"special:" + entry.name.encode("utf-8", "surrogateescape"))
    except OSError as exc:
        h.update(f"unreadable:{exc.errno}".encode())
    return "raw:" + h.hexdigest()


def _hash_file(h, path: Path, st: os.stat_result, budget: int) -> int:
    """Feed one file to ``h``: its content, streamed, when small enough and within ``budget``, else
    its size and modification time. Returns the number of bytes read."""
    limit = min(MAX_FILE_BYTES, budget)
    if st.st_size > limit:
        h.update(f"large:{st.st_size}:{st.st_mtime_ns}".encode())
        return 0
    inner, read = hashlib.sha256(), 0
    try:
        for chunk in _chunks(path, limit):
            inner.update(chunk)
            read += len(chunk)
    except OSError as exc:
        h.update(f"unreadable:{exc.errno}".encode())
        return read
    h.update(inner.digest())
    return read
