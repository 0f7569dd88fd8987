"""
# Gradient descent (梯度下降) for one sigmoid unit

A single sigmoid unit predicts `y_hat = sigmoid(x . w)` for a record `x`. To learn the weights `w`
from records with known targets `y`, we measure how wrong the predictions are with the squared error
(平方误差)

    E = 1/2 * sum over records of (y - y_hat)**2

and walk downhill: move each weight a small step against the gradient of `E`. Squaring makes large
errors cost much more than small ones, and the 1/2 cancels the 2 from the derivative.

## The update for one record

With `h = x . w` and `y_hat = sigmoid(h)`, the chain rule gives

    dE/dw_i = -(y - y_hat) * sigmoid'(h) * x_i

and `sigmoid'(h) = y_hat * (1 - y_hat)`. Name the two factors that do not depend on `i`:

    error      = y - y_hat
    error_term = error * y_hat * (1 - y_hat)        (the error term, 误差项 delta)

Then stepping against the gradient with learning rate `alpha` (学习率) is

    w_i <- w_i + alpha * error_term * x_i

Note the sign: `error = y - y_hat` and the step is *added*. Using `y_hat - y` and adding walks uphill.

## Averaging over records

The classic exercise loops over all records, accumulates `del_w += error_term * x` for each, and only
after the loop updates `w += alpha * del_w / n_records`: the step uses the *average* gradient, so the
learning rate does not have to shrink when the data set grows.

## Three ways to batch (批量 / 随机 / mini-batch 梯度下降)

- **Batch gradient descent** (批量梯度下降, BGD) uses all `n` records for every step: an exact,
  smooth descent direction, but one step per pass over the data, which is slow on large data sets.
- **Stochastic gradient descent** (随机梯度下降, SGD) steps after each single record: many cheap,
  noisy steps per pass; the noise means it wanders around the minimum rather than settling in it.
- **Mini-batch gradient descent** steps after each batch of `b` records: the usual compromise. Larger
  batches give steadier directions and better use of vectorised arithmetic, but fewer steps per pass
  and more memory; beyond some size the direction stops improving.

All three are the same algorithm with batch size `n`, `1` and `b`. In this assignment one function
shuffles the records into mini-batches and one training loop serves all three.

## Practical tips

- **Feature scaling** (特征缩放): when features live on very different scales (a GRE score in the
  hundreds, a GPA below 4), the error surface is a long narrow valley and gradient descent zig-zags
  slowly. Standardising each feature to mean 0 and standard deviation 1 makes the valley rounder.
  Compute the mean and standard deviation on the training data and reuse them for the test data.
- **Learning rate** (学习率): too large and the steps jump over the minimum (the loss may even grow);
  too small and training crawls. A common remedy is to start large and decay (学习率衰减) the rate
  with the epoch number (an epoch is one full pass over the training data; the first epoch is 1):
  `alpha0 / (1 + decay_rate * epoch)`, `0.95**epoch * alpha0`, or `k / sqrt(epoch) * alpha0`.

The data: `admissions.py` generates a synthetic stand-in for the classic graduate-admissions records
(GRE, GPA, school rank 1-4 -> admitted or not) and prepares them (`data_prep`). Run this file to train
on them and print the test accuracy.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. The sigmoid
#
# Write `sigmoid(x) = 1 / (1 + exp(-x))`, elementwise. (The sigmoid assignment covers how to avoid
# overflow warnings for very large `|x|`; here inputs stay moderate.)

# %%


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise.

    Args:
        x: a number or an array.

    Returns:
        A float (array) in [0, 1].
    """
    # BEGIN SOLUTION: return 1 / (1 + exp(-x))
    x = np.clip(np.asarray(x, dtype=float), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-x))
    # END SOLUTION


# %% [markdown]
# ## 2. The training loop
#
# The weights start from a seeded normal draw with standard deviation `1 / sqrt(n_features)` (given).
# Then, for every epoch:
#
# 1. set `del_w` to zeros;
# 2. for every record `x` with target `y`: `output = sigmoid(x . w)`, `error = y - output`,
#    `error_term = error * output * (1 - output)`, and `del_w += error_term * x`;
# 3. after all records: `weights += learnrate * del_w / n_records`.

# %%


def train(features, targets, epochs=1000, learnrate=0.5, seed=42):
    """Train the weights of one sigmoid unit with batch gradient descent, record by record.

    Args:
        features: array of shape ``(n_records, n_features)``.
        targets: array of 0/1 targets, shape ``(n_records,)``.
        epochs: number of passes over the records.
        learnrate: the learning rate.
        seed: seed of the initial weights.

    Returns:
        The trained weights, shape ``(n_features,)``.
    """
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_records, n_features = features.shape
    weights = np.random.default_rng(seed).normal(scale=1 / n_features**.5, size=n_features)
    # BEGIN SOLUTION: the epoch loop: accumulate del_w over the records, then update the weights
    for _ in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = sigmoid(np.dot(x, weights))
            error = y - output
            error_term = error * output * (1 - output)
            del_w += error_term * x
        weights += learnrate * del_w / n_records
    # END SOLUTION
    return weights


def accuracy(weights, features, targets):
    """Share of records whose prediction ``sigmoid(x . w) > 0.5`` equals the 0/1 target."""
    predictions = sigmoid(np.dot(features, weights)) > 0.5
    return float(np.mean(predictions == (np.asarray(targets) > 0.5)))


# %% [markdown]
# ## 3. One step on a batch, and shuffled mini-batches
#
# `gradient_step` does, for a whole batch at once, what one epoch of `train` does record by record:
# average `error_term * x` over the batch's records and step by the learning rate. Use matrix
# products instead of a Python loop: `features @ weights` gives every record's `h` at once, and
# `error_term @ features` sums `error_term * x` over the records.
#
# `iterate_minibatches` shuffles the records once per call, with `order = rng.permutation(n_records)`
# (exactly this draw, so results are reproducible), and then yields consecutive slices of `order` of
# `batch_size` records; the last batch holds what is left and may be smaller.

# %%


def gradient_step(weights, features, targets, learnrate):
    """One gradient-descent step of a sigmoid unit on a batch of records.

    Args:
        weights: shape ``(n_features,)`` (not modified).
        features: the batch, shape ``(batch_size, n_features)``.
        targets: its 0/1 targets, shape ``(batch_size,)``.
        learnrate: the learning rate.

    Returns:
        ``weights + learnrate * mean over the batch of error_term * x``.
    """
    # BEGIN SOLUTION: vectorised: outputs of all records, their error terms, the averaged step
    output = sigmoid(features @ weights)
    error_term = (targets - output) * output * (1 - output)
    return weights + learnrate * (error_term @ features) / len(targets)
    # END SOLUTION


def iterate_minibatches(features, targets, batch_size, rng):
    """Yield the records in shuffled mini-batches.

    Args:
        features: shape ``(n_records, n_features)``.
        targets: shape ``(n_records,)``.
        batch_size: records per batch (the last batch may be smaller).
        rng: a ``numpy.random.Generator``; the shuffle is ``rng.permutation(n_records)``, drawn once
            per call.

    Yields:
        ``(features_batch, targets_batch)`` for consecutive slices of the shuffled order.
    """
    # BEGIN SOLUTION: one permutation of the record indices, then slices of batch_size
    n_records = len(targets)
    order = rng.permutation(n_records)
    for start in range(0, n_records, batch_size):
        batch = order[start:start + batch_size]
        yield features[batch], targets[batch]
    # END SOLUTION


# %% [markdown]
# ## 4. Batch, stochastic and mini-batch training
#
# `train_minibatch` starts like `train` (the same seeded initial weights, given) and keeps using the
# same `rng` for the shuffles. Every epoch (numbered from 1) it takes the learning rate
# `schedule(learnrate, epoch)` (or `learnrate` itself when there is no schedule), shuffles the records
# into mini-batches with `iterate_minibatches(features, targets, batch_size, rng)` and takes one
# `gradient_step` per batch. Then batch and stochastic gradient descent are one line each.

# %%


def train_minibatch(features, targets, batch_size, epochs=100, learnrate=0.5, seed=42, schedule=None):
    """Mini-batch gradient descent for one sigmoid unit.

    Args:
        features: shape ``(n_records, n_features)``.
        targets: 0/1 targets, shape ``(n_records,)``.
        batch_size: records per step.
        epochs: number of passes over the records.
        learnrate: the (initial) learning rate.
        seed: seeds the initial weights and, after them, the shuffles.
        schedule: optional ``schedule(learnrate, epoch) -> learning rate for that epoch``, epochs
            numbered from 1 (for example ``exponential_decay``).

    Returns:
        The trained weights, shape ``(n_features,)``.
    """
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_records, n_features = features.shape
    rng = np.random.default_rng(seed)
    weights = rng.normal(scale=1 / n_features**.5, size=n_features)
    # BEGIN SOLUTION: each epoch: pick the learning rate, then one gradient_step per shuffled mini-batch
    for epoch in range(1, epochs + 1):
        rate = learnrate if schedule is None else schedule(learnrate, epoch)
        for x_batch, y_batch in iterate_minibatches(features, targets, batch_size, rng):
            weights = gradient_step(weights, x_batch, y_batch, rate)
    # END SOLUTION
    return weights


def train_batch(features, targets, epochs=100, learnrate=0.5, seed=42):
    """Batch gradient descent: every step uses all the records."""
    # BEGIN SOLUTION: call train_minibatch with the batch size of batch gradient descent
    return train_minibatch(features, targets, len(targets), epochs, learnrate, seed)
    # END SOLUTION


def train_stochastic(features, targets, epochs=100, learnrate=0.5, seed=42):
    """Stochastic gradient descent: one step per record, in a shuffled order each epoch."""
    # BEGIN SOLUTION: call train_minibatch with the batch size of stochastic gradient descent
    return train_minibatch(features, targets, 1, epochs, learnrate, seed)
    # END SOLUTION


# %% [markdown]
# ## 5. Feature scaling
#
# Standardise each column: subtract its mean and divide by its standard deviation (the population
# standard deviation, `np.std`'s default). When `mean` and `std` are given, use them instead of
# computing new ones: that is how the test data is scaled with the training data's statistics.

# %%


def standardize(features, mean=None, std=None):
    """Standardise the columns of ``features``.

    Args:
        features: shape ``(n_records, n_features)``.
        mean, std: per-column statistics to use; computed from ``features`` when ``None``.

    Returns:
        ``(scaled, mean, std)``: the scaled features and the statistics used (shape
        ``(n_features,)`` each).
    """
    features = np.asarray(features, dtype=float)
    # BEGIN SOLUTION: per-column mean and std (unless given), then (features - mean) / std
    if mean is None:
        mean = features.mean(axis=0)
    if std is None:
        std = features.std(axis=0)
    return (features - mean) / std, mean, std
    # END SOLUTION


# %% [markdown]
# ## 6. Learning-rate decay
#
# Three schedules, as functions of the initial rate `alpha0` and the epoch number (from 1):
#
# - inverse-time decay: `alpha0 / (1 + decay_rate * epoch)`
# - exponential decay: `base**epoch * alpha0` (`base` is typically 0.95)
# - inverse square root: `k / sqrt(epoch) * alpha0`

# %%


def inverse_time_decay(alpha0, epoch, decay_rate=1.0):
    """Learning rate ``alpha0 / (1 + decay_rate * epoch)``."""
    # BEGIN SOLUTION: return the inverse-time decayed rate
    return alpha0 / (1 + decay_rate * epoch)
    # END SOLUTION


def exponential_decay(alpha0, epoch, base=0.95):
    """Learning rate ``base**epoch * alpha0``."""
    # BEGIN SOLUTION: return the exponentially decayed rate
    return base**epoch * alpha0
    # END SOLUTION


def inverse_sqrt_decay(alpha0, epoch, k=1.0):
    """Learning rate ``k / sqrt(epoch) * alpha0``."""
    # BEGIN SOLUTION: return the inverse-square-root decayed rate
    return k / np.sqrt(epoch) * alpha0
    # END SOLUTION


# %% [markdown]
# ## Try it
#
# Train on the synthetic admissions data and compare the variants. The generating model itself
# predicts only about 70% of the labels right (see `admissions.py`), so expect a test accuracy near
# 0.7, not near 1.

# %%
if __name__ == "__main__":
    from admissions import data_prep

    features, targets, features_test, targets_test = data_prep()
    weights = train(features, targets, epochs=1000, learnrate=0.5)
    print("train (notes' loop)  train acc {:.3f}  test acc {:.3f}".format(
        accuracy(weights, features, targets), accuracy(weights, features_test, targets_test)))
    for name, w in [
        ("batch", train_batch(features, targets, epochs=1000)),
        ("stochastic", train_stochastic(features, targets, epochs=20, learnrate=0.05)),
        ("mini-batch 32", train_minibatch(features, targets, 32, epochs=100, learnrate=0.5)),
        ("mini-batch, decay", train_minibatch(features, targets, 32, epochs=100, learnrate=1.0,
                                              schedule=exponential_decay)),
    ]:
        print("{:20s} train acc {:.3f}  test acc {:.3f}".format(
            name, accuracy(w, features, targets), accuracy(w, features_test, targets_test)))


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (they need matplotlib:
# `pip install 'numgrade[figures]'`).
#
# 1. The squared error of one sigmoid unit over its two weights, and `gradient_step`'s path from
#    the same start with a learning rate too small, about right, and too large.
# 2. The training loss per epoch of batch, mini-batch and stochastic gradient descent on the
#    admissions data: one step per epoch against many noisier ones.
# 3. The three decay schedules, and a loss surface before and after `standardize`: unscaled
#    features stretch the bowl into a valley that gradient descent zigzags across.

# %%


def _half_mse(weights, features, targets):
    """The unit's loss: half the mean squared error of sigmoid(features @ weights)."""
    return float(np.mean((targets - sigmoid(features @ weights)) ** 2) / 2)


def figure_learning_rates(fig):
    """Paths of gradient_step on the loss surface of a sigmoid unit, for three learning rates."""
    rng = np.random.default_rng(7)
    features = rng.normal(size=(80, 2)) @ np.array([[1.0, 0.0], [0.7, 0.5]])
    targets = sigmoid(features @ np.array([1.0, -1.0]))  # soft targets: the loss is 0 at w = (1, -1)
    grid = np.linspace(-3.0, 3.0, 81)
    w1, w2 = np.meshgrid(grid, grid)
    loss = np.array([_half_mse(np.array([a, b]), features, targets) for a, b in zip(w1.ravel(), w2.ravel())])
    surface, curves = fig.subplots(1, 2)
    surface.contour(w1, w2, loss.reshape(w1.shape), levels=np.geomspace(1e-4, loss.max(), 15), cmap="Greys",
                    linewidths=0.7)
    for rate, colour in [(5.0, "#4575b4"), (40.0, "#1a9850"), (110.0, "#d73027")]:
        path = [np.array([-2.0, 2.5])]
        for _ in range(30):
            path.append(gradient_step(path[-1], features, targets, rate))
        path = np.array(path)
        surface.plot(path[:, 0], path[:, 1], marker=".", markersize=4, linewidth=1, color=colour,
                     label=f"rate {rate:g}")
        curves.semilogy([_half_mse(w, features, targets) for w in path], color=colour, label=f"rate {rate:g}")
    surface.set_xlim(-3, 3)
    surface.set_ylim(-3, 3)
    surface.set_xlabel("w1")
    surface.set_ylabel("w2")
    surface.set_title("Too small, about right, too large")
    surface.legend(loc="lower left", fontsize="small")
    curves.set_xlabel("step")
    curves.set_ylabel("loss (log scale)")
    curves.set_title("Loss per step")


def figure_batch_sizes(fig):
    """Training loss per epoch on the admissions data for three batch sizes."""
    from admissions import data_prep

    features, targets, _, _ = data_prep()
    ax = fig.subplots()
    for label, batch_size, rate in [("batch (all records)", len(targets), 0.5), ("mini-batch of 32", 32, 0.5),
                                     ("stochastic (1 record)", 1, 0.05)]:
        rng = np.random.default_rng(42)
        weights = rng.normal(scale=1 / features.shape[1] ** 0.5, size=features.shape[1])
        losses = [_half_mse(weights, features, targets)]
        for _ in range(30):
            for batch_x, batch_y in iterate_minibatches(features, targets, batch_size, rng):
                weights = gradient_step(weights, batch_x, batch_y, rate)
            losses.append(_half_mse(weights, features, targets))
        ax.plot(losses, label=f"{label}, rate {rate:g}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title("One step per epoch, or many")
    ax.legend()


def figure_schedules_and_scaling(fig):
    """The decay schedules from alpha0 = 1, and 20 steps of gradient descent on a least-squares loss
    before and after standardize, each at the rate that suits its steepest direction."""
    schedules, raw, scaled = fig.subplots(1, 3)
    epochs = np.arange(1, 51)
    schedules.plot(epochs, [inverse_time_decay(1.0, e, decay_rate=0.2) for e in epochs], label="1 / (1 + 0.2 t)")
    schedules.plot(epochs, [exponential_decay(1.0, e) for e in epochs], label="0.95 ** t")
    schedules.plot(epochs, [inverse_sqrt_decay(1.0, e) for e in epochs], label="1 / sqrt(t)")
    schedules.set_xlabel("epoch t")
    schedules.set_title("Learning-rate decay")
    schedules.legend(fontsize="small")
    rng = np.random.default_rng(3)
    features = rng.normal(size=(100, 2)) * np.array([1.0, 4.0]) + np.array([0.5, -1.0])
    for ax, (data, *_), title in [(raw, (features,), "Unscaled features"), (scaled, standardize(features),
                                                                            "After standardize")]:
        targets = data @ np.array([1.0, 0.5])
        hessian = data.T @ data / len(data)
        rate = 1.0 / np.linalg.eigvalsh(hessian).max()  # the best rate for the steepest direction
        grid = np.linspace(-1.5, 3.5, 81)
        w1, w2 = np.meshgrid(grid, grid - 1.5 + 0.5)
        points = np.column_stack([w1.ravel(), w2.ravel()])
        loss = np.mean((points @ data.T - targets) ** 2, axis=1) / 2
        ax.contour(w1, w2, loss.reshape(w1.shape), levels=np.geomspace(0.01, loss.max(), 12), cmap="Greys",
                   linewidths=0.7)
        path = [np.array([-1.0, -0.8])]
        for _ in range(20):
            path.append(path[-1] - rate * data.T @ (data @ path[-1] - targets) / len(data))
        path = np.array(path)
        ax.plot(path[:, 0], path[:, 1], marker=".", markersize=4, color="#d73027")
        ax.set_title(title)
        ax.set_xlabel("w1")
        ax.set_aspect("equal")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_learning_rates)

# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_batch_sizes)

# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_schedules_and_scaling)
