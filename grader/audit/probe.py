"""Is a full-marks mutant really equivalent? Compare what its functions *return* (and what they leave
in their arguments), not only what the checks chose to output.

Equal check outputs alone would call a mutant "equivalent" whenever the checks look at too little
(a check that returns only a shape makes every sign error equivalent): exactly the blind spots the
audit is for. So the audit records every call the checks make into the reference's student
functions (the arguments, on the audit's inputs and the other seeds), replays each call on the
reference and on the mutant, and calls them equivalent only when every return value and every
argument after the call agree to rounding.

This runs in the grader's process: a mutant is the instructor's reference with one change, not
student code, and only mutants that already ran to full marks in the sandbox on these very inputs
get here.
"""

from __future__ import annotations

import copy
import random
import types
from types import GeneratorType, SimpleNamespace
from typing import Any

import numpy as np

from grader.audit.mutants import Mutant
from grader.checks.loader import importable
from grader.checks.scenario import evaluate
from grader.course import Assignment

MAX_CALLS = 40  # recorded calls per function: the first ones, which the checks' own inputs drive
RTOL, ATOL = 1e-9, 1e-12


class _Unset:
    pass


def _same(a: Any, b: Any) -> bool:
    """The same value up to rounding: numbers and arrays, containers of them, else ``==``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator):
        return a.bit_generator.state == b.bit_generator.state  # the same numbers drawn from it
    if isinstance(a, np.random.RandomState) and isinstance(b, np.random.RandomState):
        return _same(a.get_state(), b.get_state())
    if callable(a) and callable(b):
        return True  # a function (a closure, say) cannot be compared; what it computes is checked elsewhere
    try:
        x, y = _numeric(a), _numeric(b)
    except Exception:
        x = y = None
    if x is not None and x.dtype.kind in "biufc" and y.dtype.kind in "biufc":
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True))
    try:
        return bool(a == b)
    except Exception:
        return False


def _numeric(value: Any) -> np.ndarray:
    """``value`` as an array; an object array of numbers as floats (the checks judged it so)."""
    array = np.asarray(value)
    if array.dtype.kind == "O":
        array = array.astype(float)
    return array


def _copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


class CallLog:
    """The calls the checks made into the reference's student functions."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        self._count: dict[str, int] = {}
        self._reference: list | None = None

    def reference_results(self, reference: types.ModuleType) -> list:
        """What the reference returns (and leaves in its arguments) for each call: computed once."""
        if self._reference is None:
            self._reference = [_call(getattr(reference, name), args, kwargs) for name, args, kwargs in self.calls]
        return self._reference

    def wrap(self, name: str, function: Any) -> Any:
        def recorded(*args, **kwargs):
            if self._count.get(name, 0) < MAX_CALLS:
                self._count[name] = self._count.get(name, 0) + 1
                self.calls.append((name, _copy(args), _copy(kwargs)))
            return function(*args, **kwargs)
        return recorded


def record_calls(assignment: Assignment, seeds: dict[str, list[int]]) -> CallLog:
    """Run every check on the reference for each of its seeds, recording the calls into student functions."""
    log = CallLog()
    reference = assignment.reference
    names = [n for n in assignment.functions() if callable(getattr(reference, n, None))]
    namespace = SimpleNamespace(**vars(reference))
    for n in names:
        setattr(namespace, n, log.wrap(n, getattr(reference, n)))
    for check in assignment.checks:
        for seed in seeds.get(check.name, []):
            try:
                evaluate(check, namespace, seed)
            except Exception:
                continue  # the reference failing a check is grade verify's finding, not the audit's
    return log


def _load(mutant: Mutant, assignment: Assignment) -> types.ModuleType:
    module = types.ModuleType(f"grade_audit_mutant_{mutant.digest[:12]}")
    module.__file__ = str(assignment.folder / mutant.file)
    with importable(assignment.folder):
        exec(compile(mutant.source, module.__file__, "exec"), module.__dict__)
    return module


def _call(function: Any, args: tuple, kwargs: dict) -> tuple[Any, tuple, dict]:
    args, kwargs = _copy(args), _copy(kwargs)
    np.random.seed(0)  # functions that draw from the global generators draw the same numbers
    random.seed(0)
    try:
        out = function(*args, **kwargs)
        if isinstance(out, GeneratorType):
            out = list(out)
    except Exception as exc:
        out = (_Unset, type(exc).__name__)
    return out, args, kwargs


def same_behaviour(mutant: Mutant, assignment: Assignment, log: CallLog) -> bool:
    """Does the mutant return (and leave in its arguments) what the reference does, on every recorded call?"""
    if mutant.file != assignment.module_path.name:
        return True  # a support module's mutant: the checks' outputs are all there is to compare
    try:
        module = _load(mutant, assignment)
    except Exception:
        return False
    wanted = log.reference_results(assignment.reference)
    for (name, args, kwargs), want in zip(log.calls, wanted):
        got = _call(getattr(module, name, None) or (lambda *a, **k: None), args, kwargs)
        if not (_same(got[0], want[0]) and _same(got[1], want[1]) and _same(got[2], want[2])):
            return False
    return True
