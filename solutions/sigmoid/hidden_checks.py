"""Hidden checks of the sigmoid assignment."""

import numpy as np

from grader.checks import check


@check(points=1, functions=["sigmoid"], hidden=True)
def hidden_sigmoid(impl, rng):
    """sigmoid over a wide range of inputs, without overflow."""
    x = rng.uniform(-1e4, 1e4, size=(4, 5))
    x[0] = rng.normal(size=5)
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        return {"values": impl.sigmoid(x)}


@check(points=1, functions=["sigmoid_prime_from_output"], hidden=True)
def hidden_sigmoid_prime_from_output(impl, rng):
    """The derivative from a matrix of outputs."""
    return {"values": impl.sigmoid_prime_from_output(rng.uniform(0.0, 1.0, size=(3, 6)))}


@check(points=1, functions=["sigmoid_prime"], hidden=True)
def hidden_sigmoid_prime(impl, rng):
    """The derivative over a wide range of inputs, without overflow."""
    x = np.concatenate([rng.normal(scale=5.0, size=10), rng.uniform(-1e4, 1e4, size=5)])
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        return {"values": impl.sigmoid_prime(x)}
