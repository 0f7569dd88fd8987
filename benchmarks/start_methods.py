"""Cost per submission of the two start methods: a warm fork (Linux) and a fresh interpreter (spawn:
what Windows and macOS use).

    python benchmarks/start_methods.py [--repeat 50]

For each method, through a running zygote (`Sandbox`), the median wall time of:
- a trivial submission: one check that does nothing measurable (import a small module, one frame);
- the `optim` reference: every check of a real assignment (public and hidden), judged by the engine,
  back to back (a batch: each submission pays a whole interpreter start-up under spawn);
- the same after 0.5 s idle (`grade submit`, `check()` in a notebook: under spawn the zygote has
  started the next interpreter ahead of time, while the grader was busy reading the submission).
The difference spawn - fork is what a student on Windows or macOS pays per submission.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from _common import ROOT, median_ms, trivial_assignment

os.environ.update({v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})

from grader.course import load_solution  # noqa: E402
from grader.grading.engine import Engine, Settings  # noqa: E402
from grader.grading.workdir import base_files, remove, write_run_folder  # noqa: E402
from grader.sandbox.runner import Sandbox  # noqa: E402


def trivial(method: str, n: int) -> float:
    checks, work = trivial_assignment()
    with Sandbox([checks], start_method=method) as box:
        job = [{"name": "trivial", "seed": 1, "timeout": 5}]
        return median_ms(lambda: box.run(work, "sub", job, timeout=10), n)


def optim(method: str, n: int) -> tuple[float, float, int]:
    assignment = load_solution(ROOT / "solutions" / "optim")
    root = write_run_folder({**base_files(assignment), "optim.py": assignment.module_path.read_bytes()})
    try:
        with Engine(assignment, settings=Settings(start_method=method)) as engine:
            assert engine.grade(root).score == assignment.max_score
            busy = median_ms(lambda: engine.grade(root), n)
            idle = []
            for _ in range(max(5, n // 5)):
                time.sleep(0.5)
                t = time.perf_counter()
                engine.grade(root)
                idle.append(time.perf_counter() - t)
            return busy, statistics.median(idle) * 1000, len(engine.checks)
    finally:
        remove(root)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    n = parser.parse_args().repeat
    methods = (["fork"] if sys.platform.startswith("linux") and hasattr(os, "fork") else []) + ["spawn"]
    rows = {}
    for method in methods:
        rows[method] = (trivial(method, n), *optim(method, n))
    print(f"{sys.platform}, Python {sys.version.split()[0]}; medians of {n} submissions")
    print(f"{'method':8} {'trivial, 1 check':>17} {'optim back to back':>19} {'optim after idle':>17}")
    for method, (t, o, idle, checks) in rows.items():
        print(f"{method:8} {t:14.1f} ms {o:16.1f} ms {idle:14.1f} ms   ({checks} checks)")
    if "fork" in rows:
        (tf, of, idf, _), (ts, os_, ids, _) = rows["fork"], rows["spawn"]
        print(f"spawn - fork per submission: {ts - tf:.1f} ms (trivial), {os_ - of:.1f} ms (optim back to back), "
              f"{ids - idf:.1f} ms (optim after idle)")


if __name__ == "__main__":
    main()
