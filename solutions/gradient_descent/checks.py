"""Public checks of the gradient_descent assignment."""

import numpy as np

from grader.checks import check
from grader.checks.helpers import floats, sigmoid


def _records(rng, n_records=12, n_features=3):
    """Standardised-looking features and 0/1 targets loosely tied to them."""
    features = rng.normal(size=(n_records, n_features))
    targets = (features @ rng.normal(size=n_features) + rng.normal(scale=0.5, size=n_records) > 0)
    return features, targets.astype(float)


@check(points=1, functions=["sigmoid"])
def sigmoid_values(impl, rng):
    """sigmoid on a vector, a matrix and a plain number."""
    x = np.concatenate([rng.normal(scale=4.0, size=12), [-500.0, -20.0, 0.0, 20.0, 500.0]])
    return {
        "vector": impl.sigmoid(x),
        "matrix": impl.sigmoid(rng.normal(size=(3, 4))),
        "number": impl.sigmoid(float(rng.normal())),
    }


@check(points=3, functions=["train"], steps=True)
def train_epochs(impl, rng):
    """train's weights after 1, 2, 3, 5 and 8 epochs (learnrate 0.5, seed 42)."""
    features, targets = _records(rng)
    weights = [impl.train(features, targets, epochs=e, learnrate=0.5, seed=42) for e in [1, 2, 3, 5, 8]]
    return {"weights": np.array(weights, dtype=float)}


@check(points=1, functions=["train"], steps=True, plot="curve")
def train_loss_curve(impl, rng):
    """Mean squared error after 1 to 15 epochs of train (learnrate 0.5, seed 42): a loss curve."""
    features, targets = _records(rng, n_records=20, n_features=3)
    losses = []
    for epochs in range(1, 16):
        weights = floats(impl.train(features, targets, epochs=epochs, learnrate=0.5, seed=42))
        losses.append(np.mean((sigmoid(features @ weights) - targets) ** 2))
    return {"loss": np.array(losses)}


@check(points=2, functions=["train"])
def train_settings(impl, rng):
    """train with other learning rates, seeds and epoch counts, including the defaults."""
    features, targets = _records(rng, n_records=15, n_features=4)
    return {
        "lr_0.1_seed_7_epochs_20": impl.train(features, targets, epochs=20, learnrate=0.1, seed=7),
        "lr_2_seed_3_epochs_4": impl.train(features, targets, epochs=4, learnrate=2.0, seed=3),
        "defaults": impl.train(features[:6], targets[:6]),
    }


@check(points=2, functions=["gradient_step"])
def gradient_step_values(impl, rng):
    """One step on a batch of 8 records and on a single record."""
    features, targets = _records(rng, n_records=8, n_features=3)
    weights = rng.normal(size=3)
    return {
        "batch": impl.gradient_step(weights.copy(), features, targets, 0.5),
        "one_record": impl.gradient_step(weights.copy(), features[:1], targets[:1], 0.3),
    }


@check(points=2, functions=["iterate_minibatches"])
def minibatch_order(impl, rng):
    """Mini-batches of 10 records: their order, sizes and features, for two epochs in a row."""
    n_records = 10
    features = np.arange(2 * n_records, dtype=float).reshape(n_records, 2)
    targets = np.arange(n_records, dtype=float)
    out = {}
    for batch_size in [3, 1, 10]:
        shuffler = np.random.default_rng(int(rng.integers(1 << 31)))
        epochs = [list(impl.iterate_minibatches(features, targets, batch_size, shuffler))
                  for _ in range(2)]
        batches = [b for epoch in epochs for b in epoch]
        out[f"b{batch_size}_targets"] = np.concatenate([floats(y) for _, y in batches])
        out[f"b{batch_size}_features"] = np.concatenate([floats(x) for x, _ in batches])
        out[f"b{batch_size}_sizes"] = np.array([len(y) for _, y in batches], dtype=float)
    return out


@check(points=3, functions=["train_minibatch"])
def train_minibatch_values(impl, rng):
    """train_minibatch with batch sizes 4, 1 and 12 (all the records) on 12 records."""
    features, targets = _records(rng)
    return {
        "b4": impl.train_minibatch(features, targets, 4, epochs=5, learnrate=0.5, seed=1),
        "b1": impl.train_minibatch(features, targets, 1, epochs=3, learnrate=0.2, seed=2),
        "b12": impl.train_minibatch(features, targets, 12, epochs=6, learnrate=0.5, seed=42),
    }


@check(points=2, functions=["train_minibatch"], steps=True)
def train_minibatch_schedule(impl, rng):
    """train_minibatch with a decaying learning rate, after 1 to 4 epochs."""
    features, targets = _records(rng, n_records=9)

    def schedule(alpha0, epoch):
        return alpha0 / (1.0 + 0.5 * epoch)

    weights = [impl.train_minibatch(features, targets, 3, epochs=e, learnrate=1.0, seed=5,
                                    schedule=schedule)
               for e in range(1, 5)]
    return {"weights": np.array(weights, dtype=float)}


@check(points=1, functions=["train_batch"])
def train_batch_values(impl, rng):
    """Batch gradient descent for a few epochs."""
    features, targets = _records(rng)
    return {"weights": impl.train_batch(features, targets, epochs=7, learnrate=0.5, seed=3)}


@check(points=1, functions=["train_stochastic"])
def train_stochastic_values(impl, rng):
    """Stochastic gradient descent for a few epochs."""
    features, targets = _records(rng)
    return {"weights": impl.train_stochastic(features, targets, epochs=3, learnrate=0.1, seed=4)}


@check(points=2, functions=["standardize"])
def standardize_values(impl, rng):
    """Standardising GRE- and GPA-like columns, then test data with the training statistics."""
    train_x = np.column_stack([rng.normal(590, 115, size=20), rng.normal(3.4, 0.4, size=20),
                               rng.integers(1, 5, size=20)])
    test_x = np.column_stack([rng.normal(590, 115, size=5), rng.normal(3.4, 0.4, size=5),
                              rng.integers(1, 5, size=5)])
    scaled, mean, std = impl.standardize(train_x)
    scaled_test, mean_test, std_test = impl.standardize(test_x, mean, std)
    return {"scaled": scaled, "mean": mean, "std": std, "scaled_test": scaled_test}


@check(points=1, functions=["standardize"])
def standardize_one_statistic_given(impl, rng):
    """Each statistic is used when given and computed when None: only mean given, then only std given."""
    x = np.column_stack([rng.normal(590, 115, size=10), rng.normal(3.4, 0.4, size=10)])
    mean, std = np.array([500.0, 3.0]), np.array([100.0, 0.5])
    scaled_m, _, std_computed = impl.standardize(x, mean=mean)
    scaled_s, mean_computed, _ = impl.standardize(x, std=std)
    return {"scaled_mean_given": scaled_m, "std_computed": std_computed,
            "scaled_std_given": scaled_s, "mean_computed": mean_computed}


@check(points=1, functions=["inverse_time_decay"])
def inverse_time_decay_values(impl, rng):
    """alpha0 / (1 + decay_rate * epoch) for epochs 1 to 10."""
    alpha0, decay_rate = float(rng.uniform(0.1, 1.0)), float(rng.uniform(0.1, 2.0))
    return {
        "rates": [impl.inverse_time_decay(alpha0, e, decay_rate) for e in range(1, 11)],
        "default_decay": impl.inverse_time_decay(alpha0, 3),
    }


@check(points=1, functions=["exponential_decay"])
def exponential_decay_values(impl, rng):
    """base**epoch * alpha0 for epochs 1 to 10."""
    alpha0 = float(rng.uniform(0.1, 1.0))
    return {
        "rates": [impl.exponential_decay(alpha0, e) for e in range(1, 11)],
        "base_0.8": impl.exponential_decay(alpha0, 4, 0.8),
    }


@check(points=1, functions=["inverse_sqrt_decay"])
def inverse_sqrt_decay_values(impl, rng):
    """k / sqrt(epoch) * alpha0 for epochs 1 to 10."""
    alpha0, k = float(rng.uniform(0.1, 1.0)), float(rng.uniform(0.5, 2.0))
    return {
        "rates": [impl.inverse_sqrt_decay(alpha0, e, k) for e in range(1, 11)],
        "default_k": impl.inverse_sqrt_decay(alpha0, 9),
    }
