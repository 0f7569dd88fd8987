"""Hidden checks of the vanishing_gradients assignment: other widths and depths."""

import numpy as np

from grader.checks import check
from grader.checks.helpers import floats


@check(points=2, functions=["input_gradient"], hidden=True)
def hidden_input_gradient(impl, rng):
    """Input gradients through 4 sigmoid layers and 4 ReLU layers of width 7."""
    out = {}
    for activation in ("sigmoid", "relu"):
        x = rng.normal(size=7)
        weights = [rng.normal(scale=1.5 / np.sqrt(7), size=(7, 7)) for _ in range(4)]
        out[activation] = floats(impl.input_gradient(x, weights, activation))
    return out


@check(points=1, functions=["gradient_norms"], hidden=True)
def hidden_gradient_norms(impl, rng):
    """Norms for depths [3, 1, 5] at width 9 (sigmoid) and gain 2 (ReLU)."""
    seed = int(rng.integers(0, 2**31))
    return {
        "sigmoid": floats(impl.gradient_norms([3, 1, 5], 9, "sigmoid", np.random.default_rng(seed))),
        "relu": floats(impl.gradient_norms([3, 1, 5], 9, "relu", np.random.default_rng(seed + 1), gain=2.0)),
    }
