"""The vanishing_gradients reference: slopes, the input gradient against finite differences, and
gradient norms that shrink with depth for sigmoid layers."""

import numpy as np
import pytest

from _course_checks import checks_of, failing_cases, mistakes_of, swapped


@pytest.fixture(scope="module")
def v(reference):
    return reference("vanishing_gradients")


def test_activation_derivatives(v):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(v.activation_derivative(z, "sigmoid"), s * (1 - s), rtol=1e-12)
    assert v.activation_derivative(0.0, "sigmoid") == 0.25
    np.testing.assert_array_equal(v.activation_derivative(z, "relu"), [0, 0, 0, 1, 1])
    with pytest.raises(ValueError):
        v.activation_derivative(z, "tanh")


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_input_gradient_matches_finite_differences(v, activation):
    rng = np.random.default_rng(4)
    weights = [rng.normal(scale=1.5 / np.sqrt(6), size=(6, 6)) for _ in range(5)]
    x = rng.normal(size=6)
    act = v.ACTIVATIONS[activation]

    def total(x):
        a = x
        for W in weights:
            a = act(a @ W)
        return np.sum(a)

    numeric = np.array([(total(x + e) - total(x - e)) / 2e-6 for e in np.eye(6) * 1e-6])
    np.testing.assert_allclose(v.input_gradient(x, weights, activation), numeric, rtol=1e-5, atol=1e-9)


def test_one_sigmoid_layer_by_hand(v):
    W = np.array([[2.0]])
    # d/dx sigmoid(2x) at x = 0.5 is 2 * s(1) * (1 - s(1))
    s1 = 1 / (1 + np.exp(-1.0))
    np.testing.assert_allclose(v.input_gradient(np.array([0.5]), [W], "sigmoid"), [2 * s1 * (1 - s1)], rtol=1e-12)


def test_sigmoid_gradient_norms_decrease_with_depth(v):
    depths = [1, 2, 4, 8, 16]
    norms = v.gradient_norms(depths, 50, "sigmoid", np.random.default_rng(0))
    assert norms.shape == (5,) and norms.dtype == float
    assert np.all(np.diff(norms) < 0)
    # each sigmoid layer multiplies the gradient by roughly 0.2 (slope <= 1/4): after 15 more
    # layers it is many orders of magnitude smaller
    assert norms[-1] / norms[0] < 1e-7


def test_relu_gradient_norms_depend_on_the_gain(v):
    depths = [1, 10, 30]
    shrinking = v.gradient_norms(depths, 200, "relu", np.random.default_rng(0), gain=1.0)
    he = v.gradient_norms(depths, 200, "relu", np.random.default_rng(0), gain=np.sqrt(2))
    growing = v.gradient_norms(depths, 200, "relu", np.random.default_rng(0), gain=2.0)
    assert shrinking[2] < 1e-2 * shrinking[0]
    assert 0.1 < he[2] / he[0] < 10
    assert growing[2] > 1e3 * growing[0]


def test_draw_order_is_x_then_the_weights(v):
    rng = np.random.default_rng(9)
    norms = v.gradient_norms([2, 3], 4, "sigmoid", np.random.default_rng(9))
    expected = []
    for depth in (2, 3):
        x = rng.normal(size=4)
        weights = [rng.normal(scale=1 / 2.0, size=(4, 4)) for _ in range(depth)]
        expected.append(np.linalg.norm(v.input_gradient(x, weights, "sigmoid")))
    np.testing.assert_array_equal(norms, expected)


def test_every_known_mistake_fails_a_public_check_of_its_function(v, reference):
    public = checks_of(reference, "vanishing_gradients")
    for mistake in mistakes_of(reference, "vanishing_gradients"):
        impl = swapped(v, mistake.function, mistake.impl)
        failing = [c.name for c in public if c.functions == (mistake.function,) and failing_cases(c, v, impl)]
        assert failing, mistake.name
