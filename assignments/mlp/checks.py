"""Public checks of the mlp assignment."""

import numpy as np

from grader.checks import check


@check(points=1, functions=["layer_input"])
def layer_input_values(impl, rng):
    """Layer input for one record and for a batch, with a non-square weight matrix."""
    w = rng.normal(size=(4, 3))
    return {"one_record": impl.layer_input(rng.normal(size=4), w),
            "batch": impl.layer_input(rng.normal(size=(5, 4)), w)}


@check(points=1, functions=["layer_output"])
def layer_output_values(impl, rng):
    """Layer output for one record and for a batch."""
    w = rng.normal(size=(3, 2))
    return {"one_record": impl.layer_output(rng.normal(size=3), w),
            "batch": impl.layer_output(rng.normal(size=(4, 3)), w)}


@check(points=3, functions=["forward"])
def forward_values(impl, rng):
    """Hidden and network output: 4 inputs, 3 hidden units, 2 outputs; one record and a batch."""
    w_ih = rng.normal(scale=0.5, size=(4, 3))
    w_ho = rng.normal(scale=0.5, size=(3, 2))
    hidden, out = impl.forward(rng.normal(size=4), w_ih, w_ho)
    hidden_b, out_b = impl.forward(rng.normal(size=(6, 4)), w_ih, w_ho)
    return {"hidden": hidden, "output": out, "hidden_batch": hidden_b, "output_batch": out_b}


@check(points=1, functions=["forward"])
def forward_single_output(impl, rng):
    """A network with one output unit whose weights are a vector."""
    hidden, out = impl.forward(rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2))
    return {"hidden": hidden, "output": out}


@check(points=2, functions=["forward_layers"])
def forward_layers_values(impl, rng):
    """Every layer's output of a 5-4-3-2 network for a batch of records."""
    weights = [rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))]
    outputs = list(impl.forward_layers(rng.normal(size=(3, 5)), weights))
    padded = outputs + [np.nan] * (3 - len(outputs))  # a missing layer fails its case, not the check
    return {"layer_1": padded[0], "layer_2": padded[1], "layer_3": padded[2],
            "n_outputs": len(outputs)}
