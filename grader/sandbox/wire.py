"""Framing of plain data over a pipe: a JSON header, optionally followed by raw array bytes.

A frame is ``<u32 little-endian header length><header JSON>[<payload>]``; the header of an array
frame says its dtype, shape and byte count. Nothing is ever pickled. Readers enforce size caps and
refuse dtypes that are not plain numbers, so a hostile writer can only send bad numbers.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import select
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

HEADER = struct.Struct("<I")
MAX_HEADER = 64 * 1024
# Our headers nest at most 4 deep ({"arrays": [{"shape": [...]}]}); anything deeper is refused before
# it reaches the JSON parser, whose recursion a hostile header could otherwise exhaust.
MAX_DEPTH = 16
_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"')  # every byte but brackets and quotes
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
ALLOWED_DTYPES = {f"{order}{kind}{size}" for order in "<>|" for kind, sizes in
                  (("b", (1,)), ("i", (1, 2, 4, 8)), ("u", (1, 2, 4, 8)), ("f", (2, 4, 8)), ("c", (8, 16)))
                  for size in sizes}


class WireError(ValueError):
    """The other side broke the protocol (oversized, malformed or non-numeric data)."""


class Timeout(Exception):
    """No complete frame arrived before the deadline."""


@dataclass(frozen=True)
class Caps:
    """Size limits of one child's stream.

    ``array_bytes`` and ``total_bytes`` count bytes on the wire (one frame's payload, the whole
    stream); ``check_held`` and ``submission_held`` count what the grader holds once the arrays are
    converted (float64 or complex128: an int8 array grows 8-fold), per check and per submission.
    """

    array_bytes: int = 64 * 1024 * 1024
    total_bytes: int = 256 * 1024 * 1024
    check_held: int = 64 * 1024 * 1024
    submission_held: int = 256 * 1024 * 1024


def parse_header(data: bytes) -> dict[str, Any]:
    """A frame's JSON header as a dict: size and nesting depth bounded before it is parsed."""
    if len(data) > MAX_HEADER:
        raise WireError(f"header of {len(data)} bytes exceeds the cap")
    # a header with no more opening brackets than the cap cannot nest deeper (most headers): the
    # exact walk only for the rest
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise WireError(f"header nested more than {MAX_DEPTH} deep")
    try:
        header = json.loads(data)
    except (ValueError, RecursionError):
        raise WireError("header is not JSON") from None
    if not isinstance(header, dict):
        raise WireError("header is not an object")
    return header


def _depth(data: bytes) -> int:
    """The deepest nesting of brackets outside JSON strings (escapes dropped first, so every quote
    left opens or closes a string; only brackets and quotes are then looked at)."""
    depth = deepest = 0
    in_string = False
    for byte in _ESCAPE.sub(b"", data).translate(None, _STRUCTURE):
        if byte == 0x22:  # quote
            in_string = not in_string
        elif in_string:
            continue
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def encode(header: dict[str, Any], payload: bytes = b"") -> bytes:
    if payload:
        header = {**header, "nbytes": len(payload)}
    data = json.dumps(header, separators=(",", ":")).encode()
    return HEADER.pack(len(data)) + data + payload


def describe_arrays(header: dict[str, Any], nbytes: int) -> list[dict[str, Any]]:
    """Validated descriptions (name, dtype, shape, nbytes) of a result frame's arrays, built from
    nothing but its header: plain numeric dtypes, sane shapes, sizes that add up to ``nbytes`` (the
    payload's length). Checked before the payload is read, let alone decoded."""
    items = header.get("arrays")
    if not isinstance(items, list) or len(items) > 10_000:
        raise WireError("malformed list of arrays")
    out, names, total = [], set(), 0
    for item in items:
        if not isinstance(item, dict):
            raise WireError("malformed array description")
        dtype, shape, size = item.get("dtype"), item.get("shape"), item.get("nbytes")
        if dtype not in ALLOWED_DTYPES:
            raise WireError(f"refused dtype {dtype!r}")
        if not isinstance(shape, list) or len(shape) > 32 or \
                not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("malformed shape")
        if type(size) is not int or size != math.prod(shape) * int(dtype[2:]):
            raise WireError("payload size does not match dtype and shape")
        name = str(item.get("name"))[:200]
        if name in names:
            raise WireError(f"array {name!r} sent twice")
        names.add(name)
        total += size
        out.append({"name": name, "dtype": dtype, "shape": shape, "nbytes": size})
    if total != nbytes:
        raise WireError("payload size does not match its arrays")
    return out


def held_bytes(arrays: list[dict[str, Any]]) -> int:
    """What described arrays take once converted as the grader holds them: 8 bytes an element
    (float64), 16 for a complex kind (complex128), whatever they took on the wire."""
    return sum(math.prod(a["shape"]) * (16 if a["dtype"][1] == "c" else 8) for a in arrays)


def decode_arrays(header: dict[str, Any], payload: bytes | bytearray) -> dict[str, np.ndarray]:
    """The arrays of a result frame, validated by :func:`describe_arrays`, as base ndarrays."""
    out, offset, view = {}, 0, memoryview(payload)
    for item in describe_arrays(header, len(payload)):
        end = offset + item["nbytes"]
        out[item["name"]] = decode_array(item, view[offset:end])
        offset = end
    return out


IOV_PIECES = 512  # pieces per writev call, well under any system's IOV_MAX (1024 on Linux)


def write_frame(fd: int, header: dict[str, Any], pieces: list[np.ndarray] | tuple = ()) -> None:
    """One frame: ``header`` (its ``nbytes`` already set), then ``pieces``, the payload's parts
    written as they are (never copied into one buffer), with as few system calls as the pipe allows:
    one ``writev`` for a whole frame that fits in it, where the platform has ``writev``."""
    if not hasattr(os, "writev"):  # Windows (the spawn start method)
        write_all(fd, encode(header))
        for piece in pieces:
            write_all(fd, piece)
        return
    parts = [memoryview(encode(header))] + [memoryview(p).cast("B") for p in pieces]
    while parts:
        written = os.writev(fd, parts[:IOV_PIECES])
        while parts and written >= len(parts[0]):
            written -= len(parts.pop(0))
        if written:
            parts[0] = parts[0][written:]


def write_all(fd: int, data: bytes | memoryview | np.ndarray) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from a blocking descriptor (fewer only at end of stream)."""
    parts, left = [], size
    while left:
        part = os.read(fd, left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_header_frame(fd: int) -> dict[str, Any] | None:
    """One frame without a payload (a job) from a blocking descriptor, read in exact sizes: the length,
    then the header (None at end of stream). For a child reading its own job, which pays for every page
    it touches; :class:`FrameReader` is for streams of frames."""
    prefix = _read_exactly(fd, HEADER.size)
    if not prefix:
        return None
    if len(prefix) < HEADER.size:
        raise WireError("stream ended inside a frame")
    (size,) = HEADER.unpack(prefix)
    if size > MAX_HEADER:
        raise WireError(f"header of {size} bytes exceeds the cap")
    data = _read_exactly(fd, size)
    if len(data) < size:
        raise WireError("stream ended inside a frame")
    header = parse_header(data)
    if header.get("nbytes", 0):
        raise WireError("a payload where none may come")
    return header


def decode_array(header: dict[str, Any], payload: bytes | memoryview) -> np.ndarray:
    """A base ndarray built from raw bytes; refuses anything but plain numeric dtypes."""
    dtype, shape = header.get("dtype"), header.get("shape")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"refused dtype {dtype!r}")
    if not isinstance(shape, list) or len(shape) > 32 or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise WireError("malformed shape")
    dt = np.dtype(dtype)
    if math.prod(shape) * dt.itemsize != len(payload):
        raise WireError("payload size does not match dtype and shape")
    return np.frombuffer(payload, dtype=dt).reshape(shape).copy()


class FrameReader:
    """Reads frames from a file descriptor with deadlines and size caps."""

    def __init__(self, fd: int, caps: Caps = Caps()):
        self.fd, self.caps = fd, caps
        self.buffer = bytearray()
        self.total = 0
        self.eof = False
        self._pending: dict[str, Any] | None = None  # the header whose payload is being read
        self._payload, self._filled = bytearray(), 0

    def admit(self, header: dict[str, Any]) -> None:
        """Called with each header before its payload is read: raise :class:`WireError` to refuse it
        (a subclass or an instance may check more; the per-frame cap is checked here)."""

    def _frame(self) -> tuple[dict[str, Any], bytes] | None:
        if self._pending is None:
            if len(self.buffer) < HEADER.size:
                return None
            (size,) = HEADER.unpack_from(self.buffer)
            if size > MAX_HEADER:
                raise WireError(f"header of {size} bytes exceeds the cap")
            if len(self.buffer) < HEADER.size + size:
                return None
            header = parse_header(bytes(self.buffer[HEADER.size:HEADER.size + size]))
            nbytes = header.get("nbytes", 0)
            if type(nbytes) is not int or nbytes < 0 or nbytes > self.caps.array_bytes:
                raise WireError("payload exceeds the per-array cap")
            self.admit(header)
            del self.buffer[:HEADER.size + size]
            # the payload gets a buffer of its own, filled in place: never a second copy of it
            self._pending, self._payload, self._filled = header, bytearray(nbytes), 0
        take = min(len(self._payload) - self._filled, len(self.buffer))
        if take:
            self._payload[self._filled:self._filled + take] = self.buffer[:take]
            del self.buffer[:take]
            self._filled += take
        if self._filled < len(self._payload):
            return None
        frame = (self._pending, self._payload)
        self._pending, self._payload = None, bytearray()
        return frame

    def read(self, deadline: float | None = None) -> tuple[dict[str, Any], bytes | bytearray] | None:
        """The next frame; None at end of stream; :class:`Timeout` past ``deadline`` (monotonic)."""
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            if self.eof:
                if self.buffer or self._pending is not None:
                    raise WireError("stream ended inside a frame")
                return None
            chunk = self._chunk(deadline)
            if not chunk:
                self.eof = True
                continue
            self.total += len(chunk)
            if self.total > self.caps.total_bytes:
                raise WireError("the process sent more data than the cap allows")
            self.buffer += chunk

    def _chunk(self, deadline: float | None) -> bytes:
        """The next bytes (b"" at end of stream). Without a deadline, a plain blocking read: no
        select, which on Windows works on sockets only."""
        if deadline is not None:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise Timeout()
        return os.read(self.fd, 1 << 20)


class PolledFrameReader(FrameReader):
    """Frames from a running child's pipe, read in bursts rather than one wake-up per frame.

    It sleeps in :meth:`wait` until the child has exited (a typical submission sends all its frames
    and exits within a few milliseconds: one wake-up), or every ``poll`` seconds to read what has
    arrived meanwhile (progress for per-check deadlines, room in the pipe), or until the deadline.
    The fd must be non-blocking (select on it: POSIX only).
    """

    def __init__(self, fd: int, caps: Caps = Caps(), poll: float = 0.02):
        super().__init__(fd, caps)
        self.poll = poll
        self.exited = False

    def wait(self, seconds: float) -> bool:
        """Sleep until the child exits (True) or ``seconds`` pass (False)."""
        raise NotImplementedError

    def _chunk(self, deadline: float | None) -> bytes:
        while True:
            try:
                return os.read(self.fd, 1 << 20)  # b"" once every writer has exited and all is read
            except BlockingIOError:
                pass
            wait = self.poll
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout()
                wait = min(wait, left)
            if self.exited:  # whatever still holds the pipe open (a process it started where fork is
                select.select([self.fd], [], [], wait)  # allowed) is waited for on the pipe itself
            else:
                self.exited = self.wait(wait)


class ExitFrameReader(PolledFrameReader):
    """A :class:`PolledFrameReader` for a child of this process: it waits on the child's pidfd
    (Linux 5.3+, ``os.pidfd_open``)."""

    def __init__(self, fd: int, pidfd: int, caps: Caps = Caps(), poll: float = 0.02):
        super().__init__(fd, caps, poll)
        self.pidfd = pidfd

    def wait(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.pidfd], [], [], seconds)
        return bool(ready)


class ThreadedFrameReader(FrameReader):
    """The same frames read from a binary stream by a helper thread: deadlines without select, so
    it works on every platform (Windows pipes cannot be selected). Used by the spawn start method,
    whose parents never fork and so may run threads.

    The thread owns the stream and closes it at end of stream; :meth:`close` only detaches (never
    closes a stream another thread may be blocked reading). At most ``QUEUED`` chunks wait in memory.
    """

    QUEUED = 16

    def __init__(self, stream, caps: Caps = Caps()):
        super().__init__(-1, caps)
        self._queue: queue.Queue = queue.Queue(self.QUEUED)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._pump, args=(stream,), name="grade-frame-reader", daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        read = getattr(stream, "read1", None) or stream.read
        try:
            while not self._closed.is_set():
                try:
                    chunk = read(1 << 20)
                except (OSError, ValueError):
                    chunk = b""
                while not self._closed.is_set():
                    try:
                        self._queue.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if not chunk:
                    return
        finally:
            try:
                stream.close()
            except (OSError, ValueError):
                pass

    def _chunk(self, deadline: float | None) -> bytes:
        try:
            if deadline is None:
                return self._queue.get()
            return self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise Timeout() from None

    def close(self) -> None:
        """Stop reading; the thread ends (and closes the stream) once its current read returns."""
        self._closed.set()
