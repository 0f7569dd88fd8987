"""`grade submit`: a student grades their copy of an assignment and gets the archive to hand in."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import grader
from grader.course import CHECKS, EXPECTED, load_pack
from grader.grading.engine import Engine, Settings
from grader.grading.files import grade_files
from grader.grading.identity import Identity, resolve
from grader.grading.workdir import base_files
from grader.result import Result
from grader.submission import MANIFEST, open_submission


@dataclass
class Submitted:
    result: Result
    archive: Path | None
    identity: Identity | None = None


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
           launched=None) -> Submitted:
    """Grade the pack folder ``path`` on its public checks (``launched``: a zygote started early)."""
    pack = load_pack(path)
    if assignment and assignment != pack.name:
        raise ValueError(f"{path} holds the assignment {pack.name!r}, not {assignment!r}")
    identity = resolve(student)  # before grading: a borrowed id stops here
    engine = Engine(pack, settings=settings, include_hidden=False)
    engine.sandbox.start(launched)  # boots in the background while the submission is read
    try:
        sid = identity.student
        opened = open_submission(pack.folder, pack.module, pristine=pack.frozen.get("pristine", {}), prefer=notebook)
        result = grade_files(engine, {**base_files(pack), **opened.files}, sid, submitted_at=opened.submitted_at,
                             sha256=opened.sha256)
    finally:
        engine.close()
    target = write_archive(pack.folder, pack.name, sid, opened.graded) if archive else None
    return Submitted(result, target, identity)
