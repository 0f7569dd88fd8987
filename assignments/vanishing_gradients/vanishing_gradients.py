# vanishing_gradients: your work goes where the TODO banners are.
# Check it with `grade submit` in this folder. Generated from the reference by `grade generate`.
"""
# Vanishing and exploding gradients (梯度消失与梯度爆炸)

Backpropagation multiplies. To get the gradient with respect to the input of a deep network, the
gradient at the output is carried back through every layer, and each layer multiplies it by its
weight matrix and by the slope of its activation. After `L` layers the gradient has been multiplied
by `L` such factors, so its size behaves roughly like `c**L` for some typical factor `c`:

* if `c < 1` the gradient **vanishes** (梯度消失): the early layers receive almost no signal and
  learn extremely slowly;
* if `c > 1` it **explodes** (梯度爆炸): steps become huge and training diverges.

The sigmoid's slope is at most 1/4 (at 0) and close to 0 when the unit saturates, so deep stacks of
sigmoid layers make the gradient vanish. The ReLU's slope is exactly 1 where the unit is active and
0 where it is not; whether the gradient shrinks or grows then depends on the scale of the weights,
which is why initialisation (初始化) matters: He initialisation (standard deviation
`sqrt(2 / fan_in)`) keeps it roughly constant.

In this assignment you will compute the gradient through a stack of layers and measure how its norm
changes with depth.

## The network

A stack of `L` fully connected layers of the same width `n`, no biases:

    a_0 = x
    z_l = a_{l-1} @ W_l          (W_l has shape (n, n))
    a_l = g(z_l)                 (g: sigmoid or ReLU), for l = 1 .. L

The quantity we differentiate is `sum(a_L)`, the sum of the last layer's activations, and we look at
its gradient with respect to the input `x`.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. Activations and their slopes
#
# `sigmoid` and `relu` are given. Write `activation_derivative(z, activation)`: the slope of the
# activation at the **pre-activation** `z`, elementwise.
#
# * sigmoid: `s * (1 - s)` with `s = sigmoid(z)` (not `z * (1 - z)`: that formula expects the
#   sigmoid's output);
# * ReLU: 1 where `z > 0`, 0 elsewhere (we take the slope at exactly 0 to be 0).

# %%


def sigmoid(z):
    """Logistic sigmoid, elementwise, without overflow warnings."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def relu(z):
    """Rectified linear unit, elementwise."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu}


def activation_derivative(z, activation):
    """Slope of ``activation`` ("sigmoid" or "relu") at the pre-activations ``z``, elementwise.

    ReLU's slope is 1.0 where ``z > 0`` and 0.0 elsewhere, at exactly 0 included.
    """
    ###########################################################################
    # TODO: sigmoid: s * (1 - s) with s = sigmoid(z); relu: 1.0 where z > 0,  #
    # else 0.0                                                                #
    ###########################################################################
    raise NotImplementedError('TODO: sigmoid: s * (1 - s) with s = sigmoid(z); relu: 1.0 where z > 0, else 0.0')


# %% [markdown]
# ## 2. The gradient with respect to the input
#
# Run the forward pass and keep every pre-activation `z_l`. Then go backwards, starting from the
# gradient of `sum(a_L)` with respect to `a_L`, which is a vector of ones:
#
#     dz_l     = da_l * g'(z_l)
#     da_{l-1} = dz_l @ W_l.T
#
# After the first layer, `da_0` is the gradient with respect to `x`.

# %%


def input_gradient(x, weights, activation):
    """Gradient of ``sum(a_L)`` with respect to ``x`` through the layers ``weights``.

    Args:
        x: input vector, shape ``(n,)``.
        weights: list of ``L`` matrices of shape ``(n, n)`` (``L >= 1``), first layer first.
        activation: "sigmoid" or "relu".

    Returns:
        Array of shape ``(n,)``.
    """
    ###########################################################################
    # TODO: forward pass keeping each z_l, then backward from ones: dz = da * #
    # g'(z), da = dz @ W.T                                                    #
    ###########################################################################
    raise NotImplementedError("TODO: forward pass keeping each z_l, then backward from ones: dz = da * g'(z), da = dz @ W.T")


# %% [markdown]
# ## 3. Norms as the network gets deeper
#
# For each depth in `depths` (in the order given), draw from `rng`, in this order:
#
# 1. the input `x`: `rng.normal(size=width)`;
# 2. the `depth` weight matrices with `init_layers(depth, width, rng, gain)` (given: each is
#    `rng.normal(scale=gain / sqrt(width), size=(width, width))`, first layer first),
#
# and record `np.linalg.norm` of `input_gradient(x, weights, activation)`. Every depth draws fresh
# values, so the same `rng` state always gives the same norms.

# %%


def init_layers(depth, width, rng, gain=1.0):
    """``depth`` weight matrices ``rng.normal(scale=gain / sqrt(width), size=(width, width))``."""
    return [rng.normal(scale=gain / np.sqrt(width), size=(width, width)) for _ in range(depth)]


def gradient_norms(depths, width, activation, rng, gain=1.0):
    """Norm of the input gradient of a fresh random network for each depth.

    Args:
        depths: sequence of numbers of layers, e.g. ``[1, 2, 5, 10]``.
        width: number of units of every layer (and of the input).
        activation: "sigmoid" or "relu".
        rng: a ``numpy.random.Generator``; per depth, ``x`` is drawn first, then the weights.
        gain: scale factor of the weights (1: std ``1/sqrt(width)``; ``sqrt(2)``: He).

    Returns:
        Float array with one norm per depth.
    """
    ###########################################################################
    # TODO: per depth: draw x, then init_layers(...); store the norm of       #
    # input_gradient                                                          #
    ###########################################################################
    raise NotImplementedError('TODO: per depth: draw x, then init_layers(...); store the norm of input_gradient')


# %% [markdown]
# ## 4. Try it
#
# Compare sigmoid layers with ReLU layers at three weight scales. What happens to the sigmoid
# network's gradient after 20 layers? Which ReLU gain keeps the gradient's size steady?

# %%

if __name__ == "__main__":
    depth_list = [1, 2, 5, 10, 20, 40]
    print("depth:            " + "".join(f"{d:>10d}" for d in depth_list))
    for label, act_name, scale in [("sigmoid, gain 1", "sigmoid", 1.0), ("relu, gain 1", "relu", 1.0),
                                   ("relu, gain sqrt2", "relu", np.sqrt(2)), ("relu, gain 2", "relu", 2.0)]:
        measured = gradient_norms(depth_list, 100, act_name, np.random.default_rng(0), gain=scale)
        print(f"{label:<18}" + "".join(f"{v:>10.2e}" for v in measured))


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (it needs matplotlib:
# `pip install 'numgrade[figures]'`). Left: in one network of 30 layers, the size of the gradient of
# the output with respect to each layer's activations: sigmoid layers shrink it by about 4 at every
# layer; ReLU layers with He's gain keep it steady. Right: the gradient at the input against depth,
# from `gradient_norms` (the median of five networks per point).

# %%


def figure_gradient_norms(fig):
    """Gradient norm per layer of a 30-layer network, and at the input against depth."""
    per_layer, per_depth = fig.subplots(1, 2, sharey=True)
    cases = [("sigmoid, gain 1", "sigmoid", 1.0), ("ReLU, gain 1", "relu", 1.0),
             ("ReLU, gain sqrt(2)", "relu", np.sqrt(2.0)), ("ReLU, gain 2", "relu", 2.0)]
    for label, activation, gain in cases:
        rng = np.random.default_rng(1)
        x = rng.normal(size=100)
        layers = init_layers(30, 100, rng, gain)
        act, a, norms = ACTIVATIONS[activation], x, []
        for depth in range(30):
            norms.append(np.linalg.norm(input_gradient(a, layers[depth:], activation)))
            a = act(a @ layers[depth])
        per_layer.semilogy(range(30), norms, label=label)
        depths = [1, 2, 5, 10, 20, 30]
        runs = [gradient_norms(depths, 100, activation, np.random.default_rng(seed), gain) for seed in range(5)]
        per_depth.semilogy(depths, np.median(runs, axis=0), marker="o", label=label)
    per_layer.set_xlabel("layer l (0 = the input)")
    per_layer.set_ylabel("norm of d sum(a_L) / d a_l")
    per_layer.set_title("Through one 30-layer network")
    per_depth.set_xlabel("depth L")
    per_depth.set_title("At the input, against depth")
    per_layer.legend(fontsize="small")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_gradient_norms)
