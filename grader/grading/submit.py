"""`grade submit`: a student grades their copy of an assignment and gets the archive to hand in
(an instructor, pointing it at ``solutions/NAME``, previews the same output on the reference)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import grader
from grader.course import CHECKS, DATA, EXPECTED, load_pack, load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.files import grade_files
from grader.grading.identity import Identity, resolve
from grader.grading.submit_target import locate
from grader.grading.workdir import base_files
from grader.result import Result
from grader.sandbox.launch import Launched
from grader.submission import MANIFEST, open_submission


PREVIEW_STUDENT = "reference-preview"  # seeds nothing hidden: a preview runs the public checks only


@dataclass
class Submitted:
    result: Result
    archive: Path | None
    identity: Identity | None = None
    graded: str = ""  # the file graded, e.g. "optim.ipynb"
    preview: bool = False  # a solutions folder's reference, not a student's copy
    why: str = ""  # why ``graded`` and not ``ignored`` (see grader.submission.Opened)
    ignored: str | None = None  # the other of the .py and the notebook, not graded


def which_file(done: Submitted) -> str:
    """One line: the file graded, why that one, and the one left out (and how to grade it instead)."""
    graded, other = done.graded, done.ignored
    if not graded:
        return ""
    if done.preview:
        return f"graded {graded}: the reference solution"
    if not other:
        return f"graded {graded}"
    instead = (f"to grade {other} instead, save it after {graded}" if other.endswith(".py")
               else f"to grade {other} instead: --notebook {other}")
    if done.why == "asked for":
        return f"graded {graded}, as asked; {other} was not graded"
    if done.why == "the only one edited":
        return f"graded {graded}: the one you edited ({other} is as the pack gave it, not graded)"
    if done.why == "both edited; saved last":
        return f"graded {graded}: you edited both it and {other}, and saved {graded} last; {other} was not " \
               f"graded ({instead})"
    return f"graded {graded}: neither it nor {other} differs from the pack ({other} not graded)"


def write_archive(folder: Path, assignment: str, student: str, graded: str) -> Path:
    """Zip the student's files plus a manifest (id, assignment, time, sha256 per file, tool version)."""
    skip = {CHECKS, EXPECTED, "README.md"}
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name not in skip
                   and p.suffix in (".py", ".ipynb"))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    manifest = {
        "student": student, "assignment": assignment, "graded": graded,
        "submitted_at": now.isoformat().replace("+00:00", "Z"), "tool": f"grade {grader.__version__}",
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
    target = folder / f"{assignment}-submission.zip"
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, p.name)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    tmp.replace(target)
    return target


def submit(path: Path, *, assignment: str | None = None, student: str | None = None,
           notebook: str | None = None, settings: Settings | None = None, archive: bool = True,
           launched: Launched | None = None) -> Submitted:
    """Grade the pack folder ``path`` on its public checks (``launched``: a zygote started early,
    stopped here whatever happens: left running, it would outlive the command).

    A solutions folder is previewed instead: its reference graded exactly as a student's copy
    would be (public checks, the same feedback), under no student's id, with no archive."""
    try:
        target = locate(path, assignment)
        if target.preview:
            return _preview(target.folder, settings, launched)
        pack = load_pack(target.folder)
        if assignment and assignment != pack.name:
            raise ValueError(f"{target.folder} holds the assignment {pack.name!r}, not {assignment!r}")
        identity = resolve(student)  # before grading: a borrowed id stops here
        engine = Engine(pack, settings=settings, include_hidden=False)
        engine.sandbox.start(launched)  # boots in the background while the submission is read
        launched = None  # the engine's now: its close() stops it
        try:
            opened = open_submission(pack.folder, pack.module, pristine=pack.frozen.get("pristine", {}),
                                     prefer=notebook)
            result = grade_files(engine, {**base_files(pack), **opened.files}, identity.student,
                                 submitted_at=opened.submitted_at, sha256=opened.sha256)
        finally:
            engine.close()
    finally:
        if launched is not None:
            launched.close()
    target_zip = write_archive(pack.folder, pack.name, identity.student, opened.graded) if archive else None
    return Submitted(result, target_zip, identity, graded=opened.graded, why=opened.why, ignored=opened.ignored)


def _preview(folder: Path, settings: Settings | None, launched: Launched | None) -> Submitted:
    """The reference of ``solutions/NAME`` graded on its public checks, as `grade submit` grades a
    student's copy: its own files (modules and data) stand in for the student's."""
    solution = load_solution(folder, hidden=False)
    files = {p.name: p.read_bytes() for p in solution.sources()}
    data = folder / DATA
    if data.is_dir():
        files.update({str(p.relative_to(folder)): p.read_bytes() for p in sorted(data.rglob("*"))
                      if p.is_file() and "__pycache__" not in p.parts})
    with Engine(solution, settings=settings, include_hidden=False) as engine:
        engine.sandbox.start(launched)
        result = grade_files(engine, files, PREVIEW_STUDENT)
    return Submitted(result, None, None, graded=solution.module_path.name, preview=True)
