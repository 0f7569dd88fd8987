"""One process of the fork floor measured by batch_bench.py: what grading optim would cost with nothing
but a warm fork per submission, the submission imported and every check scenario run in the child.

    python benchmarks/_fork_floor.py FOLDER START STOP [exit|import|scenarios]

FOLDER holds one folder per submission, each with its ``optim.py`` (batch_bench.py makes it); the
submissions START to STOP in name order are run. The last argument stops each child early: right
after the fork, or after importing the submission. No confinement, no results sent, no judging, no gradebook: a lower bound for any design that runs
each submission's code in a process of its own. Prints the seconds spent on its share.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads: one BLAS thread, as in the zygote
sys.dont_write_bytecode = True

import numpy  # noqa: F401  (warm, as in the zygote)
import numpy.linalg  # noqa: F401
import numpy.random  # noqa: F401

from grader.checks.loader import load_checks
from grader.checks.scenario import evaluate
from grader.sandbox.child import import_submission

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    folder, start, stop = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    stage = sys.argv[4] if len(sys.argv) > 4 else "scenarios"  # or "exit", "import": less of the work
    solution = ROOT / "solutions" / "optim"
    checks = load_checks(solution / "checks.py", hidden=False) + load_checks(solution / "hidden_checks.py",
                                                                              hidden=True)
    work = sorted(folder.iterdir())[start:stop]
    gc.collect()
    gc.freeze()
    began = time.perf_counter()
    for sub in work:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                if stage == "exit":
                    os._exit(0)
                impl = import_submission(str(sub), "optim")
                if stage == "import":
                    os._exit(0)
                for check in checks:
                    try:
                        evaluate(check, impl, 1)
                    except Exception:
                        pass
            except BaseException:
                code = 1
            os._exit(code)
        os.waitpid(pid, 0)
    print(time.perf_counter() - began)


if __name__ == "__main__":
    main()
