"""Known mistakes and wrong answers of the capacity assignment."""

import numpy as np

import capacity as ref
from grader.checks import mistake, wrong_answer


@mistake("xor_gate", hint="Your gate is OR: it also fires when both inputs are 1. XOR needs a second unit "
                          "(NAND) that turns off for (1, 1), and an AND of the two.")
def xor_is_or(a, b):
    return ref.unit([1.0, 1.0], -0.5, np.column_stack([a, b]))


@mistake("xor_gate", hint="Your gate is NAND: it fires for (0, 0) too. AND the NAND unit with an OR unit so "
                          "that (0, 0) gives 0.")
def xor_is_nand(a, b):
    return ref.unit([-1.0, -1.0], 1.5, np.column_stack([a, b]))


@mistake("parity_network", hint="A column left over at an odd level is lost: carry it up to the next level "
                                "unchanged, or the parity of an odd number of bits misses a bit.")
def parity_drops_odd_column(bits):
    level = list(np.asarray(bits, dtype=float).T)
    while len(level) > 1:
        level = [ref.xor_gate(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    return level[0]


@mistake("deep_parity_units", hint="That counts XOR gates; each XOR is three perceptron units (OR, NAND and "
                                   "AND), so the tree has 3 * (n - 1) units.")
def deep_counts_gates(n):
    return n - 1


@mistake("deep_parity_layers", hint="Each level of XORs is two layers of units (OR and NAND, then AND): "
                                    "2 * ceil(log2(n)), not ceil(log2(n)).")
def deep_layers_one_per_level(n):
    return int(np.ceil(np.log2(n)))


@mistake("deep_parity_layers", hint="That is a chain of XORs, one after another (n - 1 levels); a balanced "
                                    "tree halves the columns at each level: 2 * ceil(log2(n)) layers.")
def deep_layers_of_a_chain(n):
    return 2 * (n - 1)


@mistake("shallow_parity_units", hint="Only the patterns of odd parity need a hidden unit: 2**(n-1) of them, "
                                      "not 2**n, plus the output unit.")
def shallow_counts_every_pattern(n):
    return 2**n + 1


@mistake("shallow_parity_units", hint="The output unit that ORs the hidden units is a unit too: "
                                      "2**(n-1) + 1.")
def shallow_without_output(n):
    return 2 ** (n - 1)


@mistake("shallow_parity_layer", hint="A unit per pattern of *every* parity makes the OR fire for every "
                                      "input; keep only the patterns with an odd number of ones.")
def shallow_layer_every_pattern(n):
    patterns = np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)
    return (2 * patterns - 1).T, 0.5 - patterns.sum(axis=1)


@mistake("forward", hint="The output is linear here (a regression network): hidden @ W2 + b2, with no "
                         "activation after it.")
def forward_squashed_output(params, X):
    hidden = np.tanh(np.asarray(X, dtype=float) @ params["W1"] + params["b1"])
    return hidden, np.tanh(hidden @ params["W2"] + params["b2"])


@mistake("loss_and_gradients", hint="The gradients are sums over the records, not means: divide d_out by the "
                                    "number of records, as the loss is a mean.")
def gradients_summed(params, X, y):
    loss, grads = ref.loss_and_gradients(params, X, y)
    return loss, {key: value * len(np.asarray(y)) for key, value in grads.items()}


@mistake("loss_and_gradients", hint="The hidden gradient misses the slope of tanh: multiply by 1 - hidden**2.")
def gradients_without_tanh_slope(params, X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    hidden, output = ref.forward(params, X)
    d_out = (output - y) / len(y)
    d_hidden = np.outer(d_out, params["W2"])
    grads = {"W1": X.T @ d_hidden, "b1": d_hidden.sum(axis=0), "W2": hidden.T @ d_out, "b2": float(d_out.sum())}
    return float(np.mean((output - y) ** 2) / 2), grads


@mistake("train", hint="The losses are recorded after each step; record the loss computed at the start of the "
                       "epoch, before the parameters move.")
def train_records_after_step(params, X, y, learnrate, epochs):
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    losses = []
    for _ in range(epochs):
        _, grads = ref.loss_and_gradients(params, X, y)
        params = {key: params[key] - learnrate * grads[key] for key in params}
        losses.append(ref.loss_and_gradients(params, X, y)[0])
    return params, np.array(losses)


@mistake("capacity_curve", hint="One generator is shared by all sizes, so each network starts from different "
                                "random numbers; start each size from np.random.default_rng(seed).")
def curve_one_generator(X_train, y_train, X_val, y_val, hidden_sizes, learnrate=0.05, epochs=300, seed=0):
    rng = np.random.default_rng(seed)
    train_losses, val_losses = [], []
    for size in hidden_sizes:
        params, _ = ref.train(ref.init_params(np.shape(X_train)[1], size, rng), X_train, y_train, learnrate, epochs)
        train_losses.append(ref.loss_and_gradients(params, X_train, y_train)[0])
        val_losses.append(ref.loss_and_gradients(params, X_val, y_val)[0])
    return np.array(train_losses), np.array(val_losses)


@mistake("capacity_curve", hint="The two curves are swapped, or both measured on the training data: the "
                                "validation loss is the trained network's loss on X_val, y_val.")
def curve_validation_on_training_data(X_train, y_train, X_val, y_val, hidden_sizes, learnrate=0.05, epochs=300,
                                      seed=0):
    train_losses, _ = ref.capacity_curve(X_train, y_train, X_val, y_val, hidden_sizes, learnrate, epochs, seed)
    return train_losses, train_losses


learning_rate_is_a_parameter = wrong_answer(
    "ANSWER_HYPERPARAMETERS", "bce",
    hint="Momentum's beta is set by you before training, like the learning rate: a hyperparameter too.")
weights_are_hyperparameters = wrong_answer(
    "ANSWER_HYPERPARAMETERS", "abcdef",
    hint="The weights and biases are the parameters: gradient descent learns them. The hyperparameters "
         "are the settings that control how it does.")
too_few_overfits = wrong_answer(
    "ANSWER_TOO_FEW_UNITS", "b",
    hint="Too few units cannot even fit the training data: the training loss stays high (underfitting).")
shallow_units_with_every_pattern = wrong_answer(
    "ANSWER_SHALLOW_HIDDEN_UNITS_10_BITS", 1024,
    hint="Only odd-parity patterns need a unit: 2**(10-1) of the 2**10 patterns.")
choose_lowest_training_loss = wrong_answer(
    "ANSWER_CHOOSE_WIDTH", "a",
    hint="The training loss keeps falling with width; only data the network was not trained on tells "
         "underfitting from overfitting.")
