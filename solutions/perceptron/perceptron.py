"""
# Perceptrons (感知器)

A perceptron (also called a neuron, 神经元) is the smallest building block of a neural network. It
takes a vector of inputs `x`, multiplies each input by its weight (权重) `w_i`, adds a bias `b`, and
passes the sum through an activation function (激活函数):

    output = f(w_1 x_1 + w_2 x_2 + ... + w_n x_n + b) = f(x . w + b)

The weights say how much each input matters to the decision; the bias shifts the decision
threshold. The simplest activation is the unit step (单位阶跃函数): it outputs 1 when the weighted
sum is at or above zero and 0 otherwise, so a perceptron draws a straight line (a hyperplane in more
dimensions) and reports which side of it an input lies on.

In this assignment you will

1. write the step function and the output of a perceptron;
2. choose weights and a bias that make a perceptron compute the logic gates AND, OR and NOT;
3. train a perceptron on a small data set with the perceptron update rule (training, 训练: adjusting
   the weights from the errors the current weights make).

Convention used throughout: `step(0) == 1`. Inputs may be one record (a 1-D array) or several
records stacked as the rows of a 2-D array.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. The step function and the perceptron output
#
# `step(x)` works elementwise on arrays: 1 where `x >= 0`, 0 where `x < 0`. The perceptron output is
# the step of the weighted sum plus the bias. With `inputs` of shape `(n_records, n_features)` and
# `weights` of shape `(n_features,)`, `np.dot(inputs, weights)` gives one weighted sum per record.

# %%


def step(x):
    """Unit step activation, elementwise.

    Args:
        x: a number or an array of numbers.

    Returns:
        An integer array shaped like ``x``: 1 where ``x >= 0`` and 0 where ``x < 0``.
    """
    # BEGIN SOLUTION: return 1 where x >= 0 and 0 elsewhere (note: step(0) is 1)
    return np.where(np.asarray(x) >= 0, 1, 0)
    # END SOLUTION


def perceptron_output(weights, bias, inputs):
    """Output of a perceptron with a step activation.

    Args:
        weights: array of shape ``(n_features,)``.
        bias: a number.
        inputs: one record, shape ``(n_features,)``, or records, shape ``(n_records, n_features)``.

    Returns:
        ``step(inputs . weights + bias)``: a 0/1 number for one record, an array of 0/1 for several.
    """
    # BEGIN SOLUTION: weighted sum of the inputs plus the bias, passed through step
    linear_combination = np.dot(inputs, weights) + bias
    return step(linear_combination)
    # END SOLUTION


# %% [markdown]
# ## 2. Logic gates as perceptrons
#
# A perceptron with two inputs draws a line through the square of inputs `(0, 0), (0, 1), (1, 0),
# (1, 1)`. Pick weights and a bias so that
#
# | x1 | x2 | AND | OR |
# |----|----|-----|----|
# | 0  | 0  | 0   | 0  |
# | 0  | 1  | 0   | 1  |
# | 1  | 0  | 0   | 1  |
# | 1  | 1  | 1   | 1  |
#
# NOT has a single input and flips it: 0 -> 1 and 1 -> 0. Many answers are right: the checks only
# look at the truth table your weights produce (with `step(0) == 1`). Hint: for AND, both weights
# together must reach the threshold but neither alone may; for NOT, a negative weight turns a large
# input into a small sum.

# %%


def and_weights():
    """Weights and bias of a two-input perceptron computing AND.

    Returns:
        ``(weights, bias)``: an array of 2 numbers and a number.
    """
    # BEGIN SOLUTION: choose weights and a bias that make the perceptron compute AND
    weights = np.array([1.0, 1.0])
    bias = -1.5
    # END SOLUTION
    return weights, bias


def or_weights():
    """Weights and bias of a two-input perceptron computing OR.

    Returns:
        ``(weights, bias)``: an array of 2 numbers and a number.
    """
    # BEGIN SOLUTION: choose weights and a bias that make the perceptron compute OR
    weights = np.array([1.0, 1.0])
    bias = -0.5
    # END SOLUTION
    return weights, bias


def not_weights():
    """Weights and bias of a one-input perceptron computing NOT.

    Returns:
        ``(weights, bias)``: an array of 1 number and a number.
    """
    # BEGIN SOLUTION: choose a weight and a bias that make the perceptron compute NOT
    weights = np.array([-1.0])
    bias = 0.5
    # END SOLUTION
    return weights, bias


# %% [markdown]
# ## 3. The perceptron update rule
#
# A perceptron learns from its mistakes. For one record `x` with label `y` (0 or 1):
#
# 1. predict `y_hat = step(x . w + b)`;
# 2. move the weights and the bias by the error `y - y_hat`, scaled by the learning rate `alpha`:
#
#        w <- w + alpha * (y - y_hat) * x
#        b <- b + alpha * (y - y_hat)
#
# A correctly classified record (`y == y_hat`) changes nothing. A positive record classified as 0
# pulls the line towards itself; a negative record classified as 1 pushes it away. Training repeats
# this for every record in order, for a number of epochs (passes over the data), updating after each
# record. On linearly separable data the rule converges to a separating line.

# %%


def update_step(weights, bias, x, y, learnrate):
    """One perceptron update from a single record.

    Args:
        weights: array of shape ``(n_features,)`` (not modified).
        bias: a number.
        x: one record, shape ``(n_features,)``.
        y: its label, 0 or 1.
        learnrate: the learning rate ``alpha``.

    Returns:
        ``(new_weights, new_bias)`` after applying the update rule above.
    """
    # BEGIN SOLUTION: predict with step, then move weights and bias by learnrate * (y - prediction)
    prediction = step(np.dot(x, weights) + bias)
    error = y - prediction
    new_weights = weights + learnrate * error * np.asarray(x, dtype=float)
    new_bias = bias + learnrate * error
    return new_weights, float(new_bias)
    # END SOLUTION


def train_perceptron(features, targets, learnrate=0.1, epochs=10, weights=None, bias=0.0):
    """Train a perceptron with the update rule, one record at a time.

    Args:
        features: array of shape ``(n_records, n_features)``.
        targets: array of 0/1 labels, shape ``(n_records,)``.
        learnrate: the learning rate.
        epochs: number of passes over the records, each in the given order.
        weights: initial weights (default: zeros).
        bias: initial bias.

    Returns:
        ``(weights, bias)`` after training.
    """
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    weights = np.zeros(features.shape[1]) if weights is None else np.array(weights, dtype=float)
    bias = float(bias)
    # BEGIN SOLUTION: for each epoch, update the weights and bias after every record, in order
    for _ in range(epochs):
        for x, y in zip(features, targets):
            weights, bias = update_step(weights, bias, x, y, learnrate)
    # END SOLUTION
    return weights, bias


# %% [markdown]
# ## Try it
#
# Train a perceptron on a small separable data set and count how many records it gets right.

# %%
if __name__ == "__main__":
    truth = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for name, gate in [("AND", and_weights), ("OR", or_weights)]:
        w, b = gate()
        print(name, perceptron_output(w, b, truth))
    w, b = not_weights()
    print("NOT", perceptron_output(w, b, np.array([[0], [1]])))

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = (X @ np.array([2.0, -1.0]) + 0.3 >= 0).astype(float)
    w, b = train_perceptron(X, y, learnrate=0.1, epochs=20)
    print("weights", w, "bias", b)
    print("training accuracy", np.mean(perceptron_output(w, b, X) == y))


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (they need matplotlib:
# `pip install 'numgrade[figures]'`). The shaded region is where your perceptron outputs 1; its edge
# is the decision line `x . w + b = 0`. Any line that puts the points on the right sides is right.

# %%


def _regions(ax, weights, bias, title):
    """Shade where the perceptron outputs 1 over the unit square, and mark the four inputs."""
    grid = np.linspace(-0.25, 1.25, 151)
    x1, x2 = np.meshgrid(grid, grid)
    out = perceptron_output(weights, bias, np.column_stack([x1.ravel(), x2.ravel()])).reshape(x1.shape)
    ax.contourf(x1, x2, out, levels=[-0.5, 0.5, 1.5], colors=["#f3f3f3", "#cfe3f7"])
    ax.contour(x1, x2, out, levels=[0.5], colors="#1f77b4", linewidths=1.5)
    truth = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    fired = perceptron_output(weights, bias, truth)
    for (a, b), on in zip(truth, fired):
        ax.scatter([a], [b], s=70, c="#1f77b4" if on else "white", edgecolors="black", zorder=3)
    ax.set_title(title)
    ax.set_xlabel("x1")
    ax.set_aspect("equal")


def figure_gates(fig):
    """The step function, then the AND, OR and NOT perceptrons: filled dots are inputs that give 1."""
    axes = fig.subplots(1, 4)
    z = np.linspace(-2.0, 2.0, 401)
    axes[0].plot(z, step(z), drawstyle="steps-post")
    axes[0].set_title("step(z)")
    axes[0].set_xlabel("z = x . w + b")
    for ax, gate, name in [(axes[1], and_weights, "AND"), (axes[2], or_weights, "OR")]:
        _regions(ax, *gate(), name)
    axes[1].set_ylabel("x2")
    w, b = not_weights()
    x = np.linspace(-0.5, 1.5, 201)
    axes[3].plot(x, perceptron_output(w, b, x[:, None]), drawstyle="steps-post")
    axes[3].scatter([0, 1], perceptron_output(w, b, np.array([[0.0], [1.0]])), s=70, edgecolors="black", zorder=3)
    axes[3].set_title("NOT")
    axes[3].set_xlabel("x")


def figure_training(fig):
    """The update rule at work: the decision line after 1, 2, 5 and 20 epochs, and the records
    still misclassified after each epoch."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-1.0, 1.0, size=(60, 2))
    margin = X @ np.array([1.0, -2.0]) + 0.3
    X, y = X[np.abs(margin) > 0.15], (margin[np.abs(margin) > 0.15] >= 0).astype(float)
    left, right = fig.subplots(1, 2)
    left.scatter(X[:, 0], X[:, 1], c=np.where(y == 1, "#1f77b4", "white"), edgecolors="black", s=25)
    grid = np.linspace(-1.0, 1.0, 121)
    x1, x2 = np.meshgrid(grid, grid)
    points = np.column_stack([x1.ravel(), x2.ravel()])
    start = np.array([0.5, 0.5])
    for epochs, colour in [(1, "#fdae61"), (2, "#f46d43"), (5, "#d73027"), (20, "#1a9850")]:
        w, b = train_perceptron(X, y, learnrate=0.1, epochs=epochs, weights=start)
        out = perceptron_output(w, b, points).reshape(x1.shape)
        if out.min() != out.max():
            left.contour(x1, x2, out, levels=[0.5], colors=colour, linewidths=1.5)
        left.plot([], [], color=colour, label=f"after {epochs} epoch{'s' if epochs > 1 else ''}")
    left.set_title("Decision line during training")
    left.legend(loc="lower right", fontsize="small")
    left.set_aspect("equal")
    errors, (w, b) = [], (start, 0.0)
    for _ in range(20):
        w, b = train_perceptron(X, y, learnrate=0.1, epochs=1, weights=w, bias=b)
        errors.append(int(np.sum(perceptron_output(w, b, X) != y)))
    right.plot(range(1, 21), errors, marker="o")
    right.set_xlabel("epoch")
    right.set_ylabel("misclassified records")
    right.set_title("Mistakes after each epoch")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_gates)

# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_training)
