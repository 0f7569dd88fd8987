"""Canvas and Moodle downloads built the way each LMS names its files (docs/lms.md gives the sources),
with the awkward cases: LATE_ markers, -1 resubmissions, "Last, First" names with commas and
non-ASCII letters, OS clutter, a stray file, an online-text folder."""

import io
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = (SOLUTIONS / "optim" / "optim.py").read_bytes()
STUB = (ROOT / "assignments" / "optim" / "optim.py").read_bytes()


def submit_archive(student: str) -> bytes:
    """A `grade submit` archive whose manifest names ``student``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("optim.py", REFERENCE)
        zf.writestr("manifest.json", json.dumps({"student": student, "submitted_at": "2020-01-01T00:00:00Z"}))
    return buffer.getvalue()


def canvas_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mllerjrg_1001_5001_optim.py", REFERENCE)                 # Müller, Jörg: on time
        zf.writestr("smithjohn_LATE_1002_5002_optim.py", STUB)                # Smith, John: first try...
        zf.writestr("smithjohn_LATE_1002_5010_optim-1.py", REFERENCE)         # ...and the resubmission
        zf.writestr("obriennezanamara_1003_5003_optim-submission.zip",        # O'Brien-Núñez, Ana María
                    submit_archive("maintainers@users.noreply.github.com"))
        zf.writestr("ghost_1050_5050_optim.py", REFERENCE)                    # not on the roster
        zf.writestr("__MACOSX/._mllerjrg_1001_5001_optim.py", b"\0\5\26\7")   # clutter
        zf.writestr("notes.txt", b"not a submission")                         # a stray file
    return path


def moodle_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Jörg Müller_2101_assignsubmission_file_/optim.py", REFERENCE)
        zf.writestr("Ana María O'Brien-Núñez_2102_assignsubmission_file_/optim.py", REFERENCE)
        zf.writestr("Ana María O'Brien-Núñez_2102_assignsubmission_onlinetext_/onlinetext.html", b"<p>hi</p>")
        zf.writestr("Sam Rivers_2150_assignsubmission_file_/optim.py", STUB)  # not on the worksheet
    return path
