"""Hidden checks of the perceptron assignment: same behaviour, other inputs."""

import numpy as np

from grader.checks import check
from grader.checks.helpers import floats


@check(points=1, functions=["step"], hidden=True)
def hidden_step(impl, rng):
    """step on a larger random array with some exact zeros."""
    x = rng.normal(size=(5, 6))
    x[rng.integers(0, 5, size=3), rng.integers(0, 6, size=3)] = 0.0
    return {"step": floats(impl.step(x))}


@check(points=1, functions=["perceptron_output"], hidden=True)
def hidden_perceptron_output(impl, rng):
    """Perceptron output for a batch of 4-feature records."""
    weights = rng.normal(size=4)
    bias = float(rng.uniform(-1.0, 1.0))
    records = rng.normal(size=(30, 4))
    return {"batch": floats(impl.perceptron_output(weights, bias, records))}


@check(points=2, functions=["update_step"], hidden=True)
def hidden_update_sequence(impl, rng):
    """Five consecutive updates, each from the previous weights."""
    weights = rng.normal(size=4)
    bias = 0.0
    ws, bs = [], []
    for _ in range(5):
        x = rng.normal(size=4)
        y = float(rng.integers(0, 2))
        weights, bias = impl.update_step(np.array(weights, dtype=float), bias, x, y, 0.3)
        ws.append(floats(weights))
        bs.append(float(bias))
    return {"weights": np.array(ws), "bias": np.array(bs)}


@check(points=2, functions=["train_perceptron"], hidden=True, steps=True)
def hidden_train_perceptron(impl, rng):
    """Training on a separable 3-D data set for 1 to 4 epochs."""
    features = rng.uniform(-1.0, 1.0, size=(20, 3))
    targets = (features @ rng.normal(size=3) + rng.uniform(-0.2, 0.2) >= 0).astype(float)
    ws, bs = [], []
    for epochs in range(1, 5):
        w, b = impl.train_perceptron(features, targets, learnrate=0.05, epochs=epochs)
        ws.append(floats(w))
        bs.append(float(b))
    return {"weights": np.array(ws), "bias": np.array(bs)}
