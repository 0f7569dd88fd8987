"""Known mistakes (and accepted variants) of the gradient_descent assignment."""

import numpy as np

import gradient_descent as ref
from grader.checks import mistake, variant


def _start(features, targets, seed):
    """The given start of train: arrays and the seeded initial weights."""
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_records, n_features = features.shape
    weights = np.random.default_rng(seed).normal(scale=1 / n_features**.5, size=n_features)
    return features, targets, n_records, weights


# ---------------------------------------------------------------------------------------------
# sigmoid

@mistake("sigmoid", hint="The sign in the exponent is flipped: sigmoid(x) = 1 / (1 + exp(-x)).")
def sigmoid_wrong_sign(x):
    return 1.0 / (1.0 + np.exp(np.clip(np.asarray(x, dtype=float), -500.0, 500.0)))


# ---------------------------------------------------------------------------------------------
# train: the notes' original loop, then each of its faults on its own

@mistake("train", hint="This is the notes' original loop, which has four bugs: use error = y - "
                       "output, sum error_term * x into del_w without the learning rate, and after "
                       "the loop update weights += learnrate * del_w / n_records.")
def train_notes_loop(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    for _ in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            error = output - y
            error_term = error * output * (1 - output)
            del_w += learnrate * np.dot(error_term, x)
        weights += np.dot(error_term, x)
    return weights


@mistake("train", hint="The error has the wrong sign, so the weights climb the error instead of "
                       "descending it: use error = y - output.")
def train_error_sign_flipped(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    for _ in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            del_w += (output - y) * output * (1 - output) * x
        weights += learnrate * del_w / n_records
    return weights


@mistake("train", hint="The step is not divided by n_records: update with the average, "
                       "weights += learnrate * del_w / n_records.")
def train_no_division(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    for _ in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            del_w += (y - output) * output * (1 - output) * x
        weights += learnrate * del_w
    return weights


@mistake("train", hint="The update uses only the last record's error_term * x: update with del_w, "
                       "the sum over all records, after the loop.")
def train_last_record_only(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    for _ in range(epochs):
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            error_term = (y - output) * output * (1 - output)
        weights += learnrate * error_term * x / n_records
    return weights


@mistake("train", hint="The learning rate is applied twice, once inside the sum and once in the "
                       "update: accumulate del_w += error_term * x without learnrate.")
def train_learnrate_twice(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    for _ in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            del_w += learnrate * (y - output) * output * (1 - output) * x
        weights += learnrate * del_w / n_records
    return weights


@mistake("train", hint="del_w is not reset at the start of each epoch, so old steps are applied "
                       "again: set del_w to zeros inside the epoch loop.")
def train_del_w_not_reset(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    del_w = np.zeros(weights.shape)
    for _ in range(epochs):
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            del_w += (y - output) * output * (1 - output) * x
        weights += learnrate * del_w / n_records
    return weights


@mistake("train", hint="The weights are updated after every record (that is stochastic gradient "
                       "descent): train sums the steps of all records and updates once per epoch.")
def train_per_record_updates(features, targets, epochs=1000, learnrate=0.5, seed=42):
    features, targets, n_records, weights = _start(features, targets, seed)
    for _ in range(epochs):
        for x, y in zip(features, targets):
            output = ref.sigmoid(np.dot(x, weights))
            weights += learnrate * (y - output) * output * (1 - output) * x / n_records
    return weights


# ---------------------------------------------------------------------------------------------
# gradient_step

@mistake("gradient_step", hint="The step goes uphill: the error is targets - output and the step is "
                               "added to the weights.")
def step_wrong_sign(weights, features, targets, learnrate):
    output = ref.sigmoid(features @ weights)
    return weights - learnrate * ((targets - output) * output * (1 - output) @ features) / len(targets)


@mistake("gradient_step", hint="The step is summed, not averaged, over the batch: divide by the "
                               "number of records in the batch.")
def step_not_averaged(weights, features, targets, learnrate):
    output = ref.sigmoid(features @ weights)
    return weights + learnrate * ((targets - output) * output * (1 - output) @ features)


@mistake("gradient_step", hint="The sigmoid's derivative output * (1 - output) is missing from the "
                               "error term.")
def step_without_derivative(weights, features, targets, learnrate):
    output = ref.sigmoid(features @ weights)
    return weights + learnrate * ((targets - output) @ features) / len(targets)


# ---------------------------------------------------------------------------------------------
# iterate_minibatches

@mistake("iterate_minibatches", hint="The records are not shuffled: take the order from "
                                     "rng.permutation(n_records), once per call.")
def batches_not_shuffled(features, targets, batch_size, rng):
    for start in range(0, len(targets), batch_size):
        yield features[start:start + batch_size], targets[start:start + batch_size]


@mistake("iterate_minibatches", hint="The last, smaller batch is dropped: yield the remaining "
                                     "records as a final batch too.")
def batches_drop_last(features, targets, batch_size, rng):
    order = rng.permutation(len(targets))
    for start in range(0, len(targets) - batch_size + 1, batch_size):
        batch = order[start:start + batch_size]
        yield features[batch], targets[batch]


@mistake("iterate_minibatches", hint="Features and targets are shuffled with two different "
                                     "permutations, so records lose their labels: use one order "
                                     "for both.")
def batches_misaligned(features, targets, batch_size, rng):
    order_x = rng.permutation(len(targets))
    order_y = rng.permutation(len(targets))
    for start in range(0, len(targets), batch_size):
        yield features[order_x[start:start + batch_size]], targets[order_y[start:start + batch_size]]


# ---------------------------------------------------------------------------------------------
# train_minibatch, train_batch, train_stochastic

@mistake("train_minibatch", hint="The epochs given to the schedule start at 0: number them from 1, "
                                 "so the first epoch uses schedule(learnrate, 1).")
def minibatch_epoch_from_zero(features, targets, batch_size, epochs=100, learnrate=0.5, seed=42,
                              schedule=None):
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_features = features.shape[1]
    rng = np.random.default_rng(seed)
    weights = rng.normal(scale=1 / n_features**.5, size=n_features)
    for epoch in range(epochs):
        rate = learnrate if schedule is None else schedule(learnrate, epoch)
        for x_batch, y_batch in ref.iterate_minibatches(features, targets, batch_size, rng):
            weights = ref.gradient_step(weights, x_batch, y_batch, rate)
    return weights


@mistake("train_minibatch", hint="The records are shuffled only once, before the first epoch: "
                                 "call iterate_minibatches anew in every epoch.")
def minibatch_shuffled_once(features, targets, batch_size, epochs=100, learnrate=0.5, seed=42,
                            schedule=None):
    features = np.asarray(features, dtype=float)
    targets = np.asarray(targets, dtype=float)
    n_features = features.shape[1]
    rng = np.random.default_rng(seed)
    weights = rng.normal(scale=1 / n_features**.5, size=n_features)
    batches = list(ref.iterate_minibatches(features, targets, batch_size, rng))
    for epoch in range(1, epochs + 1):
        rate = learnrate if schedule is None else schedule(learnrate, epoch)
        for x_batch, y_batch in batches:
            weights = ref.gradient_step(weights, x_batch, y_batch, rate)
    return weights


@mistake("train_batch", hint="Batch gradient descent uses all the records in every step: call "
                             "train_minibatch with batch_size = n_records.")
def batch_is_stochastic(features, targets, epochs=100, learnrate=0.5, seed=42):
    return ref.train_minibatch(features, targets, 1, epochs, learnrate, seed)


@mistake("train_stochastic", hint="Stochastic gradient descent steps after every single record: "
                                  "call train_minibatch with batch_size = 1.")
def stochastic_is_batch(features, targets, epochs=100, learnrate=0.5, seed=42):
    return ref.train_minibatch(features, targets, len(targets), epochs, learnrate, seed)


# ---------------------------------------------------------------------------------------------
# standardize

@mistake("standardize", hint="The mean and standard deviation are taken over the whole array: "
                             "compute them per column, with axis=0.")
def standardize_global(features, mean=None, std=None):
    features = np.asarray(features, dtype=float)
    mean = features.mean() if mean is None else mean
    std = features.std() if std is None else std
    return (features - mean) / std, mean, std


@mistake("standardize", hint="The given mean and std are ignored: scale test data with the "
                             "training data's statistics, not its own.")
def standardize_ignores_given(features, mean=None, std=None):
    features = np.asarray(features, dtype=float)
    mean, std = features.mean(axis=0), features.std(axis=0)
    return (features - mean) / std, mean, std


@mistake("standardize", hint="That is min-max scaling; standardisation subtracts the column mean "
                             "and divides by the column standard deviation.")
def standardize_min_max(features, mean=None, std=None):
    features = np.asarray(features, dtype=float)
    mean = features.min(axis=0) if mean is None else mean
    std = features.max(axis=0) - features.min(axis=0) if std is None else std
    return (features - mean) / std, mean, std


@variant("standardize", note="Sample standard deviation (ddof=1, pandas' default) instead of the "
                             "population one: accepted.")
def standardize_sample_std(features, mean=None, std=None):
    features = np.asarray(features, dtype=float)
    mean = features.mean(axis=0) if mean is None else mean
    std = features.std(axis=0, ddof=1) if std is None else std
    return (features - mean) / std, mean, std


# ---------------------------------------------------------------------------------------------
# learning-rate decay

@mistake("inverse_time_decay", hint="Mind the brackets: the rate is alpha0 / (1 + decay_rate * "
                                    "epoch), the whole denominator in parentheses.")
def inverse_time_precedence(alpha0, epoch, decay_rate=1.0):
    return alpha0 / 1 + decay_rate * epoch


@mistake("exponential_decay", hint="Multiply by alpha0: the rate is base**epoch * alpha0.")
def exponential_without_alpha0(alpha0, epoch, base=0.95):
    return base**epoch


@mistake("exponential_decay", hint="Count epochs from 1: the first epoch already decays, "
                                   "base**1 * alpha0.")
def exponential_epoch_from_zero(alpha0, epoch, base=0.95):
    return base ** (epoch - 1) * alpha0


@mistake("inverse_sqrt_decay", hint="Divide by the square root of the epoch: k / sqrt(epoch) * "
                                    "alpha0 shrinks as training goes on.")
def inverse_sqrt_multiplies(alpha0, epoch, k=1.0):
    return k * np.sqrt(epoch) * alpha0
