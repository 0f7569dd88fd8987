"""Open one submission (folder, zip, .py or .ipynb) safely into plain bytes, never extracting to disk.

Zip entries with absolute paths or ``..``, links, too many or too large entries are refused; the
graded module is found at any depth. Nothing here runs or unpickles anything.
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

from grader.authoring.notebook import notebook_source

MAX_FILE_BYTES = 8 << 20
MAX_TOTAL_BYTES = 32 << 20
MAX_ENTRIES = 500
MANIFEST = "manifest.json"


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


def notebook_to_module(data: bytes, name: str, validate: bool = True) -> bytes:
    """The module source a notebook's code cells make (validated with nbformat when grading it)."""
    text = decode_source(data, name)
    try:
        raw = json.loads(text)
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


def _read_folder(folder: Path) -> tuple[dict[str, bytes], dict[str, float]]:
    files, mtimes, total = {}, {}, 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = str(path.relative_to(folder)).replace(os.sep, "/")
            st = path.lstat()
            source = name.endswith((".py", ".ipynb"))
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
            files[rel] = path.read_bytes()
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
        if st.st_size > MAX_FILE_BYTES:
            raise NotGradable(f"{entry.name} is larger than {MAX_FILE_BYTES >> 20} MB")
        files, mtimes = {f"{module}{entry.suffix}": entry.read_bytes()}, {f"{module}{entry.suffix}": st.st_mtime}
    else:
        raise NotGradable(f"{entry.name}: expected a folder, a .zip, a .py or an .ipynb")
    manifest = {}
    if MANIFEST in files:
        try:
            manifest = json.loads(files[MANIFEST].decode("utf-8"))
            manifest = manifest if isinstance(manifest, dict) else {}
        except (UnicodeDecodeError, ValueError):
            manifest = {}
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
    """A content hash of a raw entry (even one that cannot be opened), for incremental regrading."""
    h = hashlib.sha256()
    try:
        if entry.is_dir() and not entry.is_symlink():
            for path in sorted(p for p in entry.rglob("*") if p.is_file() and not p.is_symlink()):
                h.update(str(path.relative_to(entry)).encode() + b"\0")
                h.update(hashlib.sha256(path.read_bytes()[:MAX_TOTAL_BYTES]).digest())
        elif entry.is_file() and not entry.is_symlink():
            with entry.open("rb") as fh:
                h.update(fh.read(MAX_TOTAL_BYTES))
        else:
            h.update(b"special:" + entry.name.encode())
    except OSError as exc:
        h.update(f"unreadable:{exc.errno}".encode())
    return "raw:" + h.hexdigest()
