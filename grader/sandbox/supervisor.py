"""One submission's run, supervised by the worker: as many children as it takes, frames read and
validated as they arrive, per-check and per-submission timeouts, raw reports out.

The worker is the only reader of a child's frames (the zygote never sees them). Each frame's header
is checked before its payload is read: plain numeric dtypes, sizes that add up, and what the arrays
will take once converted to float64 (per check and per submission). A check that times out or dies
costs only that check: the remaining ones run in a fresh child, except checks of a function that
already timed out. Nothing here decides a verdict; ``on_result`` (the engine's judge) may turn each
check's arrays into whatever it keeps, so that no more than one check's arrays are held at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from grader.checks.values import Value
from grader.sandbox import wire
from grader.sandbox.children import STARTUP_TIMEOUT, ChildFailure


@dataclass
class CheckReport:
    """Raw report of one check, before any verdict."""

    status: str = "missing"  # ok | error | timeout | died | missing
    arrays: dict[str, Value] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    judged: Any = None  # what ``on_result`` made of the arrays (then ``arrays`` stays empty)


@dataclass
class RunReport:
    imported: bool = False
    import_problem: dict[str, Any] | None = None
    checks: dict[str, CheckReport] = field(default_factory=dict)
    elapsed: float = 0.0


OnResult = Callable[[str, dict[str, Value]], Any]
# converted bytes of small answers kept until the child has stopped (so that the next child can
# start first): a typical submission's whole output is a few KiB; bigger answers are judged at once
DEFERRED_BYTES = 4 << 20


_HELD_AS_IS = {np.dtype(np.float64), np.dtype(np.complex128)}  # native byte order: what the grader holds
# each dtype the wire admits (a short list of names), made once: (the dtype, whether it is held as it is)
_DTYPES: dict[str, tuple[np.dtype, bool]] = {}


def _dtype(name: str) -> tuple[np.dtype, bool]:
    known = _DTYPES.get(name)
    if known is None:
        dtype = np.dtype(name)
        known = _DTYPES[name] = (dtype, dtype in _HELD_AS_IS)
    return known


def to_values(arrays: list[dict[str, Any]], payload: bytes | bytearray) -> dict[str, Value]:
    """Validated array descriptions and their payload as the grader's float64/complex128 values:
    converted straight from the received bytes, and not copied at all when they arrived as native
    float64/complex128 (the arrays then share the payload, which nothing else holds)."""
    out, offset, view = {}, 0, memoryview(payload)
    for item in arrays:
        end = offset + item["nbytes"]
        dtype, as_is = _dtype(item["dtype"])
        raw = np.frombuffer(view[offset:end], dtype=dtype).reshape(item["shape"])
        out[item["name"]] = Value(raw, dtype.kind) if as_is else Value.of(raw)
        offset = end
    return out


def _clean_error(header: dict[str, Any]) -> dict[str, Any]:
    frames = header.get("frames") if isinstance(header.get("frames"), list) else []
    clean = []
    for f in frames[:50]:
        if isinstance(f, list) and len(f) == 4:
            clean.append([str(f[0])[:200], int(f[1]) if isinstance(f[1], int) else 0, str(f[2])[:200],
                          str(f[3])[:200]])
    out = {"type": str(header.get("type", "Error"))[:100], "message": str(header.get("message", ""))[:2000],
           "frames": clean}
    if isinstance(header.get("line"), int):
        out["line"] = header["line"]
    return out


@dataclass
class _Progress:
    """How far one child has got, which says what frame it may send next."""

    started: bool  # False until a spawned interpreter has loaded the harness (a fork starts ready)
    imported: bool = False
    position: int = 0  # index, in the checks still to run, of the one running now
    outcome: str = "eof"  # eof | bye | import_error | timeout | protocol: ...
    failed_start: str = ""  # the harness's own error, before any student code
    since: float = field(default_factory=time.monotonic)  # when the last frame came


class Supervisor:
    """Runs one job: ``start_child(job, seconds_left)`` starts a child for the checks still to run (see
    :mod:`grader.sandbox.children`); :meth:`begin` starts the first, :meth:`finish` runs to the end."""

    def __init__(self, job: dict[str, Any], functions: dict[str, list[str]],
                 start_child: Callable[[dict[str, Any], float], Any], caps: wire.Caps = wire.Caps()):
        self.job, self.functions, self.start_child, self.caps = job, functions, start_child, caps
        self.checks = {c["name"]: c for c in job["checks"]}
        unknown = [n for n in self.checks if n not in functions]
        if unknown:
            raise ChildFailure(f"unknown checks {unknown}")
        self.report = RunReport()
        self.remaining = list(self.checks)
        self.stuck: dict[str, str] = {}  # function -> the check in which it timed out
        self.held = 0  # bytes of converted arrays received so far, all children together
        # the last result header admitted and its validated arrays, so that a frame is described once
        self.admitted: tuple[dict[str, Any], list[dict[str, Any]]] | None = None
        self.child = None
        self.start = 0.0
        self.deferred: list[tuple[str, dict[str, Value]]] = []  # small answers judged once the child stopped
        self.deferred_bytes = 0

    @property
    def deadline(self) -> float:
        return self.start + float(self.job.get("timeout", 60))

    def begin(self) -> None:
        self.start = time.monotonic()
        self._next_child()

    def _entry(self, name: str) -> CheckReport:
        entry = self.report.checks.get(name)
        if entry is None:
            entry = self.report.checks[name] = CheckReport()
        return entry

    def _timeout(self, name: str, scope: str, **detail: Any) -> None:
        entry = self._entry(name)
        entry.status = "timeout"
        if scope == "check":
            entry.detail = f"timed out after {detail['seconds']:g} s"
        elif scope == "function":
            entry.detail = f"not run: {detail['function']} already timed out in check {detail['after']}"
        else:
            entry.detail = f"not finished when the submission's time limit of {detail['seconds']:g} s ran out"

    def _died(self, name: str, how: str) -> None:
        entry = self._entry(name)
        entry.status = "died"
        entry.detail = f"the submission's process ended during this check ({how})"

    def _next_child(self) -> None:
        """Start a child for the remaining checks (None when there is nothing left to run)."""
        self.child = None
        for name in [n for n in self.remaining if self.stuck.keys() & set(self.functions[n])]:
            culprit = next(f for f in self.functions[name] if f in self.stuck)
            self._timeout(name, "function", function=culprit, after=self.stuck[culprit])
            self.remaining.remove(name)  # it would only time out again: don't wait twice
        if not self.remaining:
            return
        if time.monotonic() >= self.deadline:
            for name in self.remaining:
                self._timeout(name, "submission", seconds=self.job.get("timeout"))
            self.remaining = []
            return
        job = {**self.job, "checks": [self.checks[n] for n in self.remaining]}
        self.child = self.start_child(job, self.deadline - time.monotonic())
        self.child.reader.admit = self._admit

    def _admit(self, header: dict[str, Any]) -> None:
        """Before a payload is read: only results carry one, and what it will take once converted
        must fit the caps."""
        nbytes = header.get("nbytes", 0)
        if header.get("t") != "result":
            if nbytes:
                raise wire.WireError("a payload on a frame that is not a result")
            return
        arrays = wire.describe_arrays(header, nbytes)
        self.admitted = (header, arrays)
        held = wire.held_bytes(arrays)
        if held > self.caps.check_held:
            raise wire.WireError(f"arrays of {held / 2**20:.0f} MiB once converted to float64 exceed the "
                                 f"per-check cap of {self.caps.check_held / 2**20:.0f} MiB")
        if self.held + held > self.caps.submission_held:
            raise wire.WireError(f"arrays of {(self.held + held) / 2**20:.0f} MiB in all once converted "
                                 f"exceed the per-submission cap of {self.caps.submission_held / 2**20:.0f} MiB")
        self.held += held

    def _received(self, name: str, values: dict[str, Value], on_result: OnResult | None) -> None:
        """Keep a check's arrays (no ``on_result``), or hand them on: small ones after the child has
        stopped (:meth:`judge_deferred`, while the next child runs), big ones at once."""
        entry = self._entry(name)
        if on_result is None:
            entry.arrays = values
            return
        size = sum(v.array.nbytes for v in values.values())
        if self.deferred_bytes + size > DEFERRED_BYTES:
            self.judge_deferred(on_result)
            entry.judged = on_result(name, values)
        else:
            self.deferred.append((name, values))
            self.deferred_bytes += size

    def judge_deferred(self, on_result: OnResult) -> None:
        """Hand the arrays kept back to ``on_result`` and drop them."""
        while self.deferred:
            name, values = self.deferred.pop(0)
            self._entry(name).judged = on_result(name, values)
        self.deferred_bytes = 0

    def abandon(self) -> None:
        """Stop the running child, if any, without reporting (its sandbox is being closed)."""
        if self.child is not None:
            try:
                self.child.stop()
            except (OSError, ChildFailure):
                pass
            self.child = None

    def finish(self, on_result: OnResult | None = None) -> RunReport:
        """Run to the end; each check's arrays go to ``on_result`` (kept if None): big ones as they
        arrive, small ones by :meth:`judge_deferred`, which the caller calls once it has started
        the next job's child."""
        while self.child is not None:
            if not self._run_child(on_result):
                break
            self._next_child()
        self.report.elapsed = round(time.monotonic() - self.start, 6)
        return self.report

    def _run_child(self, on_result: OnResult | None) -> bool:
        """Read one child to its end; False when no further child should run."""
        progress = _Progress(started=self.child.started)
        try:
            self._read_frames(progress, on_result)
        except wire.Timeout:
            progress.outcome = "timeout"
        except wire.WireError as exc:
            progress.outcome = f"protocol: {exc}"
        finally:
            how = self.child.stop(finished=progress.outcome == "bye")
        self._require_started(progress, how)
        if progress.outcome == "import_error":
            return False
        if not progress.imported:
            self._import_failed(progress, how)
            return False
        return self._stopped_early(progress, how)

    # -- while the child runs ------------------------------------------------------------------
    def _read_frames(self, progress: _Progress, on_result: OnResult | None) -> None:
        """Take the child's frames, each within its own deadline, until it ends or says bye."""
        reader = self.child.reader
        # the frame goes straight to _take (no reference kept here): its payload is freed as soon
        # as its arrays are converted
        while self._take(progress, reader.read(self._frame_deadline(progress)), on_result):
            progress.since = time.monotonic()

    def _frame_deadline(self, progress: _Progress) -> float:
        """When the next frame must have come: start-up, the import, then each check's own timeout,
        never past the submission's."""
        if not progress.started:
            seconds = STARTUP_TIMEOUT
        elif not progress.imported:
            seconds = float(self.job.get("import_timeout", 10))
        elif progress.position < len(self.remaining):
            seconds = float(self.checks[self.remaining[progress.position]].get("timeout", 10))
        else:
            return self.deadline
        return min(progress.since + seconds, self.deadline)

    def _take(self, progress: _Progress, frame: tuple[dict[str, Any], bytearray] | None, on_result: OnResult | None) -> bool:
        """Act on one frame (None: the child's stream ended); False when this child is done."""
        if frame is None:
            return False
        header, payload = frame
        del frame
        kind = header.get("t")
        running = self.remaining[progress.position] if (
            progress.imported and progress.position < len(self.remaining)) else None
        if kind not in ("result", "error") or running is None or header.get("check") != running:
            return self._take_milestone(progress, kind, header)
        if kind == "result":
            admitted, self.admitted = self.admitted, None
            arrays = admitted[1] if admitted is not None and admitted[0] is header \
                else wire.describe_arrays(header, len(payload))
            values = to_values(arrays, payload)
            del payload  # converted: only the values (which may share it) hold it now
            self._entry(running).status = "ok"
            self._received(running, values, on_result)
        else:
            entry = self._entry(running)
            entry.status, entry.error = "error", {"t": "error", "check": running, **_clean_error(header)}
        progress.position += 1
        return True

    def _take_milestone(self, progress: _Progress, kind: Any, header: dict[str, Any]) -> bool:
        """A frame that is not a check's: started, imported, bye, or a failure to start or import;
        anything out of order breaks the protocol."""
        if kind == "started" and not progress.started:  # spawn only: harness loaded, confined
            progress.started = True
            return True
        if kind == "startup_error" and not progress.started:  # spawn only, before any student code
            progress.failed_start = ("the grading process failed to start: "
                                     + str(header.get("message", ""))[:500])
            return False
        if kind == "imported" and progress.started and not progress.imported:
            self.report.imported = progress.imported = True
            return True
        if kind == "import_error" and progress.started and not progress.imported:
            self.report.import_problem = {"t": "import_error", **_clean_error(header)}
            progress.outcome = "import_error"
            return False
        if kind == "bye" and progress.imported and progress.position == len(self.remaining):
            progress.outcome = "bye"
            return False
        raise wire.WireError(f"unexpected {str(kind)[:40]!r} frame")

    # -- once it has stopped -------------------------------------------------------------------
    def _require_started(self, progress: _Progress, how: str) -> None:
        """The harness never got going (no student code ran yet): the machinery failed, not the
        submission."""
        if progress.started and not progress.failed_start:
            return
        raise ChildFailure(progress.failed_start or (
            f"the grading process did not start within {STARTUP_TIMEOUT:g} s" if progress.outcome == "timeout"
            else f"the grading process failed to start ({how})"))

    def _import_failed(self, progress: _Progress, how: str) -> None:
        """Record why a child stopped before it had imported the submission."""
        ended = how if progress.outcome == "eof" else progress.outcome
        if self.report.imported:  # imported before, not this time (a flaky import): nothing more can run
            for name in self.remaining:
                self._died(name, ended)
        elif progress.outcome == "timeout":
            self.report.import_problem = {"t": "import_timeout", "seconds": self.job.get("import_timeout", 10)}
        else:
            self.report.import_problem = {"t": "import_died", "how": ended}

    def _stopped_early(self, progress: _Progress, how: str) -> bool:
        """Drop the checks that reported and charge the one that was running when the child stopped
        (it timed out or died); True when the rest should run in a fresh child."""
        self.remaining = self.remaining[progress.position:]
        if progress.outcome == "bye" or not self.remaining:
            return False
        running = self.remaining.pop(0)
        if progress.outcome != "timeout":
            self._died(running, how if progress.outcome == "eof" else progress.outcome)
            return True
        if time.monotonic() >= self.deadline:
            self._timeout(running, "submission", seconds=self.job.get("timeout"))
        else:
            self._timeout(running, "check", seconds=self.checks[running].get("timeout", 10))
        for function in self.functions[running]:
            self.stuck.setdefault(function, running)  # its other checks would only time out again
        return True
