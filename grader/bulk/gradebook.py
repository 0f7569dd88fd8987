"""The gradebook: every graded submission of a batch, committed as soon as its result arrives.

One SQLite file (stdlib ``sqlite3``) in WAL mode with ``synchronous=NORMAL``. Why NORMAL is enough:

* A commit returns only after its WAL frames have been handed to the kernel with ``write()``. Killing the
  process (SIGKILL, OOM killer, Ctrl-C) cannot undo that: the next open replays the WAL, so every
  committed submission survives and no half-written one is visible (each is one transaction).
* Only an operating-system crash or power cut can roll back the last few commits (never corrupt the
  file: WAL with NORMAL stays consistent). Those submissions are simply graded again by the next run,
  since the gradebook is a record of work that can be redone, not the only copy of anything.
* FULL would add an ``fsync`` to every commit (one per submission), a real cost at hundreds of
  submissions per second for no gain against the failure the batch must survive (a killed process).
* A batch records the results of one worker's task in one transaction (:meth:`Gradebook.grouped`),
  as soon as they arrive: a killed batch still loses only what was in flight (a task whose results
  had come but were not yet committed is graded again), and each submission is still whole or absent.

Not safe to share across ``fork()``: open the gradebook in the process that writes it.

Since schema 2 it also keeps what each submission handed in (the files that were graded, zlib-compressed,
stored once per SHA-256 however many students sent the same bytes, the stub as zlib's preset
dictionary) and a digest of the values each
public check received, so ``grade report``, ``grade similarity`` and a regrade need nothing else. A row
recorded before that (schema 1) has no ``kept`` row: :meth:`Gradebook.kept` says so. One row per
submission (file names -> SHA-256, and the digests) and blobs counted by reference, so that recording a
submission writes few more pages than before (the WAL stays small).
"""

from __future__ import annotations

import json
import marshal
import sqlite3
import threading
import hashlib
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from grader.result import FAILED, CheckResult, Result

SCHEMA_VERSION = 2  # 2: late_source on submissions, the history and adjustments tables (see MIGRATIONS);
                    # each submission's files and output digests (tables blobs, kept)
SYNCHRONOUS = "NORMAL"
# WAL pages between checkpoints (SQLite's default is 1000, 4 MiB): a batch's WAL then stays under about
# 1 MiB beside the gradebook, which matters on a small disk now that submissions' files are kept too;
# a checkpoint every few dozen submissions costs far less than grading them.
WAL_AUTOCHECKPOINT = 256
BUSY_TIMEOUT_S = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    sha256 TEXT,
    submitted_at TEXT,
    late_days INTEGER NOT NULL DEFAULT 0,
    penalty REAL NOT NULL DEFAULT 0,
    version TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    execution_time REAL NOT NULL DEFAULT 0,
    graded_at TEXT NOT NULL,
    UNIQUE (assignment, student)
);
CREATE TABLE IF NOT EXISTS checks (
    submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    functions TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL DEFAULT 'public',
    hint TEXT,
    mistake TEXT,
    description TEXT NOT NULL DEFAULT '',
    plot TEXT,
    PRIMARY KEY (submission, position)
);
CREATE TABLE IF NOT EXISTS history (
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    graded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS adjustments (
    id INTEGER PRIMARY KEY,
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    points REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    refs INTEGER NOT NULL,
    dictionary TEXT,
    data BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kept (
    submission INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
    files TEXT NOT NULL,
    digests TEXT NOT NULL
);
"""
COMPRESSION = 6  # zlib level: source files shrink 3-4x; higher levels cost time for a few percent
# With the assignment's stub as zlib's preset dictionary (every student starts from it, so most of a
# submission is text the dictionary holds) an `optim` submission takes about 350 bytes, not 3.4 kB.

# Columns added to a table after schema 1, with their definition: an older gradebook gets them when
# it is opened (existing rows take the default), so a gradebook from an earlier term keeps working.
MIGRATIONS = {("submissions", "late_source"): "TEXT"}

SUBMISSION_COLUMNS = ("assignment", "student", "sha256", "submitted_at", "late_days", "penalty", "version",
                      "score", "max_score", "status", "message", "execution_time", "graded_at", "late_source")
CHECK_COLUMNS = ("submission", "position", "name", "functions", "score", "max_score", "status", "message",
                 "visibility", "hint", "mistake", "description", "plot")
INSERT_SUBMISSION = (f"INSERT INTO submissions ({', '.join(SUBMISSION_COLUMNS)}) "
                     f"VALUES ({', '.join('?' * len(SUBMISSION_COLUMNS))})")
INSERT_CHECK = f"INSERT INTO checks ({', '.join(CHECK_COLUMNS)}) VALUES ({', '.join('?' * len(CHECK_COLUMNS))})"


class GradebookError(RuntimeError):
    """The gradebook file cannot be opened, read or written; the message names the file and the fix."""


def _text(value: str | None) -> str | None:
    """Text SQLite can store: lone surrogates (undecodable file names) become ``\\udcxx`` escapes."""
    if value is None:
        return None
    if type(value) is str and value.isascii():  # the usual case, and nothing to replace
        return value
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in a check's plot")


_encode = json.JSONEncoder(default=_json_default).encode  # json.dumps(value, default=_json_default)
_encode_key = json.encoder.encode_basestring_ascii  # what json.dumps writes for a str dict key


class PlotText:
    """The JSON text of check plots, exactly ``json.dumps(plot, default=_json_default)``, remembering
    the text of each list of values it has written. Writing floats is most of a submission's cost
    here, and plots repeat: every student's carry the same expected values, and those of students
    who are right carry the same values of their own.

    A list is remembered by its ``marshal`` form, which exists only for values made of built-in
    types (exactly: no subclasses) and tells apart everything their JSON text does (0.0 and -0.0,
    1 and 1.0 and True); any other value is simply written each time.
    """

    DEPTH = 4  # dicts followed down to the lists of values: plot, series, series name, role

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._known: dict[bytes, str] = {}

    def __call__(self, value: Any, depth: int = 0) -> str:
        if type(value) is dict and depth < self.DEPTH and all(type(k) is str for k in value):
            return "{" + ", ".join(f"{_encode_key(k)}: {self(v, depth + 1)}" for k, v in value.items()) + "}"
        if type(value) is not list:
            return _encode(value)
        try:
            key = marshal.dumps(value)
        except ValueError:  # holds something marshal cannot write: nothing to know it by
            return _encode(value)
        text = self._known.get(key)
        if text is None:
            text = _encode(value)
            if len(self._known) >= self.size:
                del self._known[next(iter(self._known))]  # the oldest
            self._known[key] = text
        return text


@lru_cache(maxsize=256)
def _known_functions_text(functions: tuple[str, ...]) -> str:
    return json.dumps(list(functions))


def _functions_text(functions: Iterable[str]) -> str:
    """``json.dumps(list(functions))``, written once per list of names (every row of a check repeats it)."""
    try:
        return _known_functions_text(tuple(functions))
    except TypeError:  # a name that cannot be a key (never from a check): written each time
        return json.dumps(list(functions))


def _explain(path: Path, exc: Exception, doing: str) -> GradebookError:
    """A GradebookError saying what went wrong with ``path`` and what to do about it."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "disk full" in low or getattr(exc, "errno", None) == 28:
        fix = "free some space, or pass --gradebook a file on another disk"
    elif "readonly" in low or "read-only" in low or "permission" in low or "access" in low:
        fix = "make the file and its folder writable, or pass --gradebook a writable location"
    elif "not a database" in low or "malformed" in low or "file is encrypted" in low:
        fix = "this is not a gradebook (or it is damaged): pass --gradebook a new file name"
    elif "locked" in low or "busy" in low:
        fix = "another process holds it: wait for it to finish, or use another --gradebook file"
    elif "unable to open" in low or isinstance(exc, OSError):
        fix = "check that its folder exists and is writable, or pass --gradebook another path"
    else:
        fix = "pass --gradebook another file if this persists"
    kept = " (results committed before this are kept)" if doing.startswith("record") else ""
    return GradebookError(f"gradebook {path}: cannot {doing}: {text}{kept}; {fix}")


class Gradebook:
    """The results of every graded submission, one row per (assignment, student)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._plot_text = PlotText()  # used under the lock
        # each preset dictionary (the stub), compressed once: (sha256, size, compressed bytes)
        self._dictionaries: dict[bytes, tuple[str, int, bytes]] = {}
        self._held: set[str] = set()  # dictionaries this connection has seen committed (never removed)
        self._group: set[str] | None = None  # inside grouped(): the dictionaries its transaction stores
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise GradebookError(f"gradebook {self.path}: {parent} is a file, not a folder; "
                                 f"pass --gradebook a path inside a folder")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and not self.path.is_file():
                raise GradebookError(f"gradebook {self.path}: is not a file; pass --gradebook a file path")
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise _explain(self.path, exc, "open it") from None
        self._conn = conn
        try:
            self._setup(conn)
        except (sqlite3.Error, OSError) as exc:
            self._abandon()
            raise _explain(self.path, exc, "open it for writing") from None
        except GradebookError:
            self._abandon()
            raise

    def _setup(self, conn: sqlite3.Connection) -> None:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise GradebookError(f"gradebook {self.path}: this file system does not support SQLite's WAL mode "
                                 f"(got {mode!r}); put the gradebook on a local disk")
        conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
        conn.execute(f"PRAGMA journal_size_limit={WAL_AUTOCHECKPOINT * 4096}")  # truncated back after one
        conn.execute("PRAGMA foreign_keys=ON")
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise GradebookError(f"gradebook {self.path}: written by a newer version of grade (schema {found}, "
                                 f"this one knows {SCHEMA_VERSION}); upgrade grade or use another --gradebook")
        if found == 0:  # a new file, or some other program's SQLite database: never adopt the latter
            foreign = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")} \
                - {"submissions", "checks", "blobs", "kept", "history", "adjustments"}
            if foreign:
                raise GradebookError(f"gradebook {self.path}: is not a gradebook (an SQLite database with tables "
                                     f"{sorted(foreign)[:5]}); pass --gradebook the file `grade batch` wrote")
        # One write transaction, so an unwritable file (read-only disk, no permission) fails here, not later.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, SCHEMA.split(";")):
                conn.execute(statement)
            if found < 2:
                _migrate(conn, found)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            self._rollback(conn)
            raise
        missing = {"submissions", "checks"} - {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        if missing:
            raise GradebookError(f"gradebook {self.path}: tables {sorted(missing)} are missing; "
                                 f"pass --gradebook a new file name")

    # ------------------------------------------------------------ history and adjustments

    def history(self, assignment: str) -> list[tuple[str, str, str | None, float, float, str, str]]:
        """Every graded version: (student, version, sha256, score, max_score, status, graded_at), oldest first."""
        with self._lock:
            try:
                return self.conn.execute(
                    "SELECT student, version, sha256, score, max_score, status, graded_at FROM history "
                    "WHERE assignment=? ORDER BY student, rowid", (_text(assignment),)).fetchall()
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None

    def adjust(self, assignment: str, student: str, points: float, note: str) -> None:
        """Store a manual adjustment of ``student``'s score (kept through every regrade)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            try:
                self.conn.execute("INSERT INTO adjustments (assignment, student, points, note, created_at) "
                                  "VALUES (?, ?, ?, ?, ?)", (_text(assignment), _text(student), float(points),
                                                             _text(note) or "", now))
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, f"record the adjustment of {student!r}") from None

    def adjustments(self, assignment: str) -> dict[str, list[dict[str, Any]]]:
        """student -> [{"points", "note", "at"}, ...] in the order they were made."""
        with self._lock:
            try:
                rows = self.conn.execute("SELECT student, points, note, created_at FROM adjustments "
                                         "WHERE assignment=? ORDER BY id", (_text(assignment),)).fetchall()
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None
        found: dict[str, list[dict[str, Any]]] = {}
        for student, points, note, at in rows:
            found.setdefault(student, []).append({"points": points, "note": note, "at": at})
        return found

    def students(self, assignment: str) -> list[str]:
        """The students with a result for ``assignment``."""
        with self._lock:
            try:
                return [r[0] for r in self.conn.execute("SELECT student FROM submissions WHERE assignment=? "
                                                        "ORDER BY student", (_text(assignment),))]
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _abandon(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
        self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise GradebookError(f"gradebook {self.path}: already closed")
        return self._conn

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def current(self, assignment: str, student: str, sha256: str, version: str) -> bool:
        """Whether (assignment, student) was already graded with this content hash and assignment version."""
        if not sha256:
            return False
        with self._lock:
            try:
                row = self.conn.execute(
                    "SELECT 1 FROM submissions WHERE assignment=? AND student=? AND sha256=? AND version=?",
                    (_text(assignment), _text(student), _text(sha256), _text(version))).fetchone()
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None
        return row is not None

    def record(self, result: Result, *, version: str, fresh: bool = False, files: dict[str, bytes] | None = None,
               dictionary: bytes | None = None) -> None:
        """Store ``result`` (replacing any earlier one for its assignment and student) and commit.

        Its history gets a row when the assignment version or the content changed, or when ``fresh``
        says it was graded again (``--regrade``); not when only its lateness was assessed again.
        ``files``: what the submission handed in (name -> bytes; ``{}`` when it could not be opened);
        ``None`` records the result alone, as a gradebook before schema 2 did. ``dictionary``: text
        most submissions share (the stub), stored once and used as zlib's preset dictionary.
        """
        row = (_text(result.assignment), _text(result.student), _text(result.sha256), _text(result.submitted_at),
               int(result.late_days), float(result.penalty), _text(version), float(result.score),
               float(result.max_score), _text(result.status), _text(result.message) or "",
               float(result.execution_time), datetime.now(timezone.utc).isoformat(timespec="seconds"),
               _text(getattr(result, "late_source", None)))
        with self._lock:
            checks = [(pos, _text(c.name), _functions_text(c.functions), float(c.score), float(c.max_score),
                       _text(c.status), _text(c.message) or "", _text(c.visibility), _text(c.hint), _text(c.mistake),
                       _text(c.description) or "", None if c.plot is None else self._plot_text(c.plot))
                      for pos, c in enumerate(result.checks)]
            packed = None if dictionary is None else self._packed(dictionary)
            kept = None if files is None else _kept(files, dictionary, None if packed is None else packed[0])
            digests = None if files is None else json.dumps(
                {c.name: c.digest for c in result.checks if c.digest}, separators=(",", ":"))
            conn = self.conn
            grouped = self._group is not None  # grouped(): its transaction is open, and it commits
            try:
                if not grouped:
                    conn.execute("BEGIN IMMEDIATE")
                sid, before_files = _replace_row(conn, row, checks, fresh, float(result.raw_score))
                held = None if kept is None else self._keep_files(conn, sid, kept, packed, digests)
                if before_files:  # a regrade: give back the old files' references, drop blobs nobody refers to
                    old = [(h,) for h in json.loads(before_files).values()]
                    conn.executemany("UPDATE blobs SET refs = refs - 1 WHERE sha256=?", old)
                    conn.executemany("DELETE FROM blobs WHERE sha256=? AND refs <= 0", old)
                if not grouped:
                    conn.execute("COMMIT")
                if held is not None:  # known stored once its transaction commits
                    (self._group if grouped else self._held).add(held)
            except (sqlite3.Error, OSError) as exc:
                self._rollback(conn)
                raise _explain(self.path, exc, f"record {result.student!r}") from None
            except BaseException:
                self._rollback(conn)
                raise

    def _keep_files(self, conn: sqlite3.Connection, sid: int, kept: list, packed: tuple[str, int, bytes] | None,
                    digests: str | None) -> str | None:
        """Store a submission's files (blobs counted by reference) and digests; the sha256 of the
        dictionary this stored, if it did (it is held for good: one reference nobody gives back)."""
        held = None
        if packed is not None and kept and packed[0] not in self._held:  # stored once per connection
            sha, size, data = packed
            conn.execute("INSERT INTO blobs (sha256, size, refs, data) VALUES (?, ?, 1, ?) "
                         "ON CONFLICT (sha256) DO NOTHING", (sha, size, data))
            held = sha
        conn.executemany("INSERT INTO blobs (sha256, size, refs, dictionary, data) VALUES (?, ?, 1, ?, ?) "
                         "ON CONFLICT (sha256) DO UPDATE SET refs = refs + 1",
                         [(sha, size, used, data) for _, (sha, size, data, used) in kept])
        conn.execute("INSERT INTO kept (submission, files, digests) VALUES (?, ?, ?)",
                     (sid, json.dumps({name: blob[0] for name, blob in kept}, separators=(",", ":")), digests))
        return held

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """Record the results of the block in one transaction: all of them committed when it ends, none
        if it raises (or the process is killed before). Cheaper than a commit per result; meant for
        results that have all arrived, so that none waits for anything else to be committed."""
        with self._lock:
            if self._group is not None:
                raise RuntimeError("grouped() does not nest")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "record results") from None
            self._group = set()
        try:
            yield
        except BaseException:
            with self._lock:
                self._group = None
                self._rollback(self.conn)
            raise
        with self._lock:
            held, self._group = self._group, None
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback(self.conn)
                raise _explain(self.path, exc, "record results") from None
            self._held |= held

    def _packed(self, dictionary: bytes) -> tuple[str, int, bytes]:
        """(sha256, size, compressed bytes) of a preset dictionary, computed once per gradebook."""
        found = self._dictionaries.get(dictionary)
        if found is None:
            found = self._dictionaries[dictionary] = _kept({"": dictionary}, None)[0][1][:3]
        return found

    def results(self, assignment: str, *, plots: bool = True) -> list[Result]:
        """Every stored result of ``assignment``, ordered by student, with its checks in order.

        ``plots=False`` leaves the feedback plots out (only pages draw them; they are most of the data).
        """
        return list(self.each_result(assignment, plots=plots))

    def result(self, assignment: str, student: str, *, plots: bool = True) -> Result | None:
        """One student's stored result, if any."""
        found = list(self.each_result(assignment, plots=plots, student=student))  # read whole: no cursor left open
        return found[0] if found else None

    def each_result(self, assignment: str, *, plots: bool = True, student: str | None = None) -> Iterator[Result]:
        """As :meth:`results`, one result at a time from an open cursor: memory stays flat in the
        class (``student``: that one's only)."""
        where, args = "s.assignment=?", (_text(assignment),)
        if student is not None:
            where, args = where + " AND s.student=?", args + (_text(student),)
        plot = "c.plot" if plots else "NULL"
        # two cursors in the same order (the unique index's): the submissions, and their checks
        subs = self._stream(
            "SELECT s.id, s.student, s.assignment, s.score, s.max_score, s.status, s.message, s.execution_time, "
            "s.submitted_at, s.late_days, s.penalty, s.sha256, s.late_source, o.digests FROM submissions s "
            f"LEFT JOIN kept o ON o.submission = s.id WHERE {where} ORDER BY s.student", args)
        checks = self._stream(
            "SELECT c.submission, c.name, c.functions, c.score, c.max_score, c.status, c.message, c.visibility, "
            f"c.hint, c.mistake, c.description, {plot} FROM submissions s JOIN checks c ON c.submission = s.id "
            f"WHERE {where} ORDER BY s.student, c.position", args)
        row = next(checks, None)
        for sid, *s, digests in subs:
            known = json.loads(digests) if digests else {}
            found = []
            while row is not None and row[0] == sid:
                check = _check(row[1:])
                check.digest = known.get(check.name)
                found.append(check)
                row = next(checks, None)
            yield Result(student=s[0], assignment=s[1], score=s[2], max_score=s[3], status=s[4], message=s[5],
                         execution_time=s[6], submitted_at=s[7], late_days=s[8], penalty=s[9], sha256=s[10],
                         late_source=s[11], checks=found)

    def _stream(self, query: str, args: tuple[Any, ...], batch: int = 256) -> Iterator[tuple[Any, ...]]:
        """The rows of a read-only query, ``batch`` at a time from an open cursor (never the whole result
        at once); the lock is held only while a batch is fetched."""
        with self._lock:
            try:
                cursor = self.conn.execute(query, args)
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None
        while True:
            with self._lock:
                try:
                    rows = cursor.fetchmany(batch)
                except sqlite3.Error as exc:
                    raise _explain(self.path, exc, "read it") from None
            if not rows:
                return
            yield from rows

    def kept(self, assignment: str) -> Iterator[tuple[str, dict[str, bytes] | None]]:
        """(student, files) of every submission of ``assignment``, by student, one at a time (memory
        stays flat); ``files`` is None for a row recorded before the gradebook kept files (schema 1)."""
        for sid, student, has in self._stream(
                "SELECT s.id, s.student, o.submission IS NOT NULL FROM submissions s "
                "LEFT JOIN kept o ON o.submission = s.id WHERE s.assignment=? ORDER BY s.student",
                (_text(assignment),)):
            yield student, (self._files(sid) if has else None)

    def wrong_public_values(self, assignment: str) -> Iterator[tuple[str, dict[str, tuple[str, list[str], str | None]]]]:
        """(student, {check: (output digest, functions, known mistake or None)}) of the public checks each
        submission of ``assignment`` failed with a kept digest, by student, one student at a time;
        students with none are left out. Read from an open cursor: memory stays flat in the class."""
        student, found, digests = None, {}, {}
        for who, name, functions, mistake, text in self._stream(
                "SELECT s.student, c.name, c.functions, c.mistake, o.digests FROM checks c "
                "JOIN submissions s ON s.id = c.submission JOIN kept o ON o.submission = s.id "
                "WHERE s.assignment=? AND c.status=? AND c.visibility != 'hidden' "
                "ORDER BY s.student, c.position", (_text(assignment), FAILED)):
            if who != student:
                if found:
                    yield student, found
                student, found, digests = who, {}, json.loads(text)
            digest = digests.get(name)
            if digest:
                found[name] = (digest, json.loads(functions), mistake)
        if found:
            yield student, found

    def files(self, assignment: str, student: str) -> dict[str, bytes] | None:
        """The files one student handed in (None: no such row, or one recorded before files were kept)."""
        with self._lock:
            try:
                row = self.conn.execute(
                    "SELECT s.id FROM submissions s JOIN kept o ON o.submission = s.id "
                    "WHERE s.assignment=? AND s.student=?", (_text(assignment), _text(student))).fetchone()
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None
        return None if row is None else self._files(row[0])

    def _files(self, sid: int) -> dict[str, bytes]:
        with self._lock:
            try:
                [names] = self.conn.execute("SELECT files FROM kept WHERE submission=?", (sid,)).fetchone()
                rows = []
                for name, sha in sorted(json.loads(names).items()):
                    found = self.conn.execute("SELECT b.data, d.data FROM blobs b LEFT JOIN blobs d "
                                              "ON d.sha256 = b.dictionary WHERE b.sha256=?", (sha,)).fetchone()
                    rows.append((name, sha, *(found or (b"", None))))
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None
        files = {}
        for name, sha, data, dictionary in rows:
            try:
                if dictionary is None:
                    raw = zlib.decompress(data)
                else:
                    unpack = zlib.decompressobj(zdict=zlib.decompress(dictionary))
                    raw = unpack.decompress(data) + unpack.flush()
            except zlib.error:
                raw = b""  # damaged: the hash check below says so
            if hashlib.sha256(raw).hexdigest() != sha:
                raise GradebookError(f"gradebook {self.path}: the stored copy of {name} does not match its "
                                     f"SHA-256 (the file is damaged); run the batch again with --regrade")
            files[name] = raw
        return files

    def assignments(self) -> list[str]:
        """The assignments this gradebook holds results for."""
        with self._lock:
            try:
                rows = self.conn.execute("SELECT DISTINCT assignment FROM submissions ORDER BY assignment").fetchall()
            except sqlite3.Error as exc:
                raise _explain(self.path, exc, "read it") from None
        return [r[0] for r in rows]

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            self._abandon()


def _replace_row(conn: sqlite3.Connection, row: tuple, checks: list[tuple], fresh: bool,
                 raw_score: float) -> tuple[int, str | None]:
    """Put ``row`` (and its ``checks``) in place of the student's earlier one, with a history row
    for a new graded version; (its id, the earlier row's kept files or None)."""
    # a new graded version (new checks or new content), not a late re-assessment of the same one;
    # found through the submissions' own unique index, so history needs no index of its own
    before = conn.execute("SELECT s.version, s.sha256, k.files FROM submissions s LEFT JOIN kept k "
                          "ON k.submission = s.id WHERE s.assignment=? AND s.student=?", row[:2]).fetchone()
    if before is None or tuple(before[:2]) != (row[6], row[2]) or fresh:
        conn.execute("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (*row[:2], row[6], row[2], raw_score, row[8], row[9], row[12]))
    if before is not None:
        conn.execute("DELETE FROM submissions WHERE assignment=? AND student=?", row[:2])
    sid = conn.execute(INSERT_SUBMISSION, row).lastrowid
    conn.executemany(INSERT_CHECK, [(sid, *c) for c in checks])
    return sid, (before[2] if before is not None else None)


def _migrate(conn: sqlite3.Connection, found: int) -> None:
    """Bring a gradebook of schema ``found`` (1, or 0: new) to this one, inside the open transaction."""
    for (table, column), definition in MIGRATIONS.items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    if found == 1:  # its current results are its first graded versions
        conn.execute("INSERT INTO history SELECT assignment, student, version, sha256, score, max_score, status, "
                     "graded_at FROM submissions")


def _kept(files: dict[str, bytes], dictionary: bytes | None,
          used: str | None = None) -> list[tuple[str, tuple[str, int, bytes, str | None]]]:
    """(name, (sha256, size, compressed bytes, the dictionary's sha256 or None)) of each file, as the
    blobs and files tables hold them (``used``: the dictionary's sha256, when the caller knows it)."""
    out = []
    if dictionary is not None and used is None:
        used = hashlib.sha256(dictionary).hexdigest()
    for name, data in sorted(files.items()):
        if dictionary is None:
            packed = zlib.compress(data, COMPRESSION)
        else:
            pack = zlib.compressobj(COMPRESSION, zdict=dictionary)
            packed = pack.compress(data) + pack.flush()
        out.append((_text(name), (hashlib.sha256(data).hexdigest(), len(data), packed, used)))
    return out


def _check(row: Iterable[Any]) -> CheckResult:
    name, functions, score, max_score, status, message, visibility, hint, mistake, description, plot = row
    return CheckResult(name=name, functions=json.loads(functions), score=score, max_score=max_score, status=status,
                       message=message, visibility=visibility, hint=hint, mistake=mistake, description=description,
                       plot=None if plot is None else json.loads(plot))
