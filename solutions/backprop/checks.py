"""Public checks of the backprop assignment.

Each function is checked on its own, fed inputs computed here (not by the student's other
functions), so a mistake in one function costs only that function's points. The worked example,
a gradient check of the whole backward pass and training come on top.
"""

import numpy as np

from grader.checks import Gradient, check, gradient_check
from grader.checks.helpers import floats

N_INPUTS, N_HIDDEN = 4, 3


def _network(rng, n_inputs=N_INPUTS, n_hidden=N_HIDDEN):
    x = rng.normal(size=n_inputs)
    w_ih = rng.normal(scale=0.7, size=(n_inputs, n_hidden))
    w_ho = rng.normal(scale=0.7, size=n_hidden)
    return x, w_ih, w_ho


@check(points=1, functions=["sigmoid"])
def sigmoid_values(impl, rng):
    """sigmoid of a vector and a matrix of moderate values, and of 0 and +-30."""
    return {
        "vector": floats(impl.sigmoid(rng.normal(scale=3.0, size=10))),
        "matrix": floats(impl.sigmoid(rng.normal(scale=3.0, size=(3, 4)))),
        "fixed": floats(impl.sigmoid(np.array([-30.0, 0.0, 30.0]))),
    }


@check(points=1, functions=["sigmoid"], relative=True, rtol=1e-3)
def sigmoid_tiny_values(impl, rng):
    """sigmoid of inputs from -30 to -10 is tiny (1e-13 to 5e-5) but right: judged by relative error."""
    return {"values": floats(impl.sigmoid(-rng.uniform(10.0, 30.0, size=8)))}


@check(points=2, functions=["forward"])
def forward_values(impl, rng):
    """Forward pass of one record through a 4-3-1 network and a 2-5-1 network."""
    out = {}
    for case, (n_in, n_hid) in [("4_3", (4, 3)), ("2_5", (2, 5))]:
        x, w_ih, w_ho = _network(rng, n_in, n_hid)
        hidden, output = impl.forward(x, w_ih, w_ho)
        out[f"hidden_layer_output_{case}"] = floats(hidden)
        out[f"output_{case}"] = floats(output)
    return out


@check(points=1, functions=["output_error_term"])
def output_error_term_values(impl, rng):
    """Output error terms for outputs above and below their targets."""
    targets = rng.uniform(0.0, 1.0, size=6)
    outputs = rng.uniform(0.05, 0.95, size=6)
    return {"output_error_term": np.array([float(impl.output_error_term(t, o))
                                           for t, o in zip(targets, outputs)])}


@check(points=2, functions=["hidden_error_term"])
def hidden_error_term_values(impl, rng):
    """Hidden error terms for three hidden units and for five."""
    out = {}
    for n_hid in (3, 5):
        term = float(rng.normal(scale=0.2))
        w_ho = rng.normal(size=n_hid)
        hidden = rng.uniform(0.05, 0.95, size=n_hid)
        out[f"hidden_error_term_{n_hid}"] = floats(impl.hidden_error_term(term, w_ho, hidden))
    return out


@check(points=2, functions=["weight_deltas"])
def weight_deltas_values(impl, rng):
    """Weight steps for a 4-3-1 network with learnrate 0.3 (delta_w_i_h is 4 x 3)."""
    x = rng.normal(size=N_INPUTS)
    hidden = rng.uniform(0.05, 0.95, size=N_HIDDEN)
    out_term = float(rng.normal(scale=0.2))
    hidden_term = rng.normal(scale=0.05, size=N_HIDDEN)
    d_ih, d_ho = impl.weight_deltas(0.3, x, hidden, out_term, hidden_term)
    return {"delta_w_i_h": floats(d_ih), "delta_w_h_o": floats(d_ho)}


@check(points=2, functions=["forward", "output_error_term", "hidden_error_term", "weight_deltas"])
def worked_example(impl, rng):
    """The notes' worked example: x = [0.5, 0.1, -0.2], target 0.6, learnrate 0.5."""
    x = np.array([0.5, 0.1, -0.2])
    w_ih = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    w_ho = np.array([0.1, -0.3])
    hidden, output = impl.forward(x, w_ih, w_ho)
    out_term = impl.output_error_term(0.6, output)
    hidden_term = impl.hidden_error_term(out_term, w_ho, hidden)
    d_ih, d_ho = impl.weight_deltas(0.5, x, hidden, out_term, hidden_term)
    return {"delta_w_h_o": floats(d_ho), "delta_w_i_h": floats(d_ih)}


@gradient_check(points=2, functions=["forward", "output_error_term", "hidden_error_term",
                                     "weight_deltas"])
def backprop_gradient(impl, rng):
    """Minus the weight steps over learnrate must be the gradient of E = (y - output)**2 / 2."""
    learnrate = 0.5
    x, w_ih, w_ho = _network(rng)
    y = float(rng.uniform(0.1, 0.9))
    hidden, output = impl.forward(x, w_ih, w_ho)
    out_term = impl.output_error_term(y, output)
    hidden_term = impl.hidden_error_term(out_term, w_ho, hidden)
    d_ih, d_ho = impl.weight_deltas(learnrate, x, hidden, out_term, hidden_term)

    def loss_input_hidden(w):
        return 0.5 * float((y - impl.forward(x, w, w_ho)[1]) ** 2)

    def loss_hidden_output(w):
        return 0.5 * float((y - impl.forward(x, w_ih, w)[1]) ** 2)

    return {
        "dE_dW_input_hidden": Gradient(-floats(d_ih) / learnrate, loss_input_hidden, w_ih.copy()),
        "dE_dW_hidden_output": Gradient(-floats(d_ho) / learnrate, loss_hidden_output, w_ho.copy()),
    }


@check(points=2, functions=["train"], steps=True)
def train_epochs(impl, rng):
    """Weights after 1, 2, 3 and 4 epochs on 12 records (3 inputs, 3 hidden units, learnrate 0.5)."""
    features = rng.normal(size=(12, 3))
    targets = (features @ rng.normal(size=3) > 0).astype(float)
    seed = int(rng.integers(0, 1000))
    w_ih_steps, w_ho_steps = [], []
    for epochs in range(1, 5):
        w_ih, w_ho = impl.train(features, targets, n_hidden=3, epochs=epochs, learnrate=0.5, seed=seed)
        w_ih_steps.append(floats(w_ih))
        w_ho_steps.append(floats(w_ho))
    return {"weights_input_hidden": np.stack(w_ih_steps), "weights_hidden_output": np.stack(w_ho_steps)}
