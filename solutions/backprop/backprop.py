"""
# Backpropagation (反向传播)

A network with a hidden layer learns the same way a single unit does, by gradient descent on the
squared error. The new question is how much each *hidden* weight is to blame for the error at the
output. Backpropagation answers it by sending the output's error back through the same weights
that carried the signal forward: each hidden unit receives the output error scaled by the weight
that connects it to the output, times the slope of its own activation.

This assignment follows one record through a small network with sigmoid units everywhere:

    inputs x (n_inputs)  --W_ih-->  hidden layer h (n_hidden)  --W_ho-->  one output

* `weights_input_hidden` (`W_ih`) has shape `(n_inputs, n_hidden)`: row `i` holds the weights
  leaving input `i`, column `j` the weights entering hidden unit `j` (the `w[i][j]` indexing of the
  notes' multilayer perceptron, 多层感知器).
* `weights_hidden_output` (`W_ho`) has shape `(n_hidden,)`: one weight per hidden unit.

The error terms (误差项) and weight steps, for the error `E = (y - output)**2 / 2`:

    output_error_term = (y - output) * output * (1 - output)
    hidden_error_term = output_error_term * W_ho * h * (1 - h)          (one per hidden unit)
    delta_w_h_o       = learnrate * output_error_term * h               (shape of W_ho)
    delta_w_i_h[i, j] = learnrate * hidden_error_term[j] * x[i]         (shape of W_ih)

Adding the deltas to the weights is one step of gradient *descent*: `delta = -learnrate * dE/dW`.

You will write each piece as a function, check them on the worked example of the notes, and then
train a two-layer network on a small data set.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. The forward pass
#
# The sigmoid squashes any number into (0, 1): `sigmoid(x) = 1 / (1 + exp(-x))`. Write it so that
# large negative inputs do not overflow `exp` (for instance with `np.logaddexp`, or by treating
# negative and positive inputs separately).
#
# The forward pass computes the hidden layer's output `h = sigmoid(x @ W_ih)` and then the network's
# output `sigmoid(h @ W_ho)`.

# %%


def sigmoid(x):
    """Logistic sigmoid, elementwise, without overflow warnings."""
    # BEGIN SOLUTION: return 1 / (1 + exp(-x)), computed without overflow for large negative x
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))
    # END SOLUTION


def forward(x, weights_input_hidden, weights_hidden_output):
    """Forward pass of one record through the two-layer network.

    Args:
        x: one record, shape ``(n_inputs,)``.
        weights_input_hidden: shape ``(n_inputs, n_hidden)``.
        weights_hidden_output: shape ``(n_hidden,)``.

    Returns:
        ``(hidden_layer_output, output)``: the hidden layer's activations, shape ``(n_hidden,)``,
        and the network's output, a number.
    """
    # BEGIN SOLUTION: hidden_layer_output = sigmoid(x @ W_ih); output = sigmoid(hidden_layer_output @ W_ho)
    hidden_layer_input = np.dot(x, weights_input_hidden)
    hidden_layer_output = sigmoid(hidden_layer_input)
    output_layer_input = np.dot(hidden_layer_output, weights_hidden_output)
    output = sigmoid(output_layer_input)
    return hidden_layer_output, output
    # END SOLUTION


# %% [markdown]
# ## 2. The backward pass
#
# The output error term is the error `target - output` times the slope of the sigmoid at the
# output, `output * (1 - output)` (the slope is computed from the sigmoid's *output*, no second
# `exp` needed).
#
# Each hidden unit's error term is the output error term carried back along its weight, times the
# slope of the hidden unit's own sigmoid: `output_error_term * W_ho * h * (1 - h)`.

# %%


def output_error_term(target, output):
    """Error term of the sigmoid output unit: ``(target - output) * output * (1 - output)``."""
    # BEGIN SOLUTION: the error target - output times the sigmoid's slope at the output
    error = target - output
    return error * output * (1 - output)
    # END SOLUTION


def hidden_error_term(output_error_term, weights_hidden_output, hidden_layer_output):
    """Error terms of the hidden units, shape ``(n_hidden,)``.

    Args:
        output_error_term: the output unit's error term (a number).
        weights_hidden_output: shape ``(n_hidden,)``.
        hidden_layer_output: the hidden activations ``h``, shape ``(n_hidden,)``.
    """
    # BEGIN SOLUTION: carry the output error term back along W_ho, times the hidden sigmoid's slope
    backpropagated = np.dot(output_error_term, weights_hidden_output)
    return backpropagated * hidden_layer_output * (1 - hidden_layer_output)
    # END SOLUTION


# %% [markdown]
# ## 3. The weight steps
#
# The step of a weight is `learnrate` times the error term of the unit the weight enters, times the
# value that travels along the weight. For the hidden-to-output weights that value is `h`. For the
# input-to-hidden weights, entry `[i, j]` needs input `x[i]` and hidden error term `j`: an outer
# product shaped like `W_ih`, `(n_inputs, n_hidden)`. Turning `x` into a column with `x[:, None]`
# lets broadcasting build it.

# %%


def weight_deltas(learnrate, x, hidden_layer_output, output_error_term, hidden_error_term):
    """Steps for both weight matrices from one record.

    Returns:
        ``(delta_w_i_h, delta_w_h_o)`` shaped like ``weights_input_hidden`` ``(n_inputs, n_hidden)``
        and ``weights_hidden_output`` ``(n_hidden,)``.
    """
    # BEGIN SOLUTION: learnrate * error term * incoming value, for both weight matrices
    x = np.asarray(x, dtype=float)
    delta_w_h_o = learnrate * output_error_term * hidden_layer_output
    delta_w_i_h = learnrate * hidden_error_term * x[:, None]
    return delta_w_i_h, delta_w_h_o
    # END SOLUTION


# %% [markdown]
# ## 4. The worked example
#
# With `x = [0.5, 0.1, -0.2]`, target 0.6, learnrate 0.5 and the weights below, your functions
# should give `delta_w_h_o = [0.00804047, 0.00555918]` and
# `delta_w_i_h = [[1.77e-04, -5.11e-04], [3.54e-05, -1.02e-04], [-7.08e-05, 2.04e-04]]`.

# %%

if __name__ == "__main__":
    x = np.array([0.5, 0.1, -0.2])
    target = 0.6
    learnrate = 0.5
    weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    weights_hidden_output = np.array([0.1, -0.3])

    h, y_hat = forward(x, weights_input_hidden, weights_hidden_output)
    delta_o = output_error_term(target, y_hat)
    delta_h = hidden_error_term(delta_o, weights_hidden_output, h)
    delta_w_i_h, delta_w_h_o = weight_deltas(learnrate, x, h, delta_o, delta_h)
    print("Change in weights for hidden layer to output layer:\n", delta_w_h_o)
    print("Change in weights for input layer to hidden layer:\n", delta_w_i_h)


# %% [markdown]
# ## 5. Training the network
#
# Training repeats, for a number of epochs (a pass over all records, 训练轮数):
#
# 1. start two accumulators of zeros shaped like the weight matrices;
# 2. for each record: forward pass, error terms, weight deltas; add the deltas to the accumulators;
# 3. after the last record, add the *average* step (the accumulators divided by `n_records`) to the
#    weights.
#
# The weights start random, drawn from a seeded generator (given below), so a run is reproducible.
# Use your functions from parts 1 to 3.

# %%


def train(features, targets, n_hidden=2, epochs=900, learnrate=0.005, seed=42):
    """Train the two-layer sigmoid network with full-batch gradient descent.

    Args:
        features: shape ``(n_records, n_inputs)``.
        targets: shape ``(n_records,)``, values in [0, 1].
        n_hidden: number of hidden units.
        epochs: number of passes over the records.
        learnrate: the learning rate.
        seed: seed of the generator that draws the initial weights.

    Returns:
        ``(weights_input_hidden, weights_hidden_output)`` after training.
    """
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_records, n_inputs = features.shape
    rng = np.random.default_rng(seed)
    weights_input_hidden = rng.normal(scale=1 / n_inputs**0.5, size=(n_inputs, n_hidden))
    weights_hidden_output = rng.normal(scale=1 / n_inputs**0.5, size=n_hidden)

    for epoch in range(epochs):
        # BEGIN SOLUTION: accumulate the deltas of every record, then step by their average
        del_w_input_hidden = np.zeros(weights_input_hidden.shape)
        del_w_hidden_output = np.zeros(weights_hidden_output.shape)
        for record, y in zip(features, targets):
            hidden, out = forward(record, weights_input_hidden, weights_hidden_output)
            out_term = output_error_term(y, out)
            hidden_term = hidden_error_term(out_term, weights_hidden_output, hidden)
            d_ih, d_ho = weight_deltas(learnrate, record, hidden, out_term, hidden_term)
            del_w_input_hidden += d_ih
            del_w_hidden_output += d_ho
        weights_input_hidden += del_w_input_hidden / n_records
        weights_hidden_output += del_w_hidden_output / n_records
        # END SOLUTION

    return weights_input_hidden, weights_hidden_output


# %% [markdown]
# ## 6. Try it
#
# A synthetic data set: two features drawn around two centres, labelled 1 or 0 by which centre they
# came from, plus a constant input of 1 that plays the role of a bias. The network should classify
# most records correctly.

# %%

if __name__ == "__main__":
    data_rng = np.random.default_rng(0)
    n = 200
    labels = data_rng.integers(0, 2, size=n).astype(float)
    points = data_rng.normal(size=(n, 2)) + np.where(labels[:, None] == 1, 1.0, -1.0)
    features = np.column_stack([points, np.ones(n)])
    w_ih, w_ho = train(features, labels, n_hidden=3, epochs=300, learnrate=2.0)
    predictions = np.array([forward(row, w_ih, w_ho)[1] for row in features])
    loss = np.mean((labels - predictions) ** 2)
    accuracy = np.mean((predictions > 0.5) == labels)
    print(f"Training loss: {loss:.4f}  accuracy: {accuracy:.3f}")


# %% [markdown]
# ## Figures
#
# The worked example of part 4, drawn from your functions beside the reference's (it needs
# matplotlib: `pip install 'numgrade[figures]'`): each node shows its value on the forward pass (and,
# for the hidden and output units, its error term), each edge its weight and the step
# `weight_deltas` gives it.

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


def figure_worked_example(fig):
    """The notes' worked example: activations, error terms, weights and their steps."""
    x, target, learnrate = np.array([0.5, 0.1, -0.2]), 0.6, 0.5
    w_ih, w_ho = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), np.array([0.1, -0.3])
    hidden, output = forward(x, w_ih, w_ho)
    delta_o = output_error_term(target, output)
    delta_h = hidden_error_term(delta_o, w_ho, hidden)
    step_ih, step_ho = weight_deltas(learnrate, x, hidden, delta_o, delta_h)
    weights, steps = [w_ih, np.reshape(w_ho, (-1, 1))], [step_ih, np.reshape(step_ho, (-1, 1))]

    def node(k, i):
        if k == 0:
            return f"x={x[i]:g}"
        if k == 1:
            return f"h={hidden[i]:.3f}\nd={delta_h[i]:.2e}"
        return f"y={float(output):.3f}\nd={float(delta_o):.4f}"

    fig.set_size_inches(8, 4)
    ax = fig.subplots()
    _draw_network(ax, [3, 2, 1], weights,
                  lambda k, i, j: f"w={weights[k][i, j]:g}\nstep={steps[k][i, j]:.2e}", node)
    ax.set_title(f"One record, target {target}, learnrate {learnrate}: d is the error term")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_worked_example)
