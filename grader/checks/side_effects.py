"""Side effects on a student function's arguments: what a check declares, and the data that shows them.

numpy's convention holds by default: a function leaves its array, list and dict arguments as it
found them. A check that exercises a function meant to change an argument says so with
``mutates=``: :func:`may_modify` (anything goes, e.g. the CS231n optimizers' ``w -= ...``) or
:func:`must_restore` (the function may nudge it while it works but must put it back).

While a scenario runs, :class:`Recorder` stands in for the implementation. After each of the first
``MAX_CALLS`` calls of a function under check it copies every argument as the call left it, flattened to float64 (lengths of
lists and dicts included, dict values in key order), and appends that to one output array per
argument slot: ``@after <function>:<slot>=<name>``, where ``slot`` is the position (or keyword) the
scenario used and ``name`` the parameter's name in the callee; the same copies taken before each
call go to ``@before ...``. Those arrays travel like any other output, and the grader compares
them in its own process: no verdict is computed where student code runs. (Comparing before with
after, rather than the student's arguments with the reference's, keeps a trajectory fair: its
later calls get arguments computed from the student's own earlier outputs.)

The expected outputs keep an empty ``@after`` marker per argument that is judged, named with the
reference's parameter name; the reference itself must leave those arguments alone
(:func:`grader.checks.expected.reference_outputs` refuses one that does not).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

AFTER, BEFORE = "@after ", "@before "
MAY, RESTORE, UNCHANGED = "may", "restore", "unchanged"
MAX_ELEMENTS = 1 << 20  # an argument larger than this is not recorded (neither the reference's nor the student's)
MAX_DEPTH = 6
# Calls of each function recorded per check. A slip that changes an argument in place does so on the
# first calls as on the last; recording every step of a trajectory (hundreds of calls) only costs
# copies, in the child and in the grader, on every submission.
MAX_CALLS = 8


@dataclass(frozen=True)
class Mutation:
    """``function`` may change its argument ``argument``: freely (``may``) or if it puts it back (``restore``)."""

    function: str
    argument: str
    rule: str
    reason: str = ""


def _mutations(function: str, arguments: tuple[str, ...], rule: str, reason: str) -> tuple[Mutation, ...]:
    if not function.isidentifier() or not arguments or not all(a.isidentifier() for a in arguments):
        raise ValueError(f"name a function and its arguments, got {function!r} {arguments!r}")
    return tuple(Mutation(function, a, rule, reason) for a in arguments)


def may_modify(function: str, *arguments: str, reason: str = "") -> tuple[Mutation, ...]:
    """``function`` may change these arguments in place; the check does not look at them afterwards."""
    return _mutations(function, arguments, MAY, reason)


def must_restore(function: str, *arguments: str, reason: str = "") -> tuple[Mutation, ...]:
    """``function`` may change these arguments while it runs but must leave them as it found them."""
    return _mutations(function, arguments, RESTORE, reason)


def flatten_mutations(spec: Any) -> tuple[Mutation, ...]:
    """``mutates=`` as one flat tuple: a Mutation, or (nested) iterables of them."""
    if spec is None:
        return ()
    if isinstance(spec, Mutation):
        return (spec,)
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
        raise ValueError(f"mutates= takes may_modify(...) / must_restore(...) declarations, got {spec!r}")
    return tuple(m for item in spec for m in flatten_mutations(item))


def rule_for(mutations: tuple[Mutation, ...], function: str, argument: str) -> str:
    for m in mutations:
        if m.function == function and m.argument == argument:
            return m.rule
    return UNCHANGED


# ---------------------------------------------------------------- output names


def key(function: str, slot: str, name: str, prefix: str = AFTER) -> str:
    return f"{prefix}{function}:{slot}={name}"


def is_side(name: str) -> bool:
    return name.startswith(AFTER) or name.startswith(BEFORE)


def parse(name: str) -> tuple[str, str, str]:
    """(function, slot, argument name) of a side-effect output's name."""
    body = name[len(AFTER):] if name.startswith(AFTER) else name[len(BEFORE):]
    place, _, argument = body.rpartition("=")
    function, _, slot = place.partition(":")
    return function, slot, argument


def stable(name: str) -> str:
    """The part of a side-effect name that two implementations share: the callee's parameter name
    is dropped, so a student who calls ``w`` ``x`` is paired with the reference by position."""
    return name.rpartition("=")[0] if name.startswith(AFTER) else name


def argument_label(name: str) -> str:
    function, slot, argument = parse(name)
    return argument or (f"argument {int(slot) + 1}" if slot.isdigit() else slot)


# ---------------------------------------------------------------- recording


def _flatten(value: Any, arrays: list[np.ndarray], numbers: list[float], depth: int = 0) -> None:
    """Append ``value``'s numbers, in order: arrays as they are, containers as their length then
    their items (dict values in key order). Plain numbers gather in ``numbers`` until the next
    array (one small array per run of numbers, not one per number: configs hold many)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, np.ndarray):
        kind = value.dtype.kind
        if kind in "biuf":
            _flush(arrays, numbers)
            arrays.append(np.array(value, dtype=np.float64).reshape(-1))
        elif kind == "c":
            _flush(arrays, numbers)
            arrays.append(np.concatenate([value.real.reshape(-1), value.imag.reshape(-1)]).astype(np.float64))
        elif kind == "O":
            numbers.append(float(value.size))
            for item in value.reshape(-1):
                _flatten(item, arrays, numbers, depth + 1)
    elif isinstance(value, (list, tuple)):
        numbers.append(float(len(value)))
        for item in value:
            _flatten(item, arrays, numbers, depth + 1)
    elif isinstance(value, dict):
        numbers.append(float(len(value)))
        for k in sorted(value, key=repr):
            _flatten(value[k], arrays, numbers, depth + 1)
    elif isinstance(value, (bool, int, float, np.number)) and depth > 0:  # a number held in a container
        numbers.append(float(np.real(value)))


def _flush(arrays: list[np.ndarray], numbers: list[float]) -> None:
    if numbers:
        arrays.append(np.array(numbers, dtype=np.float64))
        numbers.clear()


def _mutable(value: Any) -> bool:
    return isinstance(value, (np.ndarray, list, dict)) or (
        isinstance(value, tuple) and any(_mutable(v) for v in value))


def snapshot(value: Any) -> np.ndarray | None:
    """The numbers a mutable argument holds, flattened; None for immutable or oversized values."""
    if not _mutable(value):
        return None
    parts: list[np.ndarray] = []
    numbers: list[float] = []
    _flatten(value, parts, numbers)
    _flush(parts, numbers)
    flat = parts[0] if len(parts) == 1 else (np.concatenate(parts) if parts else np.zeros(0))
    return flat if flat.size <= MAX_ELEMENTS else None


def _positional_names(fn: Callable) -> list[str]:
    """The names of ``fn``'s positional parameters, in order (none when its signature cannot say)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except Exception:  # a callable without a usable signature
        return []
    names = []
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        names.append(p.name)
    return names


class Recorder:
    """Stands in for an implementation while a scenario runs, recording the arguments of each call
    of ``functions`` as the call found them and as it left them."""

    def __init__(self, impl: Any, functions: Iterable[str], mutations: tuple[Mutation, ...] = ()):
        self._impl = impl
        self._functions = set(functions)
        # arguments that may change are judged by the reference's names in the grader; skipping the
        # ones the callee names alike only saves copying (a config dict at every optimizer step)
        self._free = {(m.function, m.argument) for m in mutations if m.rule == MAY}
        self._names: dict[Callable, list[str]] = {}
        self._records: dict[str, list[np.ndarray]] = {}
        self._calls: dict[str, int] = {}
        self._wrapped: dict[str, tuple[Callable, Callable]] = {}
        self._open = True

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._impl, name)
        if name in self._functions and callable(attr):
            wrapped = self._wrapped.get(name)
            if wrapped is None or wrapped[0] is not attr:  # one wrapper per function, not one per call
                wrapped = self._wrapped[name] = (attr, self._wrap(name, attr))
            return wrapped[1]
        return attr

    def _wrap(self, function: str, fn: Callable) -> Callable:
        def recorded(*args, **kwargs):
            if not self._open or self._calls.get(function, 0) >= MAX_CALLS:
                return fn(*args, **kwargs)
            self._calls[function] = self._calls.get(function, 0) + 1
            if fn not in self._names:
                self._names[fn] = _positional_names(fn)
            positional = self._names[fn]
            names = {str(i): positional[i] if i < len(positional) else "" for i in range(len(args))}
            names.update({k: k for k in kwargs})
            skip = {slot for slot, name in names.items() if (function, name) in self._free}
            before = self._snapshots(args, kwargs, skip)
            result = fn(*args, **kwargs)
            if self._open:
                after = self._snapshots(args, kwargs, skip)
                self._add(function, names, before, BEFORE)
                self._add(function, names, after, AFTER)
            return result

        return recorded

    @staticmethod
    def _snapshots(args: tuple, kwargs: dict, skip: set[str]) -> dict[str, np.ndarray | None]:
        slots = {str(i): a for i, a in enumerate(args)}
        slots.update(kwargs)
        return {slot: snapshot(v) for slot, v in slots.items() if slot not in skip}

    def _add(self, function: str, names: dict[str, str], snaps: dict[str, np.ndarray | None], prefix: str) -> None:
        for slot, flat in snaps.items():
            if flat is not None:
                self._records.setdefault(key(function, slot, names.get(slot, ""), prefix), []).append(flat)

    def close(self) -> dict[str, np.ndarray]:
        """Stop recording (later calls, e.g. a gradient's loss evaluated afterwards, pass through)
        and return one array per argument slot: every call's snapshot, end to end."""
        self._open = False
        return {name: np.concatenate(parts) for name, parts in self._records.items()}


# ---------------------------------------------------------------- what the grader keeps and judges


def judged(mutations: tuple[Mutation, ...], outputs: dict[str, Any]) -> dict[str, Any]:
    """``outputs`` without the records of the arguments a function may change."""
    kept = {}
    for name, value in outputs.items():
        if is_side(name):
            function, _, argument = parse(name)
            if rule_for(mutations, function, argument) == MAY:
                continue
        kept[name] = value
    return kept


def compact(outputs: dict[str, Any]) -> dict[str, Any]:
    """``outputs`` with each argument's records reduced to what a trusted run showed: an empty
    ``@after`` marker per argument (named with the callee's parameter name, the name feedback
    uses), plus an empty ``@before`` one when the calls left it unchanged. Expected outputs and
    known mistakes are stored (and frozen into the pack) in this form."""
    changed = changed_slots(outputs)
    kept = {name: value for name, value in outputs.items() if not is_side(name)}
    for name in outputs:
        if name.startswith(AFTER):
            kept[name] = np.zeros(0)
            if stable(name) not in changed:
                kept[BEFORE + name[len(AFTER):]] = np.zeros(0)
    return kept


def changed_slots(outputs: dict[str, Any]) -> set[str]:
    """The argument slots (:func:`stable` names) whose record after the calls differs from the one
    before them; a slot recorded after but not before counts as changed."""
    found = set()
    for name, after in outputs.items():
        if name.startswith(AFTER):
            before = outputs.get(BEFORE + name[len(AFTER):])
            if before is None or not _same(_array(before), _array(after)):
                found.add(stable(name))
    return found


def _array(value: Any) -> np.ndarray:
    return np.asarray(getattr(value, "array", value), dtype=np.float64)


def _same(before: np.ndarray, after: np.ndarray) -> bool:
    """Equal up to round-off: ``x[i] += h`` then ``x[i] -= h`` restores ``x``; any real change does not."""
    if before.shape != after.shape:
        return False
    equal = before == after
    if np.count_nonzero(equal) == equal.size:  # the usual case (the argument was left alone): nothing more to do
        return True
    with np.errstate(all="ignore"):
        close = np.abs(after - before) <= SAME_ATOL + SAME_RTOL * np.abs(before)
        return bool(np.all(close | equal | (np.isnan(before) & np.isnan(after))))


SAME_RTOL, SAME_ATOL = 1e-9, 1e-300
