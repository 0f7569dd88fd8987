"""`grade batch` throughput on generated `optim` submissions, against the spawn-per-submission floor.

    python benchmarks/batch_bench.py [--sizes 1000 10000] [--jobs 2]

For each N: N submissions (a mix: right answers, the example files that repeat known mistakes,
untouched stubs; each file unique) are graded into a fresh gradebook by `grade batch --jobs J`
run as a subprocess. Prints wall time, submissions per second, CPU per submission (all processes),
the peak memory of the whole process tree (sampled every 50 ms) and of its largest process (the
kernel's ``ru_maxrss``; target: under 1 GiB whatever the submissions answer). In the same run it measures
three floors, J processes at a time:

- the spawn floor: one fresh `python` (importing numpy) per submission, what a grader without a
  warm process pays before any grading;
- the fork floor (benchmarks/_fork_floor.py): a warm process forks one child per submission, the
  child imports it and runs every check scenario, and nothing else happens (no confinement, no
  results sent, no judging, no gradebook). No design that runs each submission in a process of its
  own can beat it on this machine with these checks;
- the confined floor (benchmarks/_confined_floor.py): the same forks made the way a batch makes
  them, through a zygote, each child confined by every layer and sending its arrays back, which are
  read and dropped (no reference outputs, no judging, no gradebook). The fork floor's distance to it
  is what the sandbox costs; its distance to the batch is what grading costs.

The fork floor is measured just before and just after each batch, the confined floor just before;
the share of the fork floor that `grade batch` reaches (batch submissions/s over the floor's mean)
is printed for each N, and in a table at the end. So are the CPU per submission of the floors and
of the batch (a comparison a busy machine disturbs less than wall time), and the batch's CPU split
by process: main, workers, zygotes and the sandbox children (with psutil, sampled every 50 ms).
Targets on a 2-core machine: >= 70% of the fork floor, >= 5x the spawn floor, flat peak memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_submissions(folder: Path, n: int) -> None:
    right = (ROOT / "solutions" / "optim" / "optim.py").read_text()
    stub = (ROOT / "assignments" / "optim" / "optim.py").read_text()
    wrong = [p.read_text() for p in sorted((ROOT / "examples" / "optim").glob("*.py"))
             if not p.name.startswith(("hostile", "syntax", "stub", "correct"))]
    pool = [right, right, stub] + wrong
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"student{i:05d}.py").write_text(pool[i % len(pool)] + f"\n# submission {i}\n")


def sample_tree(pid: int, cpu: dict[int, tuple[float, float, str]]) -> int:
    """The whole process tree's resident memory now; each process's CPU so far (its own, and its
    reaped children's) and command line noted in ``cpu``. Needs psutil (0 and nothing noted without)."""
    try:
        import psutil
    except ImportError:
        return 0
    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
            t = p.cpu_times()
            seen = cpu[p.pid][2] if p.pid in cpu else ""  # an ending process's command line reads empty
            cpu[p.pid] = (t.user + t.system, t.children_user + t.children_system, seen or " ".join(p.cmdline()))
        except psutil.Error:
            pass
    return total


def cpu_roles(top: int, cpu: dict[int, tuple[float, float, str]]) -> dict[str, float]:
    """Seconds of CPU by role: the batch's main process, its workers, their zygotes, and the
    sandbox children (reaped by the zygotes, so counted in their children's time)."""
    roles = {"main": 0.0, "workers": 0.0, "zygotes": 0.0, "children": 0.0}
    for pid, (own, reaped, cmdline) in cpu.items():
        if pid == top:
            roles["main"] += own
        elif "grader.sandbox.zygote" in cmdline:
            roles["zygotes"] += own
            roles["children"] += reaped
        elif "multiprocessing" in cmdline and "resource_tracker" not in cmdline:
            roles["workers"] += own
    return roles


def run_batch(folder: Path, jobs: int, workdir: Path) -> dict:
    cmd = [sys.executable, "-m", "grader.cli", "batch", str(folder), "--assignment", "optim",
           "--solutions", str(ROOT / "solutions"), "--jobs", str(jobs), "--gradebook", str(workdir / "gb.db")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0]
    cpu: dict[int, tuple[float, float, str]] = {}

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], sample_tree(proc.pid, cpu))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"grade batch failed:\n{out}")
    cpu_total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # the kernel's own peak of the largest process the batch started (KiB on Linux), sandbox children
    # included; the floors measured before it start only small processes
    largest = after.ru_maxrss * 1024
    return {"wall": wall, "cpu": cpu_total, "peak": peak[0], "largest": largest, "roles": cpu_roles(proc.pid, cpu),
            "summary": out.strip().splitlines()[0]}


def spawn_floor(jobs: int, count: int = 40) -> float:
    """Submissions per second of a grader that pays one `python -c "import numpy"` each."""
    cmd = [sys.executable, "-c", "import numpy"]
    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda _: subprocess.run(cmd, check=True), range(count)))
    return count / (time.perf_counter() - start)


def copies(folder: Path, name: str) -> Path:
    """The submissions of ``folder`` as the floors read them, one folder each holding its ``optim.py``,
    in a folder ``name`` beside it."""
    singles = folder.parent / name
    singles.mkdir()
    for i, sub in enumerate(sorted(folder.iterdir())):
        (singles / f"{i:05d}").mkdir()
        shutil.copy(sub, singles / f"{i:05d}" / "optim.py")
    return singles


def floor(script: str, singles: Path, jobs: int) -> tuple[float, float]:
    """Submissions per second of a floor (``benchmarks/<script>`` over ``singles``), J processes at
    once, and its CPU seconds per submission (start-up included)."""
    n = len(list(singles.iterdir()))
    share = -(-n // jobs)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / script), str(singles),
                               str(k * share), str((k + 1) * share)], stdout=subprocess.PIPE, text=True)
             for k in range(jobs)]
    for proc in procs:
        proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"{script} failed")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return n / wall, cpu / n


def fork_floor(folder: Path, jobs: int, name: str = "single") -> tuple[float, float]:
    """The bare fork floor (benchmarks/_fork_floor.py): a warm fork per submission that imports it
    and runs every check scenario, and nothing else. Submissions/s and CPU seconds per submission."""
    return floor("_fork_floor.py", copies(folder, name), jobs)


def confined_floor(folder: Path, jobs: int, name: str = "confined") -> tuple[float, float]:
    """The confined floor (benchmarks/_confined_floor.py): the same work through a zygote, with every
    confinement layer and the arrays sent back, read and dropped; no grading. Submissions/s and CPU
    seconds per submission."""
    return floor("_confined_floor.py", copies(folder, name), jobs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    floor = spawn_floor(args.jobs)
    print(f"spawn floor ({args.jobs} at a time, python + numpy import only): {floor:.1f} submissions/s")
    shares = []
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="grade-batch-bench-"))
        try:
            make_submissions(work / "subs", n)
            # the floor just before and just after the batch, on the same files: a machine whose
            # load changes during the run moves both
            before, before_cpu = fork_floor(work / "subs", args.jobs, "before")
            confined, confined_cpu = confined_floor(work / "subs", args.jobs)
            r = run_batch(work / "subs", args.jobs, work)
            after, after_cpu = fork_floor(work / "subs", args.jobs, "after")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        rate, bare = n / r["wall"], (before + after) / 2
        print(f"N={n:>6}: {r['wall']:7.1f} s wall, {rate:6.1f} submissions/s ({rate / floor:4.1f}x the spawn floor), "
              f"CPU {r['cpu'] / n * 1000:5.1f} ms per submission, peak memory {r['peak'] / 2**20:6.0f} MiB")
        print(f"          peak memory of the batch: {r['peak'] / 2**20:.0f} MiB, all its processes together (sampled "
              f"every 50 ms; needs psutil); {r['largest'] / 2**20:.0f} MiB its largest process (the kernel's peak)")
        # target: under 1 GiB whatever the submissions answer (tests/hostile/test_corpus.py proves it
        # beside submissions that answer with huge arrays)
        if any(r["roles"].values()):  # sampled every 50 ms: the last few ms of each process may be missed
            print("          CPU per submission by process: " + ", ".join(
                f"{role} {seconds / n * 1000:.1f} ms" for role, seconds in r["roles"].items()))
        print(f"          {r['summary']}")
        print(f"          fork floor (a warm fork per submission running its scenarios, nothing else): "
              f"{before:.1f} submissions/s before the batch, {after:.1f} after")
        print(f"          confined floor (the same forks through a zygote, every confinement layer, arrays sent back "
              f"and dropped; no grading): {confined:.1f} submissions/s, {confined / bare:.0%} of the fork floor; "
              f"the batch reaches {rate / confined:.0%} of it")
        print(f"          share of the fork floor: {rate / bare:.0%} ({rate:.1f} / {bare:.1f} submissions/s)")
        # the same comparison in CPU, which a busy machine disturbs less than wall time
        floor_cpu = (before_cpu + after_cpu) / 2
        print(f"          CPU per submission: the fork floor {floor_cpu * 1000:.1f} ms, the confined floor "
              f"{confined_cpu * 1000:.1f} ms, the batch {r['cpu'] / n * 1000:.1f} ms (the fork floor's CPU is "
              f"{floor_cpu / (r['cpu'] / n):.0%} of the batch's)")
        shares.append((n, rate, bare, confined))
    print("\n     N  batch/s  floor/s  confined/s  share of the floor (target >= 70%)  confined floor's share")
    for n, rate, bare, confined in shares:
        print(f"{n:>6}  {rate:7.1f}  {bare:7.1f}  {confined:10.1f}  {rate / bare:>34.0%}  {confined / bare:>22.0%}")


if __name__ == "__main__":
    main()
