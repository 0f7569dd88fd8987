# sgd_momentum returns how many of the grader's files it could read or list ("got 0" expected):
# the instructor's solution, hidden checks and known mistakes (in the course folder and wherever
# the grader copied them: the zygote's command line names that copy), the gradebook, other
# students' submissions, the student pack's expected outputs, and the folder above its own.
import os as _os
import sys as _sys

import numpy as _np


def _paths():
    out = ["@@ROOT@@/solutions/optim/optim.py", "@@ROOT@@/solutions/optim/hidden_checks.py",
           "@@ROOT@@/solutions/optim/mistakes.py", "@@ROOT@@/assignments/optim/expected.json",
           "@@GRADEBOOK@@", "@@GRADEBOOK@@-wal"]
    for arg in getattr(_sys, "orig_argv", []):
        if arg.endswith(".py"):
            folder = _os.path.dirname(arg)
            out += [arg, _os.path.join(folder, "optim.py"), _os.path.join(folder, "mistakes.py"),
                    _os.path.join(folder, "hidden_checks.py")]
    return out


def _listable():
    return ["@@SUBMISSIONS@@", "@@ROOT@@/solutions", _os.path.dirname(_os.getcwd()), "/tmp", "@@ROOT@@"]


def _count():
    n = 0
    for path in _paths():
        try:
            with open(path, "rb") as fh:
                n += bool(fh.read(1))
        except OSError:
            pass
    for folder in _listable():
        try:
            names = _os.listdir(folder)
            n += 1
        except OSError:
            continue
        for name in names[:50]:  # other students' submissions
            try:
                with open(_os.path.join(folder, name), "rb") as fh:
                    n += bool(fh.read(1))
            except OSError:
                pass
    return n


def sgd_momentum(w, dw, config=None):
    return _np.full(_np.shape(w), float(_count())), (config or {})
