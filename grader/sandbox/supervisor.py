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


def to_values(arrays: list[dict[str, Any]], payload: bytes | bytearray) -> dict[str, Value]:
    """Validated array descriptions and their payload as the grader's float64/complex128 values:
    converted straight from the received bytes, and not copied at all when they arrived as native
    float64/complex128 (the arrays then share the payload, which nothing else holds)."""
    out, offset, view = {}, 0, memoryview(payload)
    for item in arrays:
        end = offset + item["nbytes"]
        dtype = np.dtype(item["dtype"])
        raw = np.frombuffer(view[offset:end], dtype=dtype).reshape(item["shape"])
        out[item["name"]] = Value(raw, dtype.kind) if dtype in _HELD_AS_IS else Value.of(raw)
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
        return self.report.checks.setdefault(name, CheckReport())

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
        held = wire.held_bytes(wire.describe_arrays(header, nbytes))
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
        job, child, reader = self.job, self.child, self.child.reader
        remaining, position = self.remaining, 0  # index in `remaining` of the check running now
        since = time.monotonic()
        started, imported = child.started, False
        outcome, failed_start = "eof", ""
        try:
            while True:
                if not started:
                    deadline = min(since + STARTUP_TIMEOUT, self.deadline)
                elif not imported:
                    deadline = min(since + float(job.get("import_timeout", 10)), self.deadline)
                elif position < len(remaining):
                    deadline = min(since + float(self.checks[remaining[position]].get("timeout", 10)), self.deadline)
                else:
                    deadline = self.deadline
                frame = reader.read(deadline)
                if frame is None:
                    break
                header, payload = frame
                kind = header.get("t")
                current = remaining[position] if imported and position < len(remaining) else None
                if kind == "started" and not started:  # spawn only: harness loaded, confined
                    started = True
                elif kind == "startup_error" and not started:  # spawn only, before any student code
                    failed_start = "the grading process failed to start: " + str(header.get("message", ""))[:500]
                    break
                elif kind == "imported" and started and not imported:
                    self.report.imported = imported = True
                elif kind == "import_error" and started and not imported:
                    self.report.import_problem = {"t": "import_error", **_clean_error(header)}
                    outcome = "import_error"
                    break
                elif kind == "result" and current is not None and header.get("check") == current:
                    values = to_values(wire.describe_arrays(header, len(payload)), payload)
                    del payload, frame
                    self._entry(current).status = "ok"
                    self._received(current, values, on_result)
                    del values
                    position += 1
                elif kind == "error" and current is not None and header.get("check") == current:
                    entry = self._entry(current)
                    entry.status, entry.error = "error", {"t": "error", "check": current, **_clean_error(header)}
                    position += 1
                elif kind == "bye" and imported and position == len(remaining):
                    outcome = "bye"
                    break
                else:
                    raise wire.WireError(f"unexpected {str(kind)[:40]!r} frame")
                since = time.monotonic()
        except wire.Timeout:
            outcome = "timeout"
        except wire.WireError as exc:
            outcome = f"protocol: {exc}"
        finally:
            how = child.stop(finished=outcome == "bye")
        if failed_start or not started:  # the harness never got going: no student code ran yet
            raise ChildFailure(failed_start or (
                f"the grading process did not start within {STARTUP_TIMEOUT:g} s" if outcome == "timeout"
                else f"the grading process failed to start ({how})"))
        if outcome == "import_error":
            return False
        if not imported:
            if self.report.imported:  # imported before, not this time (a flaky import): nothing more can run
                for name in remaining:
                    self._died(name, how if outcome == "eof" else outcome)
            elif outcome == "timeout":
                self.report.import_problem = {"t": "import_timeout", "seconds": job.get("import_timeout", 10)}
            else:
                self.report.import_problem = {"t": "import_died", "how": how if outcome == "eof" else outcome}
            return False
        self.remaining = remaining[position:]  # the checks before `position` have reported
        if outcome == "bye" or not self.remaining:
            return False
        current = self.remaining.pop(0)  # the check that was running when the child stopped
        if outcome == "timeout":
            if time.monotonic() >= self.deadline:
                self._timeout(current, "submission", seconds=job.get("timeout"))
            else:
                self._timeout(current, "check", seconds=self.checks[current].get("timeout", 10))
            for function in self.functions[current]:
                self.stuck.setdefault(function, current)
        else:
            self._died(current, how if outcome == "eof" else outcome)
        return True
