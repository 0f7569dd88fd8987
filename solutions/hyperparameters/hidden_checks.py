"""Hidden checks of the hyperparameters assignment: other sizes, ranges and objectives."""

import numpy as np

from grader.checks import check
from grader.checks.helpers import floats


def _gen(rng):
    return np.random.default_rng(int(rng.integers(0, 2**31)))


@check(points=1, functions=["sample_learning_rate", "sample_beta"], hidden=True)
def hidden_samplers(impl, rng):
    """Both samplers on a 3-D size and a random range."""
    low = float(rng.uniform(-6, -3))
    return {
        "learning_rates": floats(impl.sample_learning_rate(_gen(rng), (2, 2, 3), low, low + 2)),
        "betas": floats(impl.sample_beta(_gen(rng), (2, 2, 3), low, low + 1)),
    }


@check(points=2, functions=["coarse_to_fine"], hidden=True)
def hidden_coarse_to_fine(impl, rng):
    """Coarse-to-fine search of a tilted bowl with 20 + 10 samples and k = 4."""
    a, b = rng.uniform(-3, -0.5), rng.uniform(-2.8, -1.2)

    def objective(learning_rate, beta):
        x, y = np.log10(learning_rate) - a, np.log10(1 - beta) - b
        return float(x**2 + 0.3 * x * y + y**2)

    lr, beta, loss = impl.coarse_to_fine(objective, _gen(rng), n_coarse=20, n_fine=10, k=4)
    return {"best": np.array([float(lr), float(beta), float(loss)])}
