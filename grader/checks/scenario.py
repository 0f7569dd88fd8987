"""Run one check's scenario against an implementation and collect plain numeric arrays.

This runs wherever a scenario runs: in the sandboxed child for a submission, in the grader for the
reference and for known mistakes. It returns raw arrays; whoever receives them converts them.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import numpy as np

from grader.checks.api import Check, Gradient
from grader.checks.gradcheck import numerical_gradient
from grader.checks.side_effects import Recorder
from grader.checks.values import NUMERIC_KINDS, NotNumeric

NUMERICAL_SUFFIX = "@numerical"


def public_seed(assignment: str, check: Check) -> int:
    """The fixed seed of a public check (or the one it declares)."""
    if check.seed is not None:
        return int(check.seed)
    return int.from_bytes(hashlib.sha256(f"{assignment}/{check.name}".encode()).digest()[:4], "little")


def hidden_seed(secret: bytes, assignment: str, student: str, check: Check) -> int:
    """A per-student seed for a hidden check: different per student, reproducible, unguessable."""
    return hidden_seeds(secret, assignment, student, [check])[check.name]


def hidden_seeds(secret: bytes, assignment: str, student: str, checks: list[Check]) -> dict[str, int]:
    """:func:`hidden_seed` of each of ``checks``: the HMAC-SHA256 of ``assignment\0student\0check``
    under the course secret, its first 8 bytes as a little-endian number halved. One pass: the key
    and the message's common start are hashed once (an HMAC of "a" then "b" is the HMAC of "ab")."""
    start = hmac.new(secret, f"{assignment}\0{student}\0".encode(), hashlib.sha256)
    seeds = {}
    for check in checks:
        mac = start.copy()
        mac.update(check.name.encode())
        seeds[check.name] = int.from_bytes(mac.digest()[:8], "little") >> 1
    return seeds


def numeric_array(value: Any) -> np.ndarray:
    """``value`` as a plain (base class) numeric ndarray, or NotNumeric."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # a value whose conversion itself fails
        raise NotNumeric(f"cannot be converted to an array ({type(exc).__name__})") from None
    if type(arr) is not np.ndarray:
        arr = np.array(arr, subok=False)
    if arr.dtype.kind not in NUMERIC_KINDS or arr.dtype.hasobject:
        raise NotNumeric(f"is not numeric (dtype {arr.dtype})")
    return c_order(arr)


def c_order(arr: np.ndarray) -> np.ndarray:
    """``arr`` in C order, keeping its shape: ``np.ascontiguousarray`` would turn a 0-d array (one
    number) into shape (1,), and a single output must stay distinguishable from an array of one."""
    return arr if arr.flags.c_contiguous else np.array(arr, order="C")


def evaluate(check: Check, impl: Any, seed: int, *, record: bool = True) -> dict[str, np.ndarray]:
    """Call the scenario; gradient values add the centred-difference gradient of their loss, and
    the arguments of the calls of the functions under check, as each call found and left them, are
    added as ``@before`` / ``@after`` outputs (:mod:`grader.checks.side_effects`) unless ``record``
    is off (the grader's own runs of the reference, once its markers are known)."""
    recorder = Recorder(impl, check.functions, check.mutates) if record else None
    try:
        produced = check.scenario(recorder or impl, np.random.default_rng(seed))
    finally:
        recorded = recorder.close() if recorder else {}
    if not isinstance(produced, dict):
        raise TypeError(f"the scenario of {check.name!r} must return a dict of named arrays")
    arrays: dict[str, np.ndarray] = {}
    for name, value in produced.items():
        if isinstance(value, Gradient):
            arrays[str(name)] = _named(name, value.analytic)
            arrays[str(name) + NUMERICAL_SUFFIX] = numerical_gradient(value.f, value.x, value.h)
        else:
            arrays[str(name)] = _named(name, value)
    arrays.update(recorded)
    return arrays


def _named(name: str, value: Any) -> np.ndarray:
    try:
        return numeric_array(value)
    except NotNumeric as exc:
        raise NotNumeric(f"{name} {exc}") from None
