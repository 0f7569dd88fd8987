"""Numeric comparison of one output with its expected value: a verdict and a message that teaches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KIND_CLASS = {"b": "bool", "i": "number", "u": "number", "f": "number", "c": "complex"}
TINY = np.finfo(float).tiny


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""


PASS = Verdict(True)


def _index(idx: tuple[int, ...]) -> str:
    return "" if not idx else f" at index {idx[0] if len(idx) == 1 else tuple(int(i) for i in idx)}"


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _every(mask: np.ndarray) -> bool:
    """``mask.all()``, several times cheaper on the small arrays compared here."""
    return bool(np.count_nonzero(mask) == mask.size)


def _some(mask: np.ndarray) -> bool:
    """``mask.any()``, several times cheaper on the small arrays compared here."""
    return bool(np.count_nonzero(mask))


def matches(actual: np.ndarray | None, expected: np.ndarray, rtol: float, atol: float,
            floor: float | None = None) -> bool:
    """Same shape and every element within tolerance (NaN/inf where expected has them)."""
    if actual is None or actual.shape != expected.shape:
        return False
    return _every(_close(actual, expected, rtol, atol, floor))


def _close(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, floor: float | None = None) -> np.ndarray:
    """Elementwise |a - e| <= atol + rtol * |e| (numpy.isclose's rule); NaN matches NaN and an
    infinity matches the same infinity. Written out because this runs for every case of every
    check of every submission, and the general function costs several times more.

    With a ``floor`` (relative mode) the rule is |a - e| <= rtol * max(|e|, floor): a relative
    error per element, so values of 1e-12 are judged as strictly as values of 1."""
    with np.errstate(all="ignore"):
        return _close_diff(a, e, rtol, atol, floor)[0]


def _close_diff(a: np.ndarray, e: np.ndarray, rtol: float, atol: float,
                floor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_close` and ``|a - e|``, under the caller's ``np.errstate(all="ignore")``.

    When every ``|a - e|`` is finite, so is every element of ``a`` and ``e``, and the tolerance
    test alone decides; only otherwise are the NaN/inf rules applied (as they always were)."""
    diff = np.abs(a - e)
    if floor is None:
        ok = diff <= atol + rtol * np.abs(e)
    else:
        ok = diff <= rtol * np.maximum(np.abs(e), floor)
    if not _every(np.isfinite(diff)):
        finite = np.isfinite(a) & np.isfinite(e)
        if not _every(finite):
            same = (a == e) | (np.isnan(a) & np.isnan(e))
            ok = np.where(finite, ok, same)
    return ok, diff


def same_kind(actual_kind: str, expected_kind: str, strict_dtype: bool) -> bool:
    """Whether a value of dtype kind ``actual_kind`` may stand for one of ``expected_kind``: the same
    kind when ``strict_dtype``, else the same class (bool, number or complex)."""
    if strict_dtype:
        return actual_kind == expected_kind
    return KIND_CLASS.get(actual_kind) == KIND_CLASS.get(expected_kind)


# Cases compared in one pass up to this many values in all; bigger ones are compared one by one
# (one pass saves a few numpy calls per case, nothing worth a copy of large arrays).
ONE_PASS_VALUES = 1 << 16


def all_close(pairs: list[tuple[np.ndarray, np.ndarray]], rtol: float, atol: float,
              floor: float | None = None) -> bool:
    """Whether every (actual, expected) pair, each of one shape, is within tolerance by
    :func:`_close`'s rule: the same answer as :func:`matches` on each pair, found in one pass over
    all their values (most submissions pass most cases, and a check's cases are small)."""
    if sum(e.size for _, e in pairs) > ONE_PASS_VALUES:
        return all(matches(a, e, rtol, atol, floor) for a, e in pairs)
    # the same bits are within any tolerance (NaN matches NaN, an infinity itself): a student who
    # computes what the reference does, in the same order, usually gets exactly its values
    if all(a.dtype == e.dtype and a.tobytes() == e.tobytes() for a, e in pairs):
        return True
    if len(pairs) == 1:
        return matches(pairs[0][0], pairs[0][1], rtol, atol, floor)
    actual = np.concatenate([a.reshape(-1) for a, _ in pairs])
    expected = np.concatenate([e.reshape(-1) for _, e in pairs])
    with np.errstate(all="ignore"):
        return _every(_close_diff(actual, expected, rtol, atol, floor)[0])


def compare(name: str, actual: np.ndarray | None, expected: np.ndarray, *, actual_kind: str = "f",
            expected_kind: str = "f", rtol: float, atol: float, strict_dtype: bool = False,
            steps: bool = False, hidden: bool = False, floor: float | None = None) -> Verdict:
    """Judge ``actual`` against ``expected``; never reveal expected values when ``hidden``.
    ``floor`` (not None) switches to relative mode (see :func:`_close`)."""
    with np.errstate(all="ignore"):  # entered once: NaN/inf in either array is judged, not warned about
        return _compare(name, actual, expected, actual_kind, expected_kind, rtol, atol, strict_dtype, steps, hidden,
                        floor)


def _compare(name: str, actual: np.ndarray | None, expected: np.ndarray, actual_kind: str, expected_kind: str,
             rtol: float, atol: float, strict_dtype: bool, steps: bool, hidden: bool,
             floor: float | None = None) -> Verdict:
    if actual is None:
        return Verdict(False, f"{name}: no value was returned")
    if not same_kind(actual_kind, expected_kind, strict_dtype):
        want = expected_kind if strict_dtype else KIND_CLASS.get(expected_kind, expected_kind)
        got = actual_kind if strict_dtype else KIND_CLASS.get(actual_kind, actual_kind)
        return Verdict(False, f"{name}: values are of kind {got} but {want} was expected")
    if actual.shape != expected.shape:
        want = "" if hidden else f", expected {expected.shape}"
        return Verdict(False, f"{name}: wrong shape {actual.shape}{want}")
    ok, diff = _close_diff(actual, expected, rtol, atol, floor)
    if _every(ok):
        return PASS
    bad = ~ok
    where = ""
    if steps and actual.ndim >= 1:
        first = int(bad.argmax()) // (bad.size // bad.shape[0])  # the step of the first wrong value
        where = f"; first wrong at step {first + 1} of {actual.shape[0]}"
    nonfinite = bad & ~np.isfinite(actual)
    if _some(nonfinite):
        idx = np.unravel_index(int(nonfinite.argmax()), actual.shape) if actual.ndim else ()
        value = actual[idx] if actual.ndim else actual.item()
        kind = "NaN" if np.isnan(value) else "inf"
        return Verdict(False, f"{name}: {kind}{_index(idx)} where a finite value was expected{where}")
    abs_err = np.where(bad, diff, 0.0)
    if not _every(np.isfinite(abs_err)):  # expected holds NaN/inf that actual lacks
        return Verdict(False, f"{name}: finite values where NaN or inf was expected{where}")
    rel_err = np.where(bad, abs_err / np.maximum(np.abs(expected), TINY), 0.0)
    flat = int(abs_err.argmax())
    idx = np.unravel_index(flat, actual.shape) if actual.ndim else ()
    count = int(np.count_nonzero(bad))
    msg = (f"{name}: {count} of {actual.size} values differ; largest error "
           f"{_fmt(float(abs_err.reshape(-1)[flat]))} (relative {_fmt(float(rel_err.max()))}){_index(idx)}")
    if not hidden:
        got, want = actual.reshape(-1)[flat], expected.reshape(-1)[flat]
        msg += f": got {_fmt(float(np.real(got)))}, expected {_fmt(float(np.real(want)))}"
    return Verdict(False, msg + where)
