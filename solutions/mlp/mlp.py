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
    # BEGIN SOLUTION: return h_j = sum_i x_i * weights[i][j] for every unit j
    return np.dot(x, weights)
    # END SOLUTION


def layer_output(x, weights):
    """Output of a layer of sigmoid units: ``sigmoid(layer_input(x, weights))``."""
    # BEGIN SOLUTION: return the sigmoid of the layer's input
    return sigmoid(layer_input(x, weights))
    # END SOLUTION


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
    # BEGIN SOLUTION: hidden layer input and output, then the output layer's input and output
    hidden_layer_in = np.dot(x, weights_input_hidden)
    hidden_layer_out = sigmoid(hidden_layer_in)
    output_layer_in = np.dot(hidden_layer_out, weights_hidden_output)
    output_layer_out = sigmoid(output_layer_in)
    return hidden_layer_out, output_layer_out
    # END SOLUTION


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
    # BEGIN SOLUTION: feed each layer's output into the next layer, collecting the outputs
    outputs = []
    activation = x
    for w in weights:
        activation = sigmoid(np.dot(activation, w))
        outputs.append(activation)
    return outputs
    # END SOLUTION


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


# %% [markdown]
# ## Figures
#
# A network of the notes' shape drawn from your functions beside the reference's (it needs
# matplotlib: `pip install 'numgrade[figures]'`): each edge carries its weight `w[i][j]`, each hidden
# and output unit its input `h_j` (from `layer_input`) and its output (from `forward`).

# %%


def _draw_network(ax, layers, weights, edge_text, node_text):
    """Nodes in columns (one per layer, ``layers[k]`` units), an edge for each weight; each edge
    carries ``edge_text(k, i, j)`` and each node ``node_text(k, i)``."""
    def position(k, i):
        return k, (layers[k] - 1) / 2 - i

    for k, w in enumerate(weights):
        for i in range(layers[k]):
            for j in range(layers[k + 1]):
                (x0, y0), (x1, y1) = position(k, i), position(k + 1, j)
                ax.plot([x0, x1], [y0, y1], color="#999999", linewidth=1, zorder=1)
                t = 0.35 if j % 2 == 0 else 0.68  # stagger the labels of edges that leave one node
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), edge_text(k, i, j), fontsize=7, ha="center",
                        va="center", bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                        zorder=2)
    for k, n in enumerate(layers):
        for i in range(n):
            x, y = position(k, i)
            ax.scatter([x], [y], s=2400, color="#cfe3f7", edgecolors="#1f77b4", zorder=3)
            ax.text(x, y, node_text(k, i), fontsize=7, ha="center", va="center", zorder=4)
    ax.set_xlim(-0.4, len(layers) - 0.6)
    ax.set_ylim(-max(layers) / 2 - 0.1, max(layers) / 2 + 0.1)
    ax.axis("off")


def figure_network(fig):
    """Three inputs, two hidden units, one output: weights on the edges, h and the output in the units."""
    x = np.array([0.5, 0.1, -0.2])
    w_ih, w_ho = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), np.array([[0.1], [-0.3]])
    hidden_in = layer_input(x, w_ih)
    hidden, output = forward(x, w_ih, w_ho)
    output_in = layer_input(hidden, w_ho)
    weights = [w_ih, w_ho]

    def node(k, i):
        if k == 0:
            return f"x{i + 1}={x[i]:g}"
        if k == 1:
            return f"h={hidden_in[i]:.2f}\nout={hidden[i]:.3f}"
        return f"h={float(output_in[0]):.3f}\nout={float(np.ravel(output)[0]):.3f}"

    fig.set_size_inches(8, 4)
    ax = fig.subplots()
    _draw_network(ax, [3, 2, 1], weights, lambda k, i, j: f"w[{i}][{j}]={weights[k][i, j]:g}", node)
    ax.set_title("h_j = sum_i x_i w[i][j], then out = sigmoid(h_j)")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_network)
