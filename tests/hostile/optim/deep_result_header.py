# Inside sgd_momentum, writes a result frame whose JSON header is nested 30,000 deep to its result
# channel (the one pipe it can write to), then carries on. A parser that recurses would crash on it
# (once it crashed the zygote, which relayed frames); the header must be refused before it is parsed
# and cost only this check. Otherwise honest.
import os as _os
import stat as _stat
import struct as _struct

_DEEP = b"[" * 30_000 + b"]" * 30_000
_FRAME = _struct.pack("<I", len(_DEEP)) + _DEEP


def sgd_momentum(w, dw, config=None):
    for fd in range(3, 256):
        try:
            if _stat.S_ISFIFO(_os.fstat(fd).st_mode):
                _os.write(fd, _FRAME)
        except OSError:
            pass
    return w, (config or {})
