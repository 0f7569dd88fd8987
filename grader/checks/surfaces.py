"""Loss surfaces shared by checks and feedback plots (so a page can draw what a check ran on)."""

from __future__ import annotations

import numpy as np

# An ill-conditioned quadratic bowl: 20x steeper along the second axis than the first.
CURVATURE = np.array([1.0, 20.0])
PATH_START = np.array([-4.0, 1.5])


def quadratic_loss(w: np.ndarray) -> float:
    """0.5 * (w0**2 + 20 * w1**2); its minimum is 0 at the origin."""
    w = np.asarray(w, dtype=float)
    return float(0.5 * np.sum(CURVATURE * w * w))


def quadratic_gradient(w: np.ndarray) -> np.ndarray:
    return CURVATURE * np.asarray(w, dtype=float)


def quadratic_grid(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The loss on a grid (rows: ys, columns: xs), for contour plots."""
    X, Y = np.meshgrid(xs, ys)
    return 0.5 * (CURVATURE[0] * X * X + CURVATURE[1] * Y * Y)
