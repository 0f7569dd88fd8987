"""One process of the confined floor measured by batch_bench.py: the fork floor's work done the way
`grade batch` runs a submission, through a zygote with every confinement layer, and nothing more.

    python benchmarks/_confined_floor.py FOLDER START STOP [--without landlock,seccomp]

FOLDER holds one folder per submission, each with its ``optim.py`` (as for ``_fork_floor.py``); the
submissions START to STOP in name order are run. Each one's child is forked by a warm zygote,
confines itself (process group, descriptors, environment, IPC namespace, rlimits, Landlock,
seccomp, capabilities), imports the submission, runs every check scenario and sends each check's
arrays back, which this process reads, validates and drops: no reference outputs, no judging, no
run folder written, no gradebook. The next child starts while the last one's frames are read, as in
a batch. So the gap between this and the fork floor is what the sandbox costs, and the gap between
the batch and this is what grading costs. ``--without`` leaves out the layers named (``landlock``,
``seccomp``: the two a course can switch off), to measure what they cost. Prints the seconds spent on
its share.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from grader.checks.loader import load_checks
from grader.sandbox.runner import Sandbox

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    folder, start, stop = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    without = sys.argv[5].split(",") if len(sys.argv) > 5 and sys.argv[4] == "--without" else []
    solution = ROOT / "solutions" / "optim"
    files = [solution / "checks.py", solution / "hidden_checks.py"]
    checks = [{"name": c.name, "seed": 1, "timeout": 10}
              for path in files for c in load_checks(path, hidden=path.name == "hidden_checks.py")]
    work = sorted(folder.iterdir())[start:stop]
    with Sandbox(files, landlock="landlock" not in without, seccomp="seccomp" not in without) as sandbox:
        began = time.perf_counter()
        for i, sub in enumerate(work):
            sandbox.submit(sub, "optim", checks, timeout=60)
            if i:  # one job ahead, as the engine keeps: the next child runs while this one's frames are read
                sandbox.collect(lambda name, arrays: None)
        if work:
            sandbox.collect(lambda name, arrays: None)
        print(time.perf_counter() - began)


if __name__ == "__main__":
    main()
