"""The sigmoid reference: values, the derivative, and no floating-point warnings at +-1e4."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def s(reference):
    return reference("sigmoid")


def test_values_match_the_formula(s):
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(s.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(s.sigmoid(-x), 1 - s.sigmoid(x), atol=1e-15)
    assert s.sigmoid(0.0) == 0.5


def test_no_warnings_at_extreme_inputs(s):
    x = np.array([-1e4, -1e3, -745.0, -710.0, 710.0, 745.0, 1e3, 1e4])
    with np.errstate(all="raise"):  # overflow, underflow, divide and invalid all raise
        values = s.sigmoid(x)
        primes = s.sigmoid_prime(x)
        from_out = s.sigmoid_prime_from_output(values)
    assert np.all((values >= 0) & (values <= 1))
    assert values[-1] == 1.0 and values[0] < 1e-200
    assert np.all(np.isfinite(primes)) and np.all(primes >= 0) and np.all(primes < 1e-200)
    np.testing.assert_array_equal(from_out, primes)


def test_derivative_matches_a_centred_difference(s):
    x = np.linspace(-8, 8, 33)
    h = 1e-5
    numeric = (s.sigmoid(x + h) - s.sigmoid(x - h)) / (2 * h)
    np.testing.assert_allclose(s.sigmoid_prime(x), numeric, rtol=1e-6, atol=1e-10)  # h=1e-5 rounding
    assert s.sigmoid_prime(0.0) == 0.25


def test_derivative_from_output_uses_the_output(s):
    x = np.array([-2.0, 0.3, 4.0])
    np.testing.assert_allclose(s.sigmoid_prime_from_output(s.sigmoid(x)), s.sigmoid_prime(x))
    # the classic mistake, x * (1 - x), is far from the true derivative here
    assert not np.allclose(x * (1 - x), s.sigmoid_prime(x))
