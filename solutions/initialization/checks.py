"""Public checks of the initialization assignment."""

import numpy as np

from grader.checks import check
from grader.checks.helpers import floats


def _draws(init, rng):
    """Two consecutive draws from one seeded generator, with fan_in != fan_out both ways."""
    gen = np.random.default_rng(int(rng.integers(1 << 31)))
    return {"fan_in_6_fan_out_3": init(6, 3, gen), "fan_in_2_fan_out_5": init(2, 5, gen)}


@check(points=2, functions=["he"])
def he_values(impl, rng):
    """He weights from a seeded generator."""
    return _draws(impl.he, rng)


@check(points=2, functions=["xavier"])
def xavier_values(impl, rng):
    """Xavier weights from a seeded generator."""
    return _draws(impl.xavier, rng)


@check(points=2, functions=["glorot"])
def glorot_values(impl, rng):
    """Glorot weights from a seeded generator."""
    return _draws(impl.glorot, rng)


def _tiny_problem(rng, n_records=8, n_input=3):
    features = rng.normal(size=(n_records, n_input))
    targets = (features[:, 0] * features[:, 1] > 0).astype(float)
    return features, targets


@check(points=3, functions=["train_tiny_net"], steps=True)
def train_tiny_net_steps(impl, rng):
    """Both weight matrices after 1, 2, 3 and 5 steps from random weights."""
    features, targets = _tiny_problem(rng)
    w_ih0 = rng.normal(scale=0.8, size=(3, 4))
    w_ho0 = rng.normal(scale=0.8, size=4)
    w_ih, w_ho = [], []
    for steps in [1, 2, 3, 5]:
        a, b = impl.train_tiny_net(features, targets, w_ih0.copy(), w_ho0.copy(), learnrate=0.8,
                                   steps=steps)
        w_ih.append(floats(a))
        w_ho.append(floats(b))
    return {"w_input_hidden": np.array(w_ih), "w_hidden_output": np.array(w_ho)}


@check(points=1, functions=["train_tiny_net"])
def train_tiny_net_leaves_inputs(impl, rng):
    """The initial weight arrays passed in are not modified."""
    features, targets = _tiny_problem(rng)
    w_ih0 = rng.normal(size=(3, 2))
    w_ho0 = rng.normal(size=2)
    impl.train_tiny_net(features, targets, w_ih0, w_ho0, learnrate=0.5, steps=3)
    return {"w_input_hidden": w_ih0, "w_hidden_output": w_ho0}


@check(points=2, functions=["train_tiny_net"])
def symmetry_survives_training(impl, rng):
    """From all-zero and all-equal weights the hidden units stay identical after 20 steps."""
    features, targets = _tiny_problem(rng, n_records=10)
    out = {}
    for name, value in [("zeros", 0.0), ("equal", float(rng.uniform(0.1, 0.5)))]:
        w_ih, w_ho = impl.train_tiny_net(features, targets, np.full((3, 4), value), np.full(4, value),
                                         learnrate=1.0, steps=20)
        w_ih = floats(w_ih)
        out[f"{name}_w_input_hidden"] = w_ih
        out[f"{name}_w_hidden_output"] = w_ho
        out[f"{name}_column_spread"] = float(np.max(np.abs(w_ih - w_ih[:, :1])))
    return out
