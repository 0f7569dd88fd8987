"""The reference's figures for the pack: every ``figure_<name>`` function of the reference module,
drawn into ``figures/<name>.png`` (byte for byte the same on every run, so ``--check`` stays exact)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from grader.checks.loader import importable
from grader.course import Assignment
from grader.errors import AuthoringError
from grader.figures import DRAWN_WITH, FOLDER, PREFIX, draw, figure_name, renderer


def figure_functions(module) -> list[Callable]:
    """The module's own ``figure_*`` functions, in definition order (imported ones are not its own)."""
    return [value for key, value in vars(module).items()
            if key.startswith(PREFIX) and callable(value) and getattr(value, "__module__", None) == module.__name__]


def reference_figures(assignment: Assignment) -> dict[str, bytes]:
    """``figures/<name>.png`` -> PNG bytes, for each figure function of the reference, and
    ``figures/drawn-with.txt`` naming the renderer."""
    functions = figure_functions(assignment.reference)
    if not functions:
        return {}
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        names = ", ".join(f.__name__ for f in functions)
        raise AuthoringError(f"{assignment.module_path}: draws figures ({names}); the pack's copies of them need "
                             f"matplotlib: pip install 'numgrade[figures]'") from None
    out = {f"{FOLDER}/{DRAWN_WITH}": (renderer() + "\n").encode("utf-8")}
    before = set(sys.modules)
    try:
        with importable(assignment.folder):  # a figure may import a support module of its assignment
            for function in functions:
                try:
                    out[f"{FOLDER}/{figure_name(function)}.png"] = draw(function)
                except Exception as exc:
                    raise AuthoringError(f"{assignment.module_path}: {function.__name__} failed on the reference: "
                                         f"{type(exc).__name__}: {exc}") from exc
    finally:
        _forget_imports(assignment.folder, before)
    return out


def _forget_imports(folder: Path, before: set[str]) -> None:
    """Drop the modules imported from ``folder`` since ``before``: another assignment's support
    module of the same name must be imported from its own folder, not found cached."""
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None)
        if path and Path(path).resolve().parent == folder.resolve():
            del sys.modules[name]


def drawn_elsewhere(files: dict[str, bytes], folder: Path) -> str | None:
    """The renderer that drew the figures on disk in ``folder``, when it is not the one that drew
    ``files`` (then their PNGs may differ in a pixel without any change of code); else None."""
    fresh = files.get(f"{FOLDER}/{DRAWN_WITH}")
    on_disk = folder / FOLDER / DRAWN_WITH
    if fresh is None or not on_disk.is_file() or on_disk.read_bytes() == fresh:
        return None
    return on_disk.read_text(encoding="utf-8", errors="replace").strip()
