"""The frame readers of the result channel, in particular the one that wakes at a child's exit."""

import os
import resource
import sys
import time

import pytest

from grader.sandbox import wire

needs_pidfd = pytest.mark.skipif(not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")),
                                 reason="pidfd: Linux 5.3+")


def _fork(body) -> tuple[int, int]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            body(w)
        finally:
            os._exit(0)
    os.close(w)
    os.set_blocking(r, False)
    return pid, r


def _reader(pid: int, r: int) -> wire.ExitFrameReader:
    return wire.ExitFrameReader(r, os.pidfd_open(pid), wire.Caps())


def _frames_of(body, seconds: float) -> list:
    """Every frame a forked ``body`` writes, read until its stream ends (each within ``seconds``)."""
    pid, r = _fork(body)
    reader = _reader(pid, r)
    frames = []
    while (frame := reader.read(time.monotonic() + seconds)) is not None:
        frames.append(frame)
    os.waitpid(pid, 0)
    return frames


def _cpu() -> float:
    """CPU time of this thread (the reader's): threads another test left running do not count."""
    usage = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return usage.ru_utime + usage.ru_stime


@needs_pidfd
def test_frames_sent_before_exit_arrive_in_one_burst():
    def body(w):
        for i in range(50):
            wire.write_all(w, wire.encode({"t": "result", "i": i}, b"x" * 1000))
        wire.write_all(w, wire.encode({"t": "bye"}))

    frames = _frames_of(body, 5)
    assert [h.get("i") for h, _ in frames[:-1]] == list(range(50)) and frames[-1][0] == {"t": "bye"}
    assert all(p == b"x" * 1000 for _, p in frames[:-1])


@needs_pidfd
def test_a_child_that_hangs_times_out_after_its_earlier_frames():
    def body(w):
        wire.write_all(w, wire.encode({"t": "imported"}))
        time.sleep(30)

    pid, r = _fork(body)
    reader = _reader(pid, r)
    assert reader.read(time.monotonic() + 60)[0] == {"t": "imported"}  # the child sleeps 30 s: not at its end
    assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the frame was held back until the child ended"
    with pytest.raises(wire.Timeout):
        reader.read(time.monotonic() + 0.3)
    os.kill(pid, 9)
    os.waitpid(pid, 0)


@needs_pidfd
def test_more_than_a_pipe_full_is_read_while_the_child_runs():
    payload = b"y" * (1 << 20)

    def body(w):
        for _ in range(4):  # 4 MiB: the child blocks on a full pipe until the reader polls
            wire.write_all(w, wire.encode({"t": "result"}, payload))

    got = [frame[1] == payload for frame in _frames_of(body, 10)]
    assert got == [True] * 4


@needs_pidfd
def test_a_frame_written_in_pieces_arrives_whole_however_the_pipe_splits_it():
    import numpy as np

    big = np.arange(300_000, dtype=np.float64)  # 2.4 MiB: more than a pipe holds, so writev writes part of it
    many = [np.full(3, i, dtype=np.int32) for i in range(wire.IOV_PIECES + 100)]  # more pieces than one call takes
    frames = [[big, np.zeros(0), big[:5]], many]

    def body(w):
        for pieces in frames:
            wire.write_frame(w, {"t": "result", "nbytes": sum(p.nbytes for p in pieces)}, pieces)
        wire.write_frame(w, {"t": "bye"})

    got = _frames_of(body, 10)
    assert [h["t"] for h, _ in got] == ["result", "result", "bye"]
    for (_, payload), pieces in zip(got, frames):
        assert bytes(payload) == b"".join(p.tobytes() for p in pieces)


@needs_pidfd
def test_a_grandchild_holding_the_pipe_is_waited_for_without_spinning():
    def body(w):
        if os.fork() == 0:  # the grandchild keeps the write end open, then sends one frame
            time.sleep(0.6)
            wire.write_all(w, wire.encode({"t": "late"}))
            os._exit(0)

    pid, r = _fork(body)
    reader = _reader(pid, r)
    before, start = _cpu(), time.monotonic()
    frame = reader.read(time.monotonic() + 5)
    elapsed, spent = time.monotonic() - start, _cpu() - before
    os.waitpid(pid, 0)
    assert frame[0] == {"t": "late"} and elapsed >= 0.5
    assert spent < 0.25, f"the reader spun for {spent:.2f} s of CPU while waiting"
    assert reader.read(time.monotonic() + 5) is None


@pytest.mark.parametrize("header", [
    b"[" * 50_000 + b"]" * 50_000,  # over the size cap as well
    b"[" * 30_000 + b"]" * 30_000,
    b'{"a": "\\\\", "b": ' + b"[" * 20 + b"]" * 20 + b"}",  # an escaped backslash, then the real end of the string
    b'{"a": "\\"", "b": ' + b"[" * 20 + b"]" * 20 + b"}",  # an escaped quote, which ends nothing
])
def test_headers_nested_too_deep_are_refused_before_they_are_parsed(header):
    with pytest.raises(wire.WireError, match="nested more than|exceeds the cap"):
        wire.parse_header(header)


def test_nesting_up_to_the_cap_is_parsed_and_one_deeper_is_refused():
    at_cap = b"[" * wire.MAX_DEPTH + b"]" * wire.MAX_DEPTH
    assert "a" in wire.parse_header(b'{"a": ' + at_cap[1:-1] + b"}")  # 16 deep with the object
    with pytest.raises(wire.WireError, match="nested more than"):
        wire.parse_header(b'{"a": ' + at_cap + b"}")


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = b'{"message": "' + b"[{" * 1000 + b'", "arrays": [{"shape": [3]}]}'
    assert wire.parse_header(text)["arrays"] == [{"shape": [3]}]


def test_a_deep_header_on_the_pipe_is_a_protocol_error_not_a_crash():
    r, w = os.pipe()
    deep = b"[" * 30_000 + b"]" * 30_000
    os.write(w, wire.HEADER.pack(len(deep)) + deep)
    os.close(w)
    with pytest.raises(wire.WireError, match="nested more than"):
        wire.FrameReader(r).read(time.monotonic() + 5)
    os.close(r)


def test_caps_after_conversion_count_what_the_grader_holds():
    arrays = wire.describe_arrays({"arrays": [
        {"name": "a", "dtype": "|i1", "shape": [1000], "nbytes": 1000},
        {"name": "b", "dtype": "<c8", "shape": [10], "nbytes": 80}]}, 1080)
    assert wire.held_bytes(arrays) == 1000 * 8 + 10 * 16


def _pipe_with(data: bytes) -> int:
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    return r


def test_a_job_is_read_whole_in_exact_sizes_and_then_the_stream_ends():
    r = _pipe_with(wire.encode({"t": "job", "checks": [{"name": "a", "seed": 1}]}))
    assert wire.read_header_frame(r) == {"t": "job", "checks": [{"name": "a", "seed": 1}]}
    assert wire.read_header_frame(r) is None
    os.close(r)


@pytest.mark.parametrize("data, refusal", [
    (wire.encode({"t": "job"})[:-2], "ended inside a frame"),  # cut short
    (wire.HEADER.pack(1)[:2], "ended inside a frame"),  # not even a whole length
    (wire.HEADER.pack(wire.MAX_HEADER + 1) + b"{}", "exceeds the cap"),  # refused before it is read
    (wire.encode({"t": "job"}, b"\0" * 8), "a payload where none may come"),
])
def test_a_job_frame_that_is_cut_short_oversized_or_carries_a_payload_is_refused(data, refusal):
    r = _pipe_with(data)
    with pytest.raises(wire.WireError, match=refusal):
        wire.read_header_frame(r)
    os.close(r)
