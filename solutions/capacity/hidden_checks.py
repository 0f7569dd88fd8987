"""Hidden checks of the capacity assignment: same behaviour, other inputs."""

import numpy as np

from grader.checks import check, question


def _every_input(n):
    return np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)


@check(points=2, functions=["parity_network"], hidden=True)
def hidden_parity(impl, rng):
    """parity_network on every input of 4, 7 and 9 bits, rows in a random order."""
    out = {}
    for n in (4, 7, 9):
        rows = _every_input(n)[rng.permutation(2**n)]
        out[f"bits_{n}"] = impl.parity_network(rows)
    return out


def _bits(rng):
    return sorted(int(n) for n in rng.choice(np.arange(13, 40), size=4, replace=False))


@check(points=1, functions=["deep_parity_units"], hidden=True)
def hidden_deep_units(impl, rng):
    """Units of the XOR tree for a few larger numbers of bits."""
    return {"units": [impl.deep_parity_units(n) for n in _bits(rng)]}


@check(points=1, functions=["deep_parity_layers"], hidden=True)
def hidden_deep_layers(impl, rng):
    """Layers of the XOR tree for a few larger numbers of bits."""
    return {"layers": [impl.deep_parity_layers(n) for n in _bits(rng)]}


@check(points=1, functions=["shallow_parity_units"], hidden=True)
def hidden_shallow_units(impl, rng):
    """Units of the shallow parity network for a few larger numbers of bits."""
    return {"units": [float(impl.shallow_parity_units(n)) for n in _bits(rng)]}


@check(points=2, functions=["capacity_curve"], hidden=True)
def hidden_capacity_curve(impl, rng):
    """capacity_curve on a random data set, random hidden sizes and a random seed."""
    n_train, n_val = int(rng.integers(8, 14)), 25
    x = rng.uniform(-1.0, 1.0, size=(n_train + n_val, 2))
    y = np.sin(2 * x[:, 0]) * x[:, 1] + 0.2 * rng.normal(size=n_train + n_val)
    sizes = sorted(int(s) for s in rng.choice(np.arange(1, 12), size=3, replace=False))
    train_loss, val_loss = impl.capacity_curve(x[:n_train], y[:n_train], x[n_train:], y[n_train:], sizes,
                                               learnrate=float(rng.uniform(0.02, 0.06)), epochs=40,
                                               seed=int(rng.integers(0, 1000)))
    return {"train_loss": train_loss, "val_loss": val_loss}


@question(points=1, answer="ANSWER_CHOOSE_WIDTH", hidden=True,
          choices=["the size with the lowest training loss", "the size with the lowest validation loss",
                   "the largest size the computer can train"])
def hidden_choose_width():
    """Having trained one network per hidden size, which size do you keep?"""
