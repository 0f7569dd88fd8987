"""The mlp reference: w[i][j] indexing, batch forward passes, and deeper stacks."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def m(reference):
    return reference("mlp")


def test_weight_i_j_connects_input_i_to_hidden_j(m):
    x = np.array([2.0, 3.0, 5.0])
    w = np.zeros((3, 4))
    w[1, 2] = 1.0  # only input 1 -> hidden 2
    np.testing.assert_array_equal(m.layer_input(x, w), [0.0, 0.0, 3.0, 0.0])


def test_forward_matches_a_hand_computation(m):
    x = np.array([0.5, 0.1, -0.2])
    w_ih = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    w_ho = np.array([0.1, -0.3])
    hidden, out = m.forward(x, w_ih, w_ho)
    h = [0.5 * 0.5 + 0.1 * 0.1 - 0.2 * 0.1, 0.5 * -0.6 + 0.1 * -0.2 - 0.2 * 0.7]
    expected_hidden = 1 / (1 + np.exp(-np.array(h)))
    np.testing.assert_allclose(hidden, expected_hidden)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-(expected_hidden @ w_ho))))


def test_batch_rows_equal_single_records(m):
    rng = np.random.default_rng(0)
    X, w_ih, w_ho = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    hidden, out = m.forward(X, w_ih, w_ho)
    assert hidden.shape == (5, 3) and out.shape == (5, 2)
    for k in range(5):
        h_k, o_k = m.forward(X[k], w_ih, w_ho)
        np.testing.assert_allclose(hidden[k], h_k)
        np.testing.assert_allclose(out[k], o_k)


def test_forward_layers_generalises_forward(m):
    rng = np.random.default_rng(1)
    X, w_ih, w_ho = rng.normal(size=(3, 4)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    hidden, out = m.forward(X, w_ih, w_ho)
    outputs = m.forward_layers(X, [w_ih, w_ho])
    assert len(outputs) == 2
    np.testing.assert_allclose(outputs[0], hidden)
    np.testing.assert_allclose(outputs[1], out)
    deep = m.forward_layers(X, [w_ih, w_ho, rng.normal(size=(2, 1))])
    assert [a.shape for a in deep] == [(3, 3), (3, 2), (3, 1)]
