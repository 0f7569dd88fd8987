# sgd returns how many secrets it found ("got 0" expected): the course secret in its environment,
# any variable whose name looks secret (or is the test's canary), the grader's environment and command line
# through /proc (its parent, the test, pid 1, itself), the parent's memory, and any string in its
# own memory that starts like the test's secret (the prefix is spelled backwards here so that the
# scan does not find this file's own text).
import gc as _gc
import os as _os

import numpy as _np

_PREFIX = "@@SECRET_PREFIX_REVERSED@@"[::-1]
_TELLING = ("SECRET", "TOKEN", "PASSW", "KEY", "CANARY", "@@MARK@@")


def _read(path, size=1 << 20):
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _secret_like(v):
    if isinstance(v, bytes):
        return v.startswith(_PREFIX.encode()) and len(v) > len(_PREFIX)
    return isinstance(v, str) and v.startswith(_PREFIX) and len(v) > len(_PREFIX)


def _found():
    n = len(_os.environ.get("GRADE_SECRET", ""))
    n += sum(1 for k in _os.environ if any(word in k.upper() for word in _TELLING))
    n += sum(1 for v in _os.environ.values() if _PREFIX in v)
    for pid in ("self", str(_os.getppid()), "@@TEST_PID@@", "1"):
        environ = _read(f"/proc/{pid}/environ")
        n += (b"GRADE_SECRET" in environ) + (_PREFIX.encode() in environ)
        n += bool(_read(f"/proc/{pid}/cmdline"))
    parent = _os.getppid()
    for pid in range(max(2, parent - 64), parent + 64):  # the grader is near: its worker started the zygote
        n += b"GRADE_SECRET" in _read(f"/proc/{pid}/environ")
    try:
        with open(f"/proc/{parent}/mem", "rb") as fh:
            fh.read(1)
        n += 1
    except OSError:
        pass
    for obj in _gc.get_objects():
        try:
            if isinstance(obj, dict):
                n += sum(1 for k, v in obj.items() if _secret_like(k) or _secret_like(v))
            elif isinstance(obj, (list, tuple)):
                n += sum(1 for v in obj if _secret_like(v))
        except Exception:
            pass
    return n


def sgd(w, dw, config=None):
    return _np.full(_np.shape(w), float(_found())), (config or {})
