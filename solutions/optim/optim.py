"""
# Optimizers: SGD, momentum, RMSprop and Adam (优化算法)

Plain gradient descent (梯度下降) moves the weights a fixed fraction of the gradient downhill:
`w <- w - learning_rate * dw`. On long, narrow valleys of the loss this zig-zags across the valley
and crawls along it. The three update rules in this assignment keep a little memory of past
gradients to do better:

* **Momentum** (动量梯度下降) keeps a running "velocity": an exponentially weighted average of
  past steps. Oscillations across the valley cancel out, progress along the valley adds up.
* **RMSprop** keeps a running average of the *squared* gradient for each weight and divides the
  step by its square root, so weights with large, noisy gradients take smaller steps and weights
  with small, steady gradients take larger ones.
* **Adam** (自适应矩估计, adaptive moment estimation) combines the two: a running mean of the
  gradient (first moment, like momentum) and of its square (second moment, like RMSprop), with a
  **bias correction** (偏差修正) that undoes the pull of the zero starting values during the first
  steps.

## The interface

Every update rule has the same signature, the one used by the classic CS231n assignments:

    next_w, config = update(w, dw, config=None)

* `w`: the current weights (an array of any shape), `dw`: the gradient of the loss at `w` (same
  shape);
* `config`: a dictionary of hyperparameters *and of the optimizer's state*. When it is `None` a new
  dictionary is made with the default hyperparameters. The function must leave the updated state in
  the dictionary it returns, so that a training loop can feed it back in at the next step:

      config = None
      for step in range(n_steps):
          w, config = adam(w, gradient(w), config)

The keys and defaults are fixed (other code reads them):

| rule           | hyperparameters (default)                                      | state                         |
|----------------|-----------------------------------------------------------------|-------------------------------|
| `sgd`          | `learning_rate` (1e-2)                                          | none                          |
| `sgd_momentum` | `learning_rate` (1e-2), `momentum` (0.9)                        | `velocity` (zeros)            |
| `rmsprop`      | `learning_rate` (1e-2), `decay_rate` (0.99), `epsilon` (1e-8)   | `cache` (zeros)               |
| `adam`         | `learning_rate` (1e-3), `beta1` (0.9), `beta2` (0.999), `epsilon` (1e-8) | `m`, `v` (zeros), `t` (0) |

You may update `w` in place, as the CS231n starter code does (`w -= learning_rate * dw`), or
compute a new array: either way return the updated weights as `next_w`. Leave `dw` alone, and do
store the new state in `config`: forgetting to store it silently turns momentum back into plain SGD.
"""

import numpy as np

# %% [markdown]
# ## 1. Stochastic gradient descent
#
# The baseline: one step of size `learning_rate` against the gradient,
#
#     w <- w - learning_rate * dw
#
# It has no state, so the only key in `config` is `learning_rate`.

# %%


def sgd(w, dw, config=None):
    """One step of plain (stochastic) gradient descent.

    config keys:
        learning_rate: step size (default 1e-2).

    Returns:
        ``(next_w, config)``.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)

    # BEGIN SOLUTION: compute next_w, one step of size learning_rate against the gradient dw
    next_w = w - config["learning_rate"] * dw
    # END SOLUTION

    return next_w, config


# %% [markdown]
# ## 2. SGD with momentum (动量)
#
# Momentum keeps a velocity `v` (it starts at zero). At each step the old velocity is damped by
# the factor `momentum` (mu, usually 0.9) and the new gradient step is added to it; the weights
# then move by the velocity:
#
#     v <- momentum * v - learning_rate * dw
#     w <- w + v
#
# Note the signs: the velocity already points *downhill*, so it is added to `w`. Store the new `v`
# in `config["velocity"]`; the next call starts from it.
#
# (Some lecture notes write momentum as an exponentially weighted average (指数加权平均),
# `v = beta * v + (1 - beta) * dw` followed by `w = w - learning_rate * v`. That is the same idea
# with a differently scaled velocity; this assignment uses the form above.)

# %%


def sgd_momentum(w, dw, config=None):
    """One step of stochastic gradient descent with momentum.

    config keys:
        learning_rate: step size (default 1e-2).
        momentum: damping factor of the velocity, between 0 and 1 (default 0.9); 0 gives plain SGD.
        velocity: array shaped like ``w``: the running velocity (starts at zeros).

    Returns:
        ``(next_w, config)`` with ``config["velocity"]`` holding the new velocity.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))

    # BEGIN SOLUTION: update the velocity v, compute next_w from it, and store v in config["velocity"]
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    # END SOLUTION

    return next_w, config


# %% [markdown]
# ## 3. RMSprop
#
# RMSprop keeps `cache`, a running average of the squared gradient (elementwise), and scales each
# weight's step by one over its root mean square:
#
#     cache <- decay_rate * cache + (1 - decay_rate) * dw**2
#     w     <- w - learning_rate * dw / (sqrt(cache) + epsilon)
#
# `epsilon` only keeps the division safe when the cache is (nearly) zero; it is added *after* the
# square root. Store the new cache in `config["cache"]`.

# %%


def rmsprop(w, dw, config=None):
    """One RMSprop step: per-weight step sizes from a running average of squared gradients.

    config keys:
        learning_rate: step size (default 1e-2).
        decay_rate: decay of the squared-gradient average, between 0 and 1 (default 0.99).
        epsilon: small number that keeps the division safe (default 1e-8).
        cache: array shaped like ``w``: running average of ``dw**2`` (starts at zeros).

    Returns:
        ``(next_w, config)`` with ``config["cache"]`` holding the new cache.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    # BEGIN SOLUTION: update the cache, compute next_w, and store the cache in config["cache"]
    cache = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    # END SOLUTION

    return next_w, config


# %% [markdown]
# ## 4. Adam (自适应矩估计)
#
# Adam keeps a running mean of the gradient `m` (first moment, 一阶矩) and of its square `v`
# (second moment, 二阶矩), plus a step counter `t` that starts at 0. One step:
#
#     t     <- t + 1                       # count this step first: t is 1 at the first step
#     m     <- beta1 * m + (1 - beta1) * dw
#     v     <- beta2 * v + (1 - beta2) * dw**2
#     m_hat <- m / (1 - beta1**t)            # bias correction
#     v_hat <- v / (1 - beta2**t)
#     w     <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
#
# Why the bias correction? `m` and `v` start at zero, so after the first step `m` is only
# `(1 - beta1) * dw`, a tenth of the gradient, and `v` a thousandth of its square. Dividing by
# `1 - beta**t` scales them back up; as `t` grows the divisor tends to 1 and the correction fades.
# Without it the first steps of Adam have the wrong size.
#
# Store the new `m`, `v` and `t` in `config`.

# %%


def adam(w, dw, config=None):
    """One Adam step, with bias correction.

    config keys:
        learning_rate: step size (default 1e-3).
        beta1: decay of the running mean of the gradient (default 0.9).
        beta2: decay of the running mean of the squared gradient (default 0.999).
        epsilon: small number that keeps the division safe (default 1e-8).
        m: array shaped like ``w``: running mean of ``dw`` (starts at zeros).
        v: array shaped like ``w``: running mean of ``dw**2`` (starts at zeros).
        t: number of steps taken so far (starts at 0; incremented *before* it is used, so the
           first step uses ``t = 1``).

    Returns:
        ``(next_w, config)`` with ``config["m"]``, ``config["v"]`` and ``config["t"]`` updated.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    # BEGIN SOLUTION: increment t, update m and v, bias-correct them, compute next_w, store m, v, t
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = beta1 * config["m"] + (1 - beta1) * dw
    v = beta2 * config["v"] + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    # END SOLUTION

    return next_w, config


# %% [markdown]
# ## 5. Try them on a narrow valley
#
# The loss `0.5 * (x**2 + 50 * y**2)` is a long, narrow valley: steep across (`y`), flat along
# (`x`). Run the cell to compare how far each rule gets from `(-2, 0.5)` in 100 steps.

# %%

if __name__ == "__main__":
    curvature = np.array([1.0, 50.0])

    def valley_gradient(w):
        return curvature * w

    for name, rule, config in [
        ("sgd", sgd, {"learning_rate": 0.03}),
        ("sgd_momentum", sgd_momentum, {"learning_rate": 0.03, "momentum": 0.9}),
        ("rmsprop", rmsprop, {"learning_rate": 0.03}),
        ("adam", adam, {"learning_rate": 0.1}),
    ]:
        w = np.array([-2.0, 0.5])
        for _ in range(100):
            w, config = rule(w, valley_gradient(w), config)
        loss = 0.5 * np.sum(curvature * w**2)
        print(f"{name:>13}: w = {np.round(w, 4)}, loss = {loss:.2e}")


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (they need matplotlib:
# `pip install 'numgrade[figures]'`).
#
# 1. Exponentially weighted averages of a noisy series, read from your Adam's `m` for three values
#    of `beta1`: without bias correction the averages start near zero; divided by `1 - beta1**t`
#    they follow the data from the first step.
# 2. The four rules on the narrow valley: plain SGD crawls along the flat direction, momentum
#    overshoots and swings, RMSprop and Adam rescale each direction by its own gradient size.

# %%


def figure_weighted_averages(fig):
    """Running averages of a noisy series from adam's m, before and after bias correction."""
    days = np.arange(1, 101)
    series = 10 + 8 * np.sin(days / 16) + np.random.default_rng(0).normal(scale=3.0, size=days.size)
    raw, corrected = fig.subplots(1, 2, sharey=True)
    for ax in (raw, corrected):
        ax.scatter(days, series, s=6, color="#bbbbbb")
    for beta, colour in [(0.5, "#fdae61"), (0.9, "#d73027"), (0.98, "#4575b4")]:
        config, m, m_hat = {"learning_rate": 0.0, "beta1": beta}, [], []
        for value in series:
            _, config = adam(np.zeros(1), np.array([value]), config)
            m.append(float(config["m"][0]))
            m_hat.append(m[-1] / (1 - beta ** config["t"]))
        raw.plot(days, m, color=colour, label=f"beta {beta:g}")
        corrected.plot(days, m_hat, color=colour, label=f"beta {beta:g}")
    raw.set_title("m: weighted average, no correction")
    corrected.set_title("m / (1 - beta**t): bias-corrected")
    raw.set_xlabel("t")
    corrected.set_xlabel("t")
    raw.legend(loc="lower right", fontsize="small")


def figure_valley(fig):
    """Paths of sgd, sgd_momentum, rmsprop and adam on the narrow valley, and their losses."""
    curvature = np.array([1.0, 50.0])
    paths, losses = fig.subplots(1, 2)
    x, y = np.meshgrid(np.linspace(-2.2, 1.0, 161), np.linspace(-0.7, 0.7, 71))
    paths.contour(x, y, 0.5 * (x**2 + 50 * y**2), levels=np.geomspace(0.005, 15, 12), cmap="Greys",
                  linewidths=0.7)
    for name, rule, config, colour in [
        ("sgd", sgd, {"learning_rate": 0.03}, "#4575b4"),
        ("momentum", sgd_momentum, {"learning_rate": 0.03, "momentum": 0.9}, "#fdae61"),
        ("rmsprop", rmsprop, {"learning_rate": 0.03}, "#1a9850"),
        ("adam", adam, {"learning_rate": 0.1}, "#d73027"),
    ]:
        path = [np.array([-2.0, 0.5])]
        for _ in range(100):
            step, config = rule(path[-1], curvature * path[-1], config)
            path.append(np.asarray(step, dtype=float))
        path = np.array(path)
        paths.plot(path[:, 0], path[:, 1], linewidth=1, color=colour, label=name)
        losses.semilogy(0.5 * np.sum(curvature * path**2, axis=1), color=colour, label=name)
    paths.set_title("Paths on 0.5 (x^2 + 50 y^2)")
    paths.set_xlabel("x")
    paths.set_ylabel("y")
    paths.legend(loc="lower right", fontsize="small")
    losses.set_title("Loss per step")
    losses.set_xlabel("step")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_weighted_averages)

# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_valley)
