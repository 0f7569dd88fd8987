"""The perceptron reference: step convention, logic gates, the update rule and its convergence."""

import numpy as np
import pytest

TRUTH_2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.fixture(scope="module")
def p(reference):
    return reference("perceptron")


def test_step_is_one_at_zero_and_elementwise(p):
    assert p.step(0.0) == 1
    assert p.step(-1e-12) == 0
    np.testing.assert_array_equal(p.step(np.array([[-2.0, 0.0], [3.0, -0.5]])), [[0, 1], [1, 0]])


@pytest.mark.parametrize("gate, table", [("and_weights", [0, 0, 0, 1]), ("or_weights", [0, 1, 1, 1])])
def test_two_input_gates(p, gate, table):
    weights, bias = getattr(p, gate)()
    np.testing.assert_array_equal(p.perceptron_output(weights, bias, TRUTH_2), table)
    for record, expected in zip(TRUTH_2, table):
        assert p.perceptron_output(weights, bias, record) == expected


def test_not_gate(p):
    weights, bias = p.not_weights()
    np.testing.assert_array_equal(p.perceptron_output(weights, bias, np.array([[0.0], [1.0]])), [1, 0])


def test_update_moves_towards_missed_positive_and_ignores_correct_records(p):
    weights, bias = np.array([1.0, -1.0]), -0.5
    x = np.array([0.2, 0.4])  # sum -0.7: predicted 0
    new_w, new_b = p.update_step(weights, bias, x, 1.0, 0.5)
    np.testing.assert_allclose(new_w, weights + 0.5 * x)
    assert new_b == pytest.approx(0.0)
    np.testing.assert_array_equal(weights, [1.0, -1.0])  # the input is not modified
    same_w, same_b = p.update_step(weights, bias, x, 0.0, 0.5)  # correctly classified
    np.testing.assert_allclose(same_w, weights)
    assert same_b == pytest.approx(bias)


def test_training_separates_a_separable_data_set(p):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(200, 2))
    margin = X @ np.array([1.5, -1.0]) + 0.2
    keep = np.abs(margin) > 0.1  # a margin guarantees convergence in finitely many updates
    X, y = X[keep], (margin[keep] >= 0).astype(float)
    w, b = p.train_perceptron(X, y, learnrate=0.1, epochs=100)
    assert np.mean(p.perceptron_output(w, b, X) == y) == 1.0


def test_training_learns_and_from_its_truth_table(p):
    w, b = p.train_perceptron(TRUTH_2, np.array([0, 0, 0, 1.0]), learnrate=0.1, epochs=50)
    np.testing.assert_array_equal(p.perceptron_output(w, b, TRUTH_2), [0, 0, 0, 1])
