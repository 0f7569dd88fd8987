"""Public checks of the perceptron assignment."""

import numpy as np

from grader.checks import check
from grader.checks.edges import one_record
from grader.checks.helpers import floats

TRUTH_2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH_1 = np.array([[0.0], [1.0]])


def _gate_table(gate, inputs):
    """The truth table that the (weights, bias) returned by ``gate`` produce, with step(0) = 1."""
    weights, bias = gate()
    weights = np.reshape(floats(weights), -1)
    return (inputs @ weights + float(bias) >= 0).astype(float)


def _on_the_line(rng, n_features):
    """Integer weights, a record and a bias whose weighted sum plus bias is exactly 0 (no round-off)."""
    weights = rng.integers(-3, 4, size=n_features).astype(float)
    record = rng.integers(-3, 4, size=n_features).astype(float)
    return weights, -float(record @ weights), record


def _separable(rng, n_records, n_features):
    """A small linearly separable data set: labels from a random hyperplane."""
    features = rng.uniform(-1.0, 1.0, size=(n_records, n_features))
    true_w = rng.normal(size=n_features)
    true_b = rng.uniform(-0.3, 0.3)
    targets = (features @ true_w + true_b >= 0).astype(float)
    return features, targets


@check(points=2, functions=["step"])
def step_values(impl, rng):
    """step on positive, negative and zero inputs, as a vector and as a matrix."""
    x = np.concatenate([rng.normal(scale=3.0, size=12), [0.0, -0.0, 1e-12, -1e-12]])
    m = rng.normal(size=(3, 4))
    m[1, 2] = 0.0
    return {
        "vector": floats(impl.step(x)),
        "matrix": floats(impl.step(m)),
    }


@check(points=2, functions=["perceptron_output"])
def perceptron_output_values(impl, rng):
    """Perceptron output for one record and for a batch of records."""
    weights = rng.normal(size=3)
    bias = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5))
    records = rng.normal(size=(20, 3))
    return {
        "one_record": floats(impl.perceptron_output(weights, bias, records[0])),
        "batch": floats(impl.perceptron_output(weights, bias, records)),
    }


@check(points=1, functions=["perceptron_output"])
def perceptron_output_on_the_line(impl, rng):
    """A record exactly on the line (weighted sum plus bias exactly 0) gives 1, as step(0) does."""
    weights, bias, record = _on_the_line(rng, 3)
    return {"on_the_line": floats(impl.perceptron_output(weights, bias, record))}


@check(points=1, functions=["perceptron_output"])
def perceptron_output_batch_of_one(impl, rng):
    """A batch of one record (shape (1, n_features)) gives an array of one output, shape (1,)."""
    weights = rng.normal(size=3)
    records = rng.normal(size=(4, 3))
    return {"batch_of_one": floats(impl.perceptron_output(weights, 0.1, one_record(records)))}


@check(points=1, functions=["and_weights"])
def and_gate(impl, rng):
    """The AND perceptron's truth table."""
    return {"truth_table": _gate_table(impl.and_weights, TRUTH_2)}


@check(points=1, functions=["or_weights"])
def or_gate(impl, rng):
    """The OR perceptron's truth table."""
    return {"truth_table": _gate_table(impl.or_weights, TRUTH_2)}


@check(points=1, functions=["not_weights"])
def not_gate(impl, rng):
    """The NOT perceptron's truth table."""
    return {"truth_table": _gate_table(impl.not_weights, TRUTH_1)}


@check(points=3, functions=["update_step"])
def update_step_cases(impl, rng):
    """One update on a misclassified positive, a misclassified negative, a correct record, and a
    record exactly on the line (predicted 1, as step(0) is 1) labelled 0."""
    weights = rng.normal(size=3)
    bias = float(rng.normal(scale=0.5))

    def with_sum(target):
        """A random record whose weighted sum plus bias is exactly ``target``."""
        x = rng.normal(size=3)
        return x + (target - (x @ weights + bias)) * weights / (weights @ weights)

    line_w, line_b, line_x = _on_the_line(rng, 3)
    cases = {
        "missed_positive": (weights, bias, with_sum(-rng.uniform(0.2, 1.0)), 1.0),  # predicted 0, label 1
        "missed_negative": (weights, bias, with_sum(rng.uniform(0.2, 1.0)), 0.0),   # predicted 1, label 0
        "correct": (weights, bias, with_sum(rng.uniform(0.2, 1.0)), 1.0),           # predicted 1, label 1
        "on_the_line": (line_w, line_b, line_x, 0.0),  # sum exactly 0: predicted 1, label 0
    }
    out = {}
    for case, (w, b, x, y) in cases.items():
        new_w, new_b = impl.update_step(w.copy(), b, x.copy(), y, 0.25)
        out[f"{case}_weights"] = new_w
        out[f"{case}_bias"] = new_b
    return out


@check(points=3, functions=["train_perceptron"], steps=True)
def train_perceptron_epochs(impl, rng):
    """Weights and bias after 1, 2, 3, 4 and 6 epochs (learnrate 0.3) on a separable 2-D data set."""
    features, targets = _separable(rng, 16, 2)
    start = rng.normal(scale=0.5, size=2)
    weights, biases = [], []
    for epochs in [1, 2, 3, 4, 6]:
        w, b = impl.train_perceptron(features, targets, learnrate=0.3, epochs=epochs,
                                     weights=start.copy(), bias=0.2)
        weights.append(floats(w))
        biases.append(float(b))
    return {"weights": np.array(weights), "bias": np.array(biases)}


@check(points=1, functions=["train_perceptron"])
def train_perceptron_default_start(impl, rng):
    """Training from the default start (zero weights, zero bias) with the default settings."""
    features, targets = _separable(rng, 12, 3)
    w, b = impl.train_perceptron(features, targets)
    return {"weights": w, "bias": b}
