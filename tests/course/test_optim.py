"""The optim reference: hand-computed steps, the state it stores, CS231n-style files, the Adam
conventions of real student files, the accepted folded-step-size variant and the known mistakes."""

import numpy as np
import pytest

from _course_checks import checks_of, failing_cases, mistakes_of, module_from_source, swapped, worst_excess


@pytest.fixture(scope="module")
def o(reference):
    return reference("optim")


@pytest.fixture(scope="module")
def checks(reference):
    return {c.name: c for c in checks_of(reference, "optim")}


# One step, computed by hand ----------------------------------------------------------------------


def test_sgd_one_step_with_the_default_learning_rate(o):
    next_w, config = o.sgd(np.array([1.0, 2.0]), np.array([0.5, -1.0]))
    np.testing.assert_allclose(next_w, [1.0 - 0.01 * 0.5, 2.0 + 0.01], rtol=1e-12)
    assert config == {"learning_rate": 1e-2}


def test_momentum_one_step_from_a_given_velocity(o):
    config = {"learning_rate": 0.1, "momentum": 0.9, "velocity": np.array([0.1, -0.2])}
    next_w, config = o.sgd_momentum(np.array([1.0, -2.0]), np.array([0.5, 0.25]), config)
    # v = 0.9 * [0.1, -0.2] - 0.1 * [0.5, 0.25] = [0.04, -0.205]; w + v
    np.testing.assert_allclose(config["velocity"], [0.04, -0.205], rtol=1e-12)
    np.testing.assert_allclose(next_w, [1.04, -2.205], rtol=1e-12)


def test_momentum_defaults(o):
    next_w, config = o.sgd_momentum(np.array([1.0]), np.array([2.0]))
    assert config["learning_rate"] == 1e-2 and config["momentum"] == 0.9
    np.testing.assert_allclose(config["velocity"], [-0.02], rtol=1e-12)  # 0.9 * 0 - 0.01 * 2
    np.testing.assert_allclose(next_w, [0.98], rtol=1e-12)


def test_rmsprop_one_step_from_a_given_cache(o):
    config = {"learning_rate": 0.1, "decay_rate": 0.9, "epsilon": 1e-8, "cache": np.array([1.0, 0.0])}
    next_w, config = o.rmsprop(np.array([1.0, 1.0]), np.array([2.0, 0.0]), config)
    # cache = 0.9 * [1, 0] + 0.1 * [4, 0] = [1.3, 0]; step = 0.1 * 2 / (sqrt(1.3) + 1e-8), and 0
    np.testing.assert_allclose(config["cache"], [1.3, 0.0], rtol=1e-12)
    np.testing.assert_allclose(next_w, [1.0 - 0.2 / (1.140175425099138 + 1e-8), 1.0], rtol=1e-12)


def test_rmsprop_defaults(o):
    _, config = o.rmsprop(np.zeros(3), np.ones(3))
    assert (config["learning_rate"], config["decay_rate"], config["epsilon"]) == (1e-2, 0.99, 1e-8)
    np.testing.assert_allclose(config["cache"], np.full(3, 0.01), rtol=1e-12)


def test_adam_first_step_from_the_defaults(o):
    next_w, config = o.adam(np.array([1.0, 1.0]), np.array([0.5, -2.0]))
    # t = 1: m = 0.1 dw, v = 0.001 dw**2; bias correction gives m_hat = dw, v_hat = dw**2,
    # so the step is 1e-3 * dw / (|dw| + 1e-8).
    assert config["t"] == 1
    np.testing.assert_allclose(config["m"], [0.05, -0.2], rtol=1e-12)
    np.testing.assert_allclose(config["v"], [0.00025, 0.004], rtol=1e-12)
    np.testing.assert_allclose(next_w, [1.0 - 1e-3 * 0.5 / 0.50000001, 1.0 + 1e-3 * 2.0 / 2.00000001], rtol=1e-14)
    assert (config["learning_rate"], config["beta1"], config["beta2"], config["epsilon"]) == (1e-3, 0.9, 0.999, 1e-8)


def test_adam_at_t_5_from_given_moments(o):
    config = {"learning_rate": 1e-2, "m": np.array([0.1]), "v": np.array([0.01]), "t": 5}
    next_w, config = o.adam(np.array([1.0]), np.array([0.2]), config)
    # t = 6; m = 0.9 * 0.1 + 0.1 * 0.2 = 0.11; v = 0.999 * 0.01 + 0.001 * 0.04 = 0.01003
    # 0.9**6 = 0.531441 and 0.999**6 = 0.994014980014994001 (exact decimal expansions)
    m_hat = 0.11 / (1 - 0.531441)
    v_hat = 0.01003 / (1 - 0.994014980014994001)
    assert config["t"] == 6
    np.testing.assert_allclose(config["m"], [0.11], rtol=1e-12)
    np.testing.assert_allclose(config["v"], [0.01003], rtol=1e-12)
    np.testing.assert_allclose(next_w, [1.0 - 1e-2 * m_hat / (np.sqrt(v_hat) + 1e-8)], rtol=1e-12)


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_rules_do_not_modify_their_inputs(o, rule):
    w, dw = np.array([0.3, -0.7]), np.array([1.5, 0.2])
    config = None
    for _ in range(3):
        w_before, dw_before = w.copy(), dw.copy()
        next_w, config = getattr(o, rule)(w, dw, config)
        np.testing.assert_array_equal(w, w_before)
        np.testing.assert_array_equal(dw, dw_before)
        w = next_w


def test_adam_converges_on_a_quadratic(o):
    w, config = np.array([3.0, -2.0]), {"learning_rate": 0.1}
    for _ in range(500):
        w, config = o.adam(w, 2 * w, config)
    assert np.all(np.abs(w) < 0.05)


# Real student files ------------------------------------------------------------------------------

CS231N_STYLE = '''
import numpy as np


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-2)
    w -= config['learning_rate'] * dw
    return w, config


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-2)
    config.setdefault('momentum', 0.9)
    v = config.get('velocity', np.zeros_like(w))
    v *= config['momentum']
    v -= config['learning_rate'] * dw
    w += v
    next_w = w
    config['velocity'] = v
    return next_w, config


def rmsprop(x, dx, config=None):
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-2)
    config.setdefault('decay_rate', 0.99)
    config.setdefault('epsilon', 1e-8)
    config.setdefault('cache', np.zeros_like(x))
    config['cache'] *= config['decay_rate']
    config['cache'] += (1 - config['decay_rate']) * dx**2
    x -= config['learning_rate'] * dx / (np.sqrt(config['cache']) + config['epsilon'])
    next_x = x
    return next_x, config


def adam(x, dx, config=None):
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-3)
    config.setdefault('beta1', 0.9)
    config.setdefault('beta2', 0.999)
    config.setdefault('epsilon', 1e-8)
    config.setdefault('m', np.zeros_like(x))
    config.setdefault('v', np.zeros_like(x))
    config.setdefault('t', T_DEFAULT)
    INCREMENT_BEFORE
    config['m'] *= config['beta1']
    config['m'] += (1 - config['beta1']) * dx
    config['v'] *= config['beta2']
    config['v'] += (1 - config['beta2']) * dx * dx
    mt = config['m'] / (1 - config['beta1'] ** config['t'])
    vt = config['v'] / (1 - config['beta2'] ** config['t'])
    x -= config['learning_rate'] * mt / (np.sqrt(vt) + config['epsilon'])
    INCREMENT_AFTER
    next_x = x
    return next_x, config
'''


def _student(t_default, before):
    increment = "config['t'] += 1"
    source = (CS231N_STYLE.replace("T_DEFAULT", str(t_default))
              .replace("INCREMENT_BEFORE", increment if before else "pass")
              .replace("INCREMENT_AFTER", "pass" if before else increment))
    return module_from_source(source, "student_optim")


def test_a_cs231n_style_file_with_in_place_updates_matches_every_check(o, reference):
    student = _student(0, before=True)
    for check in checks_of(reference, "optim") + checks_of(reference, "optim", hidden=True):
        for seed in (0, 1, 2):
            assert failing_cases(check, o, student, seed) == [], check.name


def test_the_2017_starter_convention_loses_only_the_trajectory(o, checks):
    """Default t = 1, incremented before use: the first step uses t = 2."""
    student = _student(1, before=True)
    assert failing_cases(checks["adam_update"], o, student) == []
    assert failing_cases(checks["adam_stores_state"], o, student) == []
    assert failing_cases(checks["adam_trajectory"], o, student) == ["vector", "matrix", "tiny_matrix"]


def test_incrementing_after_use_from_1_loses_only_the_given_state_update(o, checks, reference):
    """Default t = 1, incremented after use: the same trajectory, but at a given t it uses t, not t + 1."""
    student = _student(1, before=False)
    assert failing_cases(checks["adam_trajectory"], o, student) == []
    assert failing_cases(checks["adam_stores_state"], o, student) == []
    assert failing_cases(checks["adam_update"], o, student) == ["vector", "matrix", "tiny_matrix"]
    # ... where it produces exactly the known mistake "t used before incrementing", so it gets that hint
    mistake = next(m for m in mistakes_of(reference, "optim") if m.name == "adam_t_before_increment")
    assert failing_cases(checks["adam_update"], swapped(o, "adam", mistake.impl), student) == []


# The accepted variant and the known mistakes ---------------------------------------------------


def test_the_folded_step_size_variant_needs_registering(o, checks, reference):
    variant = next(m for m in mistakes_of(reference, "optim") if m.accepted)
    assert variant.function == "adam"
    impl = swapped(o, "adam", variant.impl)
    # ordinary gradients: within tolerance (excess well below 1)...
    for check, case in [("adam_update", "vector"), ("adam_update", "matrix"), ("adam_trajectory", "matrix")]:
        assert worst_excess(checks[check], o, impl, case) < 0.1
    # ...tiny gradients: far outside it, so without the registration the variant would lose points
    for check in ("adam_update", "adam_trajectory"):
        assert worst_excess(checks[check], o, impl, "tiny_matrix") > 1e3
        assert failing_cases(checks[check], o, impl) == ["tiny_matrix"]


def test_every_known_mistake_fails_a_public_check_of_its_function(o, reference):
    public = checks_of(reference, "optim")
    for mistake in mistakes_of(reference, "optim"):
        if mistake.accepted:
            continue
        impl = swapped(o, mistake.function, mistake.impl)
        failing = [c.name for c in public if mistake.function in c.functions and failing_cases(c, o, impl)]
        assert failing, mistake.name


def test_adam_using_t_before_incrementing_gives_nan_from_the_default_config(o, reference):
    mistake = next(m for m in mistakes_of(reference, "optim") if m.name == "adam_t_before_increment")
    next_w, config = mistake.impl(np.array([1.0, 2.0]), np.array([0.1, -0.3]))
    assert np.all(np.isnan(next_w)) and config["t"] == 1


def test_trajectory_checks_are_worth_less_than_update_checks(checks):
    for rule in ("sgd", "sgd_momentum", "rmsprop", "adam"):
        assert checks[f"{rule}_trajectory"].points < checks[f"{rule}_update"].points
        assert checks[f"{rule}_trajectory"].steps
