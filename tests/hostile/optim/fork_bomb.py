# sgd tries to start processes (bounded: at most 20 forks; every child sleeps at most 30 s, named
# @@MARK@@ so the test can look for it) and returns how many it started: the feedback shows
# "got 0" when none was. sgd_momentum tries programs (os.system, subprocess, posix_spawn).
import ctypes as _ctypes
import os as _os
import time as _time

import numpy as _np

_started = 0


def _name_me():
    try:
        _ctypes.CDLL(None).prctl(15, b"@@MARK@@", 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass


def _bomb():
    global _started
    for _ in range(20 - _started):
        try:
            pid = _os.fork()
        except OSError:
            return
        if pid == 0:
            try:
                _name_me()
                _time.sleep(30)
            finally:
                _os._exit(0)
        _started += 1


def sgd(w, dw, config=None):
    _bomb()
    return _np.full(_np.shape(w), float(_started)), (config or {})


def sgd_momentum(w, dw, config=None):
    ran = 0
    try:
        ran += _os.system("sleep 30 &") == 0
    except Exception:
        pass
    try:
        import subprocess
        subprocess.Popen(["sleep", "30"])
        ran += 1
    except Exception:
        pass
    try:
        _os.posix_spawn("/bin/sleep", ["sleep", "30"], {})
        ran += 1
    except Exception:
        pass
    return _np.full(_np.shape(w), float(ran)), (config or {})
