"""The gradient_check reference: numerical gradients of known functions, the relative error,
x left as it was, and the gradient check of the small network's backprop."""

import numpy as np
import pytest

from _course_checks import checks_of, failing_cases, mistakes_of, swapped


@pytest.fixture(scope="module")
def g(reference):
    return reference("gradient_check")


def test_numerical_gradient_of_a_sum_of_cubes(g):
    x = np.array([0.3, -1.2, 2.0, 0.0])
    np.testing.assert_allclose(g.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_of_a_matrix_function(g):
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    # f(X) = sum(sin(X) * A) + 0.5 * ||X||^2 has gradient cos(X) * A + X
    grad = g.numerical_gradient(lambda v: np.sum(np.sin(v) * A) + 0.5 * np.sum(v**2), x)
    assert grad.shape == (3, 4)
    np.testing.assert_allclose(grad, np.cos(x) * A + x, rtol=1e-8, atol=1e-9)


def test_x_is_restored_exactly_and_in_place_nudges_reach_closures(g):
    x = np.random.default_rng(1).normal(size=(2, 3))
    before = x.copy()
    # A CS231n-style loss that ignores its argument and reads the array it closes over.
    grad = g.numerical_gradient(lambda _: float(np.sum(np.exp(x))), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, np.exp(before), rtol=1e-8)
    g.numerical_gradient_one_sided(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_array_equal(x, before)


def test_the_centred_difference_is_far_more_accurate(g):
    x = np.array([0.3, 1.1, -2.0])
    for h in (1e-2, 1e-3):
        one = g.relative_error(np.cos(x), g.numerical_gradient_one_sided(lambda v: np.sum(np.sin(v)), x, h))
        two = g.relative_error(np.cos(x), g.numerical_gradient(lambda v: np.sum(np.sin(v)), x, h))
        assert one > 100 * two
        assert one == pytest.approx(h * 0.29, rel=0.1)  # error of order h ...
        assert two < h**2  # ... against order h**2


def test_one_sided_difference_by_hand(g):
    # f(x) = x**2 at 1 with h = 0.1: (1.21 - 1) / 0.1 = 2.1
    np.testing.assert_allclose(g.numerical_gradient_one_sided(lambda v: float(v[0] ** 2), np.array([1.0]), 0.1),
                               [2.1], rtol=1e-12)
    np.testing.assert_allclose(g.numerical_gradient(lambda v: float(v[0] ** 2), np.array([1.0]), 0.1),
                               [2.0], rtol=1e-12)


def test_relative_error_values(g):
    assert g.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert g.relative_error(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0
    assert g.relative_error(np.array([3.0, 4.0]), np.zeros(2)) == pytest.approx(1.0)
    assert g.relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2)
    assert g.relative_error(np.array([3.0]), np.array([1.0])) == pytest.approx(0.5)  # 2 / (3 + 1)
    a = np.random.default_rng(2).normal(size=(3, 4))
    assert g.relative_error(a, a) == 0.0


def test_gradient_check_of_the_network(g):
    rng = np.random.default_rng(0)
    params = g.init_network(4, 5, 2, rng)
    X, Y = rng.normal(size=(10, 4)), rng.normal(size=(10, 2))
    copies = {k: v.copy() for k, v in params.items()}
    assert g.gradient_check(params, X, Y) < 1e-7
    for k in params:
        np.testing.assert_array_equal(params[k], copies[k])

    def doubled_w2(p, X, Y):
        grads = g.network_backprop(p, X, Y)
        grads["W2"] = 2 * grads["W2"]
        return grads

    assert g.gradient_check(params, X, Y, doubled_w2) > 1e-2


def test_every_known_mistake_fails_a_public_check_of_its_function(g, reference):
    public = checks_of(reference, "gradient_check")
    for mistake in mistakes_of(reference, "gradient_check"):
        impl = swapped(g, mistake.function, mistake.impl)
        failing = [c.name for c in public if c.functions == (mistake.function,) and failing_cases(c, g, impl)]
        assert failing, mistake.name


def test_not_restoring_x_is_seen_as_x_left_changed(g, reference):
    check = next(c for c in checks_of(reference, "gradient_check") if c.name == "numerical_gradient_values")
    mistake = next(m for m in mistakes_of(reference, "gradient_check") if m.name == "numerical_gradient_not_restored")
    assert "changed numerical_gradient:1" in failing_cases(check, g, swapped(g, "numerical_gradient", mistake.impl))
