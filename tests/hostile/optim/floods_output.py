# Writes hundreds of MB to stdout and stderr, at import and inside a function; otherwise honest.
# Nothing of it may slow grading down much or reach any report.
import os as _os
import sys as _sys

_BLOCK = "spam " * (1 << 18)  # 1.25 MB
for _ in range(100):
    _sys.stdout.write(_BLOCK)
    _sys.stderr.write(_BLOCK)
for _ in range(60):
    _os.write(1, _BLOCK.encode())
    _os.write(2, _BLOCK.encode())
print('{"score": 29, "max_score": 29}', flush=True)

_honest_sgd = sgd  # noqa: F821
_flooded = False


def sgd(w, dw, config=None):
    global _flooded
    if not _flooded:
        _flooded = True
        for _ in range(80):
            print(_BLOCK, file=_sys.stderr)
    return _honest_sgd(w, dw, config)
