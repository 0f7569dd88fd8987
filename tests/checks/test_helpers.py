"""grader.checks.helpers: what the course's checks share."""

import warnings

import numpy as np

from grader.checks.helpers import floats, sigmoid


def test_floats_turns_what_a_student_returned_into_a_float_array() -> None:
    for value, shape in (([1, 2, 3], (3,)), (np.array([[True, False]]), (1, 2)), (7, ())):
        out = floats(value)
        assert out.dtype == np.float64 and out.shape == shape
    assert floats([1, 2, 3]).tolist() == [1.0, 2.0, 3.0]


def test_sigmoid_is_the_logistic_function_and_never_overflows() -> None:
    z = np.linspace(-30.0, 30.0, 61)
    assert np.allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-13, atol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would raise here
        tails = sigmoid([-1e308, -1000.0, 1000.0, 1e308])
    assert tails.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert sigmoid(0) == 0.5
