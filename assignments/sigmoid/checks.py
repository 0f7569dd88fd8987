"""Public checks of the sigmoid assignment."""

import numpy as np

from grader.checks import Gradient, check, gradient_check
from grader.checks.helpers import floats

EXTREME = np.array([-1e4, -1e3, -710.0, -50.0, 50.0, 710.0, 1e3, 1e4])


def _quiet(fn, x):
    """``(values, 1.0)`` if ``fn(x)`` raises no overflow/divide/invalid error, else ``(values, 0.0)``.

    Underflow (a tiny result rounded to 0) is harmless and allowed.
    """
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            values = floats(fn(x))
        return values, 1.0
    except (FloatingPointError, OverflowError):
        with np.errstate(all="ignore"):
            return floats(fn(x)), 0.0


@check(points=2, functions=["sigmoid"])
def sigmoid_values(impl, rng):
    """sigmoid on ordinary inputs, as a vector and as a matrix, and at 0."""
    x = np.concatenate([rng.normal(scale=4.0, size=15), [-30.0, -5.0, 0.0, 5.0, 30.0]])
    return {
        "vector": impl.sigmoid(x),
        "matrix": impl.sigmoid(rng.normal(scale=3.0, size=(3, 4))),
        "zero": impl.sigmoid(0.0),
    }


@check(points=2, functions=["sigmoid"])
def sigmoid_extreme_inputs(impl, rng):
    """sigmoid at inputs up to +-1e4: right values and no overflow warning."""
    x = np.concatenate([EXTREME, rng.uniform(-1e4, 1e4, size=4)])
    values, quiet = _quiet(impl.sigmoid, x)
    return {"values": values, "no_overflow": quiet}


@check(points=1, functions=["sigmoid"], relative=True, rtol=1e-4)
def sigmoid_tiny_values(impl, rng):
    """sigmoid of inputs from -25 to -10 is tiny (1e-11 to 5e-5) but exact: judged by relative error."""
    return {"values": impl.sigmoid(-rng.uniform(10.0, 25.0, size=8))}


@check(points=2, functions=["sigmoid_prime_from_output"])
def sigmoid_prime_from_output_values(impl, rng):
    """The derivative from given sigmoid outputs, including 0, 1/2 and 1."""
    s = np.concatenate([rng.uniform(0.0, 1.0, size=12), [0.0, 0.5, 1.0]])
    return {"values": impl.sigmoid_prime_from_output(s)}


@check(points=2, functions=["sigmoid_prime"])
def sigmoid_prime_values(impl, rng):
    """The derivative at ordinary inputs, as a vector and as a matrix."""
    x = np.concatenate([rng.normal(scale=3.0, size=15), [-8.0, 0.0, 8.0]])
    return {
        "vector": impl.sigmoid_prime(x),
        "matrix": impl.sigmoid_prime(rng.normal(size=(2, 5))),
    }


@check(points=1, functions=["sigmoid_prime"])
def sigmoid_prime_extreme_inputs(impl, rng):
    """The derivative at inputs up to +-1e4: right values and no overflow or nan."""
    x = np.concatenate([EXTREME, rng.uniform(-1e4, 1e4, size=4)])
    values, quiet = _quiet(impl.sigmoid_prime, x)
    return {"values": values, "no_overflow": quiet}


@check(points=1, functions=["sigmoid_prime"], relative=True, rtol=1e-4)
def sigmoid_prime_tails(impl, rng):
    """The derivative at inputs from 10 to 25 in size, both signs, is tiny (1e-11 to 5e-5) but exact:
    judged by relative error."""
    magnitude = rng.uniform(10.0, 25.0, size=8)
    return {"values": impl.sigmoid_prime(np.concatenate([magnitude, -magnitude]))}


@gradient_check(points=1, functions=["sigmoid_prime"])
def sigmoid_prime_is_the_gradient(impl, rng):
    """sigmoid_prime is the gradient of sum(sigmoid(x)) (checked against a centred difference)."""
    x = rng.normal(scale=2.0, size=(4, 3))
    return {"dx": Gradient(impl.sigmoid_prime(x), lambda z: float(np.sum(impl.sigmoid(z))), x)}
