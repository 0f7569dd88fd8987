"""Batch outputs written from the gradebook: JSON, CSV, JUnit XML and Gradescope ``results.json`` files.

JSON, CSV and JUnit are for instructors and keep every detail (hidden checks' messages labelled
"instructor only"); Gradescope's files are what students see, redacted by :meth:`Result.for_student`.

Every writer reads the same :class:`Result` objects, so the scores agree everywhere: ``score`` is the final
score (after any late penalty), each check's score is its points. Files are replaced atomically (a
temporary file in the same folder, then ``os.replace``), so a reader never sees half a file; they are not
fsynced, since they can always be written again from the gradebook (``grade report``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable, Sequence

from grader.atomic import atomic_write
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
    data = {"assignment": assignment, "max_score": max_score, "audience": JSON_AUDIENCE,
            "results": [r.to_dict() for r in results]}
    return atomic_write(path, _dumps(data))


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
    checks = check_columns(results)
    header = list(FIXED_COLUMNS) + [f"check:{n}" if n in FIXED_COLUMNS else n for n in checks]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in results:
        scores = {c.name: fmt_score(c.score) for c in r.checks}
        writer.writerow([_cell(r.student), fmt_score(r.score), fmt_score(r.max_score), r.status, r.submitted_at or "",
                         r.late_days, fmt_score(r.penalty), r.late_source or "", _adjustment(r)]
                        + [scores.get(n, "") for n in checks])
    return atomic_write(path, _encode(out.getvalue()))


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
    buffer = io.BytesIO()
    junit_tree(results).write(buffer, encoding="utf-8", xml_declaration=True)
    return atomic_write(path, buffer.getvalue() + b"\n")


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
    folder = Path(folder)
    names = folder_names(r.student for r in results)
    for r in results:
        atomic_write(folder / names[r.student] / GRADESCOPE_FILE, _dumps(gradescope_result(r)))
    atomic_write(folder / GRADESCOPE_INDEX, _dumps({names[r.student]: r.student for r in results}))
    return folder


# ---------------------------------------------------------------- all of them

def write_outputs(results: Sequence[Result], assignment: str, max_score: float, *, json: Path | None = None,
                  csv: Path | None = None, junit: Path | None = None, gradescope: Path | None = None) -> list[Path]:
    """Write each output that is given a path; return the paths written (the folder for Gradescope)."""
    results = list(results)
    written = []
    if json is not None:
        written.append(write_json(results, assignment, max_score, Path(json)))
    if csv is not None:
        written.append(write_csv(results, Path(csv)))
    if junit is not None:
        written.append(write_junit(results, Path(junit)))
    if gradescope is not None:
        written.append(write_gradescope(results, Path(gradescope)))
    return written

