"""
# The sigmoid activation and its derivative

A perceptron with a step activation can only say yes or no, and the step function is flat almost
everywhere, so its derivative says nothing about how to improve the weights. Gradient descent needs a
smooth activation. The sigmoid (logistic function, S 型函数) squashes any real number into (0, 1):

    sigmoid(x) = 1 / (1 + exp(-x))

Its output can be read as a probability, and its derivative has a famously convenient form in terms
of the output itself:

    sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))

So once the forward pass has computed `s = sigmoid(x)`, the derivative costs one multiplication:
`s * (1 - s)`. Note that it is `s * (1 - s)` and *not* `x * (1 - x)`: the formula takes the sigmoid's
output, not its input.

## Numerical stability

The textbook formula misbehaves in floating point: for `x = -1000`, `exp(-x) = exp(1000)` overflows
to `inf` and numpy prints `RuntimeWarning: overflow encountered in exp`. The result (`1 / inf = 0`)
happens to be right, but a warning is a sign of trouble and some formulas built on it turn into
`inf / inf = nan`. In this assignment your functions must run without overflow, division-by-zero or
invalid-value warnings for inputs as large as `+-1e4`.

Two standard fixes: note that `sigmoid(x)` is within `1e-200` of 0 or 1 once `|x| > 500`, so clipping
`x` to `[-500, 500]` before calling `exp` changes nothing visible; or use the identity
`sigmoid(x) = (1 + tanh(x / 2)) / 2`, whose `tanh` never overflows.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. The sigmoid
#
# Work elementwise on numpy arrays (and on plain numbers) and return floats.

# %%


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise, without overflow for large ``|x|``.

    Args:
        x: a number or an array.

    Returns:
        A float array shaped like ``x`` with values in [0, 1].
    """
    # BEGIN SOLUTION: compute 1 / (1 + exp(-x)) so that no overflow warning appears for |x| up to 1e4
    x = np.clip(np.asarray(x, dtype=float), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-x))
    # END SOLUTION


# %% [markdown]
# ## 2. The derivative (导数)
#
# `sigmoid_prime_from_output(s)` gets the sigmoid's *output* `s` and returns the derivative at the
# input that produced it. `sigmoid_prime(x)` gets the *input* `x`: compute `s = sigmoid(x)` first,
# then reuse the formula. Why bother with two? In a network's backward pass the outputs are already
# stored from the forward pass, so the "from output" form saves recomputing the exponential.

# %%


def sigmoid_prime_from_output(s):
    """Derivative of the sigmoid, given its output ``s = sigmoid(x)``.

    Args:
        s: a number or an array of sigmoid outputs (values in [0, 1]).

    Returns:
        ``s * (1 - s)``, elementwise.
    """
    # BEGIN SOLUTION: the derivative written in terms of the output s
    s = np.asarray(s, dtype=float)
    return s * (1.0 - s)
    # END SOLUTION


def sigmoid_prime(x):
    """Derivative of the sigmoid at ``x``, computed from the output ``sigmoid(x)``.

    Args:
        x: a number or an array (any real values, up to ``+-1e4`` without warnings).

    Returns:
        ``sigmoid(x) * (1 - sigmoid(x))``, elementwise.
    """
    # BEGIN SOLUTION: first compute the sigmoid of x, then the derivative from that output
    out = sigmoid(x)
    return out * (1.0 - out)
    # END SOLUTION


# %% [markdown]
# ## Try it
#
# The derivative peaks at `x = 0` with value 0.25 and vanishes in both tails: a unit whose input
# is far from zero hardly learns. Compare with a centred difference.

# %%
if __name__ == "__main__":
    xs = np.array([-1e4, -10.0, -1.0, 0.0, 1.0, 10.0, 1e4])
    with np.errstate(all="raise"):
        print("sigmoid      ", sigmoid(xs))
        print("sigmoid_prime", sigmoid_prime(xs))
    h = 1e-5
    print("centred diff ", (sigmoid(xs + h) - sigmoid(xs - h)) / (2 * h))


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (they need matplotlib:
# `pip install 'numgrade[figures]'`). The slope is largest, 0.25, at 0 and all but vanishes beyond
# |x| = 6: a unit whose input sits far out in either tail hardly learns.

# %%


def figure_sigmoid(fig):
    """The sigmoid and its derivative on [-8, 8]."""
    x = np.linspace(-8.0, 8.0, 321)
    ax = fig.subplots()
    ax.plot(x, sigmoid(x), label="sigmoid(x)")
    ax.plot(x, sigmoid_prime(x), label="sigmoid'(x)")
    ax.axhline(0.25, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("x")
    ax.set_title("The sigmoid and its slope")
    ax.legend(loc="upper left")


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_sigmoid)
