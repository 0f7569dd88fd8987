"""Warnings raised by the instructor's code run in the grader's own process (the reference, the
known mistakes and accepted variants, for expected outputs and diagnosis): kept, never printed.

A known mistake often overflows on purpose (that is the mistake). Printed as Python prints
warnings, each would reach every command's output, once per worker process, under whatever path
the module was loaded from. Kept here instead, once per place and message, they are reported by
`grade verify` with the mistake's name, where an instructor can act on them.
"""

from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from typing import Iterator

LIMIT = 200  # distinct warnings kept: a process that grades thousands of students keeps flat memory

_kept: dict[tuple[str, str, str, str, int], None] = {}


@contextmanager
def kept(who: str) -> Iterator[None]:
    """Run trusted code quietly; remember each distinct warning it raises under ``who``
    ("reference", "mistake NAME"). numpy's floating-point errors arrive as warnings too (its
    default ``errstate``), so they are kept alike; the code's own ``errstate`` is left as it is."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        key = (who, w.category.__name__, str(w.message), w.filename, w.lineno or 0)
        if key not in _kept and len(_kept) < LIMIT:
            _kept[key] = None


def drain() -> list[str]:
    """The warnings kept since the last call, one line each, oldest first; forgets them."""
    lines = [f"{who}: {_shown(path)}:{line}: {category}: {message}"
             for who, category, message, path, line in _kept]
    _kept.clear()
    return lines


def _shown(path: str) -> str:
    """``path`` relative to the working folder when it is below it (solutions/NAME/mistakes.py)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative
