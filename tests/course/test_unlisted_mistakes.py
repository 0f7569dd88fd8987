"""Plausible student mistakes that no known mistake lists (the blind spots of issue 13), each with
the check that now catches it; and right-but-different solutions that must keep full marks.

Each wrong version is the reference module with one function replaced by the student's text; the
named public check must fail on it (the feedback a student sees), whatever other checks also do.
"""

import textwrap

import numpy as np
import pytest

from _course_checks import checks_of, failing_cases, module_from_source

WRONG = [
    # perceptron: exact thresholds, a batch of one, an argument never varied, in-place updates
    ("perceptron", "perceptron_output_on_the_line", """
        def perceptron_output(weights, bias, inputs):
            return (np.dot(inputs, weights) + bias > 0).astype(int)
     """),
    ("perceptron", "update_step_cases", """
        def update_step(weights, bias, x, y, learnrate):
            prediction = 1.0 if np.dot(x, weights) + bias > 0 else 0.0
            return weights + learnrate * (y - prediction) * x, float(bias + learnrate * (y - prediction))
     """),
    ("perceptron", "perceptron_output_batch_of_one", """
        def perceptron_output(weights, bias, inputs):
            return np.squeeze(step(np.dot(inputs, weights) + bias))
     """),
    ("perceptron", "train_perceptron_epochs", """
        def train_perceptron(features, targets, learnrate=0.1, epochs=10, weights=None, bias=0.0):
            w = np.zeros(np.shape(features)[1]) if weights is None else np.array(weights, dtype=float)
            b = float(bias)
            for _ in range(epochs):
                for x, y in zip(features, targets):
                    w, b = update_step(w, b, x, y, 0.1)  # the default, not learnrate
            return w, b
     """),
    ("perceptron", "update_step_cases", """
        def update_step(weights, bias, x, y, learnrate):
            error = y - step(np.dot(x, weights) + bias)
            weights += learnrate * error * x  # the caller's array
            return weights, float(bias + learnrate * error)
     """),
    # sigmoid: errors below the absolute tolerance, an argument changed in place
    ("sigmoid", "sigmoid_prime_tails", """
        def sigmoid_prime(x):
            s = sigmoid(x)
            return np.maximum(s * (1 - s), 1e-9)
     """),
    ("sigmoid", "sigmoid_tiny_values", """
        def sigmoid(x):
            x = np.clip(np.asarray(x, dtype=float), -500.0, 500.0)
            return np.clip(1.0 / (1.0 + np.exp(-x)), 1e-9, 1.0)
     """),
    ("sigmoid", "sigmoid_extreme_inputs", """
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            np.clip(x, -500.0, 500.0, out=x)  # clips the caller's array
            return 1.0 / (1.0 + np.exp(-x))
     """),
    # mlp: shapes never tried
    ("mlp", "layer_batch_of_one", """
        def layer_input(x, weights):
            return np.squeeze(np.dot(x, weights))
     """),
    ("mlp", "forward_batch_shapes", """
        def forward(x, weights_input_hidden, weights_hidden_output):
            hidden = sigmoid(np.dot(x, weights_input_hidden))
            return np.squeeze(hidden), np.squeeze(sigmoid(np.dot(hidden, weights_hidden_output)))
     """),
    ("mlp", "forward_layers_one_layer", """
        def forward_layers(x, weights):
            outputs = [sigmoid(np.dot(x, weights[0]))]
            for w in weights[1:]:
                outputs.append(sigmoid(np.dot(outputs[-1], w)))
            return outputs if len(weights) > 1 else []
     """),
    ("mlp", "forward_layers_values", """
        def forward_layers(x, weights):
            outputs = []
            while weights:
                x = sigmoid(np.dot(x, weights.pop(0)))  # empties the caller's list
                outputs.append(x)
            return outputs
     """),
    # vanishing_gradients: a derivative at its kink
    ("vanishing_gradients", "relu_slope_at_zero", """
        def activation_derivative(z, activation):
            z = np.asarray(z, dtype=float)
            if activation == "sigmoid":
                s = sigmoid(z)
                return s * (1 - s)
            return (z >= 0).astype(float)
     """),
    # gradient_check: an argument ignored, a wrong denominator, dict key order, x not restored
    ("gradient_check", "numerical_gradient_uses_h", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(np.shape(x))
            for i in np.ndindex(*np.shape(x)):
                old = x[i]
                x[i] = old + 1e-5
                plus = f(x)
                x[i] = old - 1e-5
                minus = f(x)
                x[i] = old
                grad[i] = (plus - minus) / 2e-5
            return grad
     """),
    ("gradient_check", "relative_error_is_scale_free", """
        def relative_error(grad, grad_approx):
            a, b = np.asarray(grad, dtype=float), np.asarray(grad_approx, dtype=float)
            return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-8))
     """),
    ("gradient_check", "gradient_check_any_key_order", """
        def gradient_check(params, X, Y, backprop=network_backprop, h=1e-5):
            analytic = backprop(params, X, Y)
            approx = [numerical_gradient(lambda p, n=n: network_loss({**params, n: p}, X, Y),
                                         np.array(v, dtype=float), h).ravel() for n, v in params.items()]
            grads = [np.asarray(g, dtype=float).ravel() for g in analytic.values()]  # backprop's own order
            return relative_error(np.concatenate(grads), np.concatenate(approx))
     """),
    ("gradient_check", "gradient_check_uses_h", """
        def gradient_check(params, X, Y, backprop=network_backprop, h=1e-5):
            analytic = backprop(params, X, Y)
            approx = [numerical_gradient(lambda p, n=n: network_loss({**params, n: p}, X, Y),
                                         np.array(v, dtype=float)).ravel() for n, v in params.items()]
            grads = [np.asarray(analytic[n], dtype=float).ravel() for n in params]
            return relative_error(np.concatenate(grads), np.concatenate(approx))
     """),
    ("gradient_check", "numerical_gradient_values", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(np.shape(x))
            for i in np.ndindex(*np.shape(x)):
                old = x[i]
                x[i] = old + h
                plus = f(x)
                x[i] = old - h
                grad[i] = (plus - f(x)) / (2 * h)  # x[i] is left at old - h
            return grad
     """),
    # gradient_descent: a parameter given alone; backprop: an error below the absolute tolerance
    ("gradient_descent", "standardize_one_statistic_given", """
        def standardize(features, mean=None, std=None):
            features = np.asarray(features, dtype=float)
            if mean is None:
                mean, std = features.mean(axis=0), features.std(axis=0)  # a given std alone is ignored
            return (features - mean) / std, mean, std
     """),
    ("backprop", "sigmoid_tiny_values", """
        def sigmoid(x):
            x = np.clip(np.asarray(x, dtype=float), -20.0, 20.0)
            return 1.0 / (1.0 + np.exp(-x))
     """),
    # hyperparameters: ties when sorting, ties between the rounds
    ("hyperparameters", "zoom_ties_keep_the_earlier_samples", """
        def zoom(learning_rates, betas, losses, k=5):
            best = np.argsort(np.asarray(losses, dtype=float))[:k]  # not a stable sort
            lr = np.log10(np.asarray(learning_rates, dtype=float)[best])
            beta = np.log10(1.0 - np.asarray(betas, dtype=float)[best])
            return (float(lr.min()), float(lr.max())), (float(beta.min()), float(beta.max()))
     """),
    ("hyperparameters", "coarse_to_fine_ties_go_to_the_coarse_round", """
        def coarse_to_fine(objective, rng, n_coarse=30, n_fine=30, k=5):
            coarse = random_search(objective, rng, n_coarse)
            fine = random_search(objective, rng, n_fine, *zoom(*coarse, k=k))
            i = int(np.argmin(fine[2]))  # the fine round only
            return float(fine[0][i]), float(fine[1][i]), float(fine[2][i])
     """),
    ("hyperparameters", "zoom_values", """
        def zoom(learning_rates, betas, losses, k=5):
            best = np.argsort(losses, kind="stable")[:k]
            losses.sort()  # sorts the caller's array
            lr = np.log10(np.asarray(learning_rates, dtype=float)[best])
            beta = np.log10(1.0 - np.asarray(betas, dtype=float)[best])
            return (float(lr.min()), float(lr.max())), (float(beta.min()), float(beta.max()))
     """),
]

RIGHT = [
    ("backprop", """
        def sigmoid(x):
            return (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0)) / 2.0
     """),
    ("sigmoid", """
        def sigmoid(x):
            return (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0)) / 2.0
     """),
    ("mlp", """
        def layer_input(x, weights):
            return np.dot(np.asarray(weights).T, np.asarray(x).T).T
     """),
    ("gradient_check", """
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(np.shape(x))
            for i in np.ndindex(*np.shape(x)):
                x[i] += h
                plus = f(x)
                x[i] -= 2 * h
                minus = f(x)
                x[i] += h  # restored up to round-off
                grad[i] = (plus - minus) / (2 * h)
            return grad
     """),
    ("gradient_check", """
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float)  # nudges a copy
            grad = np.zeros(x.shape)
            for i in np.ndindex(*x.shape):
                old = x[i]
                x[i] = old + h
                plus = f(x)
                x[i] = old - h
                minus = f(x)
                x[i] = old
                grad[i] = (plus - minus) / (2 * h)
            return grad
     """),
    ("initialization", """
        def glorot(fan_in, fan_out, rng):
            return rng.normal(0.0, np.sqrt(1.0 / ((fan_in + fan_out) / 2)), size=(fan_in, fan_out))
     """),
]


def _student(reference, name, text):
    source = open(reference(name).__file__).read() + "\n" + textwrap.dedent(text)
    return module_from_source(source, f"student_{name}")


@pytest.mark.parametrize("name, check, text", WRONG, ids=[f"{n}-{c}-{i}" for i, (n, c, _) in enumerate(WRONG)])
def test_an_unlisted_mistake_fails_the_check_written_for_it(reference, name, check, text):
    checks = {c.name: c for c in checks_of(reference, name)}
    assert failing_cases(checks[check], reference(name), _student(reference, name, text)), check


@pytest.mark.parametrize("name, text", RIGHT, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RIGHT)])
def test_a_right_but_different_solution_passes_every_check(reference, name, text):
    student = _student(reference, name, text)
    for check in checks_of(reference, name) + checks_of(reference, name, hidden=True):
        for seed in (0, 1):
            assert failing_cases(check, reference(name), student, seed) == [], check.name
