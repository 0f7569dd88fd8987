"""Public checks of the vanishing_gradients assignment."""

import numpy as np

from grader.checks import Gradient, check, gradient_check
from grader.checks.helpers import floats, sigmoid

WIDTH = 5


def _away_from_zero(rng, size):
    """Normal numbers pushed at least 0.05 away from 0 (ReLU's kink)."""
    z = rng.normal(size=size)
    return np.where(z >= 0, z + 0.05, z - 0.05)


def _layers(rng, depth, width=WIDTH, scale=1.0):
    return [rng.normal(scale=scale / np.sqrt(width), size=(width, width)) for _ in range(depth)]


@check(points=2, functions=["activation_derivative"])
def activation_derivative_values(impl, rng):
    """Slopes of sigmoid and ReLU at pre-activations (a vector and a matrix, ReLU away from 0)."""
    return {
        "sigmoid_vector": floats(impl.activation_derivative(rng.normal(scale=3.0, size=8), "sigmoid")),
        "sigmoid_matrix": floats(impl.activation_derivative(rng.normal(scale=3.0, size=(3, 4)), "sigmoid")),
        "relu_vector": floats(impl.activation_derivative(_away_from_zero(rng, 8), "relu")),
        "relu_matrix": floats(impl.activation_derivative(_away_from_zero(rng, (3, 4)), "relu")),
    }


@check(points=1, functions=["activation_derivative"])
def relu_slope_at_zero(impl, rng):
    """ReLU's slope at exactly 0 (and -0.0) is 0, as the docstring fixes; just beside 0 it is 1 or 0."""
    z = np.array([0.0, -0.0, 1e-12, -1e-12])
    return {"relu_at_and_around_zero": floats(impl.activation_derivative(z, "relu"))}


@check(points=3, functions=["input_gradient"])
def input_gradient_values(impl, rng):
    """Input gradients through 1, 3 and 6 layers of width 5, sigmoid and ReLU (ReLU with gain 2)."""
    out = {}
    for activation, scale in [("sigmoid", 1.0), ("relu", 2.0)]:
        for depth in (1, 3, 6):
            x = rng.normal(size=WIDTH)
            out[f"{activation}_depth_{depth}"] = floats(impl.input_gradient(x, _layers(rng, depth, scale=scale),
                                                                        activation))
    return out


@gradient_check(points=2, functions=["input_gradient", "activation_derivative"])
def input_gradient_matches_numerical(impl, rng):
    """input_gradient of a 3-layer sigmoid stack against centred differences of sum(a_L)."""
    weights = _layers(rng, 3, scale=2.0)

    def total_activation(x):
        out = np.array(x, dtype=float)
        for layer in weights:
            out = sigmoid(out @ layer)
        return float(np.sum(out))

    x = rng.normal(size=WIDTH)
    return {"d_sum_aL_dx": Gradient(floats(impl.input_gradient(x.copy(), weights, "sigmoid")), total_activation, x)}


@check(points=2, functions=["gradient_norms"])
def gradient_norms_values(impl, rng):
    """Norms for depths [1, 2, 4, 8] at width 6: sigmoid (gain 1) and ReLU (gain 1 and sqrt 2)."""
    seed = int(rng.integers(0, 2**31))
    depths = [1, 2, 4, 8]
    return {
        "sigmoid": floats(impl.gradient_norms(depths, 6, "sigmoid", np.random.default_rng(seed))),
        "relu": floats(impl.gradient_norms(depths, 6, "relu", np.random.default_rng(seed + 1))),
        "relu_he": floats(impl.gradient_norms(depths, 6, "relu", np.random.default_rng(seed + 2),
                                          gain=np.sqrt(2))),
    }
