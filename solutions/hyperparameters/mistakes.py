"""Known mistakes of the hyperparameters assignment."""

import numpy as np

from grader.checks import mistake


@mistake("sample_learning_rate", hint="Looks like the learning rate was sampled uniformly on a linear "
                                       "scale: sample the exponent r uniformly and return 10**r.")
def learning_rate_linear_scale(rng, size=None, log10_low=-4.0, log10_high=0.0):
    return rng.uniform(10.0**log10_low, 10.0**log10_high, size)


@mistake("sample_learning_rate", hint="Looks like e**r: the exponents are powers of ten, return 10**r.")
def learning_rate_natural_exp(rng, size=None, log10_low=-4.0, log10_high=0.0):
    return np.exp(rng.uniform(log10_low, log10_high, size))


@mistake("sample_beta", hint="Looks like beta was sampled uniformly between its bounds: sample r "
                              "uniformly in [-3, -1] and return 1 - 10**r.")
def beta_linear_scale(rng, size=None, log10_low=-3.0, log10_high=-1.0):
    return rng.uniform(1 - 10.0**log10_high, 1 - 10.0**log10_low, size)


@mistake("sample_beta", hint="Looks like 10**r was returned as beta: 10**r is 1 - beta, so return "
                              "1 - 10**r.")
def beta_missing_one_minus(rng, size=None, log10_low=-3.0, log10_high=-1.0):
    return 10.0 ** rng.uniform(log10_low, log10_high, size)


@mistake("random_search", hint="Looks like the learning rate and beta were drawn in turn for each "
                                "sample: draw all learning rates in one call, then all betas.")
def random_search_interleaved(objective, rng, n_samples, lr_range=(-4.0, 0.0), beta_range=(-3.0, -1.0)):
    lrs, betas = np.empty(n_samples), np.empty(n_samples)
    for i in range(n_samples):
        lrs[i] = 10.0 ** rng.uniform(*lr_range)
        betas[i] = 1 - 10.0 ** rng.uniform(*beta_range)
    return lrs, betas, np.array([objective(lr, b) for lr, b in zip(lrs, betas)])


@mistake("zoom", hint="Looks like zoom kept the k largest losses: the best samples have the smallest "
                       "loss (sort ascending).")
def zoom_worst_samples(learning_rates, betas, losses, k=5):
    worst = np.argsort(-np.asarray(losses, dtype=float), kind="stable")[:k]
    lr_e = np.log10(np.asarray(learning_rates, dtype=float)[worst])
    b_e = np.log10(1 - np.asarray(betas, dtype=float)[worst])
    return (lr_e.min(), lr_e.max()), (b_e.min(), b_e.max())


@mistake("zoom", hint="Looks like zoom returned the values themselves: return exponent ranges, "
                       "log10(learning_rate) and log10(1 - beta), the scale the samplers draw on.")
def zoom_linear_ranges(learning_rates, betas, losses, k=5):
    best = np.argsort(np.asarray(losses, dtype=float), kind="stable")[:k]
    lrs = np.asarray(learning_rates, dtype=float)[best]
    bs = np.asarray(betas, dtype=float)[best]
    return (lrs.min(), lrs.max()), (bs.min(), bs.max())


def _search(objective, rng, n, lr_range, beta_range):
    lrs = 10.0 ** rng.uniform(lr_range[0], lr_range[1], n)
    betas = 1 - 10.0 ** rng.uniform(beta_range[0], beta_range[1], n)
    return lrs, betas, np.array([objective(lr, b) for lr, b in zip(lrs, betas)])


@mistake("coarse_to_fine", hint="Looks like the fine round searched the full ranges again: search "
                                 "the ranges that zoom returns for the coarse round's best samples.")
def coarse_to_fine_no_zoom(objective, rng, n_coarse=30, n_fine=30, k=5):
    coarse = _search(objective, rng, n_coarse, (-4.0, 0.0), (-3.0, -1.0))
    fine = _search(objective, rng, n_fine, (-4.0, 0.0), (-3.0, -1.0))
    lrs, betas, losses = (np.concatenate([c, f]) for c, f in zip(coarse, fine))
    i = int(np.argmin(losses))
    return lrs[i], betas[i], losses[i]
