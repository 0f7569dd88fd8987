"""Wall time of `grade submit` for one assignment (aim: under 0.5 s).

    python benchmarks/submit_bench.py [--repeat 10]

Copies the `optim` pack to a temporary folder, puts the reference solution in it (so every check
runs its full scenario) and times the whole command, interpreter start included.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, median_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    n = parser.parse_args().repeat
    tmp = Path(tempfile.mkdtemp(prefix="grade-submit-bench-"))
    pack = tmp / "optim"
    shutil.copytree(ROOT / "assignments" / "optim", pack)
    shutil.copy(ROOT / "solutions" / "optim" / "optim.py", pack / "optim.py")
    cmd = [sys.executable, "-m", "grader.cli", "submit", "--student", "bench", "--no-archive"]
    wall = median_ms(lambda: subprocess.run(cmd, cwd=pack, check=True, capture_output=True), n, warmup=1)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"`grade submit` on optim (reference code, all public checks): median {wall:.0f} ms over {n} runs")
    print(f"target 500 ms: {'met' if wall < 500 else 'MISSED'}")


if __name__ == "__main__":
    main()
