"""The grader's own work per submission in `grade batch`, apart from the sandbox: judging, the
reference's runs on each student's hidden inputs, known mistakes, digests, the gradebook's record.

    python benchmarks/judge_bench.py [--n 200] [--repeat 3]

N generated `optim` submissions (benchmarks/batch_bench.py's mix) run once in the sandbox, their
arrays kept; then this process judges them as a batch worker does (the engine's own judge of each
check's arrays, then its Result), several times, and records the results into a fresh gradebook.
Prints CPU milliseconds per submission (best of the repeats):

- judging alone: every expected and known mistake's output already computed (what a check costs
  to judge);
- judging with the reference: each pass starts from no cached output, so every student's hidden
  inputs run the reference (and, when a hidden check fails, its known mistakes) as in a batch;
- gradebook: ``Gradebook.record`` of each result with its file (one transaction each).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch_bench import make_submissions  # noqa: E402

from grader.bulk.gradebook import Gradebook  # noqa: E402
from grader.checks.expected import ReferenceExpectations  # noqa: E402
from grader.course import load_solution  # noqa: E402
from grader.grading.engine import Engine  # noqa: E402
from grader.grading.workdir import base_files, materialize, remove  # noqa: E402
from grader.sandbox.supervisor import CheckReport, RunReport  # noqa: E402


def run_all(engine: Engine, folder: Path) -> list[tuple[str, RunReport]]:
    """Each submission's raw report (arrays kept), as the sandbox returns it."""
    base = base_files(engine.assignment)
    runs = []
    for path in sorted(folder.iterdir()):
        workdir = materialize({**base, f"{engine.assignment.module}.py": path.read_bytes()})
        try:
            jobs = [{"name": c.name, "seed": engine.seed(c, path.stem), "timeout": 10.0} for c in engine.checks]
            runs.append((path.stem, engine.sandbox.run(workdir, engine.assignment.module, jobs, timeout=60.0)))
        finally:
            remove(workdir)
    return runs


def judge_all(engine: Engine, runs: list[tuple[str, RunReport]]) -> list:
    """The engine's judging of every report: expected outputs first (as while a child runs), then
    each check's arrays, then the Result."""
    results = []
    for student, report in runs:
        seeds = {c.name: engine.seed(c, student) for c in engine.checks}
        for check in engine.checks:
            engine.expectations.expected(check, seeds[check.name])
        on_result = engine._judge_arrays(seeds)
        judged = RunReport(imported=report.imported, import_problem=report.import_problem)
        for name, raw in report.checks.items():
            judged.checks[name] = CheckReport(status=raw.status, error=raw.error, detail=raw.detail,
                                              judged=on_result(name, raw.arrays) if raw.status == "ok" else None)
        results.append(engine._judge(judged, student, seeds, time.monotonic(), {}))
    return results


def best_cpu(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assignment = load_solution(ROOT / "solutions" / "optim")
    stub = (ROOT / "assignments" / "optim" / "optim.py").read_bytes()
    work = Path(tempfile.mkdtemp(prefix="grade-judge-bench-"))
    try:
        make_submissions(work / "subs", args.n)
        with Engine(assignment, secret=b"judge bench") as engine:
            runs = run_all(engine, work / "subs")
            engine.sandbox.close()

            def fresh() -> None:
                engine.expectations = ReferenceExpectations(assignment)
                judge_all(engine, runs)

            with_reference = best_cpu(args.repeat, fresh)
            engine.expectations = ReferenceExpectations(assignment)
            engine.expectations._expected.size = engine.expectations._alternatives.size = 10 ** 9
            results = judge_all(engine, runs)  # now every output is cached
            alone = best_cpu(args.repeat, lambda: judge_all(engine, runs))
        files = {student: (work / "subs" / f"{student}.py").read_bytes() for student, _ in runs}
        count = iter(range(10 ** 6))

        def record() -> None:
            with Gradebook(work / f"gradebook{next(count)}.db") as book:
                for result in results:
                    book.record(result, version="bench", fresh=True, files={"optim.py": files[result.student]},
                                dictionary=stub)

        recording = best_cpu(args.repeat, record)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = args.n
    print(f"N={n}, CPU per submission, best of {args.repeat}:")
    print(f"  judging alone (outputs cached):          {alone / n * 1000:6.3f} ms")
    print(f"  judging with the reference's runs:       {with_reference / n * 1000:6.3f} ms")
    print(f"  gradebook record (a transaction each):   {recording / n * 1000:6.3f} ms")


if __name__ == "__main__":
    main()
