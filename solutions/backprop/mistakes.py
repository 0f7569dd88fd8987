"""Known mistakes of the backprop assignment."""

import numpy as np

from grader.checks import mistake


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


@mistake("sigmoid", hint="Looks like sigmoid(-x): the sigmoid is 1 / (1 + exp(-x)), with a minus "
                          "sign in the exponent.")
def sigmoid_sign_flipped(x):
    return _sigmoid(-np.asarray(x, dtype=float))


@mistake("forward", hint="Looks like the output unit has no sigmoid: pass hidden_layer_output @ W_ho "
                          "through sigmoid as well.")
def forward_no_output_sigmoid(x, weights_input_hidden, weights_hidden_output):
    hidden = _sigmoid(np.dot(x, weights_input_hidden))
    return hidden, np.dot(hidden, weights_hidden_output)


@mistake("forward", hint="Looks like the hidden layer has no sigmoid: hidden_layer_output is "
                          "sigmoid(x @ W_ih), not x @ W_ih.")
def forward_no_hidden_sigmoid(x, weights_input_hidden, weights_hidden_output):
    hidden = np.dot(x, weights_input_hidden)
    return hidden, _sigmoid(np.dot(hidden, weights_hidden_output))


@mistake("output_error_term", hint="Looks like the error's sign is flipped: the error is target - "
                                    "output, so that adding the step moves the output towards the target.")
def output_error_term_sign_flipped(target, output):
    return (output - target) * output * (1 - output)


@mistake("output_error_term", hint="Looks like the sigmoid's slope is missing: multiply the error by "
                                    "output * (1 - output).")
def output_error_term_no_slope(target, output):
    return target - output


@mistake("hidden_error_term", hint="Looks like the hidden error term lacks the hidden sigmoid's slope: "
                                    "multiply by h * (1 - h).")
def hidden_error_term_no_slope(output_error_term, weights_hidden_output, hidden_layer_output):
    return np.dot(output_error_term, weights_hidden_output) * np.ones_like(hidden_layer_output)


@mistake("weight_deltas", hint="Looks like delta_w_i_h came out transposed (n_hidden x n_inputs): use "
                                "hidden_error_term * x[:, None] so rows follow the inputs like W_ih.")
def weight_deltas_transposed(learnrate, x, hidden_layer_output, output_error_term, hidden_error_term):
    # What students write instead of x[:, None]: hidden_error_term[:, None] * x, or
    # np.outer(hidden_error_term, x). (A plain hidden_error_term * x raises a broadcasting error.)
    delta_w_i_h = learnrate * np.outer(hidden_error_term, x)
    return delta_w_i_h, learnrate * output_error_term * np.asarray(hidden_layer_output)


@mistake("weight_deltas", hint="Looks like the learning rate is missing from the weight steps: "
                                "multiply both deltas by learnrate.")
def weight_deltas_no_learnrate(learnrate, x, hidden_layer_output, output_error_term, hidden_error_term):
    x = np.asarray(x, dtype=float)
    return hidden_error_term * x[:, None], output_error_term * np.asarray(hidden_layer_output)


def _record_deltas(record, y, w_ih, w_ho, learnrate):
    hidden = _sigmoid(record @ w_ih)
    out = _sigmoid(hidden @ w_ho)
    out_term = (y - out) * out * (1 - out)
    hidden_term = out_term * w_ho * hidden * (1 - hidden)
    return learnrate * hidden_term * record[:, None], learnrate * out_term * hidden


def _init(features, n_hidden, seed):
    features = np.asarray(features, dtype=float)
    n_inputs = features.shape[1]
    rng = np.random.default_rng(seed)
    w_ih = rng.normal(scale=1 / n_inputs**0.5, size=(n_inputs, n_hidden))
    w_ho = rng.normal(scale=1 / n_inputs**0.5, size=n_hidden)
    return features, w_ih, w_ho


@mistake("train", hint="Looks like the summed steps are not averaged: divide the accumulated deltas "
                        "by n_records before adding them to the weights.")
def train_no_average(features, targets, n_hidden=2, epochs=900, learnrate=0.005, seed=42):
    features, w_ih, w_ho = _init(features, n_hidden, seed)
    for _ in range(epochs):
        acc_ih, acc_ho = np.zeros_like(w_ih), np.zeros_like(w_ho)
        for record, y in zip(features, np.asarray(targets, dtype=float)):
            d_ih, d_ho = _record_deltas(record, y, w_ih, w_ho, learnrate)
            acc_ih += d_ih
            acc_ho += d_ho
        w_ih = w_ih + acc_ih
        w_ho = w_ho + acc_ho
    return w_ih, w_ho


@mistake("train", hint="Looks like the weights are updated after every record: accumulate the "
                        "deltas over all records and update once per epoch with their average.")
def train_per_record_updates(features, targets, n_hidden=2, epochs=900, learnrate=0.005, seed=42):
    features, w_ih, w_ho = _init(features, n_hidden, seed)
    for _ in range(epochs):
        for record, y in zip(features, np.asarray(targets, dtype=float)):
            d_ih, d_ho = _record_deltas(record, y, w_ih, w_ho, learnrate)
            w_ih = w_ih + d_ih
            w_ho = w_ho + d_ho
    return w_ih, w_ho
