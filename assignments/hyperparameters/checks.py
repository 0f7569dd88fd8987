"""Public checks of the hyperparameters assignment.

Every sampler is called with a fresh generator seeded from the check's rng, so the expected values
follow from the draws the docstrings fix.
"""

import numpy as np

from grader.checks import check
from grader.checks.edges import with_ties
from grader.checks.helpers import floats


def _gen(rng):
    return np.random.default_rng(int(rng.integers(0, 2**31)))


def _bowl(learning_rate, beta):
    """A smooth objective with its minimum at learning_rate 10**-1.7, beta 1 - 10**-2.2."""
    return float((np.log10(learning_rate) + 1.7) ** 2 + 0.5 * (np.log10(1 - beta) + 2.2) ** 2)


@check(points=2, functions=["sample_learning_rate"])
def sample_learning_rate_values(impl, rng):
    """Learning rates: 12 with the default range, a 2 x 3 array in [1e-3, 1e-1], and one number."""
    return {
        "default_range": floats(impl.sample_learning_rate(_gen(rng), 12)),
        "range_-3_-1": floats(impl.sample_learning_rate(_gen(rng), (2, 3), -3.0, -1.0)),
        "single": floats(impl.sample_learning_rate(_gen(rng))),
    }


@check(points=2, functions=["sample_beta"])
def sample_beta_values(impl, rng):
    """Betas: 12 with the default range, a 2 x 3 array with 1 - beta in [1e-4, 1e-2], and one number."""
    return {
        "default_range": floats(impl.sample_beta(_gen(rng), 12)),
        "range_-4_-2": floats(impl.sample_beta(_gen(rng), (2, 3), -4.0, -2.0)),
        "single": floats(impl.sample_beta(_gen(rng))),
    }


@check(points=2, functions=["random_search"])
def random_search_values(impl, rng):
    """Eight samples of a smooth bowl over the default ranges, and six over narrower ones."""
    out = {}
    for case, args in [("default_ranges", ()), ("narrow_ranges", ((-2.5, -1.0), (-2.5, -1.5)))]:
        n = 8 if not args else 6
        lrs, betas, losses = impl.random_search(_bowl, _gen(rng), n, *args)
        out[f"learning_rates_{case}"] = floats(lrs)
        out[f"betas_{case}"] = floats(betas)
        out[f"losses_{case}"] = floats(losses)
    return out


@check(points=2, functions=["zoom"])
def zoom_values(impl, rng):
    """Zoomed exponent ranges of 20 random samples for k = 5, 1 and 20, and with tied losses (k = 3)."""
    lrs = 10.0 ** rng.uniform(-4, 0, 20)
    betas = 1 - 10.0 ** rng.uniform(-3, -1, 20)
    losses = rng.normal(size=20)
    tied = rng.integers(0, 4, size=20).astype(float)
    out = {}
    for case, ls, k in [("k5", losses, 5), ("k1", losses, 1), ("k20", losses, 20), ("ties_k3", tied, 3)]:
        lr_range, beta_range = impl.zoom(lrs.copy(), betas.copy(), ls.copy(), k)
        out[f"lr_range_{case}"] = floats(lr_range)
        out[f"beta_range_{case}"] = floats(beta_range)
    return out


@check(points=1, functions=["zoom"])
def zoom_ties_keep_the_earlier_samples(impl, rng):
    """40 samples with tied losses, k = 6: among equal losses the earlier samples are the better ones
    (the order np.argsort(losses, kind="stable") gives). Losses take 3 values at random, or are 1
    for the first 20 samples and 0 for the last 20 (the best are samples 20 to 25)."""
    lrs = 10.0 ** rng.uniform(-4, 0, 40)
    betas = 1 - 10.0 ** rng.uniform(-3, -1, 40)
    out = {}
    for case, losses in [("three_values", with_ties(rng, 40, 3)), ("halves", np.repeat([1.0, 0.0], 20))]:
        lr_range, beta_range = impl.zoom(lrs, betas, losses, 6)
        out[f"lr_range_{case}"], out[f"beta_range_{case}"] = floats(lr_range), floats(beta_range)
    return out


@check(points=2, functions=["coarse_to_fine"])
def coarse_to_fine_values(impl, rng):
    """Coarse-to-fine search of a smooth bowl: 12 coarse then 8 fine samples with k = 3 (two sizes
    that differ, so each round must draw its own number), and the defaults."""
    out = {}
    for case, kwargs in [("small", dict(n_coarse=12, n_fine=8, k=3)), ("defaults", {})]:
        lr, beta, loss = impl.coarse_to_fine(_bowl, _gen(rng), **kwargs)
        out[f"best_{case}"] = np.array([float(lr), float(beta), float(loss)])
    return out


@check(points=1, functions=["coarse_to_fine"])
def coarse_to_fine_ties_go_to_the_coarse_round(impl, rng):
    """On a flat objective (every loss 1.0) the best sample is the first coarse one: the coarse
    samples come first, and on equal losses the earlier sample wins."""
    lr, beta, loss = impl.coarse_to_fine(lambda learning_rate, beta: 1.0, _gen(rng), n_coarse=6, n_fine=6, k=2)
    return {"best": np.array([float(lr), float(beta), float(loss)])}
