# gradient_step returns how much it found ("got 0" expected): the hidden checks and the reference
# on disk (course folder, the grader's copy named on the zygote's command line), the course
# secret in its environment, the grader's environment through /proc, the gradebook, other
# students' submissions.
import os as _os
import sys as _sys

import numpy as _np


def _count():
    n = len(_os.environ.get("GRADE_SECRET", ""))
    paths = ["@@ROOT@@/solutions/gradient_descent/hidden_checks.py",
             "@@ROOT@@/solutions/gradient_descent/gradient_descent.py", "@@GRADEBOOK@@",
             f"/proc/{_os.getppid()}/environ", "/proc/1/environ", "/proc/@@TEST_PID@@/environ"]
    for arg in getattr(_sys, "orig_argv", []):
        if arg.endswith(".py"):
            paths += [arg, _os.path.join(_os.path.dirname(arg), "gradient_descent.py")]
    for path in paths:
        try:
            with open(path, "rb") as fh:
                n += bool(fh.read(1))
        except OSError:
            pass
    try:
        n += len(_os.listdir("@@SUBMISSIONS@@"))
    except OSError:
        pass
    return n


def gradient_step(weights, features, targets, learnrate):
    return _np.full(_np.shape(weights), float(_count()))
