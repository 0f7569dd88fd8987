"""Known mistakes of the sigmoid assignment."""

import numpy as np

import sigmoid as ref
from grader.checks import mistake


@mistake("sigmoid", hint="Your sigmoid overflows for large negative inputs (exp(-x) becomes inf): "
                         "clip x to [-500, 500] or use (1 + tanh(x / 2)) / 2.")
def sigmoid_naive(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


@mistake("sigmoid", hint="The sign in the exponent is flipped: sigmoid(x) = 1 / (1 + exp(-x)), "
                         "so large positive inputs give values near 1.")
def sigmoid_wrong_sign(x):
    return 1.0 / (1.0 + np.exp(np.clip(np.asarray(x, dtype=float), -500.0, 500.0)))


@mistake("sigmoid_prime", hint="The derivative is computed from x instead of sigmoid(x): use "
                               "s * (1 - s) with s = sigmoid(x), not x * (1 - x).")
def prime_from_input(x):
    x = np.asarray(x, dtype=float)
    return x * (1.0 - x)


@mistake("sigmoid_prime", hint="The factor (1 - s) is missing: the derivative is "
                               "sigmoid(x) * (1 - sigmoid(x)), not sigmoid(x).")
def prime_is_sigmoid(x):
    return ref.sigmoid(x)


@mistake("sigmoid_prime", hint="exp(-x) / (1 + exp(-x))**2 overflows to inf / inf = nan for large "
                               "negative x: compute s = sigmoid(x) and return s * (1 - s).")
def prime_naive_exp(x):
    e = np.exp(-np.asarray(x, dtype=float))
    return e / (1.0 + e) ** 2


@mistake("sigmoid_prime_from_output", hint="s is already the sigmoid's output: return s * (1 - s) "
                                           "without applying sigmoid to it again.")
def from_output_applies_sigmoid(s):
    return ref.sigmoid_prime(s)
