"""Run an assignment's checks in-process, for the course tests (no sandbox, no engine).

These helpers let a test ask "does this implementation produce the reference's outputs on that
check?" with the check's own tolerances, so tests of conventions (a CS231n-style file, a known
mistake, an accepted variant) stay independent of the grading engine.
"""

from __future__ import annotations

import types
import warnings
from pathlib import Path

import numpy as np

from grader.checks.api import Check, Gradient, Mistake, declared
from grader.checks.scenario import evaluate
from grader.checks.side_effects import AFTER, changed_slots, judged, stable


def checks_of(reference, name: str, hidden: bool = False) -> list[Check]:
    module = reference(name, "hidden_checks" if hidden else "checks")
    return declared(vars(module), Check)


def mistakes_of(reference, name: str) -> list[Mistake]:
    return declared(vars(reference(name, "mistakes")), Mistake)


def module_from_source(source: str, name: str = "submission") -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


def swapped(reference_module: types.ModuleType, function: str, impl) -> types.ModuleType:
    """A fresh copy of the reference module with ``function`` replaced by ``impl``."""
    module = module_from_source(Path(reference_module.__file__).read_text(), "swapped")
    setattr(module, function, impl)
    return module


def run(check: Check, impl, seed: int = 0) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check.scenario(impl, np.random.default_rng(seed))


def _numerical(f, x, h):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x.copy())
        x[i] = old - h
        minus = f(x.copy())
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def case_passes(check: Check, expected, got) -> bool:
    """One case, judged like the grader: shape, tolerance, NaN positions; or a gradient check."""
    if check.kind == "gradient":
        numeric = _numerical(expected.f, expected.x, expected.h)
        analytic = np.asarray(got.analytic, dtype=float)
        if analytic.shape != numeric.shape:
            return False
        denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
        error = 0.0 if denominator == 0 else np.linalg.norm(analytic - numeric) / denominator
        return bool(error < check.threshold)
    expected, got = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    if expected.shape != got.shape:
        return False
    with np.errstate(invalid="ignore"):
        if check.relative:  # each value within rtol of its own size (floored)
            close = np.abs(got - expected) <= check.rtol * np.maximum(np.abs(expected), check.floor)
            return bool(np.array_equal(np.isnan(expected), np.isnan(got)) and np.all(close | np.isnan(expected)))
        return bool(np.array_equal(np.isnan(expected), np.isnan(got))
                    and np.allclose(got, expected, rtol=check.rtol, atol=check.atol, equal_nan=True))


def changed_arguments(check: Check, reference_impl, impl, seed: int = 0) -> list[str]:
    """The arguments ``impl`` changed although ``check`` requires them left alone, as
    ``"changed <function>:<slot>"`` (a failure of the whole check, like the grader's). Which
    arguments are judged follows the reference's parameter names, as in the grader."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        judged_slots = {stable(n) for n in judged(check.mutates, evaluate(check, reference_impl, seed))
                        if n.startswith(AFTER)}
        changed = changed_slots(evaluate(check, impl, seed))
    return sorted(f"changed {slot[len(AFTER):]}" for slot in changed & judged_slots)


def failing_cases(check: Check, reference_impl, impl, seed: int = 0) -> list[str]:
    """The cases of ``check`` where ``impl`` differs from the reference (all of them on an error),
    then any argument it changed that the check requires left alone."""
    expected = run(check, reference_impl, seed)
    try:
        got = run(check, impl, seed)
    except Exception:  # noqa: BLE001 - a crash fails every case
        return list(expected)
    failing = [k for k in expected if k not in got or not case_passes(check, expected[k], got[k])]
    return failing + changed_arguments(check, reference_impl, impl, seed)


def worst_excess(check: Check, reference_impl, impl, case: str, seed: int = 0) -> float:
    """max |got - expected| / (atol + rtol * |expected|) on one case: above 1 means rejected."""
    expected = np.asarray(run(check, reference_impl, seed)[case], dtype=float)
    got = np.asarray(run(check, impl, seed)[case], dtype=float)
    return float(np.max(np.abs(got - expected) / (check.atol + check.rtol * np.abs(expected))))


__all__ = ["Gradient", "case_passes", "changed_arguments", "checks_of", "failing_cases", "mistakes_of", "module_from_source",
           "run", "swapped", "worst_excess"]
