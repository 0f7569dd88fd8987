# rmsprop tries to leave the process group the grader kills: setsid(), a new process group, and the
# classic double fork with setsid() in between (bounded: 5 attempts, children sleep 30 s, named
# @@MARK@@). It returns how many escaped processes it started.
import ctypes as _ctypes
import os as _os
import time as _time

import numpy as _np

_escaped = 0


def _escape():
    global _escaped
    for call in (_os.setsid, lambda: _os.setpgid(0, 0)):
        try:
            call()
        except OSError:
            pass
    for _ in range(5 - _escaped):
        try:
            pid = _os.fork()
        except OSError:
            return
        if pid == 0:
            try:
                _os.setsid()
                if _os.fork() == 0:
                    _ctypes.CDLL(None).prctl(15, b"@@MARK@@", 0, 0, 0)
                    _time.sleep(30)
            finally:
                _os._exit(0)
        _escaped += 1


def rmsprop(w, dw, config=None):
    _escape()
    return _np.full(_np.shape(w), float(_escaped)), (config or {})
