"""An LMS download turned into one entry per student, on disk, ready for `grade batch`.

Reads a Canvas or Moodle submissions zip (or the folder it was extracted to), tells which LMS made
it, groups its files by LMS user, keeps each student's latest resubmission under its original file
name, and, when the batch opens that student, writes their files into a private temporary folder
(a single ``.zip``, ``.py`` or ``.ipynb`` as that file, anything else as a folder) and removes them
once read. Nothing is executed or unpickled; names that
are unsafe, files that are too large and entries no student owns are skipped and reported, so every
entry of the download ends up graded or in :attr:`Intake.skipped`.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from grader import tempdirs
from grader.lms import canvas, moodle
from grader.lms.roster import CANVAS, MOODLE, Person, Roster
from grader.submission import MAX_FILE_BYTES, NotGradable, read_bounded, walk

CLUTTER = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
MAX_DOWNLOAD_ENTRIES = 200_000
_UNSAFE_FILE = re.compile(r"[\x00-\x1f/\\:]")


class IntakeError(ValueError):
    """A download that cannot be read as asked; the message names the file and the fix."""


@dataclass
class Timing:
    """What the LMS says of when a submission arrived (None: it does not say)."""

    late: bool | None = None
    late_by: timedelta | None = None
    submitted_at: str | None = None  # ISO 8601 UTC


@dataclass
class Entry:
    """One student's submission as `grade batch` opens it (an LMS entry's files are written to disk
    only while it is opened: :meth:`Intake.materialize`)."""

    path: Path | None
    student: str  # the id it is graded under: the LMS user ("canvas:123", "moodle:45") or the entry's name
    shown: str  # the name the download gave it, for messages
    timing: Timing | None = None
    person: Person | None = None
    lms_id: str | None = None
    name: str = ""  # the student's name as the LMS wrote it
    files: list = field(default_factory=list)  # an LMS entry's files (_Chosen), read when materialized
    home: Path | None = field(default=None, repr=False)  # where materialize wrote them


@dataclass
class Intake:
    lms: str | None  # None: a folder of plain entries, one per student
    entries: list[Entry]
    skipped: list[str] = field(default_factory=list)  # "<entry>: why" for every entry not graded
    unmatched: list[Entry] = field(default_factory=list)  # graded, but not on the roster
    missing: list[Person] = field(default_factory=list)  # on the roster, nothing submitted
    workdir: Path | None = None
    archive: zipfile.ZipFile | None = None  # the download, open while the batch reads its entries
    written: int = 0  # entries materialized so far (each gets its own folder)

    def materialize(self, entry: Entry) -> Path:
        """The entry on disk: a plain entry as it is; an LMS entry's files written (under the names the
        student gave them) into a private folder, until :meth:`release`. One at a time, so a class's
        files are never all on disk at once and writing them overlaps with grading."""
        if entry.path is not None:
            return entry.path
        if self.workdir is None:
            self.workdir = tempdirs.make("run")
        self.written += 1
        entry.home = self.workdir / f"{self.written:06d}"
        contents: dict[str, bytes] = {}
        for f in entry.files:
            data = f.read()
            if len(data) > MAX_FILE_BYTES:
                self.skipped.append(f"{f.name}: larger than {MAX_FILE_BYTES >> 20} MB: not graded")
                continue
            contents[f.file] = data
        entry.path = _write(entry.home, contents)
        return entry.path

    def release(self, entry: Entry) -> None:
        """Remove what :meth:`materialize` wrote for an LMS entry."""
        if entry.home is not None:
            tempdirs.remove(entry.home)
            entry.home = entry.path = None

    def close(self) -> None:
        """Close the download and remove anything still written for grading."""
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        if self.workdir is not None:
            tempdirs.remove(self.workdir)
            self.workdir = None


# ---------------------------------------------------------------- reading the download

@dataclass(frozen=True)
class _File:
    name: str  # its path inside the download (POSIX)
    size: int
    read: Callable[[], bytes]


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntakeError(f"{path}: not a readable zip archive ({exc}); download it again from the LMS") from None
    if len(zf.infolist()) > MAX_DOWNLOAD_ENTRIES:
        zf.close()
        raise IntakeError(f"{path}: more than {MAX_DOWNLOAD_ENTRIES} entries; this is not one assignment's download")
    return zf


def _zip_files(zf: zipfile.ZipFile, skipped: list[str]) -> Iterator[_File]:
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        pure = PurePosixPath(name)
        if info.is_dir():
            continue
        if pure.is_absolute() or ".." in pure.parts or ":" in name:
            skipped.append(f"{name}: unsafe name (absolute or with '..'): not extracted")
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            skipped.append(f"{name}: a symbolic link: not extracted")
            continue
        yield _File(name, info.file_size, lambda info=info: _read_member(zf, info))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as fh:
        return fh.read(MAX_FILE_BYTES + 1)  # never trust the declared size


def _folder_files(folder: Path, skipped: list[str]) -> Iterator[_File]:
    """The files of an extracted download, walked as the opener walks an entry (iteratively, links
    never followed) and read bounded; a folder too deep or too large is reported, not fatal."""
    try:
        for rel, st in walk(folder, max_listed=MAX_DOWNLOAD_ENTRIES):
            if not stat.S_ISREG(st.st_mode):
                skipped.append(f"{rel}: a link or special file: not read")
                continue
            path = folder / rel
            yield _File(rel, st.st_size, lambda path=path: read_bounded(path, MAX_FILE_BYTES))
    except NotGradable as exc:
        skipped.append(f"{exc}: the rest of {folder.name} was not read")


def folder_names(folder: Path) -> list[str]:
    """The paths of the files under ``folder`` (POSIX, relative), as a download would name them."""
    return [f.name for f in _folder_files(folder, [])]


def _clutter(name: str) -> bool:
    return any(part in CLUTTER or part.startswith("._") for part in PurePosixPath(name).parts)


def detect(names: list[str]) -> str | None:
    """The LMS that named most entries (at least half, clutter aside; strays are reported later), or None."""
    names = [n for n in names if not _clutter(n)]
    counts = {lms: sum(parse(n) is not None for n in names) for lms, parse in ((CANVAS, canvas.parse),
                                                                               (MOODLE, moodle.parse))}
    best = max(counts, key=counts.get)
    others = [n for lms, n in counts.items() if lms != best]
    if names and counts[best] * 2 >= len(names) and counts[best] > max(others):
        return best
    return None


def _describe(names: list[str]) -> str:
    shown = [n for n in names if not _clutter(n)][:3]
    return ", ".join(repr(n) for n in shown) or "nothing"


# ---------------------------------------------------------------- one student's files

def _safe(name: str) -> str:
    """A file name the temporary folder can hold (the student's own name where possible)."""
    cleaned = _UNSAFE_FILE.sub("_", name).strip() or "file"
    return "_" + cleaned if cleaned.startswith(".") else cleaned[:200]


def _write(home: Path, files: dict[str, bytes]) -> Path:
    """Write one student's files into ``home``: a lone .zip/.py/.ipynb as itself, else as a folder."""
    home.mkdir()
    if len(files) == 1:
        [(name, data)] = files.items()
        if PurePosixPath(name).suffix in (".zip", ".py", ".ipynb") and "/" not in name:
            target = home / _safe(name)
            target.write_bytes(data)
            return target
    root = home / "submission"
    for name, data in files.items():
        target = root.joinpath(*(_safe(part) for part in PurePosixPath(name).parts))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    root.mkdir(exist_ok=True)
    return root


# ---------------------------------------------------------------- the whole download

def read_download(source: Path, lms: str | None, module: str, roster: Roster | None = None) -> Intake:
    """The students of an LMS download ``source`` (a zip, or the folder it was extracted to).

    ``lms`` is "canvas", "moodle" or None to tell from the names; a download of another LMS, or one
    no LMS named, is an :class:`IntakeError` naming the file.
    """
    source = Path(source)
    if not source.is_file():
        return _read(source, None, lms, module, roster)
    zf = _open_zip(source)
    try:
        intake = _read(source, zf, lms, module, roster)
    except BaseException:
        zf.close()
        raise
    intake.archive = zf  # its entries are read when each student is opened
    return intake


def _read(source: Path, zf: zipfile.ZipFile | None, lms: str | None, module: str, roster: Roster | None) -> Intake:
    """The students of the download ``source``, its files read from ``zf`` (a zip) or the folder."""
    skipped: list[str] = []
    files = list(_zip_files(zf, skipped) if zf is not None else _folder_files(source, skipped))
    names = [f.name for f in files]
    found = detect(names)
    if lms is None:
        if found is None:
            raise IntakeError(f"{source}: not a Canvas or Moodle submissions download (its entries, e.g. "
                              f"{_describe(names)}, are not named the way either names them); pass a folder "
                              f"with one entry per student instead, or --from canvas|moodle to see which fail")
        lms = found
    elif found is not None and found != lms:
        raise IntakeError(f"{source}: a {found.capitalize()} download, not a {lms.capitalize()} one (e.g. "
                          f"{_describe(names)}); pass --from {found}")
    elif found is None and not any((canvas.parse if lms == CANVAS else moodle.parse)(n) for n in names):
        raise IntakeError(f"{source}: not a {lms.capitalize()} submissions download: none of its entries (e.g. "
                          f"{_describe(names)}) is named the way {lms.capitalize()} names them")
    grouped = _canvas_students(files, module, skipped) if lms == CANVAS else _moodle_students(files, skipped)
    intake = Intake(lms, [], skipped)
    people = roster.by_lms_id() if roster is not None and roster.lms == lms else {}
    for lms_id, (name, shown, timing, chosen) in sorted(grouped.items()):
        entry = Entry(None, f"{lms}:{lms_id}", shown, timing, people.get(lms_id), lms_id, name, chosen)
        if roster is not None and entry.person is None:
            intake.unmatched.append(entry)
        if entry.person is not None and entry.person.late_by is not None and lms == MOODLE:
            entry.timing = Timing(late=True, late_by=entry.person.late_by)
        elif entry.person is not None and lms == MOODLE and entry.person.status:
            entry.timing = Timing(late=False)
        intake.entries.append(entry)
    if roster is not None:
        have = {e.lms_id for e in intake.entries}
        intake.missing = [p for p in roster.people if p.lms_id not in have and not p.test_student]
    return intake


@dataclass(frozen=True)
class _Chosen:
    """A file of the download kept for grading, under the name to restore."""

    name: str  # inside the download
    file: str  # the name the student gave it
    read: Callable[[], bytes]

    @classmethod
    def of(cls, f: _File, file: str) -> "_Chosen":
        return cls(f.name, file, f.read)


def _canvas_students(files: list[_File], module: str, skipped: list[str]) -> dict:
    """Canvas user id -> (lastfirst, first entry name, Timing, [the files to grade])."""
    by_user: dict[str, list[tuple[canvas.CanvasName, _File]]] = {}
    for f in files:
        if _clutter(f.name):
            skipped.append(f"{f.name}: operating-system clutter, not a submission")
            continue
        parsed = canvas.parse(f.name)
        if parsed is None:
            skipped.append(f"{f.name}: not named <name>_<user id>_<attachment id>_<file> as Canvas names "
                           f"submissions: not graded")
            continue
        by_user.setdefault(parsed.user_id, []).append((parsed, f))
    wanted = {f"{module}.py", f"{module}.ipynb", f"{module}.zip"}
    students = {}
    for user, items in by_user.items():
        names = {p.file for p, _ in items}
        latest: dict[str, tuple[int, int, canvas.CanvasName, _File]] = {}
        for parsed, f in items:
            restored, n = canvas.resubmission(parsed.file)
            if n and restored not in wanted and restored not in names:
                restored, n = parsed.file, 0  # a name that merely ends in -N (layer-2.py), not a resubmission
            rank = (n, parsed.attachment_id, parsed, f)
            if restored in latest:
                older = min(latest[restored], rank, key=lambda r: r[:2])
                skipped.append(f"{older[3].name}: an earlier submission of {restored} by Canvas user {user} "
                               f"(the latest is graded)")
                rank = max(latest[restored], rank, key=lambda r: r[:2])
            latest[restored] = rank
        chosen = [_Chosen.of(f, restored) for restored, (_, _, _, f) in sorted(latest.items())]
        kept = [p for _, _, p, _ in latest.values()]
        timing = Timing(late=any(p.late for p in kept))
        first = min(items, key=lambda item: item[1].name)
        students[user] = (first[0].lastfirst, first[1].name, timing, chosen)
    return students


def _moodle_students(files: list[_File], skipped: list[str]) -> dict:
    """Moodle participant number -> (full name, folder name, None, [the files to grade])."""
    students: dict[str, tuple[str, str, None, list]] = {}
    for f in files:
        if _clutter(f.name):
            skipped.append(f"{f.name}: operating-system clutter, not a submission")
            continue
        parsed = moodle.parse(f.name)
        if parsed is None or parsed.file is None:
            skipped.append(f"{f.name}: not named <full name>_<participant id>_assignsubmission_<plugin>_ as Moodle "
                           f"names submissions: not graded")
            continue
        if parsed.plugin != moodle.FILE_PLUGIN:
            skipped.append(f"{f.name}: {parsed.plugin.split('_', 1)[1]} (not a file submission): not graded")
            continue
        entry = students.setdefault(parsed.participant, (parsed.fullname, moodle.folder(parsed.fullname,
                                                                                        parsed.participant), None, []))
        entry[3].append(_Chosen.of(f, parsed.file))
    return students
