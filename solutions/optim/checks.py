"""Public checks of the optim assignment.

Each update rule gets three kinds of check, so that a file following another convention keeps the
points of what it gets right:

* ``*_update`` (most points): one step from a *given* state with every hyperparameter passed
  explicitly (as the classic notebooks do, e.g. Adam at t = 5 with given m and v). This grades the
  update rule alone.
* ``*_trajectory`` (fewer points): six consecutive steps starting from ``config=None`` and feeding
  the returned config back in. This catches wrong defaults and state that is computed but not
  stored.
* ``*_stores_state`` (1 point, stateful rules only): the state left in the returned config after one
  step from a given state (the assignment requires the keys ``velocity``, ``cache``, ``m``, ``v``,
  ``t``).

Every check runs on a vector, a matrix, and a matrix whose weights, gradients and state are tiny
(of the order of 1e-8, where ``epsilon`` matters). The tiny case is reported in units of 1e-8 so
that the default tolerances apply to it as to the others.

The rules keep the classic CS231n interface, whose own starter code updates ``w`` in place
(``w -= learning_rate * dw``) and keeps the optimizer's state in ``config``: a rule may change
``w`` and ``config`` (``CS231N``), and only what it returns is graded. It must leave ``dw`` alone.
"""

import numpy as np

from grader.checks import check, may_modify
from grader.checks.surfaces import PATH_START, quadratic_gradient

TINY = 1e-8
CASES = [("vector", (6,), 1.0), ("matrix", (3, 4), 1.0), ("tiny_matrix", (4, 3), TINY)]
N_STEPS = 6

# Every rule may update w in place and keeps its state in config (the CS231n interface).
CS231N = [may_modify(rule, "w", "config") for rule in ("sgd", "sgd_momentum", "rmsprop", "adam")]


def _value(a):
    """A float64 copy (a rule may update arrays in place and return the same object)."""
    return np.array(a, dtype=float, copy=True)


def _trajectory(rule, rng):
    """``N_STEPS`` steps of ``rule`` from ``config=None`` on a fixed sequence of random gradients."""
    out = {}
    for case, shape, scale in CASES:
        w = scale * rng.normal(size=shape)
        grads = scale * rng.normal(size=(N_STEPS,) + shape)
        config = None
        ws = []
        for g in grads:
            w, config = rule(w, g.copy(), config)
            ws.append(_value(w) / scale)
        out[case] = np.stack(ws)
    return out


# SGD ---------------------------------------------------------------------------------------------


@check(points=2, functions=["sgd"], mutates=CS231N)
def sgd_update(impl, rng):
    """One SGD step with learning_rate 0.05 (tiny case in units of 1e-8)."""
    out = {}
    for case, shape, scale in CASES:
        w = scale * rng.normal(size=shape)
        dw = scale * rng.normal(size=shape)
        next_w, _ = impl.sgd(w, dw, {"learning_rate": 0.05})
        out[case] = _value(next_w) / scale
    return out


@check(points=1, functions=["sgd"], mutates=CS231N, steps=True)
def sgd_trajectory(impl, rng):
    """Six SGD steps from the default config (tiny case in units of 1e-8)."""
    return _trajectory(impl.sgd, rng)


# Momentum ----------------------------------------------------------------------------------------


def _momentum_state(rng, shape, scale):
    w = scale * rng.normal(size=shape)
    dw = scale * rng.normal(size=shape)
    velocity = 0.1 * scale * rng.normal(size=shape)
    config = {"learning_rate": 0.05, "momentum": 0.8, "velocity": velocity}
    return w, dw, config


@check(points=3, functions=["sgd_momentum"], mutates=CS231N)
def sgd_momentum_update(impl, rng):
    """One momentum step from a given velocity, learning_rate 0.05, momentum 0.8."""
    out = {}
    for case, shape, scale in CASES:
        w, dw, config = _momentum_state(rng, shape, scale)
        next_w, _ = impl.sgd_momentum(w, dw, config)
        out[case] = _value(next_w) / scale
    return out


@check(points=2, functions=["sgd_momentum"], mutates=CS231N, steps=True)
def sgd_momentum_trajectory(impl, rng):
    """Six momentum steps from the default config, feeding config back in."""
    return _trajectory(impl.sgd_momentum, rng)


@check(points=1, functions=["sgd_momentum"], mutates=CS231N)
def sgd_momentum_stores_state(impl, rng):
    """config["velocity"] after one momentum step from a given velocity."""
    out = {}
    for case, shape, scale in CASES:
        w, dw, config = _momentum_state(rng, shape, scale)
        _, config = impl.sgd_momentum(w, dw, config)
        out[case] = _value(config["velocity"]) / scale
    return out


# RMSprop -----------------------------------------------------------------------------------------


def _rmsprop_state(rng, shape, scale):
    w = scale * rng.normal(size=shape)
    dw = scale * rng.normal(size=shape)
    cache = scale**2 * rng.uniform(0.1, 2.0, size=shape)
    config = {"learning_rate": 0.02, "decay_rate": 0.9, "epsilon": 1e-8, "cache": cache}
    return w, dw, config


@check(points=3, functions=["rmsprop"], mutates=CS231N)
def rmsprop_update(impl, rng):
    """One RMSprop step from a given cache, learning_rate 0.02, decay_rate 0.9, epsilon 1e-8."""
    out = {}
    for case, shape, scale in CASES:
        w, dw, config = _rmsprop_state(rng, shape, scale)
        next_w, _ = impl.rmsprop(w, dw, config)
        out[case] = _value(next_w) / scale
    return out


@check(points=2, functions=["rmsprop"], mutates=CS231N, steps=True)
def rmsprop_trajectory(impl, rng):
    """Six RMSprop steps from the default config, feeding config back in."""
    return _trajectory(impl.rmsprop, rng)


@check(points=1, functions=["rmsprop"], mutates=CS231N)
def rmsprop_stores_state(impl, rng):
    """config["cache"] after one RMSprop step from a given cache (tiny case in units of 1e-16)."""
    out = {}
    for case, shape, scale in CASES:
        w, dw, config = _rmsprop_state(rng, shape, scale)
        _, config = impl.rmsprop(w, dw, config)
        out[case] = _value(config["cache"]) / scale**2
    return out


# Adam --------------------------------------------------------------------------------------------


def _adam_state(rng, shape, scale):
    w = scale * rng.normal(size=shape)
    dw = scale * rng.normal(size=shape)
    m = 0.5 * scale * rng.normal(size=shape)
    v = scale**2 * rng.uniform(0.1, 1.0, size=shape)
    config = {"learning_rate": 1e-2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
              "m": m, "v": v, "t": 5}
    return w, dw, config


@check(points=3, functions=["adam"], mutates=CS231N)
def adam_update(impl, rng):
    """One Adam step at t = 5 from given m and v, learning_rate 1e-2, beta1 0.9, beta2 0.999."""
    out = {}
    for case, shape, scale in CASES:
        w, dw, config = _adam_state(rng, shape, scale)
        next_w, _ = impl.adam(w, dw, config)
        out[case] = _value(next_w) / scale
    return out


@check(points=2, functions=["adam"], mutates=CS231N, steps=True)
def adam_trajectory(impl, rng):
    """Six Adam steps from the default config (t starts at 0), feeding config back in."""
    return _trajectory(impl.adam, rng)


@check(points=1, functions=["adam"], mutates=CS231N)
def adam_stores_state(impl, rng):
    """config["m"], config["v"] and config["t"] after one Adam step from t = 5 (matrix case)."""
    w, dw, config = _adam_state(rng, (3, 4), 1.0)
    _, config = impl.adam(w, dw, config)
    return {"m": _value(config["m"]), "v": _value(config["v"]), "t": float(config["t"])}


# Paths across an ill-conditioned bowl: what the feedback page draws. ------------------------------

PATH_STEPS = 40


def _path(rule, config):
    """Positions after each of PATH_STEPS steps of ``rule`` on the bowl 0.5 * (w0**2 + 20 * w1**2)."""
    w = PATH_START.copy()
    path = []
    for _ in range(PATH_STEPS):
        w, config = rule(w, quadratic_gradient(w), config)
        w = _value(w)
        path.append(w.copy())
    return np.array(path)


@check(points=1, functions=["sgd_momentum"], mutates=CS231N, steps=True, plot="path")
def sgd_momentum_path(impl, rng):
    """40 momentum steps (learning_rate 0.02) from (-4, 1.5) on an ill-conditioned bowl."""
    return {"path": _path(impl.sgd_momentum, {"learning_rate": 0.02})}


@check(points=1, functions=["rmsprop"], mutates=CS231N, steps=True, plot="path")
def rmsprop_path(impl, rng):
    """40 RMSprop steps (learning_rate 0.1) from (-4, 1.5) on an ill-conditioned bowl."""
    return {"path": _path(impl.rmsprop, {"learning_rate": 0.1})}


@check(points=1, functions=["adam"], mutates=CS231N, steps=True, plot="path")
def adam_path(impl, rng):
    """40 Adam steps (learning_rate 0.3) from (-4, 1.5) on an ill-conditioned bowl."""
    return {"path": _path(impl.adam, {"learning_rate": 0.3})}
