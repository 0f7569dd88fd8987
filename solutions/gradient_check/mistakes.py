"""Known mistakes of the gradient_check assignment."""

import numpy as np

from grader.checks import mistake


def _indices(x):
    return list(np.ndindex(*np.shape(x)))


@mistake("numerical_gradient", hint="Looks like a one-sided difference: use the centred difference "
                                     "(f(x + h) - f(x - h)) / (2 h), whose error shrinks like h**2.")
def numerical_gradient_one_sided_difference(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    f_x = f(x)
    for i in _indices(x):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f_x) / h
        x[i] = old
    return grad


@mistake("numerical_gradient", hint="Looks like x is not restored: put each entry back to its "
                                     "original value after evaluating f at x[i] + h and x[i] - h.")
def numerical_gradient_not_restored(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in _indices(x):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


@mistake("numerical_gradient", hint="Looks like the centred difference is divided by h: the two "
                                     "evaluations are 2 h apart, so divide by 2 * h.")
def numerical_gradient_divided_by_h(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in _indices(x):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad


@mistake("numerical_gradient", hint="Looks like f was evaluated at x + h and x, then divided by 2 h: "
                                     "the second evaluation must be at x[i] - h.")
def numerical_gradient_missing_minus_step(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in _indices(x):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad


@mistake("numerical_gradient_one_sided", hint="Looks like a centred difference: the one-sided "
                                               "version is (f(x + h) - f(x)) / h.")
def one_sided_is_centred(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in _indices(x):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


@mistake("numerical_gradient_one_sided", hint="Looks like x is not restored: put each entry back to "
                                               "its original value after evaluating f at x[i] + h.")
def one_sided_not_restored(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in _indices(x):
        f_x = f(x)
        x[i] = x[i] + h
        grad[i] = (f(x) - f_x) / h
    return grad


@mistake("relative_error", hint="Looks like the difference is not divided by the gradients' sizes: "
                                 "divide ||g - g_approx|| by ||g|| + ||g_approx||.")
def relative_error_no_denominator(grad, grad_approx):
    return float(np.linalg.norm(np.asarray(grad, float) - np.asarray(grad_approx, float)))


@mistake("relative_error", hint="Looks like the denominator is ||g|| alone: divide by the sum "
                                 "||g|| + ||g_approx||.")
def relative_error_over_first_norm(grad, grad_approx):
    # (with the zero guard, so that it stays distinguishable from relative_error_no_zero_guard)
    grad, grad_approx = np.asarray(grad, float), np.asarray(grad_approx, float)
    if not grad.any() and not grad_approx.any():
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(np.linalg.norm(grad - grad_approx)) / np.linalg.norm(grad))


@mistake("relative_error", hint="Looks like 0 / 0 when both gradients are zero: return 0 in that case.")
def relative_error_no_zero_guard(grad, grad_approx):
    grad, grad_approx = np.asarray(grad, float), np.asarray(grad_approx, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(np.linalg.norm(grad - grad_approx))
                     / (np.linalg.norm(grad) + np.linalg.norm(grad_approx)))


def _loss(params, X, Y):
    hidden = np.exp(-np.logaddexp(0.0, -(X @ params["W1"] + params["b1"])))
    scores = hidden @ params["W2"] + params["b2"]
    return float(np.sum((scores - Y) ** 2) / (2 * X.shape[0]))


def _centred(f, x, h):
    grad = np.zeros(np.shape(x))
    for i in _indices(x):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _rel(a, b):
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if den == 0 else float(np.linalg.norm(a - b) / den)


def _pairs(params, X, Y, backprop, h, difference):
    analytic = backprop(params, X, Y)
    for name, value in params.items():
        def f(p, name=name):
            return _loss({**params, name: p}, X, Y)

        yield np.asarray(analytic[name], float).ravel(), difference(f, np.array(value, float), h).ravel()


@mistake("gradient_check", hint="Looks like the relative errors of the parameters were averaged: "
                                 "concatenate all gradients into one vector each and take one relative error.")
def gradient_check_mean_per_parameter(params, X, Y, backprop=None, h=1e-5):
    return float(np.mean([_rel(a, n) for a, n in _pairs(params, X, Y, backprop, h, _centred)]))


@mistake("gradient_check", hint="Looks like the gradient check uses a one-sided difference: use "
                                 "numerical_gradient (centred), or correct gradients fail the 1e-7 test.")
def gradient_check_one_sided(params, X, Y, backprop=None, h=1e-5):
    def forward_difference(f, x, h):
        grad = np.zeros(np.shape(x))
        f_x = f(x)
        for i in _indices(x):
            old = x[i]
            x[i] = old + h
            grad[i] = (f(x) - f_x) / h
            x[i] = old
        return grad

    pairs = list(_pairs(params, X, Y, backprop, h, forward_difference))
    return _rel(np.concatenate([a for a, _ in pairs]), np.concatenate([n for _, n in pairs]))
