# Looks through its own memory for other students' data: sgd answers how many copies it found of the
# marker an earlier student's error carried (plants_marker.py), sgd_momentum how many of the hidden
# seeds of a student graded after it, as they appear in a job ('"seed":' and the number). "got 0"
# expected for both. rmsprop answers how many copies of its own seeds it found (its job's, and one it
# writes into raw memory itself): more than none, or the scan would prove nothing. It scans every
# object the collector knows (frozen ones included), the frames
# up its stack, and raw memory page by page from every object's address (each page probed through a
# pipe first, so an unmapped one costs a failed write, not a crash; /proc/self/maps when readable).
# Each needle is kept in two halves and only ever compared, never joined, so that the scan cannot
# find its own search terms.
import ctypes as _ct
import gc as _gc
import os as _os
import sys as _sys

import numpy as _np

_EARLIER = ("@@EARLIER_HEAD@@".encode(), "@@EARLIER_TAIL@@".encode())
_LATER = [(b'"seed":', s.encode()) for s in "@@LATER_SEEDS@@".split(",") if s]
_OWN = [(b'"seed":', s.encode()) for s in "@@OWN_SEEDS@@".split(",") if s]
_PAGE = 4096
_LIMIT = 768 << 20  # bytes scanned at most
_found = None


def _count(data, needles):
    n = 0
    for head, tail in needles:
        at = data.find(head)
        while at >= 0:
            end = at + len(head) + len(tail)
            if data[at + len(head):end] == tail and not data[end:end + 1].isdigit():
                n += 1
            at = data.find(head, at + 1)
    return n


def _regions():
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                fields = line.split()
                span, perms, path = fields[0], fields[1], (fields[5:] or [""])[0]
                if perms.startswith("r") and path in ("", "[heap]", "[stack]"):  # memory, not files
                    lo, hi = (int(x, 16) for x in span.split("-"))
                    yield lo, hi
        return
    except OSError:
        pass
    try:
        libc = _ct.CDLL(None, use_errno=True)
        libc.write.argtypes = [_ct.c_int, _ct.c_void_p, _ct.c_size_t]
        r, w = _os.pipe()
    except OSError:  # no pipe to probe with (a stricter syscall filter): objects only
        return

    def readable(page):
        if libc.write(w, page, 1) != 1:
            return False
        _os.read(r, 1)
        return True

    seen = set()
    for obj in _gc.get_objects():
        page = id(obj) & ~(_PAGE - 1)
        if page in seen or not readable(page):
            continue
        lo = hi = page
        while lo - _PAGE not in seen and readable(lo - _PAGE) and page - lo < (64 << 20):
            lo -= _PAGE
        while hi + _PAGE not in seen and readable(hi + _PAGE) and hi - page < (64 << 20):
            hi += _PAGE
        seen.update(range(lo, hi + _PAGE, _PAGE))
        yield lo, hi + _PAGE


_planted = []  # one of its own needles, assembled in raw memory from its halves (never a whole bytes object)


def _plant():
    """Its own seed as a job carries it, written into a C buffer half by half: whatever became of the
    job's own bytes once read (a buffer freed and reused), the raw-memory scan must find this one,
    or it proves nothing."""
    if _OWN and not _planted:
        head, tail = _OWN[0]
        buf = _ct.create_string_buffer(len(head) + len(tail) + 64)
        _ct.memmove(buf, head, len(head))
        _ct.memmove(_ct.addressof(buf) + len(head), tail, len(tail))
        _planted.append(buf)


def _scan():
    earlier = later = own = 0
    _plant()
    _gc.unfreeze()
    texts = []
    for obj in _gc.get_objects():
        for ref in _gc.get_referents(obj):
            if isinstance(ref, (bytes, bytearray, str)):
                texts.append(ref)
    frame = _sys._getframe()
    while frame is not None:
        texts.extend(v for v in frame.f_locals.values() if isinstance(v, (bytes, bytearray, str)))
        frame = frame.f_back
    for text in texts:
        data = text.encode("utf-8", "replace") if isinstance(text, str) else bytes(text)
        earlier += _count(data, [_EARLIER])
        later += _count(data, _LATER)
        own += _count(data, _OWN)
    texts = None
    total = 0
    for lo, hi in _regions():
        for start in range(lo, hi, 1 << 20):
            size = min(1 << 20, hi - start)
            try:
                data = _ct.string_at(start, size)
            except Exception:
                continue
            earlier += _count(data, [_EARLIER])
            later += _count(data, _LATER)
            own += _count(data, _OWN)
            total += size
            if total > _LIMIT:
                break
    return earlier, later, own


def _results():
    global _found
    if _found is None:
        _found = _scan()
    return _found


def sgd(w, dw, config=None):
    return _np.full(_np.shape(w), float(_results()[0])), (config or {})


def sgd_momentum(w, dw, config=None):
    config = config or {}
    config.setdefault("velocity", _np.zeros_like(w))
    return _np.full(_np.shape(w), float(_results()[1])), config


def rmsprop(w, dw, config=None):
    config = config or {}
    config.setdefault("cache", _np.zeros_like(w))
    return _np.full(_np.shape(w), float(_results()[2])), config
