"""Hidden checks of the gradient_descent assignment."""

import numpy as np

from grader.checks import check
from grader.checks.helpers import floats


def _records(rng, n_records, n_features):
    features = rng.normal(size=(n_records, n_features))
    targets = (features @ rng.normal(size=n_features) + rng.normal(size=n_records) > 0).astype(float)
    return features, targets


@check(points=1, functions=["sigmoid"], hidden=True)
def hidden_sigmoid(impl, rng):
    """sigmoid on a random matrix."""
    return {"values": impl.sigmoid(rng.normal(scale=5.0, size=(4, 5)))}


@check(points=3, functions=["train"], hidden=True, steps=True)
def hidden_train(impl, rng):
    """train on other records, several epoch counts."""
    features, targets = _records(rng, 20, 5)
    seed = int(rng.integers(1000))
    weights = [impl.train(features, targets, epochs=e, learnrate=0.7, seed=seed) for e in [1, 4, 10]]
    return {"weights": np.array(weights, dtype=float)}


@check(points=2, functions=["gradient_step"], hidden=True)
def hidden_gradient_step(impl, rng):
    """Five consecutive steps on one batch."""
    features, targets = _records(rng, 10, 4)
    weights = rng.normal(size=4)
    trajectory = []
    for _ in range(5):
        weights = floats(impl.gradient_step(weights, features, targets, 0.8))
        trajectory.append(weights)
    return {"weights": np.array(trajectory)}


@check(points=1, functions=["iterate_minibatches"], hidden=True)
def hidden_minibatches(impl, rng):
    """Mini-batches of 4 out of 11 records."""
    features = rng.normal(size=(11, 3))
    targets = rng.normal(size=11)
    shuffler = np.random.default_rng(int(rng.integers(1 << 31)))
    batches = list(impl.iterate_minibatches(features, targets, 4, shuffler))
    return {"targets": np.concatenate([floats(y) for _, y in batches]),
            "sizes": np.array([len(y) for _, y in batches], dtype=float)}


@check(points=2, functions=["train_minibatch"], hidden=True)
def hidden_train_minibatch(impl, rng):
    """train_minibatch with batch size 5 and exponential decay."""
    features, targets = _records(rng, 17, 3)
    return {"weights": impl.train_minibatch(features, targets, 5, epochs=6, learnrate=0.9, seed=11,
                                            schedule=lambda a, e: 0.9**e * a)}


@check(points=1, functions=["train_batch"], hidden=True)
def hidden_train_batch(impl, rng):
    """Batch gradient descent on other records."""
    features, targets = _records(rng, 14, 3)
    return {"weights": impl.train_batch(features, targets, epochs=5, learnrate=0.3, seed=8)}


@check(points=1, functions=["train_stochastic"], hidden=True)
def hidden_train_stochastic(impl, rng):
    """Stochastic gradient descent on other records."""
    features, targets = _records(rng, 14, 3)
    return {"weights": impl.train_stochastic(features, targets, epochs=2, learnrate=0.3, seed=9)}


@check(points=1, functions=["standardize"], hidden=True)
def hidden_standardize(impl, rng):
    """Standardising columns of very different scales."""
    x = rng.normal(size=(15, 3)) * np.array([100.0, 1.0, 0.01]) + np.array([500.0, 3.0, -1.0])
    scaled, mean, std = impl.standardize(x)
    return {"scaled": scaled, "mean": mean, "std": std}


@check(points=1, functions=["inverse_time_decay", "exponential_decay", "inverse_sqrt_decay"], hidden=True)
def hidden_decay(impl, rng):
    """The three schedules at random epochs."""
    alpha0 = float(rng.uniform(0.01, 1.0))
    epochs = rng.integers(1, 50, size=5)
    return {
        "inverse_time": [impl.inverse_time_decay(alpha0, int(e), 0.3) for e in epochs],
        "exponential": [impl.exponential_decay(alpha0, int(e), 0.97) for e in epochs],
        "inverse_sqrt": [impl.inverse_sqrt_decay(alpha0, int(e), 1.5) for e in epochs],
    }
