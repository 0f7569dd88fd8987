"""Edge inputs a check should try: the inputs where plausible mistakes show.

Each helper is a one-liner a scenario calls on its own inputs. Typical blind spots they close:

* ``>`` for ``>=``: try the exact threshold (:func:`at_and_around`);
* an unstable sort or a wrong tie rule: try ties (:func:`with_ties`);
* a sum where a mean was meant, a missing ``keepdims``: try a batch of one (:func:`one_record`)
  and a column vector (:func:`column`);
* an error hidden below the absolute tolerance: run at tiny and huge scales and compare in the
  scale's own units (:func:`in_units`), or use ``relative=True`` on the check with values that
  span orders of magnitude (:func:`spanning`);
* a denominator hidden by vectors of norm about 1: try other norms (:func:`with_norm`);
* a dict read in one key order only: try another order (:func:`reordered`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCALES = (1e-8, 1.0, 1e8)  # tiny, ordinary, huge: compare each in its own units (in_units)


def at_and_around(threshold: float = 0.0, gap: float = 1e-9) -> np.ndarray:
    """``[threshold, threshold - gap, threshold + gap]``: the threshold itself and its neighbours."""
    return np.array([threshold, threshold - gap, threshold + gap], dtype=float)


def with_ties(rng: np.random.Generator, n: int, n_distinct: int = 3) -> np.ndarray:
    """``n`` values drawn from only ``n_distinct`` distinct ones, so sorting meets ties."""
    return rng.choice(rng.normal(size=n_distinct), size=n)


def one_record(records: Any) -> np.ndarray:
    """The first record of a batch, still a batch: shape ``(1, n_features)``."""
    return np.asarray(records)[:1]


def column(vector: Any) -> np.ndarray:
    """A vector as a column, shape ``(n, 1)``."""
    return np.asarray(vector).reshape(-1, 1)


def in_units(value: Any, scale: float) -> np.ndarray:
    """``value / scale`` as float64: an output at scale 1e-8 judged as strictly as one at scale 1."""
    return np.asarray(value, dtype=float) / scale


def spanning(rng: np.random.Generator, size: Any, low: int = -12, high: int = 3) -> np.ndarray:
    """Values of random sign whose magnitudes span ``10**low`` to ``10**high`` (judge with ``relative=True``)."""
    magnitude = 10.0 ** rng.uniform(low, high, size=size)
    return magnitude * rng.choice([-1.0, 1.0], size=size)


def with_norm(vector: Any, norm: float) -> np.ndarray:
    """``vector`` rescaled to Euclidean norm ``norm`` (vectors of norm 1 hide a wrong denominator)."""
    vector = np.asarray(vector, dtype=float)
    return vector * (norm / np.linalg.norm(vector))


def reordered(mapping: dict, rng: np.random.Generator) -> dict:
    """The same dict with its keys in another (random, reproducible) order."""
    keys = list(mapping)
    order = rng.permutation(len(keys))
    return {keys[i]: mapping[keys[i]] for i in order}
