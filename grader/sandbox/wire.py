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
import select
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

HEADER = struct.Struct("<I")
MAX_HEADER = 64 * 1024
ALLOWED_DTYPES = {f"{order}{kind}{size}" for order in "<>|" for kind, sizes in
                  (("b", (1,)), ("i", (1, 2, 4, 8)), ("u", (1, 2, 4, 8)), ("f", (2, 4, 8)), ("c", (8, 16)))
                  for size in sizes}


class WireError(ValueError):
    """The other side broke the protocol (oversized, malformed or non-numeric data)."""


class Timeout(Exception):
    """No complete frame arrived before the deadline."""


@dataclass(frozen=True)
class Caps:
    array_bytes: int = 64 * 1024 * 1024
    total_bytes: int = 256 * 1024 * 1024


def encode(header: dict[str, Any], payload: bytes = b"") -> bytes:
    if payload:
        header = {**header, "nbytes": len(payload)}
    data = json.dumps(header, separators=(",", ":")).encode()
    return HEADER.pack(len(data)) + data + payload


def describe_arrays(header: dict[str, Any], payload: bytes) -> list[dict[str, Any]]:
    """Validated descriptions (name, dtype, shape, nbytes) of a result frame's arrays, built from
    nothing but its header: plain numeric dtypes, sane shapes, sizes that add up to the payload.
    The relay uses this; whoever needs the numbers decodes them with :func:`decode_arrays`."""
    items = header.get("arrays")
    if not isinstance(items, list) or len(items) > 10_000:
        raise WireError("malformed list of arrays")
    out, names, total = [], set(), 0
    for item in items:
        if not isinstance(item, dict):
            raise WireError("malformed array description")
        dtype, shape, nbytes = item.get("dtype"), item.get("shape"), item.get("nbytes")
        if dtype not in ALLOWED_DTYPES:
            raise WireError(f"refused dtype {dtype!r}")
        if not isinstance(shape, list) or len(shape) > 32 or \
                not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("malformed shape")
        size = int(dtype[2:])
        for n in shape:
            size *= n
        if type(nbytes) is not int or nbytes != size:
            raise WireError("payload size does not match dtype and shape")
        name = str(item.get("name"))[:200]
        if name in names:
            raise WireError(f"array {name!r} sent twice")
        names.add(name)
        total += nbytes
        out.append({"name": name, "dtype": dtype, "shape": shape, "nbytes": nbytes})
    if total != len(payload):
        raise WireError("payload size does not match its arrays")
    return out


def decode_arrays(header: dict[str, Any], payload: bytes) -> dict[str, np.ndarray]:
    """The arrays of a result frame, validated by :func:`describe_arrays`, as base ndarrays."""
    out, offset, view = {}, 0, memoryview(payload)
    for item in describe_arrays(header, payload):
        end = offset + item["nbytes"]
        out[item["name"]] = decode_array(item, view[offset:end])
        offset = end
    return out


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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

    def _frame(self) -> tuple[dict[str, Any], bytes] | None:
        if len(self.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        if size > MAX_HEADER:
            raise WireError(f"header of {size} bytes exceeds the cap")
        if len(self.buffer) < HEADER.size + size:
            return None
        try:
            header = json.loads(bytes(self.buffer[HEADER.size:HEADER.size + size]))
        except ValueError:
            raise WireError("header is not JSON") from None
        if not isinstance(header, dict):
            raise WireError("header is not an object")
        nbytes = header.get("nbytes", 0)
        if not isinstance(nbytes, int) or nbytes < 0 or nbytes > self.caps.array_bytes:
            raise WireError("payload exceeds the per-array cap")
        end = HEADER.size + size + nbytes
        if len(self.buffer) < end:
            return None
        payload = bytes(self.buffer[HEADER.size + size:end])
        del self.buffer[:end]
        return header, payload

    def read(self, deadline: float | None = None) -> tuple[dict[str, Any], bytes] | None:
        """The next frame; None at end of stream; :class:`Timeout` past ``deadline`` (monotonic)."""
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            if self.eof:
                if self.buffer:
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


class ExitFrameReader(FrameReader):
    """Frames from a forked child's pipe, read in bursts rather than one wake-up per frame.

    It waits on the child's pidfd, so it wakes when the child exits (a typical submission sends all
    its frames and exits within a few milliseconds: one wake-up), or every ``poll`` seconds to read
    what has arrived meanwhile (progress for per-check deadlines, room in the pipe), or at the
    deadline. Linux only (``os.pidfd_open``); the fd must be non-blocking.
    """

    def __init__(self, fd: int, pidfd: int, caps: Caps = Caps(), poll: float = 0.02):
        super().__init__(fd, caps)
        self.pidfd, self.poll = pidfd, poll
        self.exited = False

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
            # once the child has exited, whatever still holds the pipe open (a process it started
            # where fork is allowed) is waited for on the pipe itself: its pidfd stays readable
            ready, _, _ = select.select([self.fd if self.exited else self.pidfd], [], [], wait)
            self.exited = self.exited or (bool(ready) and ready[0] == self.pidfd)


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
