"""Hidden checks of the mlp assignment."""

from grader.checks import check


@check(points=1, functions=["layer_input", "layer_output"], hidden=True)
def hidden_layer(impl, rng):
    """Layer input and output for a batch."""
    x, w = rng.normal(size=(7, 2)), rng.normal(size=(2, 5))
    return {"input": impl.layer_input(x, w), "output": impl.layer_output(x, w)}


@check(points=2, functions=["forward"], hidden=True)
def hidden_forward(impl, rng):
    """Forward pass of a 6-5-3 network on a batch."""
    hidden, out = impl.forward(rng.normal(size=(4, 6)), rng.normal(size=(6, 5)), rng.normal(size=(5, 3)))
    return {"hidden": hidden, "output": out}


@check(points=1, functions=["forward_layers"], hidden=True)
def hidden_forward_layers(impl, rng):
    """A 3-3-3-3-1 network on one record."""
    weights = [rng.normal(size=(3, 3)) for _ in range(3)] + [rng.normal(size=(3, 1))]
    outputs = impl.forward_layers(rng.normal(size=3), weights)
    return {f"layer_{k + 1}": outputs[k] for k in range(4)}
