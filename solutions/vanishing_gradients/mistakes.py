"""Known mistakes of the vanishing_gradients assignment."""

import numpy as np

from grader.checks import mistake


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def _act(z, activation):
    return _sigmoid(z) if activation == "sigmoid" else np.maximum(np.asarray(z, dtype=float), 0.0)


def _slope(z, activation):
    z = np.asarray(z, dtype=float)
    return _sigmoid(z) * (1 - _sigmoid(z)) if activation == "sigmoid" else (z > 0).astype(float)


@mistake("activation_derivative", hint="Looks like the sigmoid's slope was computed from z itself "
                                        "(z * (1 - z)): use s * (1 - s) with s = sigmoid(z).")
def sigmoid_slope_from_z(z, activation):
    z = np.asarray(z, dtype=float)
    return z * (1 - z) if activation == "sigmoid" else (z > 0).astype(float)


@mistake("activation_derivative", hint="Looks like the ReLU's slope is relu(z): the slope is 1 where "
                                        "z > 0 and 0 elsewhere.")
def relu_slope_is_relu(z, activation):
    z = np.asarray(z, dtype=float)
    return _slope(z, "sigmoid") if activation == "sigmoid" else np.maximum(z, 0.0)


def _backward(x, weights, activation, transpose=True, with_slope=True):
    a = np.asarray(x, dtype=float)
    zs = []
    for W in weights:
        zs.append(a @ W)
        a = _act(zs[-1], activation)
    grad = np.ones_like(a)
    for W, z in zip(reversed(weights), reversed(zs)):
        dz = grad * _slope(z, activation) if with_slope else grad
        grad = dz @ (W.T if transpose else W)
    return grad


@mistake("input_gradient", hint="Looks like the gradient goes back through W instead of its transpose: "
                                 "since z = a @ W, the gradient with respect to a is dz @ W.T.")
def input_gradient_no_transpose(x, weights, activation):
    return _backward(x, weights, activation, transpose=False)


@mistake("input_gradient", hint="Looks like the activation's slope is missing: multiply the incoming "
                                 "gradient by g'(z_l) before going back through W_l.")
def input_gradient_no_slope(x, weights, activation):
    return _backward(x, weights, activation, with_slope=False)


@mistake("gradient_norms", hint="Looks like the squared norm: use np.linalg.norm of the gradient.")
def gradient_norms_squared(depths, width, activation, rng, gain=1.0):
    out = []
    for depth in depths:
        x = rng.normal(size=width)
        weights = [rng.normal(scale=gain / np.sqrt(width), size=(width, width)) for _ in range(depth)]
        out.append(np.sum(_backward(x, weights, activation) ** 2))
    return np.array(out)


@mistake("gradient_norms", hint="Looks like the weights were drawn before x: draw x first, then the "
                                 "weights, for each depth, so the results are reproducible.")
def gradient_norms_weights_first(depths, width, activation, rng, gain=1.0):
    out = []
    for depth in depths:
        weights = [rng.normal(scale=gain / np.sqrt(width), size=(width, width)) for _ in range(depth)]
        x = rng.normal(size=width)
        out.append(np.linalg.norm(_backward(x, weights, activation)))
    return np.array(out)
