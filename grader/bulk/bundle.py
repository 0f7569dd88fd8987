"""An assignment's instructor files as bytes, so any worker (local or on a cluster) can grade it."""

from __future__ import annotations

import atexit
import hashlib
import shutil
from pathlib import Path

import grader
from grader import tempdirs

_UNPACKED: dict[str, Path] = {}


@atexit.register
def _remove_unpacked() -> None:
    """Leave no copy of the instructor's files (the reference!) in the temporary folder."""
    for root in _UNPACKED.values():
        shutil.rmtree(root.parent, ignore_errors=True)
    _UNPACKED.clear()


def bundle(folder: Path) -> dict[str, bytes]:
    """Every file of ``solutions/<name>/`` (relative path -> bytes), caches left out."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")}


def version(files: dict[str, bytes]) -> str:
    """The assignment version: changes whenever a solution, check or mistake (or the grader) changes."""
    h = hashlib.sha256(f"grade {grader.__version__}\0".encode())
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest())
    return h.hexdigest()[:16]


def unpack_bundle(name: str, files: dict[str, bytes]) -> Path:
    """A private folder ``<tmp>/<name>`` holding the bundle (once per process and version)."""
    key = f"{name}:{version(files)}"
    if key not in _UNPACKED:
        root = tempdirs.make("solutions") / name
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        _UNPACKED[key] = root
    return _UNPACKED[key]
