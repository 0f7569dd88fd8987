"""
# Weight initialisation (权重初始化)

Before gradient descent can start, every weight needs a first value. Two things go wrong with a
careless choice.

## Symmetry: why not all zeros?

If every weight of a layer starts at the same value (zero being the usual culprit), every hidden unit
computes the same function of the inputs, receives the same error signal in backpropagation, and
gets the same update. After any number of steps the units are still identical copies of each other:
the layer behaves like a single unit, however wide it is. Random initial weights break this symmetry
(打破对称性) so the units can learn different features.

## Scale: how large should random weights be?

A unit's input is a sum over its `fan_in` incoming connections (`fan_in`: inputs per unit, `fan_out`:
units fed). With independent weights of standard deviation `sigma`, the variance of that sum grows
like `fan_in * sigma**2`. Too large and sigmoid or tanh units saturate, where their gradients are
nearly zero and learning crawls; too small and the signal fades layer after layer. Scaling the
standard deviation with the fan keeps the variance roughly constant through the layers:

| name | standard deviation | suited to |
|------|--------------------|-----------|
| He | `sqrt(2 / fan_in)` | ReLU units (half of their inputs are cut to zero, hence the 2) |
| Xavier | `sqrt(1 / fan_in)` | tanh units |
| Glorot | `sqrt(2 / (fan_in + fan_out))` | a compromise between the forward and backward pass |

(The notes write the same thing as `randn(fan_in, fan_out) / sqrt(fan_in / 2)` and so on.)

## Reproducible draws

Every initialiser here takes a `numpy.random.Generator` and draws exactly
`rng.standard_normal((fan_in, fan_out))`, once, then multiplies by its standard deviation. With the
same seeded generator you get the same matrix, which is what makes the results checkable.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. Three initialisers
#
# Each returns an array of shape `(fan_in, fan_out)`: row `i` holds the weights leaving input `i`,
# column `j` the weights entering unit `j` (the layout of the mlp assignment).

# %%


def he(fan_in, fan_out, rng):
    """He initialisation: ``rng.standard_normal((fan_in, fan_out)) * sqrt(2 / fan_in)``."""
    # BEGIN SOLUTION: draw the standard normal matrix and scale it by He's standard deviation
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    # END SOLUTION


def xavier(fan_in, fan_out, rng):
    """Xavier initialisation: ``rng.standard_normal((fan_in, fan_out)) * sqrt(1 / fan_in)``."""
    # BEGIN SOLUTION: draw the standard normal matrix and scale it by Xavier's standard deviation
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / fan_in)
    # END SOLUTION


def glorot(fan_in, fan_out, rng):
    """Glorot initialisation:
    ``rng.standard_normal((fan_in, fan_out)) * sqrt(2 / (fan_in + fan_out))``.
    """
    # BEGIN SOLUTION: draw the standard normal matrix and scale it by Glorot's standard deviation
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / (fan_in + fan_out))
    # END SOLUTION


def constant(fan_in, fan_out, value=0.0):
    """Every weight equal to ``value`` (given: the initialisation not to use)."""
    return np.full((fan_in, fan_out), float(value))


# %% [markdown]
# ## 2. Watching symmetry survive training
#
# `train_tiny_net` trains a network with one hidden layer of sigmoid units and one sigmoid output
# by full-batch gradient descent on the squared error, starting from the weights it is given. One
# step, for records `X` (shape `(n_records, n_input)`) and targets `y` (shape `(n_records,)`):
#
#     hidden = sigmoid(X @ w_input_hidden)                       # (n_records, n_hidden)
#     output = sigmoid(hidden @ w_hidden_output)                 # (n_records,)
#     output_error_term = (y - output) * output * (1 - output)   # (n_records,)
#     hidden_error_term = output_error_term[:, None] * w_hidden_output * hidden * (1 - hidden)
#     w_hidden_output += learnrate * hidden.T @ output_error_term / n_records
#     w_input_hidden  += learnrate * X.T @ hidden_error_term / n_records
#
# Both error terms are computed from the weights *before* the step. Do not modify the arrays you are
# given: work on copies. Then try it from `constant(...)` weights and from `he(...)` weights and look
# at the columns of `w_input_hidden` (one column per hidden unit).

# %%


def sigmoid(x):
    """Logistic sigmoid, elementwise, without overflow warnings (given)."""
    x = np.clip(np.asarray(x, dtype=float), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-x))


def train_tiny_net(features, targets, w_input_hidden, w_hidden_output, learnrate=0.5, steps=10):
    """Full-batch gradient descent on a one-hidden-layer sigmoid network.

    Args:
        features: shape ``(n_records, n_input)``.
        targets: shape ``(n_records,)``.
        w_input_hidden: initial weights, shape ``(n_input, n_hidden)`` (not modified).
        w_hidden_output: initial weights, shape ``(n_hidden,)`` (not modified).
        learnrate: the learning rate.
        steps: number of gradient steps.

    Returns:
        ``(w_input_hidden, w_hidden_output)`` after ``steps`` steps.
    """
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_records = len(targets)
    # BEGIN SOLUTION: copy the weights; then, steps times: forward pass, error terms, updates
    w_ih = np.array(w_input_hidden, dtype=float)
    w_ho = np.array(w_hidden_output, dtype=float)
    for _ in range(steps):
        hidden = sigmoid(features @ w_ih)
        output = sigmoid(hidden @ w_ho)
        output_error_term = (targets - output) * output * (1 - output)
        hidden_error_term = output_error_term[:, None] * w_ho * hidden * (1 - hidden)
        w_ho = w_ho + learnrate * hidden.T @ output_error_term / n_records
        w_ih = w_ih + learnrate * features.T @ hidden_error_term / n_records
    return w_ih, w_ho
    # END SOLUTION


def hidden_units_identical(w_input_hidden, tol=1e-12):
    """True when every column (hidden unit) of ``w_input_hidden`` equals the first one (given)."""
    w = np.asarray(w_input_hidden, dtype=float)
    return bool(np.all(np.abs(w - w[:, :1]) <= tol))


# %% [markdown]
# ## Try it
#
# From all-zero weights the hidden columns stay identical however long you train; from He weights
# they differ from the start and keep differing. Also compare the spread of each initialiser with
# its formula.

# %%
if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    for name, w_ih, w_ho in [("zeros", constant(3, 4), np.zeros(4)),
                             ("all 0.5", constant(3, 4, 0.5), np.full(4, 0.5)),
                             ("He", he(3, 4, rng), he(4, 1, rng)[:, 0])]:
        w_ih, w_ho = train_tiny_net(X, y, w_ih, w_ho, learnrate=1.0, steps=200)
        print(f"{name:8s} hidden units identical after 200 steps: {hidden_units_identical(w_ih)}")
        print(w_ih.round(3))
    for name, init, expected in [("He", he, np.sqrt(2 / 400)), ("Xavier", xavier, np.sqrt(1 / 400)),
                                 ("Glorot", glorot, np.sqrt(2 / 700))]:
        print(f"{name:7s} std {init(400, 300, rng).std():.4f}  expected {expected:.4f}")


# %% [markdown]
# ## Figures
#
# Drawn by your initialisers, beside the reference's (it needs matplotlib:
# `pip install 'numgrade[figures]'`). Ten layers of 100 units, 200 random records: the histograms
# show the activations of layers 1, 4, 7 and 10. Zero weights give zero activations everywhere;
# small weights make them shrink layer after layer; Xavier keeps tanh's spread and He keeps ReLU's.

# %%


def figure_activations(fig):
    """Activation histograms per layer, tanh and ReLU, for zero, small, Xavier and He weights."""
    fig.set_size_inches(10, 4.6)
    axes = fig.subplots(2, 4, sharey="row")
    initialisers = [("zero", lambda n, m, rng: constant(n, m)),
                    ("small (0.01 N(0,1))", lambda n, m, rng: 0.01 * rng.standard_normal((n, m))),
                    ("Xavier", xavier), ("He", he)]
    for row, (name, g, bins) in enumerate([("tanh", np.tanh, np.linspace(-1, 1, 41)),
                                           ("ReLU", lambda z: np.maximum(z, 0.0), np.linspace(0, 3, 41))]):
        for col, (label, init) in enumerate(initialisers):
            rng = np.random.default_rng(0)
            a = rng.standard_normal((200, 100))
            ax = axes[row, col]
            for layer in range(1, 11):
                a = g(a @ np.asarray(init(100, 100, rng), dtype=float))
                if layer in (1, 4, 7, 10):
                    ax.hist(np.clip(a.ravel(), bins[0], bins[-1]), bins=bins, histtype="step",
                            density=True, label=f"layer {layer}")
            ax.set_title(f"{name}, {label}", fontsize="small")
            ax.set_yscale("log")
    axes[0, 0].legend(fontsize="x-small")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_activations)
