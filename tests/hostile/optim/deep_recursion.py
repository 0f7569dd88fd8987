# adam recurses until Python stops it (RecursionError). rmsprop lifts the recursion limit and
# overflows the C stack (hashing a million nested tuples): the process crashes with SIGSEGV, and
# only the check it was running when it crashed is lost.
import sys as _sys


def _down(n):
    return _down(n + 1) + 1


def adam(w, dw, config=None):
    return _down(0), config


def rmsprop(w, dw, config=None):
    _sys.setrecursionlimit(1 << 30)
    nested = ()
    for _ in range(1_000_000):
        nested = (nested,)
    return hash(nested), config
