"""Per-submission overhead of the sandbox, against a bare fork and against spawning `python`.

    python benchmarks/sandbox_overhead.py [--repeat 200]

Measured from a warm process (numpy imported), as the zygote runs:
- bare fork: fork, child exits at once, parent waits;
- confined child: fork, every confinement layer (process group, fds, environment, rlimits,
  Landlock, seccomp, capabilities), exit;
- sandbox round trip: a whole job through a running zygote for a submission whose one check does
  nothing measurable (import of a small module, one frame back, judged nowhere);
- spawn python / spawn python+numpy: what a grader that starts an interpreter per submission pays.
Overhead = round trip - bare fork (target: under 5 ms).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from _common import median_ms, trivial_assignment

os.environ.update({v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
import numpy  # noqa: E402,F401

from grader.sandbox import confine  # noqa: E402
from grader.sandbox.runner import Sandbox  # noqa: E402


def bare_fork() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def confined_fork(workdir: str, read_only: list[str]) -> None:
    pid = os.fork()
    if pid == 0:
        confine.new_process_group()
        confine.redirect_stdio()
        confine.close_fds(keep=[])
        confine.scrub_environment(workdir)
        confine.limit_resources(cpu_seconds=10, memory_bytes=1 << 30, file_bytes=1 << 24, open_files=64)
        confine.restrict_filesystem(read_only=read_only, read_write=[workdir])
        confine.restrict_syscalls(own_pid=os.getpid())
        confine.drop_capabilities()
        os._exit(0)
    os.waitpid(pid, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    n = parser.parse_args().repeat
    checks, work = trivial_assignment()
    read_only = confine.default_read_only_paths()
    confine.report()
    fork = median_ms(bare_fork, n)
    confined = median_ms(lambda: confined_fork(str(work), read_only), n)
    with Sandbox([checks]) as box:
        job = [{"name": "trivial", "seed": 1, "timeout": 5}]
        trip = median_ms(lambda: box.run(work, "sub", job, timeout=10), n)
        layers = box.layers
    spawn = median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), max(10, n // 10))
    spawn_np = median_ms(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True), max(10, n // 10))
    print(f"layers: landlock={layers.get('landlock')} seccomp={layers.get('seccomp')}")
    print(f"bare fork + wait:                {fork:7.2f} ms (median of {n})")
    print(f"confined child (all layers):     {confined:7.2f} ms")
    print(f"sandbox round trip (1 check):    {trip:7.2f} ms")
    print(f"spawn `python -c pass`:          {spawn:7.2f} ms")
    print(f"spawn `python -c 'import numpy'`: {spawn_np:6.2f} ms")
    print(f"overhead over a bare fork:       {trip - fork:7.2f} ms (target < 5 ms: {'met' if trip - fork < 5 else 'MISSED'})")
    print(f"round trip vs spawning python+numpy: {spawn_np / trip:.1f}x faster")


if __name__ == "__main__":
    main()
