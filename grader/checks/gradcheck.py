"""Numerical gradients and the relative error used by gradient checks."""

from __future__ import annotations

from typing import Callable

import numpy as np

from grader.checks.api import DEFAULT_STEP


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = DEFAULT_STEP) -> np.ndarray:
    """Centred difference (f(x+h) - f(x-h)) / 2h per element, in float64; ``x`` is restored."""
    x = np.array(x, dtype=np.float64)  # our own copy: the caller's array is never touched
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = float(f(x))
        flat[i] = old - h
        minus = float(f(x))
        flat[i] = old
        g[i] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), 0 when both are 0; inf when either holds NaN or inf."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)
