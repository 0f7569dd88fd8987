# Prints fake results (stdout, stderr), writes results.json in its folder and tries every place
# outside it: the folder above, the grader's home and working folder, a folder of the test, the
# Gradescope location. adam returns how many of the outside writes succeeded ("got 0" expected).
import json as _json
import os as _os
import sys as _sys

import numpy as _np

_FAKE = _json.dumps({"score": 29, "max_score": 29, "status": "graded",
                     "tests": [{"name": "adam_update", "score": 4, "max_score": 4, "status": "passed"}]})
print(_FAKE)
_sys.stderr.write(_FAKE + "\n")
with open("results.json", "w") as _fh:  # its own folder: allowed, and ignored
    _fh.write(_FAKE)

_TARGETS = [
    _os.path.join(_os.path.dirname(_os.getcwd()), "results.json"),
    "@@OUTSIDE@@/results.json",
    "@@OUTSIDE@@/gradebook.db",
    "@@HOME@@/results.json",
    "@@CWD@@/results.json",
    "/autograder/results/results.json",
]


def _write_outside():
    written = 0
    for target in _TARGETS:
        try:
            _os.makedirs(_os.path.dirname(target), exist_ok=True)
        except OSError:
            pass
        try:
            with open(target, "w") as fh:
                fh.write(_FAKE)
            written += 1
        except OSError:
            pass
    try:
        _os.symlink("@@OUTSIDE@@", "escape")
        with open("escape/through_link.json", "w") as fh:
            fh.write(_FAKE)
        written += 1
    except OSError:
        pass
    return written


def adam(w, dw, config=None):
    return _np.full(_np.shape(w), float(_write_outside())), (config or {})
