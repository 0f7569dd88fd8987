"""Hidden checks of the backprop assignment: other network sizes and data."""

from grader.checks import Gradient, check, gradient_check
from grader.checks.helpers import floats


@check(points=2, functions=["forward", "output_error_term", "hidden_error_term", "weight_deltas"],
       hidden=True)
def hidden_backward_pass(impl, rng):
    """One record through a random 5-4-1 network: every intermediate value."""
    x = rng.normal(size=5)
    w_ih = rng.normal(scale=0.5, size=(5, 4))
    w_ho = rng.normal(scale=0.5, size=4)
    y = float(rng.uniform())
    learnrate = float(rng.uniform(0.1, 1.0))
    hidden, output = impl.forward(x, w_ih, w_ho)
    out_term = impl.output_error_term(y, output)
    hidden_term = impl.hidden_error_term(out_term, w_ho, hidden)
    d_ih, d_ho = impl.weight_deltas(learnrate, x, hidden, out_term, hidden_term)
    return {"hidden_layer_output": floats(hidden), "output": floats(output), "output_error_term": floats(out_term),
            "hidden_error_term": floats(hidden_term), "delta_w_i_h": floats(d_ih), "delta_w_h_o": floats(d_ho)}


@gradient_check(points=1, functions=["forward", "output_error_term", "hidden_error_term", "weight_deltas"],
                hidden=True)
def hidden_backprop_gradient(impl, rng):
    """Gradient check of the backward pass on a random 6-2-1 network."""
    x = rng.normal(size=6)
    w_ih = rng.normal(scale=0.5, size=(6, 2))
    w_ho = rng.normal(scale=0.5, size=2)
    y = float(rng.uniform(0.1, 0.9))
    hidden, output = impl.forward(x, w_ih, w_ho)
    out_term = impl.output_error_term(y, output)
    hidden_term = impl.hidden_error_term(out_term, w_ho, hidden)
    d_ih, _ = impl.weight_deltas(0.1, x, hidden, out_term, hidden_term)

    def loss(w):
        return 0.5 * float((y - impl.forward(x, w, w_ho)[1]) ** 2)

    return {"dE_dW_input_hidden": Gradient(-floats(d_ih) / 0.1, loss, w_ih.copy())}


@check(points=2, functions=["train"], hidden=True)
def hidden_train(impl, rng):
    """Ten epochs on 30 records with 4 inputs and 2 hidden units."""
    features = rng.normal(size=(30, 4))
    targets = rng.uniform(size=30)
    w_ih, w_ho = impl.train(features, targets, n_hidden=2, epochs=10, learnrate=0.8,
                            seed=int(rng.integers(0, 1000)))
    return {"weights_input_hidden": floats(w_ih), "weights_hidden_output": floats(w_ho)}
