"""Small helpers shared by the benchmark scripts: medians and a repository root."""

from __future__ import annotations

import statistics
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def trivial_assignment() -> tuple[Path, Path]:
    """(checks.py, submission folder) of a one-check assignment whose scenario costs nothing:
    what remains of a round trip through the sandbox is the sandbox's own overhead."""
    tmp = Path(tempfile.mkdtemp(prefix="grade-bench-"))
    (tmp / "checks.py").write_text(textwrap.dedent('''
        from grader.checks import check

        @check(points=1, functions=["f"])
        def trivial(impl, rng):
            return {"y": impl.f(1.0)}
    '''))
    work = tmp / "work"
    work.mkdir()
    (work / "sub.py").write_text("def f(x):\n    return x + 1\n")
    return tmp / "checks.py", work
