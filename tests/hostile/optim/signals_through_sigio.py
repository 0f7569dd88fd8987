# adam tries to signal other processes without kill(): it makes a pipe, names an owner for its read
# end (F_SETOWN with a pid, F_SETOWN_EX with a process group), picks the signal (F_SETSIG), turns on
# O_ASYNC and writes one byte: the kernel then sends that signal to the owner. Aimed at its parent
# (the zygote: SIGKILL), the test process (SIGUSR1) and the parent's process group (SIGUSR1: the
# batch, its workers and zygotes). adam returns how many of the three it could arm ("got 0"
# expected). The tests also run it with Landlock's signal scoping off (kernels before 6.12).
import ctypes as _ctypes
import os as _os
import platform as _platform

import numpy as _np

_FCNTL = {"x86_64": 72, "aarch64": 25}.get(_platform.machine(), 72)
_F_SETFL, _F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 4, 8, 10, 15
_F_OWNER_PGRP = 2
_O_ASYNC, _O_NONBLOCK = 0o20000, 0o4000


class _Owner(_ctypes.Structure):
    _fields_ = [("type", _ctypes.c_int), ("pid", _ctypes.c_int)]


def _fcntl(libc, fd, cmd, arg):
    return libc.syscall(_ctypes.c_long(_FCNTL), _ctypes.c_long(fd), _ctypes.c_long(cmd), arg)


def _arm(libc, owner_cmd, owner_arg, sig):
    r, w = _os.pipe()
    try:
        ok = (_fcntl(libc, r, owner_cmd, owner_arg) == 0
              and _fcntl(libc, r, _F_SETSIG, _ctypes.c_long(sig)) == 0
              and _fcntl(libc, r, _F_SETFL, _ctypes.c_long(_O_ASYNC | _O_NONBLOCK)) == 0)
        _os.write(w, b"!")  # the read end becomes readable: SIGIO (here: sig) goes to its owner
        return int(ok)
    except OSError:
        return 0
    finally:
        _os.close(r)
        _os.close(w)


def _shoot():
    libc = _ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = _ctypes.c_long
    parent = _os.getppid()
    hits = _arm(libc, _F_SETOWN, _ctypes.c_long(parent), 9)  # SIGKILL to the zygote
    hits += _arm(libc, _F_SETOWN, _ctypes.c_long(@@TEST_PID@@), 10)  # SIGUSR1 to the test
    try:
        group = _os.getpgid(parent)
    except OSError:
        group = _os.getpgid(0)
    owner = _Owner(_F_OWNER_PGRP, group)
    hits += _arm(libc, _F_SETOWN_EX, _ctypes.byref(owner), 10)  # SIGUSR1 to the parent's group
    return hits


def adam(w, dw, config=None):
    return _np.full(_np.shape(w), float(_shoot())), config
