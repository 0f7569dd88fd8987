"""Start a zygote process. Deliberately light (no numpy): a command can launch the zygote first
and import the rest of the grader while the zygote warms up."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS")


def launch(check_files: list[str]) -> tuple[subprocess.Popen, str]:
    """A running zygote for ``check_files`` and its private working folder."""
    home = tempfile.mkdtemp(prefix="grade-zygote-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_SECRET")}
    env.update({var: "1" for var in BLAS_THREADS})
    root = str(Path(__file__).resolve().parent.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "grader.sandbox.zygote", *check_files],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=home, env=env, close_fds=True)
    return proc, home
