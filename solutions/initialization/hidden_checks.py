"""Hidden checks of the initialization assignment."""

import numpy as np

from grader.checks import check


@check(points=2, functions=["he", "xavier", "glorot"], hidden=True)
def hidden_initialisers(impl, rng):
    """The three initialisers for random fans."""
    fan_in, fan_out = (int(n) for n in rng.integers(2, 12, size=2))
    if fan_in == fan_out:
        fan_out += 1
    seed = int(rng.integers(1 << 31))
    return {name: getattr(impl, name)(fan_in, fan_out, np.random.default_rng(seed))
            for name in ("he", "xavier", "glorot")}


@check(points=2, functions=["train_tiny_net"], hidden=True)
def hidden_train_tiny_net(impl, rng):
    """Training a 4-3-1 network for 7 steps."""
    features = rng.normal(size=(12, 4))
    targets = (features.sum(axis=1) > 0).astype(float)
    w_ih, w_ho = impl.train_tiny_net(features, targets, rng.normal(size=(4, 3)), rng.normal(size=3),
                                     learnrate=0.6, steps=7)
    return {"w_input_hidden": w_ih, "w_hidden_output": w_ho}
