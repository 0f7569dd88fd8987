# hyperparameters: your work goes where the TODO banners are.
# Check it with `grade submit` in this folder. Generated from the reference by `grade generate`.
"""
# Hyperparameter search (超参数调优)

The weights and biases are the network's **parameters** (参数): training finds them. The learning
rate, the momentum `beta`, the number of hidden layers and units, the mini-batch size and the
regularisation strength are **hyperparameters** (超参数): they control how training finds the
parameters, and we have to choose them ourselves, usually by trying values and keeping what works.

Two pieces of advice from the notes, both implemented in this assignment:

1. **Sample at random, not on a grid.** With a grid of 5 x 5 values you try only 5 distinct values
   of each hyperparameter; 25 random points try 25 of each, which matters when one hyperparameter
   turns out to be far more important than the other.
2. **Sample on the right scale** (合适的标尺). A learning rate between 1e-4 and 1 sampled uniformly
   puts 90 % of the samples between 0.1 and 1. Sample the *exponent* uniformly instead:
   `r` uniform in [-4, 0] and `learning_rate = 10**r`, so each decade gets the same share. For
   `beta` in [0.9, 0.999] what matters is `1 - beta` (the averaging window is about
   `1 / (1 - beta)` steps: 10 for 0.9, 1000 for 0.999), so sample `r` uniform in [-3, -1] and take
   `beta = 1 - 10**r`.
3. **Coarse to fine** (由粗到细). Search the whole range coarsely, find the region where the best
   results are, then search that region more densely.

Everything here is reproducible: the random draws come from a `numpy.random.Generator` passed in,
in an order fixed by the docstrings.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. Sampling on a log scale
#
# `rng.uniform(low, high, size)` draws uniformly in `[low, high)`; with `size=None` it returns a
# single number. Each sampler makes exactly **one** such call.

# %%


def sample_learning_rate(rng, size=None, log10_low=-4.0, log10_high=0.0):
    """Learning rates ``10**r`` with ``r = rng.uniform(log10_low, log10_high, size)`` (one call).

    With the defaults the learning rates lie in [1e-4, 1], spread evenly over the decades.
    Returns a float when ``size`` is None, else an array of that shape.
    """
    ###########################################################################
    # TODO: draw the exponents with one rng.uniform call, return 10 to their  #
    # power                                                                   #
    ###########################################################################
    raise NotImplementedError('TODO: draw the exponents with one rng.uniform call, return 10 to their power')


def sample_beta(rng, size=None, log10_low=-3.0, log10_high=-1.0):
    """Momentum betas ``1 - 10**r`` with ``r = rng.uniform(log10_low, log10_high, size)`` (one call).

    With the defaults beta lies in [0.9, 0.999] and ``1 - beta`` is spread evenly over the decades.
    """
    ###########################################################################
    # TODO: draw r with one rng.uniform call, return 1 - 10**r                #
    ###########################################################################
    raise NotImplementedError('TODO: draw r with one rng.uniform call, return 1 - 10**r')


# %% [markdown]
# ## 2. A small problem to tune
#
# `momentum_objective` (given) trains on a narrow valley, the loss `0.5 * (w1**2 + 0.01 * w2**2)`
# from `w = (1, 1)`, for 30 steps of SGD with momentum (`v = beta * v - learning_rate * grad`,
# `w = w + v`) and returns the final loss. Too small a learning rate barely moves along the flat
# direction; too large diverges along the steep one; momentum helps along the flat direction.
#
# `random_search` evaluates an objective at random hyperparameters:
#
# 1. draw all `n_samples` learning rates with **one** call `sample_learning_rate(rng, n_samples,
#    *lr_range)`;
# 2. then all betas with **one** call `sample_beta(rng, n_samples, *beta_range)`;
# 3. evaluate `objective(learning_rates[i], betas[i])` for `i = 0, 1, ...`.

# %%


def momentum_objective(learning_rate, beta, steps=30):
    """Loss after ``steps`` momentum steps on ``0.5 * (w1**2 + 0.01 * w2**2)`` from ``(1, 1)``."""
    curvature = np.array([1.0, 0.01])
    w = np.ones(2)
    velocity = np.zeros(2)
    for _ in range(steps):
        velocity = beta * velocity - learning_rate * curvature * w
        w = w + velocity
    return float(0.5 * np.sum(curvature * w**2))


def random_search(objective, rng, n_samples, lr_range=(-4.0, 0.0), beta_range=(-3.0, -1.0)):
    """Evaluate ``objective(learning_rate, beta)`` at ``n_samples`` random points.

    Args:
        objective: function of ``(learning_rate, beta)`` returning a loss (lower is better).
        rng: a ``numpy.random.Generator``.
        n_samples: number of points.
        lr_range: ``(log10_low, log10_high)`` of the learning rates.
        beta_range: ``(log10_low, log10_high)`` of ``1 - beta``.

    Returns:
        ``(learning_rates, betas, losses)``, three float arrays of length ``n_samples``.
    """
    ###########################################################################
    # TODO: sample all learning rates, then all betas, then evaluate the      #
    # objective at each pair                                                  #
    ###########################################################################
    raise NotImplementedError('TODO: sample all learning rates, then all betas, then evaluate the objective at each pair')


# %% [markdown]
# ## 3. Zooming in
#
# `zoom` finds the region of the `k` best samples (the `k` smallest losses; on equal losses the
# earlier sample counts as better, as `np.argsort(losses, kind="stable")` orders them). It returns
# that region *on the sampling scale*, as exponent ranges:
#
# * `lr_range = (min, max)` of `log10(learning_rate)` over the `k` best samples;
# * `beta_range = (min, max)` of `log10(1 - beta)` over the same samples.
#
# `coarse_to_fine` puts it together:
#
# 1. coarse round: `random_search(objective, rng, n_coarse)` over the default ranges;
# 2. `zoom` on the coarse results with `k`;
# 3. fine round: `random_search(objective, rng, n_fine, lr_range, beta_range)` over the zoomed
#    ranges (same `rng`, continuing where the coarse round stopped);
# 4. return the best sample of both rounds together (coarse samples first, so on equal losses the
#    coarse one wins): `(best_learning_rate, best_beta, best_loss)`.

# %%


def zoom(learning_rates, betas, losses, k=5):
    """Exponent ranges ``(lr_range, beta_range)`` spanned by the ``k`` samples of smallest loss."""
    ###########################################################################
    # TODO: pick the k best with a stable argsort, return (min, max) of       #
    # log10(lr) and of log10(1 - beta)                                        #
    ###########################################################################
    raise NotImplementedError('TODO: pick the k best with a stable argsort, return (min, max) of log10(lr) and of log10(1 - beta)')


def coarse_to_fine(objective, rng, n_coarse=30, n_fine=30, k=5):
    """Coarse random search, zoom on the ``k`` best, fine random search there.

    Returns:
        ``(best_learning_rate, best_beta, best_loss)`` over the samples of both rounds.
    """
    ###########################################################################
    # TODO: coarse random_search, zoom, fine random_search in the zoomed      #
    # ranges, best of both rounds                                             #
    ###########################################################################
    raise NotImplementedError('TODO: coarse random_search, zoom, fine random_search in the zoomed ranges, best of both rounds')


# %% [markdown]
# ## 4. Try it
#
# How much better is the coarse-to-fine result than the best of the coarse round alone? Try a few
# seeds.

# %%

if __name__ == "__main__":
    for seed in range(3):
        coarse_lr, coarse_beta, coarse_loss = random_search(momentum_objective, np.random.default_rng(seed), 30)
        i = int(np.argmin(coarse_loss))
        lr, beta, loss = coarse_to_fine(momentum_objective, np.random.default_rng(seed))
        print(f"seed {seed}: coarse best loss {coarse_loss[i]:.2e} (lr {coarse_lr[i]:.3g}, beta "
              f"{coarse_beta[i]:.4f}); coarse-to-fine {loss:.2e} (lr {lr:.3g}, beta {beta:.4f})")


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (they need matplotlib:
# `pip install 'numgrade[figures]'`). Both axes are exponents: `log10(learning_rate)` and
# `log10(1 - beta)`; the shading is `momentum_objective` (darker is lower). A grid of 9 points
# tries only 3 learning rates; 9 random points try 9. Coarse to fine: the best coarse samples
# (ringed) span the box the fine round samples.

# %%


def _objective_map(ax):
    """Shade log10 of momentum_objective over the search's exponent ranges."""
    lr_exponents, beta_exponents = np.linspace(-4, 0, 41), np.linspace(-3, -1, 21)
    loss = np.array([[momentum_objective(10.0**r, 1 - 10.0**s) for r in lr_exponents] for s in beta_exponents])
    ax.contourf(lr_exponents, beta_exponents, np.log10(loss), levels=14, cmap="Greys_r")
    ax.set_xlabel("log10(learning rate)")
    ax.set_ylabel("log10(1 - beta)")


def figure_grid_vs_random(fig):
    """Nine grid points against nine random points (from the sample functions) on the objective."""
    grid_ax, random_ax = fig.subplots(1, 2, sharey=True)
    for ax in (grid_ax, random_ax):
        _objective_map(ax)
    r, s = np.meshgrid([-3.5, -2.0, -0.5], [-2.7, -2.0, -1.3])
    grid_ax.scatter(r, s, color="#d73027", edgecolors="white", s=50)
    grid_ax.set_title("Grid: 3 learning rates tried")
    rng = np.random.default_rng(5)
    learning_rates, betas = sample_learning_rate(rng, 9), sample_beta(rng, 9)
    random_ax.scatter(np.log10(learning_rates), np.log10(1 - betas), color="#d73027", edgecolors="white", s=50)
    random_ax.set_title("Random: 9 learning rates tried")
    random_ax.set_ylabel("")


def figure_coarse_to_fine(fig):
    """A coarse random search, the box zoom draws around its best samples, and the fine search."""
    ax = fig.subplots()
    _objective_map(ax)
    rng = np.random.default_rng(0)
    coarse = random_search(momentum_objective, rng, 30)
    lr_range, beta_range = zoom(*coarse, k=5)
    fine = random_search(momentum_objective, rng, 30, lr_range, beta_range)
    best = np.argsort(coarse[2], kind="stable")[:5]
    ax.scatter(np.log10(coarse[0]), np.log10(1 - coarse[1]), color="#4575b4", edgecolors="white", s=40,
               label="coarse")
    ax.scatter(np.log10(coarse[0][best]), np.log10(1 - coarse[1][best]), facecolors="none", edgecolors="#fdae61",
               s=140, linewidths=2, label="5 best coarse")
    (r0, r1), (s0, s1) = lr_range, beta_range
    ax.plot([r0, r1, r1, r0, r0], [s0, s0, s1, s1, s0], color="#fdae61", linestyle="--")
    ax.scatter(np.log10(fine[0]), np.log10(1 - fine[1]), color="#d73027", edgecolors="white", s=25, label="fine")
    ax.set_title("Coarse, then fine in the box of the best")
    ax.legend(loc="upper left", fontsize="small")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_grid_vs_random)

# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_coarse_to_fine)
