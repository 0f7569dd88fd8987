"""Public checks of the capacity assignment."""

import numpy as np

from grader.checks import Gradient, check, gradient_check, question
from grader.checks.helpers import floats


def every_input(n):
    """All 2**n rows of n bits, as 0/1 floats."""
    return np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)


def _params(rng, n_inputs, n_hidden):
    return {"W1": rng.normal(size=(n_inputs, n_hidden)), "b1": rng.normal(size=n_hidden),
            "W2": rng.normal(size=n_hidden), "b2": float(rng.normal())}


def _curve_data(rng, n_train=10, n_val=30):
    x = rng.uniform(-1.0, 1.0, size=(n_train + n_val, 1))
    y = np.sin(3 * x[:, 0]) + 0.3 * rng.normal(size=n_train + n_val)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


@check(points=2, functions=["xor_gate"])
def xor_truth_table(impl, rng):
    """xor_gate on the four input pairs, and on a longer random vector of pairs."""
    a, b = rng.integers(0, 2, size=(2, 12)).astype(float)
    return {"truth_table": impl.xor_gate(np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.0, 1.0, 0.0, 1.0])),
            "random_pairs": impl.xor_gate(a, b)}


@check(points=3, functions=["parity_network"])
def parity_on_every_input(impl, rng):
    """parity_network on every input of 1, 2, 3, 5 and 6 bits."""
    return {f"bits_{n}": impl.parity_network(every_input(n)) for n in (1, 2, 3, 5, 6)}


@check(points=1, functions=["deep_parity_units"])
def deep_units(impl, rng):
    """Units of the XOR tree for 1 to 12 bits."""
    return {"units": [impl.deep_parity_units(n) for n in range(1, 13)]}


@check(points=1, functions=["deep_parity_layers"])
def deep_layers(impl, rng):
    """Layers of the balanced XOR tree for 1 to 12 bits."""
    return {"layers": [impl.deep_parity_layers(n) for n in range(1, 13)]}


@check(points=1, functions=["shallow_parity_units"])
def shallow_counts(impl, rng):
    """Units of the one-hidden-layer parity network for 1 to 12 bits."""
    return {"units": [impl.shallow_parity_units(n) for n in range(1, 13)]}


@check(points=2, functions=["shallow_parity_layer"])
def shallow_layer_computes_parity(impl, rng):
    """The shallow network built on shallow_parity_layer(n): parity of every input, and its width, n = 1 to 5."""
    out = {}
    for n in range(1, 6):
        weights, biases = impl.shallow_parity_layer(n)
        weights, biases = floats(weights), floats(biases)
        out[f"width_{n}"] = weights.shape[1]
        out[f"parity_{n}"] = impl.shallow_parity(every_input(n), weights, biases)
    return out


@check(points=1, functions=["forward"])
def forward_values(impl, rng):
    """forward on 7 records of 3 inputs, 5 hidden units."""
    params = _params(rng, 3, 5)
    hidden, output = impl.forward(params, rng.normal(size=(7, 3)))
    return {"hidden": hidden, "output": output}


@check(points=1, functions=["loss_and_gradients"])
def loss_value(impl, rng):
    """The loss of a network with 4 hidden units on 9 records."""
    params = _params(rng, 2, 4)
    loss, _ = impl.loss_and_gradients(params, rng.normal(size=(9, 2)), rng.normal(size=9))
    return {"loss": loss}


@gradient_check(points=2, functions=["loss_and_gradients"])
def gradients_match_the_loss(impl, rng):
    """Every gradient of loss_and_gradients against a centred difference of its loss."""
    params = _params(rng, 2, 4)
    X, y = rng.normal(size=(9, 2)), rng.normal(size=9)
    _, grads = impl.loss_and_gradients(params, X, y)

    def loss_at(key):
        return lambda value: float(impl.loss_and_gradients({**params, key: value}, X, y)[0])

    out = {key: Gradient(grads[key], loss_at(key), params[key]) for key in ("W1", "b1", "W2")}
    # b2 is a number: varied as a one-element array, so both gradients have shape (1,)
    out["b2"] = Gradient(np.reshape(floats(grads["b2"]), 1),
                         lambda value: float(impl.loss_and_gradients({**params, "b2": float(value[0])}, X, y)[0]),
                         np.array([params["b2"]]))
    return out


@check(points=2, functions=["train"], steps=True)
def train_losses(impl, rng):
    """Eight epochs of train on 10 records, 3 hidden units: the loss recorded at each epoch."""
    X, y, _, _ = _curve_data(rng)
    params = _params(rng, 1, 3)
    trained, losses = impl.train(params, X, y, 0.1, 8)
    return {"losses": losses, "W1": trained["W1"], "b2": trained["b2"]}


@check(points=3, functions=["capacity_curve"])
def capacity_curve_values(impl, rng):
    """Training and validation loss for hidden sizes 1, 2, 4 and 8 (60 epochs, seed 3)."""
    data = _curve_data(rng)
    train_loss, val_loss = impl.capacity_curve(*data, [1, 2, 4, 8], learnrate=0.05, epochs=60, seed=3)
    return {"train_loss": train_loss, "val_loss": val_loss}


@question(points=1, answer="ANSWER_HYPERPARAMETERS",
          choices=["the weights W", "the learning rate alpha", "the number of hidden layers", "the biases b",
                   "the mini-batch size", "the momentum beta"], several=True)
def hyperparameters():
    """Which of these are hyperparameters, chosen before training rather than learned by gradient
    descent? (all that apply)"""


@question(points=1, answer="ANSWER_TOO_FEW_UNITS",
          choices=["a high training loss and a high validation loss: it underfits",
                   "a low training loss and a high validation loss: it overfits",
                   "the same losses as a wider network, only faster"])
def too_few_units():
    """A network with too few hidden units for its task typically has ..."""


@question(points=1, answer="ANSWER_TOO_MANY_UNITS",
          choices=["a training loss that rises with every unit added",
                   "no effect on the losses at all, only on the time per epoch",
                   "a training loss that keeps falling while the validation loss stops improving or rises"])
def too_many_units():
    """Adding hidden units far beyond what the data need typically gives ..."""


@question(points=1, answer="ANSWER_SHALLOW_HIDDEN_UNITS_10_BITS", rtol=0.0, atol=0.0)
def shallow_units_for_ten_bits():
    """How many hidden units does the one-hidden-layer parity network of part 2 need for 10 bits?"""
