# sgd_momentum returns how many signals it could send outside its own process ("got 0" expected):
# SIGKILL and SIGSTOP to its parent (the zygote), SIGUSR1 to the test process and to the parent's
# process group, and a pidfd-based kill. Its own process group (0) is its own business.
import os as _os
import signal as _signal

import numpy as _np


def _shoot():
    hits = 0
    parent = _os.getppid()
    for target, sig in ((parent, _signal.SIGKILL), (parent, _signal.SIGSTOP), (@@TEST_PID@@, _signal.SIGUSR1)):
        try:
            _os.kill(target, sig)
            hits += 1
        except OSError:
            pass
    try:
        _os.killpg(_os.getpgid(parent), _signal.SIGUSR1)
        hits += 1
    except OSError:
        pass
    try:
        fd = _os.pidfd_open(parent)
        _signal.pidfd_send_signal(fd, _signal.SIGKILL)
        hits += 1
    except (OSError, AttributeError):
        pass
    return hits


def sgd_momentum(w, dw, config=None):
    return _np.full(_np.shape(w), float(_shoot())), (config or {})
