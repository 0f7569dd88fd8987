"""Known mistakes of the perceptron assignment."""

import numpy as np

import perceptron as ref
from grader.checks import mistake


@mistake("step", hint="step(0) should be 1: use x >= 0, not x > 0, so a sum exactly on the line "
                      "counts as positive.")
def step_strict(x):
    return np.where(np.asarray(x) > 0, 1, 0)


@mistake("perceptron_output", hint="The bias is missing: add it to the weighted sum before the "
                                   "step function.")
def output_without_bias(weights, bias, inputs):
    return ref.step(np.dot(inputs, weights))


@mistake("perceptron_output", hint="The step function is missing: the perceptron returns "
                                   "step(x . w + b), not the weighted sum itself.")
def output_without_step(weights, bias, inputs):
    return np.dot(inputs, weights) + bias


@mistake("and_weights", hint="Your AND perceptron fires when only one input is 1 (that is OR): "
                             "lower the bias so both inputs are needed to reach the threshold.")
def and_is_or():
    return np.array([1.0, 1.0]), -0.5


@mistake("or_weights", hint="Your OR perceptron needs both inputs to be 1 (that is AND): raise "
                            "the bias so a single input reaches the threshold.")
def or_is_and():
    return np.array([1.0, 1.0]), -1.5


@mistake("not_weights", hint="Your NOT perceptron passes its input through unchanged: the weight "
                             "must be negative so an input of 1 drops below the threshold.")
def not_is_identity():
    return np.array([1.0]), -0.5


@mistake("update_step", hint="The update moves the wrong way: add learnrate * (y - prediction) "
                             "* x to the weights (you subtracted it, or used prediction - y).")
def update_wrong_sign(weights, bias, x, y, learnrate):
    error = ref.step(np.dot(x, weights) + bias) - y
    return weights + learnrate * error * np.asarray(x, dtype=float), float(bias + learnrate * error)


@mistake("update_step", hint="The bias never changes: it is updated like a weight whose input is "
                             "always 1, b + learnrate * (y - prediction).")
def update_without_bias(weights, bias, x, y, learnrate):
    error = y - ref.step(np.dot(x, weights) + bias)
    return weights + learnrate * error * np.asarray(x, dtype=float), float(bias)


@mistake("update_step", hint="The error uses the weighted sum instead of the prediction: apply "
                             "step to x . w + b first, so correct records leave the weights alone.")
def update_with_linear_output(weights, bias, x, y, learnrate):
    error = y - (np.dot(x, weights) + bias)
    return weights + learnrate * error * np.asarray(x, dtype=float), float(bias + learnrate * error)


@mistake("train_perceptron", hint="The updates are summed over the epoch and applied once at its "
                                  "end; the perceptron rule updates after every record, so later "
                                  "records see the new weights.")
def train_batch_updates(features, targets, learnrate=0.1, epochs=10, weights=None, bias=0.0):
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    weights = np.zeros(features.shape[1]) if weights is None else np.array(weights, dtype=float)
    bias = float(bias)
    for _ in range(epochs):
        dw, db = np.zeros_like(weights), 0.0
        for x, y in zip(features, targets):
            new_w, new_b = ref.update_step(weights, bias, x, y, learnrate)
            dw += new_w - weights
            db += new_b - bias
        weights, bias = weights + dw, bias + db
    return weights, bias


@mistake("train_perceptron", hint="Only one pass over the data is made: repeat the pass over all "
                                  "records `epochs` times, keeping the weights between epochs.")
def train_one_epoch(features, targets, learnrate=0.1, epochs=10, weights=None, bias=0.0):
    return ref.train_perceptron(features, targets, learnrate, 1, weights, bias)
