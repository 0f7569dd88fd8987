# mlp: your work goes where the TODO banners are.
# Check it with `grade submit` in this folder. Generated from the reference by `grade generate`.
"""
# The multilayer perceptron: forward pass (多层感知器)

One sigmoid unit draws one smooth boundary. Stacking units in layers lets a network bend and combine
boundaries: a hidden layer (隐藏层) maps each input vector to a new vector, a change of coordinates
in which the classes become easier to separate, and the output layer works on those new coordinates.

## Weights as a matrix

With `n_input` inputs and `n_hidden` hidden units there is one weight per (input, hidden unit) pair.
Store them in a matrix `w` of shape `(n_input, n_hidden)` indexed `w[i][j]`:

- row `i` holds every weight leaving input node `i`;
- column `j` holds every weight arriving at hidden node `j`.

Then the input of hidden unit `j` is `h_j = sum_i x_i * w[i][j]`, which for all `j` at once is the
vector-matrix product `np.dot(x, w)` (shape `(n_hidden,)`). The hidden layer's output is
`sigmoid(h)`, elementwise. The output layer repeats the pattern with its own matrix of shape
`(n_hidden, n_output)`: its input is `np.dot(hidden_output, w_hidden_output)` and its output the
sigmoid of that.

The same code works for a batch of records stacked as rows, `x` of shape `(n_records, n_input)`:
`np.dot(x, w)` then has shape `(n_records, n_hidden)`, one row per record. (Watch the order:
`np.dot(w, x)` would need the transposed layout.)

This assignment has no training: it is only the forward pass. The backprop assignment trains such a
network.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## The sigmoid (given)

# %%


def sigmoid(x):
    """Logistic sigmoid, elementwise, without overflow warnings (given)."""
    x = np.clip(np.asarray(x, dtype=float), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-x))


# %% [markdown]
# ## 1. One layer
#
# `layer_input(x, weights)` is the vector of `h_j = sum_i x_i w[i][j]`; `layer_output` applies the
# sigmoid to it.

# %%


def layer_input(x, weights):
    """Input of each unit of a layer: ``h_j = sum_i x_i * weights[i][j]``.

    Args:
        x: one record, shape ``(n_in,)``, or records, shape ``(n_records, n_in)``.
        weights: shape ``(n_in, n_out)``; row i leaves input i, column j enters unit j.

    Returns:
        Shape ``(n_out,)`` for one record, ``(n_records, n_out)`` for several.
    """
    ###########################################################################
    # TODO: return h_j = sum_i x_i * weights[i][j] for every unit j           #
    ###########################################################################
    raise NotImplementedError('TODO: return h_j = sum_i x_i * weights[i][j] for every unit j')


def layer_output(x, weights):
    """Output of a layer of sigmoid units: ``sigmoid(layer_input(x, weights))``."""
    ###########################################################################
    # TODO: return the sigmoid of the layer's input                           #
    ###########################################################################
    raise NotImplementedError("TODO: return the sigmoid of the layer's input")


# %% [markdown]
# ## 2. A network with one hidden layer
#
# `forward` returns both the hidden layer's output and the network's output: the backward pass of
# backpropagation needs both.

# %%


def forward(x, weights_input_hidden, weights_hidden_output):
    """Forward pass through one hidden layer and the output layer, all sigmoid units.

    Args:
        x: one record ``(n_input,)`` or records ``(n_records, n_input)``.
        weights_input_hidden: shape ``(n_input, n_hidden)``.
        weights_hidden_output: shape ``(n_hidden, n_output)``, or ``(n_hidden,)`` for one output.

    Returns:
        ``(hidden_layer_output, output)``.
    """
    ###########################################################################
    # TODO: hidden layer input and output, then the output layer's input and  #
    # output                                                                  #
    ###########################################################################
    raise NotImplementedError("TODO: hidden layer input and output, then the output layer's input and output")


# %% [markdown]
# ## 3. Any number of layers
#
# A deeper perceptron is the same step repeated: each layer's output is the next layer's input.
# `forward_layers` returns the list of every layer's output, the last being the network's output.

# %%


def forward_layers(x, weights):
    """Forward pass through a stack of sigmoid layers.

    Args:
        x: one record or a batch of records (rows).
        weights: list of matrices; ``weights[k]`` has shape ``(n_k, n_{k+1})``.

    Returns:
        A list with one entry per matrix: the output of each layer, in order.
    """
    ###########################################################################
    # TODO: feed each layer's output into the next layer, collecting the      #
    # outputs                                                                 #
    ###########################################################################
    raise NotImplementedError("TODO: feed each layer's output into the next layer, collecting the outputs")


# %% [markdown]
# ## Try it

# %%
if __name__ == "__main__":
    rng = np.random.default_rng(21)
    x = rng.normal(size=4)
    w_ih = rng.normal(scale=0.1, size=(4, 3))
    w_ho = rng.normal(scale=0.1, size=(3, 2))
    hidden, out = forward(x, w_ih, w_ho)
    print("hidden layer output:", hidden)
    print("output layer output:", out)
    print("same through forward_layers:", forward_layers(x, [w_ih, w_ho])[-1])
