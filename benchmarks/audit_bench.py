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
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(course: Path, jobs: int) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "grader.cli", "audit", "--jobs", str(jobs)], cwd=course,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"grade audit failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


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
        cold, out = run(course, args.jobs)
        mutants, graded, _ = figures(out)
        print(f"cold:  {cold:6.1f} s  {mutants} mutants, {graded} runs graded: "
              f"{mutants / cold:.1f} mutants/s, {graded / cold:.1f} runs/s (--jobs {args.jobs})")
        warm, out = run(course, args.jobs)
        _, graded, cached = figures(out)
        print(f"warm:  {warm:6.1f} s  {graded} runs graded, {cached} from the cache")
        checks = course / "solutions" / "sigmoid" / "checks.py"
        checks.write_text(checks.read_text() + "\n# edited\n")
        edited, out = run(course, args.jobs)
        _, graded, cached = figures(out)
        print(f"one check file edited (sigmoid):  {edited:6.1f} s  {graded} runs graded, {cached} from the cache")


if __name__ == "__main__":
    main()
