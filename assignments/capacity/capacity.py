# capacity: your work goes where the TODO banners are.
# Check it with `grade submit` in this folder. Generated from the reference by `grade generate`.
"""
# Depth, width and capacity (深层表示与模型容量)

How big should a network be, and in which direction: more layers, or more units in a layer? This
assignment asks the question twice.

1. **Why deep representations (为什么使用深层表示).** Circuit theory gives a sharp example: the
   parity of `n` bits (1 when an odd number of them are 1). A tree of XOR gates computes it with a
   number of units that grows *linearly* in `n`, in about `2 log2(n)` layers; a network with a
   single hidden layer needs a number of units that grows *exponentially*, `2**(n-1)`. You build
   both from perceptron units and count them.
2. **Hidden-layer size and capacity (隐藏层节点的个数).** With too few hidden units a network cannot
   even fit its training data (underfitting, 欠拟合); with many, the training loss keeps falling but
   the loss on data it has not seen stops improving (overfitting, 过拟合). You train a small
   two-layer network for a range of hidden sizes and compare training and validation loss.
3. **Parameters and hyperparameters (参数与超参数).** A few questions, answered by setting a
   variable.

A perceptron unit here is `step(x . w + b)` with `step(z) = 1` for `z >= 0` and 0 otherwise (the
convention of the perceptron assignment). Inputs of the gates are arrays of 0/1 values, one entry
per record.
"""

import numpy as np

# %% [markdown]
# ## 1. Parity from perceptron gates
#
# `unit(weights, bias, inputs)` is given: one perceptron unit applied to each row of `inputs`.
# A single perceptron cannot compute XOR (its two classes are not separable by a line), but three
# can, in two layers: `XOR(a, b) = AND(OR(a, b), NAND(a, b))`.
#
# Write `xor_gate(a, b)` with exactly those three units (`a` and `b` are arrays of 0/1, the output
# is an array of 0/1 of the same length), then `parity_network(bits)`: the parity of each row of a
# `(n_records, n_bits)` array of 0/1, computed by a *balanced* tree of `xor_gate`s: XOR the columns
# in pairs, then the results in pairs, and so on (an odd column left over moves up a level
# unchanged). One bit's parity is the bit itself.

# %%


def unit(weights, bias, inputs):
    """One perceptron unit on each row of ``inputs``: ``step(inputs @ weights + bias)``, as 0/1 floats."""
    return (np.asarray(inputs, dtype=float) @ np.asarray(weights, dtype=float) + bias >= 0).astype(float)


def xor_gate(a, b):
    """XOR of two arrays of 0/1, built from three perceptron units (OR, NAND, then AND).

    Returns:
        An array of 0/1 floats shaped like ``a``.
    """
    pair = np.column_stack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)])
    ###########################################################################
    # TODO: an OR unit and a NAND unit on the pair, then an AND unit on their #
    # two outputs                                                             #
    ###########################################################################
    raise NotImplementedError('TODO: an OR unit and a NAND unit on the pair, then an AND unit on their two outputs')


def parity_network(bits):
    """Parity of each row of ``bits`` (shape ``(n_records, n_bits)``) by a balanced tree of XORs.

    Returns:
        An array of 0/1 floats of shape ``(n_records,)``.
    """
    level = [column for column in np.asarray(bits, dtype=float).T]
    ###########################################################################
    # TODO: XOR neighbouring columns in pairs, level after level, until one   #
    # column is left                                                          #
    ###########################################################################
    raise NotImplementedError('TODO: XOR neighbouring columns in pairs, level after level, until one column is left')
    return level[0]


# %% [markdown]
# ## 2. Counting units: deep against shallow
#
# Count the perceptron units each construction needs for the parity of `n` bits (`n >= 1`; the
# output unit of the shallow network counts, and no input counts as a unit):
#
# * `deep_parity_units(n)`: your tree uses `n - 1` XOR gates of three units each.
# * `deep_parity_layers(n)`: the number of layers of units the tree stacks: two per level of XORs,
#   and a balanced tree over `n` columns has `ceil(log2(n))` levels (0 for one bit).
# * `shallow_parity_units(n)`: one hidden layer with one unit per input pattern of odd parity
#   (there are `2**(n-1)` of them), each firing for its own pattern only, and one output unit that
#   ORs them.
#
# Then build that shallow layer: `shallow_parity_layer(n)` returns `(weights, biases)` with
# `weights` of shape `(n, 2**(n-1))` and `biases` of shape `(2**(n-1),)`: column `j` is a unit that
# fires (gives 1) for exactly one odd pattern `p_j`. Hint: weight +1 where `p_j` has a 1 and -1
# where it has a 0; the weighted sum then reaches the number of ones in `p_j` only at `p_j` itself.
# `shallow_parity(bits, weights, biases)` (given) ORs the units.

# %%


def deep_parity_units(n):
    """Perceptron units in the XOR tree for the parity of ``n`` bits."""
    raise NotImplementedError('TODO: write deep_parity_units')


def deep_parity_layers(n):
    """Layers of units in the balanced XOR tree for ``n`` bits (0 for one bit)."""
    raise NotImplementedError('TODO: write deep_parity_layers')


def shallow_parity_units(n):
    """Units of the one-hidden-layer parity network for ``n`` bits, its output unit included."""
    raise NotImplementedError('TODO: write shallow_parity_units')


def shallow_parity_layer(n):
    """Hidden layer of the shallow parity network: one unit per odd-parity pattern of ``n`` bits.

    Returns:
        ``(weights, biases)`` of shapes ``(n, 2**(n-1))`` and ``(2**(n-1),)``.
    """
    patterns = np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)
    ###########################################################################
    # TODO: keep the patterns with an odd number of ones; one matching unit   #
    # per pattern                                                             #
    ###########################################################################
    raise NotImplementedError('TODO: keep the patterns with an odd number of ones; one matching unit per pattern')
    return weights, biases


def shallow_parity(bits, weights, biases):
    """The shallow network's output: the OR of the hidden units of ``(weights, biases)``."""
    bits = np.asarray(bits, dtype=float)
    hidden = (bits @ np.asarray(weights, dtype=float) + np.asarray(biases, dtype=float) >= 0).astype(float)
    return unit(np.ones(hidden.shape[1]), -0.5, hidden)


# %% [markdown]
# ## 3. A two-layer network of any width
#
# The network has `n_hidden` tanh units and one linear output, for regression:
#
#     hidden = tanh(X @ W1 + b1)          (n_records, n_hidden)
#     output = hidden @ W2 + b2           (n_records,)
#     loss   = mean((output - y)**2) / 2
#
# `params` is a dict with `W1` `(n_inputs, n_hidden)`, `b1` `(n_hidden,)`, `W2` `(n_hidden,)` and
# `b2` (a number). `init_params` (given) draws them from a generator. Write the forward pass, then
# the loss with its gradients (a dict with the same keys and shapes as `params`): with
# `d_out = (output - y) / n_records`,
#
#     dW2 = hidden.T @ d_out,   db2 = sum(d_out)
#     d_hidden = outer(d_out, W2) * (1 - hidden**2)
#     dW1 = X.T @ d_hidden,     db1 = sum of d_hidden over the records

# %%


def init_params(n_inputs, n_hidden, rng):
    """Random starting parameters: wide input weights and biases, so each unit starts on its own feature."""
    return {
        "W1": rng.normal(scale=4.0, size=(n_inputs, n_hidden)),
        "b1": rng.uniform(-4.0, 4.0, size=n_hidden),
        "W2": rng.normal(scale=1 / np.sqrt(n_hidden), size=n_hidden),
        "b2": 0.0,
    }


def forward(params, X):
    """``(hidden, output)`` of the network for the records ``X`` of shape ``(n_records, n_inputs)``."""
    ###########################################################################
    # TODO: hidden = tanh(X @ W1 + b1); output = hidden @ W2 + b2             #
    ###########################################################################
    raise NotImplementedError('TODO: hidden = tanh(X @ W1 + b1); output = hidden @ W2 + b2')


def loss_and_gradients(params, X, y):
    """The loss ``mean((output - y)**2) / 2`` and its gradients with respect to every parameter.

    Returns:
        ``(loss, grads)``: a number and a dict with the keys and shapes of ``params``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    ###########################################################################
    # TODO: forward pass, the loss, then the gradients backwards from d_out = #
    # (output - y) / n                                                        #
    ###########################################################################
    raise NotImplementedError('TODO: forward pass, the loss, then the gradients backwards from d_out = (output - y) / n')


# %% [markdown]
# ## 4. Training, and loss against width
#
# `train(params, X, y, learnrate, epochs)` runs full-batch gradient descent: each epoch computes the
# loss and gradients at the current parameters, records that loss, then steps every parameter by
# `-learnrate * gradient`. It returns the trained parameters (a new dict: leave the one passed in as
# it was) and the recorded losses, one per epoch (the loss *before* that epoch's step).
#
# `capacity_curve(...)` trains one network per hidden size, each from
# `init_params(n_inputs, size, np.random.default_rng(seed))` (a fresh generator with the same seed
# for every size, so the sizes differ only in width), and returns two arrays, one value per size:
# the training loss and the validation loss of the trained network.

# %%


def train(params, X, y, learnrate, epochs):
    """Full-batch gradient descent; returns ``(trained_params, losses)`` with one loss per epoch."""
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    losses = []
    ###########################################################################
    # TODO: each epoch: loss and gradients, record the loss, step every       #
    # parameter                                                               #
    ###########################################################################
    raise NotImplementedError('TODO: each epoch: loss and gradients, record the loss, step every parameter')
    return params, np.array(losses)


def capacity_curve(X_train, y_train, X_val, y_val, hidden_sizes, learnrate=0.05, epochs=300, seed=0):
    """Training and validation loss of a network trained for each hidden size.

    Returns:
        ``(train_losses, val_losses)``: two arrays with one entry per hidden size.
    """
    train_losses, val_losses = [], []
    ###########################################################################
    # TODO: per size: fresh generator with the same seed, init, train, then   #
    # both losses                                                             #
    ###########################################################################
    raise NotImplementedError('TODO: per size: fresh generator with the same seed, init, train, then both losses')
    return np.array(train_losses), np.array(val_losses)


def make_data(rng, n_train=12, n_val=200, noise=0.3):
    """A noisy curve: ``y = sin(3x) + noise``, x uniform on [-1, 1]; ``(X_train, y_train, X_val, y_val)``."""
    x = rng.uniform(-1.0, 1.0, size=(n_train + n_val, 1))
    y = np.sin(3 * x[:, 0]) + noise * rng.normal(size=n_train + n_val)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


# %% [markdown]
# ## 5. Questions
#
# Answer each question by setting its variable: the letter of your choice as a string (`"b"`), the
# letters of every right choice when the question says *all that apply* (`"ace"`), or a number. The
# questions stand in the notebook just above their variables, and in the README.

# %%
ANSWER_HYPERPARAMETERS = None

# %%
ANSWER_TOO_FEW_UNITS = None

# %%
ANSWER_TOO_MANY_UNITS = None

# %%
ANSWER_SHALLOW_HIDDEN_UNITS_10_BITS = None

# %%
ANSWER_CHOOSE_WIDTH = None


# %% [markdown]
# ## Try it
#
# Both parity networks on every input of 4 bits, then the loss against width.

# %%
if __name__ == "__main__":
    n = 4
    every_input = np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)
    print("deep   ", parity_network(every_input), deep_parity_units(n), "units")
    print("shallow", shallow_parity(every_input, *shallow_parity_layer(n)), shallow_parity_units(n), "units")
    for bits in (4, 8, 16, 32):
        print(f"{bits:2d} bits: deep {deep_parity_units(bits):3d} units, shallow {shallow_parity_units(bits)}")

    sizes = [1, 4, 8, 16, 32, 64]
    train_loss, val_loss = capacity_curve(*make_data(np.random.default_rng(1)), sizes, epochs=3000)
    for size, t, v in zip(sizes, train_loss, val_loss):
        print(f"{size:3d} hidden units: training loss {t:.4f}, validation loss {v:.4f}")


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (they need matplotlib:
# `pip install 'numgrade[figures]'`).
#
# 1. Units needed for the parity of `n` bits, on a log scale: your counts, and the units your
#    shallow layer really has.
# 2. Training and validation loss against the number of hidden units, and the curves three widths
#    fit through the 12 training points. One unit cannot bend enough (underfitting); from 8 units on
#    the training loss is tiny but the validation loss no longer improves: the extra capacity goes
#    into following the noise of 12 points (overfitting), which is why the fits wiggle between them.

# %%


def figure_deep_vs_shallow(fig):
    """Units of the XOR tree and of the one-hidden-layer network against the number of bits."""
    bits = np.arange(1, 21)
    ax = fig.subplots()
    ax.semilogy(bits, [deep_parity_units(n) if n > 1 else np.nan for n in bits], marker="o",
                label="deep: tree of XORs, 3 (n - 1)")
    ax.semilogy(bits, [shallow_parity_units(n) for n in bits], marker="o", label="shallow: one hidden layer")
    built = [np.shape(shallow_parity_layer(n)[0])[1] + 1 for n in range(1, 9)]
    ax.semilogy(range(1, 9), built, linestyle="none", marker="x", color="black",
                label="units of your shallow_parity_layer, + 1")
    ax.set_xlabel("bits n")
    ax.set_ylabel("perceptron units")
    ax.set_title("Parity: linear in depth, exponential in width")
    ax.legend()


def figure_width(fig):
    """Loss against width on the noisy sine, and the fits of 1, 4 and 64 hidden units."""
    X_train, y_train, X_val, y_val = make_data(np.random.default_rng(1))
    sizes = [1, 4, 8, 16, 32, 64]
    train_loss, val_loss = capacity_curve(X_train, y_train, X_val, y_val, sizes, epochs=3000)
    losses, fits = fig.subplots(1, 2)
    losses.semilogx(sizes, train_loss, marker="o", label="training loss")
    losses.semilogx(sizes, val_loss, marker="o", label="validation loss")
    losses.set_xticks(sizes, [str(s) for s in sizes])
    losses.set_xlabel("hidden units")
    losses.set_title("Training loss keeps falling, validation stalls")
    losses.legend()
    line = np.linspace(-1.0, 1.0, 201)[:, None]
    fits.scatter(X_val[:, 0], y_val, s=6, color="#bbbbbb", label="validation data")
    fits.scatter(X_train[:, 0], y_train, s=30, color="black", label="training data")
    for size in (1, 4, 64):
        params, _ = train(init_params(1, size, np.random.default_rng(0)), X_train, y_train, 0.05, 3000)
        fits.plot(line[:, 0], forward(params, line)[1], label=f"{size} hidden units")
    fits.set_ylim(-2.0, 2.0)
    fits.set_title("What each width learned")
    fits.legend(fontsize="small", loc="lower right")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_deep_vs_shallow)

# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_width)
