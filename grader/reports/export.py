"""Batch outputs written from the gradebook: JSON, CSV, JUnit XML and Gradescope ``results.json`` files.

JSON, CSV and JUnit are for instructors and keep every detail (hidden checks' messages labelled
"instructor only"); Gradescope's files are what students see, redacted by :meth:`Result.for_student`.

Every writer reads the same :class:`Result` objects, so the scores agree everywhere: ``score`` is the final
score (after any late penalty), each check's score is its points. Files are replaced atomically (a
temporary file in the same folder, then ``os.replace``), so a reader never sees half a file; they are not
fsynced, since they can always be written again from the gradebook (``grade report``).

Each format is a writer fed one result at a time (:class:`Writers`), so a whole class is never held
in memory: what a file needs of the whole class before its first row (the check columns, the
students' folder names, the top score) comes from an :class:`Outline` made in a pass before, and
JUnit's totals, which its first line carries, from suites kept in a temporary file until the end.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import tempfile
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Sequence

from grader.atomic import atomic_stream, atomic_write
from grader.result import ERROR, INSTRUCTOR_ONLY, NOT_GRADABLE, PASSED, Result

FIXED_COLUMNS = ("student", "score", "max_score", "status", "submitted_at", "late_days", "penalty", "late_source",
                 "adjustment")
GRADESCOPE_FILE = "results.json"
GRADESCOPE_INDEX = "index.json"


# ---------------------------------------------------------------- helpers

def fmt_score(value: float) -> str:
    """A score as text: at most 6 decimals, no trailing zeros (29, 3.666667, 0.5)."""
    text = f"{round(float(value), 6) + 0.0:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _encode(text: str) -> bytes:
    """UTF-8; lone surrogates (undecodable file names) become ``\\udcxx`` escapes instead of an error."""
    return text.encode("utf-8", "backslashreplace")


def _dumps(data: Any) -> bytes:
    return _encode(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def late_note(result: Result) -> str:
    """'' when on time, else e.g. 'submitted 2 days late: 20% penalty (raw score 29/29)'."""
    if not result.late_days:
        return ""
    days = f"{result.late_days} day{'s' if result.late_days != 1 else ''}"
    return (f"submitted {days} late: {fmt_score(result.penalty * 100)}% penalty "
            f"(raw score {fmt_score(result.raw_score)}/{fmt_score(result.max_score)})")


def summary(result: Result) -> str:
    """One paragraph for a student: score, lateness, and why a submission could not be graded."""
    lines = [f"Score: {fmt_score(result.score)}/{fmt_score(result.max_score)}"]
    if result.status == NOT_GRADABLE:
        lines.append(f"Not gradable: {result.message}")
    elif result.message:
        lines.append(result.message)
    note = late_note(result)
    if note:
        lines.append(note[0].upper() + note[1:] + ".")
    return "\n".join(lines)


# ---------------------------------------------------------------- JSON

JSON_AUDIENCE = (f"{INSTRUCTOR_ONLY}: the messages of hidden checks show values computed from their hidden "
                 f"inputs; give students their Gradescope results or feedback pages instead")


def write_json(results: Sequence[Result], assignment: str, max_score: float, path: Path) -> Path:
    """``{"assignment", "max_score", "audience", "results": [result.to_dict(), ...]}``: every detail,
    for instructors (``audience`` says so)."""
    return _write_all(results, path, lambda handle: JsonWriter(handle, assignment, max_score))


class JsonWriter:
    """:func:`write_json`'s file, a result at a time: the text ``json.dumps(..., indent=1)`` makes of
    the whole (each result's own text indented to its depth in the list)."""

    def __init__(self, handle: BinaryIO, assignment: str, max_score: float) -> None:
        self.handle = handle
        head = _dumps({"assignment": assignment, "max_score": max_score, "audience": JSON_AUDIENCE, "results": []})
        self.handle.write(head[:-len(b"[]\n}\n")])
        self.count = 0

    def add(self, result: Result) -> None:
        text = json.dumps(result.to_dict(), indent=1, ensure_ascii=False).replace("\n", "\n  ")
        self.handle.write(_encode(("[\n  " if not self.count else ",\n  ") + text))
        self.count += 1

    def close(self) -> None:
        self.handle.write(b"\n ]\n}\n" if self.count else b"[]\n}\n")


# ---------------------------------------------------------------- CSV

def check_columns(results: Iterable[Result]) -> list[str]:
    """Check names in order of first appearance across ``results``."""
    names: dict[str, None] = {}
    for r in results:
        for c in r.checks:
            names.setdefault(c.name, None)
    return list(names)


def _cell(text: str) -> str:
    """A student-controlled text as a spreadsheet shows it, never as a formula (=, +, -, @, tab, CR)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _adjustment(result: Result) -> str:
    """The sum of a result's manual adjustments ('' when there are none)."""
    return fmt_score(sum(float(a["points"]) for a in result.adjustments)) if result.adjustments else ""


def write_csv(results: Sequence[Result], path: Path) -> Path:
    """One row per student (fixed columns, then each check's score), UTF-8 with a header row."""
    return _write_all(results, path, lambda handle: CsvWriter(handle, check_columns(results)))


class CsvWriter:
    """:func:`write_csv`'s file, a row at a time (``checks``: every check's name, in order)."""

    def __init__(self, handle: BinaryIO, checks: list[str]) -> None:
        # UTF-8 with lone surrogates escaped, rows ending in \r\n as csv writes them
        self.text = io.TextIOWrapper(handle, encoding="utf-8", errors="backslashreplace", newline="")
        self.checks = checks
        self.writer = csv.writer(self.text)
        self.writer.writerow(list(FIXED_COLUMNS) + [f"check:{n}" if n in FIXED_COLUMNS else n for n in checks])

    def add(self, r: Result) -> None:
        scores = {c.name: fmt_score(c.score) for c in r.checks}
        self.writer.writerow([_cell(r.student), fmt_score(r.score), fmt_score(r.max_score), r.status,
                              r.submitted_at or "", r.late_days, fmt_score(r.penalty), r.late_source or "",
                              _adjustment(r)] + [scores.get(n, "") for n in self.checks])

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # the handle stays open for the atomic write to finish


# ---------------------------------------------------------------- JUnit XML

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: Any) -> str:
    """Text XML 1.0 can hold (control characters and lone surrogates become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", str(text))


def _seconds(value: float) -> str:
    return f"{max(float(value or 0.0), 0.0):.3f}"


def _testsuite(result: Result) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml(result.student))
    props = ET.SubElement(suite, "properties")
    for key in ("score", "max_score", "status", "submitted_at", "late_days", "penalty", "late_source"):
        value = getattr(result, key)
        if value is not None:
            text = fmt_score(value) if key in ("score", "max_score", "penalty") else str(value)
            ET.SubElement(props, "property", name=key, value=_xml(text))
    if result.adjustments:  # manual ones (grade adjust): the total, and each with its note
        ET.SubElement(props, "property", name="adjustment", value=_adjustment(result))
        for made in result.adjustments:
            ET.SubElement(props, "property", name="adjustment_note", value=_xml(f"{made['points']:+g}: {made['note']}"))
    classname = _xml(f"{result.assignment}.{result.student}")
    # for instructors' CI dashboards: a hidden check keeps its message, labelled as not for students
    cases = [(c.name, c.status, f"[{INSTRUCTOR_ONLY}] {c.message}" if c.hidden and c.message else c.message, c.hint)
             for c in result.checks]
    if result.status == NOT_GRADABLE and not cases:
        cases = [("submission", ERROR, result.message, None)]
    failures = errors = 0
    for name, status, message, hint in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=_xml(name), time=_seconds(0))
        if result.status == NOT_GRADABLE:
            status, message = ERROR, f"not gradable: {result.message}"
        if status == PASSED:
            continue
        text = message + (f"\nHint: {hint}" if hint else "")
        kind = "error" if status == ERROR else "failure"
        element = ET.SubElement(case, kind, message=_xml(message), type=_xml(status))
        element.text = _xml(text)
        if kind == "error":
            errors += 1
        else:
            failures += 1
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", _seconds(result.execution_time))
    return suite


def junit_tree(results: Sequence[Result], assignment: str | None = None) -> ET.ElementTree:
    """``<testsuites>``: a ``testsuite`` per student, a ``testcase`` per check."""
    name = assignment or (results[0].assignment if results else "")
    root = ET.Element("testsuites", name=_xml(name))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    time_total = 0.0
    for r in results:
        suite = _testsuite(r)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        time_total += max(float(r.execution_time or 0.0), 0.0)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _seconds(time_total))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def write_junit(results: Sequence[Result], path: Path) -> Path:
    """JUnit XML for CI dashboards: failed and timed-out checks are ``failure``, errors ``error``."""
    return _write_all(results, path, lambda handle: JunitWriter(handle, results[0].assignment if results else ""))


class JunitWriter:
    """:func:`write_junit`'s file, a suite at a time: the bytes :func:`junit_tree` writes of the
    whole. The root's totals come first in the file, so the suites wait in a temporary file."""

    def __init__(self, handle: BinaryIO, name: str) -> None:
        self.handle = handle
        self.name = name
        self.suites = tempfile.TemporaryFile()
        self.totals = {"tests": 0, "failures": 0, "errors": 0}
        self.time_total = 0.0

    def add(self, result: Result) -> None:
        suite = _testsuite(result)
        for key in self.totals:
            self.totals[key] += int(suite.get(key, "0"))
        self.time_total += max(float(result.execution_time or 0.0), 0.0)
        ET.indent(suite, level=1)
        self.suites.write(b"\n  " + ET.tostring(suite, encoding="unicode").encode("utf-8", "xmlcharrefreplace"))

    def close(self) -> None:
        if not self.suites.tell():  # no suite: the root alone, as ElementTree writes an empty element
            buffer = io.BytesIO()
            junit_tree([], self.name).write(buffer, encoding="utf-8", xml_declaration=True)
            self.handle.write(buffer.getvalue() + b"\n")
            return
        root = ET.Element("testsuites", name=_xml(self.name))
        for key, value in self.totals.items():
            root.set(key, str(value))
        root.set("time", _seconds(self.time_total))
        root.text = "-"
        whole = ET.tostring(root, encoding="unicode")
        self.handle.write(b"<?xml version='1.0' encoding='utf-8'?>\n"
                          + whole[:-len("-</testsuites>")].encode("utf-8", "xmlcharrefreplace"))
        self.suites.seek(0)
        while block := self.suites.read(1 << 20):
            self.handle.write(block)
        self.suites.close()
        self.handle.write(b"\n</testsuites>\n")


# ---------------------------------------------------------------- Gradescope

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")
_RESERVED = {"", ".", "..", GRADESCOPE_INDEX, "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def _digest(student: str, n: int = 10) -> str:
    return hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def folder_names(students: Iterable[str]) -> dict[str, str]:
    """A safe, unique folder name per student id.

    An id made only of letters, digits and ``. _ @ + -`` (not starting with a dot, at most 80 characters)
    is its own folder name. Any other id has every other character replaced by ``_``, is cut to 80
    characters and gets ``-`` plus the first 10 hex digits of the sha256 of the id. Ids whose names
    would differ only in case (one folder on macOS/Windows) get the hash suffix too.
    """
    names: dict[str, str] = {}
    for student in dict.fromkeys(students):
        safe = _UNSAFE.sub("_", student)[:80]
        if safe != student or safe.startswith(".") or safe.split(".")[0].lower() in _RESERVED \
                or safe.lower() in _RESERVED:
            safe = f"{safe.lstrip('.') or 'student'}-{_digest(student)}"
        names[student] = safe
    groups: dict[str, list[str]] = {}
    for student, name in names.items():
        groups.setdefault(name.lower(), []).append(student)
    for members in groups.values():
        if len(members) > 1:
            for student in members:
                suffix = f"-{_digest(student)}"
                if not names[student].endswith(suffix):
                    names[student] = f"{names[student]}{suffix}"
    if len({n.lower() for n in names.values()}) != len(names):  # only with a sha256 prefix collision
        names = {s: f"{n}-{_digest(s, 64)}" for s, n in names.items()}
    return names


def gradescope_result(result: Result) -> dict[str, Any]:
    """One submission in Gradescope's ``results.json`` format: what its student sees, so hidden
    checks show their status, points and hint only (:meth:`Result.for_student`)."""
    result = result.for_student()
    tests = []
    for c in result.checks:
        output = c.message + (f"\nHint: {c.hint}" if c.hint else "")
        tests.append({"name": c.name, "score": round(float(c.score), 6), "max_score": round(float(c.max_score), 6),
                      "status": "passed" if c.status == PASSED and result.status != NOT_GRADABLE else "failed",
                      "output": output, "visibility": "after_published" if c.hidden else "visible"})
    return {"score": round(float(result.score), 6),
            "execution_time": int(math.ceil(max(float(result.execution_time or 0.0), 0.0))),
            "output": summary(result), "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def write_gradescope(results: Sequence[Result], folder: Path) -> Path:
    """``folder/<student>/results.json`` per student (names from :func:`folder_names`), plus
    ``folder/index.json`` mapping each folder name to its student id."""
    writer = GradescopeWriter(Path(folder), [r.student for r in results])
    for r in results:
        writer.add(r)
    writer.close()
    return Path(folder)


class GradescopeWriter:
    """:func:`write_gradescope`'s files, a student at a time (``students``: every id, in order)."""

    def __init__(self, folder: Path, students: list[str]) -> None:
        self.folder = folder
        self.students = students
        self.names = folder_names(students)

    def add(self, r: Result) -> None:
        atomic_write(self.folder / self.names[r.student] / GRADESCOPE_FILE, _dumps(gradescope_result(r)))

    def close(self) -> None:
        atomic_write(self.folder / GRADESCOPE_INDEX, _dumps({self.names[s]: s for s in self.students}))


# ---------------------------------------------------------------- all of them

def write_outputs(results: Sequence[Result], assignment: str, max_score: float, *, json: Path | None = None,
                  csv: Path | None = None, junit: Path | None = None, gradescope: Path | None = None) -> list[Path]:
    """Write each output that is given a path; return the paths written (the folder for Gradescope)."""
    results = list(results)
    outline = Outline.of(results)
    with ExitStack() as stack:
        writers = Writers(stack, outline, assignment, max_score, json=json, csv=csv, junit=junit,
                          gradescope=gradescope)
        for r in results:
            writers.add(r)
        writers.close()
    return writers.written


class Outline:
    """What the outputs need of the whole class before their first row, gathered a result at a time:
    the students in order, the check columns in order of first appearance, the top score."""

    def __init__(self) -> None:
        self.assignment = ""  # the first result's (JUnit's root is named after it)
        self.students: list[str] = []
        self.columns: dict[str, None] = {}
        self.max_score: float | None = None  # as max() finds it: the first of the largest
        self.in_page_order = True  # by student, then submission time (as the class report lists them)
        self._last: tuple[str, str] | None = None

    @classmethod
    def of(cls, results: Iterable[Result]) -> "Outline":
        """The outline of ``results``, gathered in one pass."""
        outline = cls()
        for result in results:
            outline.add(result)
        return outline

    def add(self, result: Result) -> None:
        if not self.students:
            self.assignment = result.assignment
        self.students.append(result.student)
        for c in result.checks:
            self.columns.setdefault(c.name, None)
        if self.max_score is None or result.max_score > self.max_score:
            self.max_score = result.max_score
        key = (result.student, result.submitted_at or "")
        if self._last is not None and key < self._last:
            self.in_page_order = False
        self._last = key

    @property
    def top(self) -> float:
        """The largest maximum score (0.0 for no results)."""
        return 0.0 if self.max_score is None else self.max_score


class Writers:
    """The writers of every output given a path, fed the same results in the same order; each file
    appears whole when :meth:`close` has run and ``stack`` ends (none if the block raises)."""

    def __init__(self, stack: ExitStack, outline: Outline, assignment: str, max_score: float, *,
                 json: Path | None = None, csv: Path | None = None, junit: Path | None = None,
                 gradescope: Path | None = None) -> None:
        self.written: list[Path] = []
        self.writers: list[Any] = []
        if json is not None:
            self._open(stack, json, lambda handle: JsonWriter(handle, assignment, max_score))
        if csv is not None:
            self._open(stack, csv, lambda handle: CsvWriter(handle, list(outline.columns)))
        if junit is not None:
            self._open(stack, junit, lambda handle: JunitWriter(handle, outline.assignment))
        if gradescope is not None:
            self.writers.append(GradescopeWriter(Path(gradescope), outline.students))
            self.written.append(Path(gradescope))

    def _open(self, stack: ExitStack, path: Path, make) -> None:
        self.writers.append(make(stack.enter_context(atomic_stream(Path(path)))))
        self.written.append(Path(path))

    def add(self, result: Result) -> None:
        for writer in self.writers:
            writer.add(result)

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


def _write_all(results: Sequence[Result], path: Path, make) -> Path:
    """One output of ``results`` through the writer ``make(handle)`` makes."""
    with atomic_stream(Path(path)) as handle:
        writer = make(handle)
        for r in results:
            writer.add(r)
        writer.close()
    return Path(path)

