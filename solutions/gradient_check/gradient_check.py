"""
# Gradient checking (梯度校验)

Backpropagation code is easy to get almost right: a missing factor or a transposed matrix still
gives gradients of the right shape, and training may even seem to work, only worse. Gradient
checking (梯度检验) catches such bugs by comparing the analytic gradient from backprop with a
numerical approximation (梯度的数值逼近) computed from the loss alone.

## Numerical derivatives

Nudge one parameter by a small `h` and see how the loss changes. The one-sided difference (单边误差)

    (f(x + h) - f(x)) / h

is off from the true derivative by a term proportional to `h`. The two-sided, or centred,
difference (双边误差)

    (f(x + h) - f(x - h)) / (2 h)

is off by a term proportional to `h**2`: with `h = 1e-5` that is about a hundred thousand times
smaller, for only one more evaluation of `f` per parameter. Use it for gradient checks.

## Comparing two gradients

A plain difference `||g - g_approx||` depends on the gradients' scale. Divide it by their sizes
to get a relative error (相对误差):

    relative_error = ||g - g_approx|| / (||g|| + ||g_approx||)

With the centred difference and `h = 1e-5`, a correct gradient of a smooth loss gives a relative
error of about 1e-7 or less; around 1e-3 or more there is almost certainly a bug.

Practical advice from the notes: check gradients only while debugging (it costs two loss
evaluations per parameter), check every parameter, and look at which entries disagree to find the
bug.

Like numpy's own functions, yours must leave the arrays, lists and dicts they are given as they
found them (compute new ones), unless a docstring says otherwise: the checks look.
"""

import numpy as np

# %% [markdown]
# ## 1. The numerical gradient
#
# `f` maps an array to a number (the loss). For each entry `x[i]` of `x` in turn, set it to
# `x[i] + h`, evaluate `f(x)`, set it to `x[i] - h`, evaluate again, and **put the original value
# back** before moving on: the caller's array must be unchanged when you return. Changing `x` in
# place (rather than a copy) also works for losses that read the parameters from elsewhere, as
# CS231n's `lambda _: net.loss(X, y)` does.
#
# `np.nditer(x, flags=["multi_index"])` visits every index of an array of any shape.

# %%


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function ``f`` at ``x``.

    Args:
        f: function of an array shaped like ``x`` returning a number.
        x: float array (any shape). Its entries are nudged in place during the computation and
           restored before returning.
        h: step of the difference.

    Returns:
        An array shaped like ``x``: entry ``i`` is ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.
    """
    # BEGIN SOLUTION: for every index, evaluate f at x[i] + h and x[i] - h, restore x[i], and store the centred difference
    grad = np.zeros(np.shape(x), dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
    # END SOLUTION


def numerical_gradient_one_sided(f, x, h=1e-5):
    """One-sided (forward) difference gradient, for comparison.

    Same arguments as :func:`numerical_gradient`; entry ``i`` of the result is
    ``(f(x + h e_i) - f(x)) / h``. ``x`` is unchanged afterwards.
    """
    # BEGIN SOLUTION: evaluate f(x) once, then for every index f at x[i] + h; restore x[i]; store the forward difference
    grad = np.zeros(np.shape(x), dtype=float)
    f_x = f(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_forward = f(x)
        x[i] = original
        grad[i] = (f_forward - f_x) / h
        it.iternext()
    return grad
    # END SOLUTION


# %% [markdown]
# ## 2. Relative error
#
# Use Euclidean norms of the whole arrays (`np.linalg.norm` flattens for you). When both gradients
# are exactly zero they agree perfectly: return 0 rather than dividing zero by zero.

# %%


def relative_error(grad, grad_approx):
    """``||grad - grad_approx|| / (||grad|| + ||grad_approx||)``, and 0 when both are zero."""
    # BEGIN SOLUTION: the norm of the difference over the sum of the norms; 0 when both norms are 0
    grad = np.asarray(grad, dtype=float)
    grad_approx = np.asarray(grad_approx, dtype=float)
    denominator = np.linalg.norm(grad) + np.linalg.norm(grad_approx)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(grad - grad_approx) / denominator)
    # END SOLUTION


# %% [markdown]
# ## 3. Checking a network's backprop
#
# Below is a small two-layer network (given, nothing to write): a sigmoid hidden layer and a linear
# output layer, with the mean squared error over the records,
#
#     hidden = sigmoid(X @ W1 + b1)
#     scores = hidden @ W2 + b2
#     loss   = sum((scores - Y)**2) / (2 * n_records)
#
# and `network_backprop`, its analytic gradients. Write `gradient_check`: compute the numerical
# gradient of `network_loss` with respect to every parameter (the others held fixed), put all
# analytic and all numerical gradients side by side as two long vectors (the same parameter
# order in both), and return their relative error. The `backprop` argument lets you (and the
# checks) try it on a broken backprop too.

# %%


def sigmoid(z):
    """Logistic sigmoid, elementwise, without overflow warnings."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def init_network(n_inputs, n_hidden, n_outputs, rng):
    """Random parameters of the two-layer network: W1, b1, W2, b2."""
    return {
        "W1": rng.normal(scale=1 / np.sqrt(n_inputs), size=(n_inputs, n_hidden)),
        "b1": rng.normal(scale=0.1, size=n_hidden),
        "W2": rng.normal(scale=1 / np.sqrt(n_hidden), size=(n_hidden, n_outputs)),
        "b2": rng.normal(scale=0.1, size=n_outputs),
    }


def network_loss(params, X, Y):
    """Mean squared error (halved) of the network on records ``X`` (n, n_inputs), targets ``Y``."""
    hidden = sigmoid(X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    return float(np.sum((scores - Y) ** 2) / (2 * X.shape[0]))


def network_backprop(params, X, Y):
    """Analytic gradients of :func:`network_loss`, a dict with the keys of ``params``."""
    hidden = sigmoid(X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    d_scores = (scores - Y) / X.shape[0]
    d_hidden = d_scores @ params["W2"].T
    d_pre = d_hidden * hidden * (1 - hidden)
    return {"W1": X.T @ d_pre, "b1": d_pre.sum(axis=0), "W2": hidden.T @ d_scores, "b2": d_scores.sum(axis=0)}


def gradient_check(params, X, Y, backprop=network_backprop, h=1e-5):
    """Relative error between ``backprop``'s gradients and the numerical gradients of ``network_loss``.

    Args:
        params: dict of parameter arrays (as made by :func:`init_network`); not modified.
        X, Y: records and targets.
        backprop: function ``(params, X, Y) -> dict of gradients`` to check.
        h: step of the centred difference.

    Returns:
        One number: :func:`relative_error` of all analytic gradients against all numerical
        gradients, every parameter flattened and concatenated in the same order.
    """
    # BEGIN SOLUTION: numerical gradient of network_loss for each parameter, then one relative error over all of them
    analytic = backprop(params, X, Y)
    grads, approx = [], []
    for name, value in params.items():
        def loss_of(p, name=name):
            return network_loss({**params, name: p}, X, Y)

        approx.append(numerical_gradient(loss_of, np.array(value, dtype=float), h).ravel())
        grads.append(np.asarray(analytic[name], dtype=float).ravel())
    return relative_error(np.concatenate(grads), np.concatenate(approx))
    # END SOLUTION


# %% [markdown]
# ## 4. Try it
#
# First: how far are the one-sided and the centred differences from the true derivative of `sin`
# as `h` shrinks? Then: the relative error of the correct backprop, and of one that forgot the
# sigmoid's slope in the hidden layer.

# %%

if __name__ == "__main__":
    point = np.array([0.3, 1.1, -2.0])
    exact = np.cos(point)
    for step in (1e-1, 1e-3, 1e-5):
        one = relative_error(exact, numerical_gradient_one_sided(lambda v: np.sum(np.sin(v)), point, step))
        two = relative_error(exact, numerical_gradient(lambda v: np.sum(np.sin(v)), point, step))
        print(f"h = {step:.0e}: one-sided {one:.1e}, centred {two:.1e}")

    demo_rng = np.random.default_rng(0)
    params = init_network(4, 5, 2, demo_rng)
    X = demo_rng.normal(size=(10, 4))
    Y = demo_rng.normal(size=(10, 2))

    def backprop_without_slope(params, X, Y):
        broken = network_backprop(params, X, Y)
        hidden = sigmoid(X @ params["W1"] + params["b1"])
        scores = hidden @ params["W2"] + params["b2"]
        d_pre = ((scores - Y) / X.shape[0]) @ params["W2"].T
        broken["W1"], broken["b1"] = X.T @ d_pre, d_pre.sum(axis=0)
        return broken

    print(f"correct backprop: relative error {gradient_check(params, X, Y):.1e}")
    print(f"backprop without the sigmoid's slope: {gradient_check(params, X, Y, backprop_without_slope):.1e}")


# %% [markdown]
# ## Figures
#
# Drawn by your functions, beside the reference's (it needs matplotlib:
# `pip install 'numgrade[figures]'`). The relative error of each difference against the exact
# gradient, as the step `h` shrinks: the one-sided error falls like `h`, the centred one like `h**2`,
# until rounding (about `1e-16 / h`) takes over. That is why `h = 1e-5` with centred differences.

# %%


def figure_step_size(fig):
    """Relative error of one-sided and centred differences against the exact gradient, over h."""
    x = np.array([0.3, -1.2, 0.8])
    exact = np.cos(x) * np.exp(x / 3) + np.sin(x) * np.exp(x / 3) / 3

    def f(v):
        return float(np.sum(np.sin(v) * np.exp(v / 3)))

    steps = np.geomspace(1e-12, 1e-1, 45)
    one_sided = [relative_error(numerical_gradient_one_sided(f, x.copy(), h), exact) for h in steps]
    centred = [relative_error(numerical_gradient(f, x.copy(), h), exact) for h in steps]
    ax = fig.subplots()
    ax.loglog(steps, one_sided, marker=".", label="one-sided (f(x+h) - f(x)) / h")
    ax.loglog(steps, centred, marker=".", label="centred (f(x+h) - f(x-h)) / 2h")
    ax.axvline(1e-5, color="grey", linewidth=0.8, linestyle=":")
    ax.axhline(1e-7, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel("h")
    ax.set_ylabel("relative error")
    ax.set_title("Truncation error falls with h, rounding error grows")
    ax.legend()


# %%
if __name__ == "__main__":
    from grader.figures import show

    show(figure_step_size)
