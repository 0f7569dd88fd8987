# rmsprop tries channels that outlive its process, all under names fixed in advance (so another
# submission, or the same one next year, could find them): a SysV shared memory segment of 64 MiB
# (attached and written, so the memory is really taken, outside RLIMIT_AS), a SysV message queue
# and semaphore set, a key in the user's keyring, a POSIX message queue. Nothing is removed. It
# returns how many it made ("got 0" expected); the tests check that none of them exists afterwards.
# Raw syscalls through ctypes: nothing depends on a Python wrapper.
import ctypes as _ctypes
import platform as _platform

import numpy as _np

_NR = {"x86_64": dict(shmget=29, shmat=30, shmdt=67, semget=64, msgget=68, mq_open=240, add_key=248),
       "aarch64": dict(shmget=194, shmat=196, shmdt=197, semget=190, msgget=186, mq_open=180, add_key=217)
       }.get(_platform.machine(), {})
_KEY = int("@@MARK@@"[2:9], 16)  # the SysV key
_NAME = b"grade-hostile-@@MARK@@"  # the keyring key's description, the POSIX queue's name
_IPC_CREAT, _O_CREAT, _O_RDWR = 0o1000, 0o100, 0o2
_KEY_SPEC_USER_KEYRING = -4
_SIZE = 64 << 20


def _call(libc, name, *args):
    if name not in _NR:
        return -1
    return libc.syscall(_ctypes.c_long(_NR[name]), *[_ctypes.c_long(a) if isinstance(a, int) else a for a in args])


def _channels():
    libc = _ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = _ctypes.c_long
    made = 0
    shm = _call(libc, "shmget", _KEY, _SIZE, _IPC_CREAT | 0o666)
    if shm >= 0:
        made += 1
        address = _call(libc, "shmat", shm, 0, 0)
        if address not in (-1, 0):
            _ctypes.memset(address, 7, _SIZE)  # really allocate it
            _call(libc, "shmdt", address)
    made += _call(libc, "msgget", _KEY, _IPC_CREAT | 0o666) >= 0
    made += _call(libc, "semget", _KEY, 4, _IPC_CREAT | 0o666) >= 0
    payload = b"answers for next year"
    made += _call(libc, "add_key", _ctypes.c_char_p(b"user"), _ctypes.c_char_p(_NAME), _ctypes.c_char_p(payload),
                  len(payload), _KEY_SPEC_USER_KEYRING) >= 0
    made += _call(libc, "mq_open", _ctypes.c_char_p(_NAME), _O_CREAT | _O_RDWR, 0o666, None) >= 0
    return made


def rmsprop(w, dw, config=None):
    return _np.full(_np.shape(w), float(_channels())), (config or {})
