"""Public checks of the mlp assignment."""

import numpy as np

from grader.checks import check
from grader.checks.edges import one_record


@check(points=1, functions=["layer_input"])
def layer_input_values(impl, rng):
    """Layer input for one record and for a batch, with a non-square weight matrix."""
    w = rng.normal(size=(4, 3))
    return {"one_record": impl.layer_input(rng.normal(size=4), w),
            "batch": impl.layer_input(rng.normal(size=(5, 4)), w)}


@check(points=1, functions=["layer_input", "layer_output"])
def layer_batch_of_one(impl, rng):
    """A batch of one record (shape (1, n_in)) keeps its batch shape: (1, n_out)."""
    x, w = one_record(rng.normal(size=(3, 4))), rng.normal(size=(4, 3))
    return {"input": impl.layer_input(x, w), "output": impl.layer_output(x, w)}


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


@check(points=1, functions=["forward"])
def forward_batch_shapes(impl, rng):
    """Shapes of batches: one record as a batch (1, 4) gives (1, 3) and (1, 2); a batch through one
    output unit whose weights are a vector gives one output per record, shape (5,)."""
    w_ih = rng.normal(scale=0.5, size=(4, 3))
    hidden_1, out_1 = impl.forward(one_record(rng.normal(size=(2, 4))), w_ih, rng.normal(scale=0.5, size=(3, 2)))
    hidden_v, out_v = impl.forward(rng.normal(size=(5, 4)), w_ih, rng.normal(scale=0.5, size=3))
    return {"hidden_batch_of_one": hidden_1, "output_batch_of_one": out_1,
            "hidden_vector_output": hidden_v, "output_vector_output": out_v}


@check(points=2, functions=["forward_layers"])
def forward_layers_values(impl, rng):
    """Every layer's output of a 5-4-3-2 network for a batch of records."""
    weights = [rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))]
    outputs = list(impl.forward_layers(rng.normal(size=(3, 5)), weights))
    padded = outputs + [np.nan] * (3 - len(outputs))  # a missing layer fails its case, not the check
    return {"layer_1": padded[0], "layer_2": padded[1], "layer_3": padded[2],
            "n_outputs": len(outputs)}


@check(points=1, functions=["forward_layers"])
def forward_layers_one_layer(impl, rng):
    """A single layer (a list of one matrix) for one record: a list of one output."""
    outputs = list(impl.forward_layers(rng.normal(size=4), [rng.normal(size=(4, 2))]))
    return {"layer_1": outputs[0] if outputs else np.nan, "n_outputs": len(outputs)}
