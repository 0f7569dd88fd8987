"""`grade audit` on the whole built-in course: mutants per second and whole-course time, cold and warm.

    python benchmarks/audit_bench.py [--jobs 2]

Copies solutions/, templates/ and course.toml to a temporary course (so its cache starts empty),
then runs `grade audit` there as a subprocess three times: cold (empty cache), warm (nothing
changed: every run comes from the cache), and after editing one check of one assignment (only that
assignment's mutants are graded again). Prints the wall time of each, the mutants and runs graded,
and mutants per second of the cold run (runs per second too: a mutant that keeps full marks is
graded again on other inputs).

Target on a 2-core machine: the cold whole-course audit in under 2 minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(course: Path, jobs: int) -> tuple[float, float, str]:
    """Wall time, CPU time of every process of the run (the audit, its workers, zygotes, children), output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "grader.cli", "audit", "--jobs", str(jobs)], cwd=course,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"grade audit failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, done.stdout


def figures(output: str) -> tuple[int, int, int]:
    found = re.search(r"(\d+) assignment\(s\), (\d+) mutants[^;]*; (\d+) run\(s\) graded, (\d+) from the cache", output)
    if not found:
        sys.exit(f"unexpected output:\n{output}")
    _, mutants, graded, cached = map(int, found.groups())
    return mutants, graded, cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grade-audit-bench-") as tmp:
        course = Path(tmp)
        for name in ("solutions", "templates"):
            shutil.copytree(ROOT / name, course / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "course.toml", course / "course.toml")
        print(f"load average before: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
        cold, cpu, out = run(course, args.jobs)
        mutants, graded, _ = figures(out)
        print(f"cold:  {cold:6.1f} s wall, {cpu:6.1f} s CPU (all processes)  {mutants} mutants, {graded} runs "
              f"graded: {mutants / cold:.1f} mutants/s, {graded / cold:.1f} runs/s (--jobs {args.jobs}); "
              f"CPU per run {1000 * cpu / graded:.0f} ms")
        warm, cpu, out = run(course, args.jobs)
        _, graded, cached = figures(out)
        print(f"warm:  {warm:6.1f} s wall, {cpu:6.1f} s CPU  {graded} runs graded, {cached} from the cache")
        checks = course / "solutions" / "sigmoid" / "checks.py"
        checks.write_text(checks.read_text() + "\n# edited\n")
        edited, cpu, out = run(course, args.jobs)
        _, graded, cached = figures(out)
        print(f"one check file edited (sigmoid):  {edited:6.1f} s wall, {cpu:6.1f} s CPU  {graded} runs graded, "
              f"{cached} from the cache")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
