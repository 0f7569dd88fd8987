"""Hidden checks of the gradient_check assignment: other functions, shapes and networks."""

import numpy as np

from grader.checks import check, must_restore
from grader.checks.helpers import floats, sigmoid


@check(points=2, functions=["numerical_gradient"], hidden=True, mutates=must_restore("numerical_gradient", "x"))
def hidden_numerical_gradient(impl, rng):
    """Centred differences of a log-sum-exp on a 4 x 3 matrix (h = 1e-3), x restored afterwards."""
    x = rng.normal(size=(4, 3))
    weights = rng.uniform(0.5, 2.0, size=(4, 3))

    def logsumexp(v):
        return float(np.log(np.sum(np.exp(weights * v))))

    grad = impl.numerical_gradient(logsumexp, x, 1e-3)
    return {"grad": floats(grad)}


@check(points=1, functions=["relative_error"], hidden=True)
def hidden_relative_error(impl, rng):
    """Relative errors of random 3-D arrays and of nearly equal ones."""
    a = rng.normal(size=(2, 3, 4))
    return {"random": float(impl.relative_error(a, rng.normal(size=(2, 3, 4)))),
            "nearly_equal": float(impl.relative_error(a, a * (1 + 1e-4 * rng.normal(size=a.shape))))}


@check(points=2, functions=["gradient_check"], hidden=True)
def hidden_gradient_check(impl, rng):
    """gradient_check on a 5-3-1 network with a backprop whose b1 gradient is doubled."""
    params = {
        "W1": rng.normal(scale=0.5, size=(5, 3)),
        "b1": rng.normal(scale=0.1, size=3),
        "W2": rng.normal(scale=0.5, size=(3, 1)),
        "b2": rng.normal(scale=0.1, size=1),
    }
    X = rng.normal(size=(8, 5))
    Y = rng.normal(size=(8, 1))

    def doubled_b1(p, X, Y):
        hidden = sigmoid(X @ p["W1"] + p["b1"])
        d_scores = (hidden @ p["W2"] + p["b2"] - Y) / X.shape[0]
        d_pre = (d_scores @ p["W2"].T) * hidden * (1 - hidden)
        return {"W1": X.T @ d_pre, "b1": 2 * d_pre.sum(axis=0), "W2": hidden.T @ d_scores,
                "b2": d_scores.sum(axis=0)}

    return {"doubled_b1": float(impl.gradient_check(params, X, Y, doubled_b1))}
