"""The grader's own wheel, for `grade pack` to put in each student zip (``wheels/``).

Students install from the zip alone: the wheel of the installed grader plus its dependencies from
the package index. It is built from the grader's source tree (the folder holding ``pyproject.toml``
beside the ``grader`` package: a clone or an editable install) with ``pip wheel``, in a copy of the
tree (the clone stays clean), with ``SOURCE_DATE_EPOCH`` fixed so the wheel, and so the pack, has
the same bytes every time. Without a source tree, pass a wheel you built (``grade pack --wheel``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import grader

DISTRIBUTION = "numgrade"  # the name on the package index ("grader" and "grade" belong to other projects)
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip can hold (as the pack's own entries)
TREE = ("pyproject.toml", "README.md", "LICENSE", "grader", "templates")
_BUILT: dict[str, "Wheel"] = {}


class WheelError(RuntimeError):
    """The wheel cannot be built or read; the message says what to do instead."""


@dataclass(frozen=True)
class Wheel:
    filename: str  # e.g. numgrade-0.1.0-py3-none-any.whl
    data: bytes


def source_tree() -> Path | None:
    """The grader's source tree, if this grader runs from one."""
    root = Path(grader.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and f'name = "{DISTRIBUTION}"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


def _files(root: Path) -> list[Path]:
    found = []
    for name in TREE:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
                      and not p.name.endswith((".pyc", ".pyo"))]
    return found


def _digest(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def read_wheel(path: Path) -> Wheel:
    """A wheel someone built (``grade pack --wheel``)."""
    path = Path(path)
    if not path.name.startswith(f"{DISTRIBUTION}-") or path.suffix != ".whl":
        raise WheelError(f"{path}: not a {DISTRIBUTION} wheel (expected {DISTRIBUTION}-<version>-py3-none-any.whl)")
    return Wheel(path.name, path.read_bytes())


def build_wheel(*, fresh: bool = False) -> Wheel:
    """The wheel of the grader's source tree (built once per process and content unless ``fresh``)."""
    root = source_tree()
    if root is None:
        raise WheelError(f"grade pack puts the grader's wheel in each zip, but this grader ({grader.__file__}) "
                         f"was not installed from its source tree: pass --wheel FILE (a {DISTRIBUTION} wheel), "
                         f"or --no-wheel to leave it out")
    files = _files(root)
    key = _digest(root, files)
    if key in _BUILT and not fresh:
        return _BUILT[key]
    with tempfile.TemporaryDirectory(prefix="grade-wheel-") as tmp:
        copy, out = Path(tmp) / "src", Path(tmp) / "out"
        for p in files:
            target = copy / p.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, target)
            os.chmod(target, 0o644)
        # without isolation when this environment can build (no download), else pip fetches setuptools
        isolated = [] if importlib.util.find_spec("wheel") and importlib.util.find_spec("setuptools") \
            else ["--use-pep517"]
        args = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-q", "-w", str(out)]
        args += (["--no-build-isolation"] if not isolated else isolated) + [str(copy)]
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONHASHSEED": "0"}
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
        built = sorted(out.glob(f"{DISTRIBUTION}-*.whl")) if out.is_dir() else []
        if done.returncode != 0 or len(built) != 1:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise WheelError(f"building the {DISTRIBUTION} wheel failed ({' '.join(args[2:5])}): "
                             + " | ".join(tail) + f"; build one with `pip wheel --no-deps {root}` and pass --wheel")
        wheel = Wheel(built[0].name, built[0].read_bytes())
    _BUILT[key] = wheel
    return wheel
