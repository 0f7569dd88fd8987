"""The initialization reference: exact draws, standard deviations of large draws, symmetry."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def init(reference):
    return reference("initialization")


FORMULAS = {
    "he": lambda fan_in, fan_out: np.sqrt(2 / fan_in),
    "xavier": lambda fan_in, fan_out: np.sqrt(1 / fan_in),
    "glorot": lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out)),
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_exact_draw_from_a_seeded_generator(init, name):
    w = getattr(init, name)(3, 7, np.random.default_rng(11))
    assert w.shape == (3, 7)
    expected = np.random.default_rng(11).standard_normal((3, 7)) * FORMULAS[name](3, 7)
    np.testing.assert_array_equal(w, expected)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_standard_deviation_of_a_large_draw(init, name):
    fan_in, fan_out = 400, 600
    w = getattr(init, name)(fan_in, fan_out, np.random.default_rng(0))
    sigma = FORMULAS[name](fan_in, fan_out)
    n = w.size  # 240 000 draws: the sample std has relative standard error 1 / sqrt(2n) = 0.0014
    assert abs(w.std() / sigma - 1) < 0.01  # 7 standard errors
    assert abs(w.mean()) < 5 * sigma / np.sqrt(n)


def _problem():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float), rng


@pytest.mark.parametrize("value", [0.0, 0.3])
def test_equal_initial_weights_keep_hidden_units_identical(init, value):
    X, y, _ = _problem()
    w_ih, w_ho = init.train_tiny_net(X, y, init.constant(3, 5, value), np.full(5, value),
                                     learnrate=1.0, steps=100)
    assert not np.allclose(w_ih, value)  # the weights did train ...
    assert init.hidden_units_identical(w_ih)  # ... but every hidden unit is still the same one
    np.testing.assert_allclose(w_ho, w_ho[0])


def test_random_initial_weights_break_the_symmetry(init):
    X, y, rng = _problem()
    w_ih, _ = init.train_tiny_net(X, y, init.he(3, 5, rng), init.he(5, 1, rng)[:, 0],
                                  learnrate=1.0, steps=100)
    assert not init.hidden_units_identical(w_ih)


def test_a_small_step_follows_the_negative_gradient(init):
    X, y, rng = _problem()
    w_ih0, w_ho0 = rng.normal(size=(3, 4)), rng.normal(size=4)
    copies = w_ih0.copy(), w_ho0.copy()
    lr = 1e-3
    w_ih1, w_ho1 = init.train_tiny_net(X, y, w_ih0, w_ho0, learnrate=lr, steps=1)
    np.testing.assert_array_equal(w_ih0, copies[0])  # the inputs are not modified
    np.testing.assert_array_equal(w_ho0, copies[1])

    def loss(w_ih, w_ho):  # the loss whose gradient the update follows: mean of (y - out)**2 / 2
        out = init.sigmoid(init.sigmoid(X @ w_ih) @ w_ho)
        return np.mean((y - out) ** 2) / 2

    h = 1e-6
    grad_ih = np.zeros_like(w_ih0)
    for idx in np.ndindex(*w_ih0.shape):
        e = np.zeros_like(w_ih0)
        e[idx] = h
        grad_ih[idx] = (loss(w_ih0 + e, w_ho0) - loss(w_ih0 - e, w_ho0)) / (2 * h)
    grad_ho = np.array([(loss(w_ih0, w_ho0 + h * e) - loss(w_ih0, w_ho0 - h * e)) / (2 * h)
                        for e in np.eye(4)])
    np.testing.assert_allclose((w_ih1 - w_ih0) / lr, -grad_ih, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose((w_ho1 - w_ho0) / lr, -grad_ho, rtol=1e-5, atol=1e-9)
