"""Small numeric helpers that the checks of a course share: ``from grader.checks.helpers import floats``.

A check's scenario runs in the sandbox's child next to the student's code, so this module imports
numpy only. Known mistakes do not use it: each is a whole copy of the function a student would
have written, and reads as that.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def floats(value: Any) -> np.ndarray:
    """``value`` (an array, a list, a number) as a float array: what a scenario returns, whatever
    type the student's function gave back."""
    return np.asarray(value, dtype=float)


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``, written as ``exp(-log(1 + exp(-z)))`` so that no
    ``z`` overflows (and warns), however large: the inputs a check builds for a student need not
    stay small."""
    return np.exp(-np.logaddexp(0.0, -floats(z)))
