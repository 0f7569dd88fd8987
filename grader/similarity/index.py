"""The fingerprints and wrong public values of every submission compared, in a scratch SQLite file.

Why on disk: what the comparison needs is in proportion to the class (a few hundred fingerprints per
submission, how many submissions have each, its wrong values) or more (the pairs that share something
rare). Held in memory it was most of the report's peak and grew with the class. Here SQLite counts,
joins and sorts on disk behind a bounded page cache, and in memory there are only the submission
being read, a bounded cache of the submissions being compared, and the pairs the report keeps: the
report's memory stays flat in the class size.

The index knows nothing of how a score is formed: :mod:`grader.similarity.score` gives it the weight
of a fingerprint and the limits, and reads back per submission its weighted fingerprints.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Callable, Iterator, Sequence

from grader import tempdirs
from grader.similarity.evidence import Wrong

CACHE_KIB = 2048  # SQLite's page cache for the scratch file (its own memory, outside Python's): its default
REMEMBERED = 256  # submissions kept decoded: pairs come ordered by their first member, which stays cached
BATCH = 1024  # rows written or read at a time

SCHEMA = """
CREATE TABLE subjects (id INTEGER PRIMARY KEY, key TEXT, student TEXT, source TEXT, origin TEXT);
CREATE TABLE prints (subject INTEGER, unit INTEGER, hash INTEGER);
CREATE TABLE wrong (subject INTEGER, check_name TEXT, digest TEXT, functions TEXT, mistake TEXT);
"""


@dataclass
class Subject:
    """One submission compared: its fingerprints per function and its wrong public values."""

    key: str  # unique among the subjects: the student id, or "SOURCE/student" for --against
    student: str
    source: str  # "class" for the gradebook's own assignment, else the --against path
    units: dict[str, Sequence[int]]  # per function: its fingerprints (an array('q'): 8 bytes each)
    wrong: dict[str, Wrong] = field(default_factory=dict)
    origin: str = ""  # where its files are read again: the gradebook, or the submission entry


@dataclass(frozen=True)
class Member:
    """Who one side of a pair is (its fingerprints stay in the index)."""

    id: int
    key: str
    student: str
    source: str
    origin: str


@dataclass
class Entry:
    """What scoring needs of one submission, read back from the index."""

    units: dict[int, tuple[float, dict[int, float]]]  # per function: its total weight, and its fingerprints
    # that others have too and that weigh something -> their weight
    wrong: dict[str, tuple[Wrong, int]]  # per check: a rare wrong value it returned, and how many returned it


def _ints(blob: bytes) -> array:
    found = array("q")
    found.frombytes(blob)
    return found


def _floats(blob: bytes) -> array:
    found = array("d")
    found.frombytes(blob)
    return found


class Index:
    """Add every subject (the class's first), :meth:`seal`, :meth:`find_pairs`, then read :meth:`pairs`
    and :meth:`entry`. A context manager: the scratch folder goes with it."""

    def __init__(self) -> None:
        self.folder = tempdirs.make("similarity")
        self.db = sqlite3.connect(str(self.folder / "index.db"), isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{CACHE_KIB}"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(SCHEMA)
        self.db.execute("BEGIN")
        self.size = 0  # subjects added
        self.in_class = 0  # of them, the class's own (ids 0 .. in_class - 1)
        self.unit_ids: dict[str, int] = {}  # function name -> number (the assignment's and students' helpers)
        self.names: list[str] = []
        self.rare_limit = 0
        self._cache: OrderedDict[int, Entry] = OrderedDict()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        tempdirs.remove(self.folder)

    def _unit(self, name: str) -> int:
        found = self.unit_ids.get(name)
        if found is None:
            found = self.unit_ids[name] = len(self.names)
            self.names.append(name)
        return found

    # Filling ----------------------------------------------------------------------------------------

    def add(self, subject: Subject) -> None:
        """Write one subject's fingerprints and wrong values (the class's subjects come first)."""
        in_class = subject.source == "class"
        if in_class and self.in_class != self.size:
            raise ValueError("the class's subjects are added before those of --against")
        sid = self.size
        self.db.execute("INSERT INTO subjects VALUES (?, ?, ?, ?, ?)",
                        (sid, subject.key, subject.student, subject.source, subject.origin))
        for name in sorted(subject.units):  # rows in (subject, unit) order: seal() reads them in that order
            unit = self._unit(name)
            self.db.executemany("INSERT INTO prints VALUES (?, ?, ?)", ((sid, unit, h) for h in subject.units[name]))
        self.db.executemany("INSERT INTO wrong VALUES (?, ?, ?, ?, ?)",
                            ((sid, check, w.digest, json.dumps(list(w.functions)), w.mistake)
                             for check, w in subject.wrong.items()))
        self.size += 1
        self.in_class += in_class

    def seal(self, weight: Callable[[int], float], rare_limit: int) -> None:
        """Count how many subjects have each fingerprint and each wrong value; write per subject and
        function its total weight and the fingerprints it shares with others that weigh something.

        ``weight(df)``: the weight of a fingerprint ``df`` subjects have; ``rare_limit``: the most
        subjects a wrong value may be returned by and still count."""
        db = self.db
        db.execute("COMMIT")
        db.executescript("""
            CREATE INDEX prints_by_form ON prints (unit, hash, subject);
            CREATE TABLE df (unit INTEGER, hash INTEGER, n INTEGER, PRIMARY KEY (unit, hash)) WITHOUT ROWID;
            INSERT INTO df SELECT unit, hash, COUNT(*) FROM prints GROUP BY unit, hash HAVING COUNT(*) >= 2;
            CREATE TABLE units (subject INTEGER, unit INTEGER, total REAL, hashes BLOB, weights BLOB,
                                PRIMARY KEY (subject, unit)) WITHOUT ROWID;
            CREATE INDEX wrong_by_value ON wrong (check_name, digest, subject);
            CREATE INDEX wrong_by_subject ON wrong (subject);
            CREATE TABLE wrong_counts (check_name TEXT, digest TEXT, n INTEGER,
                                       PRIMARY KEY (check_name, digest)) WITHOUT ROWID;
            INSERT INTO wrong_counts SELECT check_name, digest, COUNT(*) FROM wrong GROUP BY check_name, digest;
        """)
        self.rare_limit = rare_limit
        weights: dict[int, float] = {}  # df -> weight (few distinct values)
        db.execute("BEGIN")
        rows = db.execute("SELECT p.subject, p.unit, p.hash, COALESCE(d.n, 1) FROM prints p "
                          "LEFT JOIN df d ON d.unit = p.unit AND d.hash = p.hash ORDER BY p.rowid")
        written = []
        for (sid, unit), group in groupby(_batched(rows), key=lambda r: (r[0], r[1])):
            total, hashes, kept = 0.0, array("q"), array("d")
            for _, _, h, df in group:
                w = weights.get(df)
                if w is None:
                    w = weights[df] = weight(df)
                total += w
                if df >= 2 and w > 0:
                    hashes.append(h)
                    kept.append(w)
            written.append((sid, unit, total, hashes.tobytes(), kept.tobytes()))
            if len(written) >= BATCH:
                db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?)", written)
                written.clear()
        db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?)", written)
        # the class's members of each function, numbered, so random pairs of them can be drawn
        db.execute("CREATE TABLE members (unit INTEGER, rank INTEGER, subject INTEGER, PRIMARY KEY (unit, rank)) "
                   "WITHOUT ROWID")
        db.execute("INSERT INTO members SELECT unit, ROW_NUMBER() OVER (PARTITION BY unit ORDER BY subject) - 1, "
                   "subject FROM units WHERE subject < ?", (self.in_class,))
        db.execute("COMMIT")

    def find_pairs(self, limit: int) -> int:
        """Write the pairs (one side in the class) that share a fingerprint at most ``limit`` subjects
        have, or a rare wrong value; return how many."""
        db = self.db
        db.execute("BEGIN")
        db.execute("CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID")
        db.execute("INSERT OR IGNORE INTO pairs SELECT x.subject, y.subject FROM df d "
                   "JOIN prints x ON x.unit = d.unit AND x.hash = d.hash "
                   "JOIN prints y ON y.unit = d.unit AND y.hash = d.hash AND y.subject > x.subject "
                   "WHERE d.n <= ? AND x.subject < ?", (limit, self.in_class))
        db.execute("INSERT OR IGNORE INTO pairs SELECT x.subject, y.subject FROM wrong_counts c "
                   "JOIN wrong x ON x.check_name = c.check_name AND x.digest = c.digest "
                   "JOIN wrong y ON y.check_name = c.check_name AND y.digest = c.digest AND y.subject > x.subject "
                   "WHERE c.n BETWEEN 2 AND ? AND x.subject < ?", (self.rare_limit, self.in_class))
        db.execute("COMMIT")
        return db.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]

    # Reading ----------------------------------------------------------------------------------------

    def pairs(self) -> Iterator[tuple[int, int]]:
        """The pairs :meth:`find_pairs` wrote, ordered by their first member, then their second."""
        return _batched(self.db.execute("SELECT a, b FROM pairs ORDER BY a, b"))

    def entry(self, sid: int) -> Entry:
        """One subject's weighted fingerprints per function and rare wrong values (the last
        ``REMEMBERED`` read are kept decoded)."""
        found = self._cache.get(sid)
        if found is not None:
            self._cache.move_to_end(sid)
            return found
        units = {unit: (total, dict(zip(_ints(hashes), _floats(weights))))
                 for unit, total, hashes, weights in
                 self.db.execute("SELECT unit, total, hashes, weights FROM units WHERE subject = ?", (sid,))}
        wrong = {check: (Wrong(digest, tuple(json.loads(functions)), mistake), n)
                 for check, digest, functions, mistake, n in self.db.execute(
                     "SELECT w.check_name, w.digest, w.functions, w.mistake, c.n FROM wrong w "
                     "JOIN wrong_counts c ON c.check_name = w.check_name AND c.digest = w.digest "
                     "WHERE w.subject = ? AND c.n BETWEEN 2 AND ?", (sid, self.rare_limit))}
        found = self._cache[sid] = Entry(units, wrong)
        if len(self._cache) > REMEMBERED:
            self._cache.popitem(last=False)
        return found

    def member(self, sid: int) -> Member:
        key, student, source, origin = self.db.execute(
            "SELECT key, student, source, origin FROM subjects WHERE id = ?", (sid,)).fetchone()
        return Member(sid, key, student, source, origin)

    def class_members(self) -> dict[int, int]:
        """Per function: how many of the class have it."""
        return dict(self.db.execute("SELECT unit, COUNT(*) FROM members GROUP BY unit ORDER BY unit"))

    def class_unit(self, unit: int, rank: int) -> tuple[float, dict[int, float]]:
        """Function ``unit`` of the ``rank``-th (from 0) subject of the class that has it, as in :class:`Entry`."""
        total, hashes, weights = self.db.execute(
            "SELECT u.total, u.hashes, u.weights FROM members m JOIN units u ON u.subject = m.subject "
            "AND u.unit = m.unit WHERE m.unit = ? AND m.rank = ?", (unit, rank)).fetchone()
        return total, dict(zip(_ints(hashes), _floats(weights)))


def _batched(cursor: sqlite3.Cursor) -> Iterator[tuple]:
    """A cursor's rows, read ``BATCH`` at a time (never the whole result at once)."""
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            return
        yield from rows
