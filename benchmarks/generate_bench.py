"""How long `grade generate` takes for the whole built-in course (target: under 2 s).

    python benchmarks/generate_bench.py

Prints the median of in-process renders and of whole `grade generate --check` commands.
"""

from __future__ import annotations

import subprocess
import sys

from _common import ROOT, median_ms

from grader.authoring.generate import render_course
from grader.templating import environment


def main() -> None:
    def render():
        environment.cache_clear()
        render_course(ROOT / "solutions", (), ROOT / "templates")

    inproc = median_ms(render, repeat=5)
    cmd = [sys.executable, "-m", "grader.cli", "generate", "--check"]
    whole = median_ms(lambda: subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True), repeat=5, warmup=1)
    print(f"render whole course in process: median {inproc:.0f} ms (5 runs)")
    print(f"`grade generate --check` command: median {whole:.0f} ms (5 runs, interpreter start included)")
    print(f"target 2000 ms: {'met' if whole < 2000 else 'MISSED'}")


if __name__ == "__main__":
    main()
