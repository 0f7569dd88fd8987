"""Hidden checks of the optim assignment: the same behaviour on other shapes and hyperparameters."""

import numpy as np

from grader.checks import check, may_modify

SHAPE = (2, 3, 4)

# Every rule may update w in place and keeps its state in config (the CS231n interface).
CS231N = [may_modify(rule, "w", "config") for rule in ("sgd", "sgd_momentum", "rmsprop", "adam")]


def _value(a):
    return np.array(a, dtype=float, copy=True)


def _run(rule, w, grads, config):
    ws = []
    for g in grads:
        w, config = rule(w, g.copy(), config)
        ws.append(_value(w))
    return np.stack(ws)


@check(points=1, functions=["sgd"], mutates=CS231N, hidden=True, steps=True)
def hidden_sgd(impl, rng):
    """Eight SGD steps on a 3-D array with a random learning rate."""
    w = rng.normal(size=SHAPE)
    grads = rng.normal(size=(8,) + SHAPE)
    return {"w": _run(impl.sgd, w, grads, {"learning_rate": float(rng.uniform(0.01, 0.2))})}


@check(points=2, functions=["sgd_momentum"], mutates=CS231N, hidden=True, steps=True)
def hidden_sgd_momentum(impl, rng):
    """Eight momentum steps on a 3-D array from a random velocity and random hyperparameters."""
    w = rng.normal(size=SHAPE)
    grads = rng.normal(size=(8,) + SHAPE)
    config = {"learning_rate": float(rng.uniform(0.01, 0.2)), "momentum": float(rng.uniform(0.5, 0.95)),
              "velocity": 0.1 * rng.normal(size=SHAPE)}
    return {"w": _run(impl.sgd_momentum, w, grads, config)}


@check(points=2, functions=["rmsprop"], mutates=CS231N, hidden=True, steps=True)
def hidden_rmsprop(impl, rng):
    """Eight RMSprop steps on a 3-D array with gradients of mixed scales (some tiny)."""
    w = rng.normal(size=SHAPE)
    scales = 10.0 ** rng.integers(-8, 1, size=SHAPE)
    grads = scales * rng.normal(size=(8,) + SHAPE)
    config = {"learning_rate": float(rng.uniform(1e-3, 3e-2)), "decay_rate": float(rng.uniform(0.9, 0.999)),
              "epsilon": 1e-8, "cache": scales**2 * rng.uniform(0.1, 1.0, size=SHAPE)}
    return {"w": _run(impl.rmsprop, w, grads, config)}


@check(points=2, functions=["adam"], mutates=CS231N, hidden=True)
def hidden_adam_update(impl, rng):
    """One Adam step from a random state and step count, with random betas."""
    w = rng.normal(size=SHAPE)
    dw = rng.normal(size=SHAPE)
    config = {"learning_rate": float(rng.uniform(1e-3, 1e-2)), "beta1": float(rng.uniform(0.8, 0.95)),
              "beta2": float(rng.uniform(0.99, 0.9999)), "epsilon": 1e-8,
              "m": 0.5 * rng.normal(size=SHAPE), "v": rng.uniform(0.1, 1.0, size=SHAPE),
              "t": int(rng.integers(1, 30))}
    next_w, _ = impl.adam(w, dw, config)
    return {"next_w": _value(next_w)}


@check(points=1, functions=["adam"], mutates=CS231N, hidden=True, steps=True)
def hidden_adam_trajectory(impl, rng):
    """Ten Adam steps on a 3-D array from the default config."""
    w = rng.normal(size=SHAPE)
    grads = rng.normal(size=(10,) + SHAPE)
    return {"w": _run(impl.adam, w, grads, None)}
