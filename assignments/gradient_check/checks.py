"""Public checks of the gradient_check assignment.

The loss functions here use only their argument, so a numerical gradient that nudges a copy of
``x`` scores the same as one that nudges ``x`` in place; either way ``x`` must be as it was when
the function returns (``RESTORES_X``), and ``gradient_check`` leaves ``params`` alone. Some cases
pass a larger ``h`` (positionally, as the third argument) so that one-sided and centred differences
differ well beyond the tolerances.
"""

import numpy as np

from grader.checks import check, must_restore
from grader.checks.edges import reordered
from grader.checks.helpers import floats, sigmoid

# The numerical gradients nudge x in place and must put every entry back before returning.
RESTORES_X = [must_restore("numerical_gradient", "x"), must_restore("numerical_gradient_one_sided", "x")]


def _cube_sum(v):
    return float(np.sum(v**3))


def _quartic_sin(v):
    return float(np.sum(v**4) / 4 + np.sum(np.sin(v)))


def _mixed(v):
    return float(np.sum(np.exp(0.5 * v) * v**2))


@check(points=3, functions=["numerical_gradient"], mutates=RESTORES_X)
def numerical_gradient_values(impl, rng):
    """Centred differences of three smooth functions (vector and matrix inputs), x restored after each.

    Cases: sum(x**3) with the default h; sum(x**4)/4 + sum(sin x) on a 3 x 4 matrix with h = 1e-3;
    sum(exp(x/2) x**2) on a 2 x 2 x 3 array with h = 1e-4.
    """
    x1 = rng.uniform(0.05, 0.3, size=5)
    x2 = rng.uniform(-1.0, 1.0, size=(3, 4))
    x3 = rng.uniform(-1.0, 1.0, size=(2, 2, 3))
    g1 = impl.numerical_gradient(_cube_sum, x1)
    g2 = impl.numerical_gradient(_quartic_sin, x2, 1e-3)
    g3 = impl.numerical_gradient(_mixed, x3, 1e-4)
    return {"cube_sum_default_h": floats(g1), "quartic_sin_matrix": floats(g2), "mixed_3d": floats(g3)}


@check(points=1, functions=["numerical_gradient"], mutates=RESTORES_X)
def numerical_gradient_uses_h(impl, rng):
    """The step h is the one given: the centred difference of sum(x**3) with h = 0.1 is exactly
    3 x**2 + h**2 (0.01 above the derivative)."""
    return {"cube_sum_h_0.1": floats(impl.numerical_gradient(_cube_sum, rng.uniform(-1.0, 1.0, size=4), 0.1))}


@check(points=2, functions=["numerical_gradient_one_sided"], mutates=RESTORES_X)
def numerical_gradient_one_sided_values(impl, rng):
    """Forward differences of sum(x**3) (h = 1e-3) and of sum(x**4)/4 + sum(sin x) (default h), x restored."""
    x1 = rng.uniform(0.05, 0.3, size=5)
    x2 = rng.uniform(-1.0, 1.0, size=(3, 4))
    g1 = impl.numerical_gradient_one_sided(_cube_sum, x1, 1e-3)
    g2 = impl.numerical_gradient_one_sided(_quartic_sin, x2)
    return {"cube_sum": floats(g1), "quartic_sin_default_h": floats(g2)}


@check(points=2, functions=["relative_error"])
def relative_error_values(impl, rng):
    """Relative error of random vectors, of close matrices, of two zero arrays and of zero vs nonzero."""
    a = rng.normal(size=6)
    m = rng.normal(size=(3, 4))
    z = np.zeros(5)
    return {
        "random_vectors": float(impl.relative_error(a, rng.normal(size=6))),
        "close_matrices": float(impl.relative_error(m, m + 1e-3 * rng.normal(size=(3, 4)))),
        "scaled_vector": float(impl.relative_error(3.0 * a, 2.0 * a)),
        "both_zero": float(impl.relative_error(z, z.copy())),
        "zero_and_nonzero": float(impl.relative_error(z, rng.normal(size=5))),
    }


@check(points=1, functions=["relative_error"])
def relative_error_is_scale_free(impl, rng):
    """The relative error does not depend on the gradients' scale: the same for gradients of size
    1e-9 and 1e9 as for gradients of size 1 (no epsilon in the denominator)."""
    a, b = rng.normal(size=6), rng.normal(size=6)
    return {f"scale_{scale:g}": float(impl.relative_error(scale * a, scale * b)) for scale in (1e-9, 1.0, 1e9)}


# A copy of the network's math, so the check does not depend on the student keeping the given code.
def _backprop(params, X, Y, slope=True, average=True):
    hidden = sigmoid(X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    d_scores = (scores - Y) / (X.shape[0] if average else 1)
    d_pre = d_scores @ params["W2"].T
    if slope:
        d_pre = d_pre * hidden * (1 - hidden)
    return {"W1": X.T @ d_pre, "b1": d_pre.sum(axis=0), "W2": hidden.T @ d_scores,
            "b2": d_scores.sum(axis=0)}


def _problem(rng):
    params = {
        "W1": rng.normal(scale=0.5, size=(3, 4)),
        "b1": rng.normal(scale=0.1, size=4),
        "W2": rng.normal(scale=0.5, size=(4, 2)),
        "b2": rng.normal(scale=0.1, size=2),
    }
    X = rng.normal(size=(6, 3))
    Y = rng.normal(size=(6, 2))
    return params, X, Y


@check(points=3, functions=["gradient_check"])
def gradient_check_values(impl, rng):
    """gradient_check on a 3-4-2 network: the correct backprop passes (error < 1e-7), and the
    relative errors of three broken backprops (no sigmoid slope, no averaging over records, a W1
    gradient with the wrong sign)."""
    params, X, Y = _problem(rng)

    def no_slope(p, X, Y):
        return _backprop(p, X, Y, slope=False)

    def no_average(p, X, Y):
        return _backprop(p, X, Y, average=False)

    def w1_sign(p, X, Y):
        grads = _backprop(p, X, Y)
        grads["W1"] = -grads["W1"]
        return grads

    correct = impl.gradient_check(params, X, Y, _backprop)
    out = {
        "correct_backprop_passes": np.array(float(correct) < 1e-7),
        "no_hidden_slope": float(impl.gradient_check(params, X, Y, no_slope)),
        "no_average": float(impl.gradient_check(params, X, Y, no_average)),
        "w1_wrong_sign": float(impl.gradient_check(params, X, Y, w1_sign)),
    }
    return out


@check(points=1, functions=["gradient_check"])
def gradient_check_any_key_order(impl, rng):
    """The order of the keys does not matter: params, and the gradients backprop returns, in other
    orders give the same relative errors (for the correct backprop and one with the W1 sign flipped)."""
    params, X, Y = _problem(rng)

    def shuffled_backprop(p, X, Y):
        return reordered(_backprop(p, X, Y), rng)

    def w1_sign(p, X, Y):
        grads = _backprop(p, X, Y)
        grads["W1"] = -grads["W1"]
        return reordered(grads, rng)

    return {"correct_backprop_passes": np.array(float(impl.gradient_check(reordered(params, rng), X, Y,
                                                                            shuffled_backprop)) < 1e-7),
            "w1_wrong_sign": float(impl.gradient_check(reordered(params, rng), X, Y, w1_sign))}


@check(points=1, functions=["gradient_check"])
def gradient_check_uses_h(impl, rng):
    """The step h is the one given: with a coarse h = 0.1 even the correct backprop shows a
    relative error well above 1e-7."""
    params, X, Y = _problem(rng)
    return {"correct_backprop_h_0.1": float(impl.gradient_check(params, X, Y, _backprop, 0.1))}
