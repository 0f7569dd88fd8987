"""The capacity reference: parity built deep and shallow, unit counts, the two-layer network's
gradients and training, the loss against width, and the questions' answers."""

import numpy as np
import pytest

from _course_checks import checks_of, failing_cases, mistakes_of, swapped


def every_input(n):
    return np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)


@pytest.fixture(scope="module")
def c(reference):
    return reference("capacity")


def test_xor_gate_is_three_units_and_computes_xor(c):
    np.testing.assert_array_equal(c.xor_gate(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])), [0, 1, 1, 0])


@pytest.mark.parametrize("n", range(1, 9))
def test_the_xor_tree_and_the_shallow_network_compute_parity_on_every_input(c, n):
    bits = every_input(n)
    parity = bits.sum(axis=1) % 2
    np.testing.assert_array_equal(c.parity_network(bits), parity)
    weights, biases = c.shallow_parity_layer(n)
    assert weights.shape == (n, 2 ** (n - 1)) and biases.shape == (2 ** (n - 1),)
    np.testing.assert_array_equal(c.shallow_parity(bits, weights, biases), parity)


def test_each_shallow_unit_fires_for_exactly_one_input(c):
    weights, biases = c.shallow_parity_layer(5)
    fires = (every_input(5) @ weights + biases >= 0)
    np.testing.assert_array_equal(fires.sum(axis=0), np.ones(16))


def test_deep_grows_linearly_and_shallow_exponentially(c):
    assert [c.deep_parity_units(n) for n in (1, 2, 3, 4, 8)] == [0, 3, 6, 9, 21]
    assert [c.deep_parity_layers(n) for n in (1, 2, 3, 4, 5, 8, 9)] == [0, 2, 4, 4, 6, 6, 8]
    assert [c.shallow_parity_units(n) for n in (1, 2, 3, 10)] == [2, 3, 5, 513]
    assert c.shallow_parity_units(32) > 10**9 > c.deep_parity_units(32)


def test_gradients_agree_with_centred_differences(c):
    rng = np.random.default_rng(4)
    params = c.init_params(2, 5, rng)
    X, y = rng.normal(size=(7, 2)), rng.normal(size=7)
    _, grads = c.loss_and_gradients(params, X, y)
    for key in params:
        value = np.array(params[key], dtype=float)
        numeric = np.zeros_like(value)
        for i in np.ndindex(*value.shape):
            step = np.zeros_like(value)
            step[i] = 1e-6
            plus = c.loss_and_gradients({**params, key: value + step}, X, y)[0]
            minus = c.loss_and_gradients({**params, key: value - step}, X, y)[0]
            numeric[i] = (plus - minus) / 2e-6
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-9, err_msg=key)


def test_training_records_the_loss_before_each_step_and_leaves_its_input_alone(c):
    rng = np.random.default_rng(5)
    X, y, _, _ = c.make_data(rng, n_train=10)
    params = c.init_params(1, 4, rng)
    before = {k: np.copy(v) for k, v in params.items()}
    trained, losses = c.train(params, X, y, 0.05, 50)
    assert losses[0] == pytest.approx(c.loss_and_gradients(before, X, y)[0], rel=1e-12)
    assert losses[-1] < losses[0]
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])
    assert c.loss_and_gradients(trained, X, y)[0] < losses[-1]


def test_the_loss_against_width_shows_under_and_over_fitting(c):
    sizes = [1, 2, 4, 8, 16, 32]
    train_loss, val_loss = c.capacity_curve(*c.make_data(np.random.default_rng(1)), sizes, epochs=3000)
    # Measured: training 0.042 -> 0.003, validation 0.079 (1 unit) -> 0.046 (8) and up again after.
    assert train_loss[-1] < 0.2 * train_loss[0]
    assert val_loss[0] > 1.5 * val_loss.min()  # one unit underfits
    assert 0 < int(np.argmin(val_loss)) < len(sizes) - 1  # the widest is not the best on new data
    assert np.all(val_loss > train_loss)


def test_each_size_starts_from_the_same_seed(c):
    data = c.make_data(np.random.default_rng(2), n_train=8, n_val=10)
    once = c.capacity_curve(*data, [3], epochs=5, seed=7)
    among = c.capacity_curve(*data, [1, 3], epochs=5, seed=7)
    assert once[0][0] == among[0][1] and once[1][0] == among[1][1]


def test_the_reference_answers_every_question(c, reference):
    questions = [q for q in checks_of(reference, "capacity") + checks_of(reference, "capacity", hidden=True)
                 if q.kind == "question"]
    assert {q.functions[0] for q in questions} == {name for name in vars(c) if name.startswith("ANSWER_")}
    assert c.ANSWER_SHALLOW_HIDDEN_UNITS_10_BITS == c.shallow_parity_units(10) - 1


def test_every_known_mistake_fails_a_check_of_its_function(c, reference):
    checks = checks_of(reference, "capacity") + checks_of(reference, "capacity", hidden=True)
    for mistake in mistakes_of(reference, "capacity"):
        impl = swapped(c, mistake.function, mistake.impl)
        failing = [k.name for k in checks if k.functions == (mistake.function,) and failing_cases(k, c, impl)]
        assert failing, mistake.name
