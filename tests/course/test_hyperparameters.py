"""The hyperparameters reference: log-scale samplers, random search, zoom and coarse-to-fine."""

import numpy as np
import pytest

from _course_checks import checks_of, failing_cases, mistakes_of, swapped


@pytest.fixture(scope="module")
def hp(reference):
    return reference("hyperparameters")


def test_learning_rates_are_ten_to_a_uniform_exponent(hp):
    lrs = hp.sample_learning_rate(np.random.default_rng(0), 5)
    np.testing.assert_allclose(lrs, 10 ** np.random.default_rng(0).uniform(-4, 0, 5), rtol=1e-15)
    assert isinstance(hp.sample_learning_rate(np.random.default_rng(0)), float)


def test_learning_rates_spread_evenly_over_the_decades(hp):
    lrs = hp.sample_learning_rate(np.random.default_rng(1), 20000)
    assert lrs.min() >= 1e-4 and lrs.max() <= 1.0
    shares = np.histogram(np.log10(lrs), bins=[-4, -3, -2, -1, 0])[0] / lrs.size
    np.testing.assert_allclose(shares, 0.25, atol=0.02)  # a linear scale would put 90 % in the last decade


def test_betas(hp):
    betas = hp.sample_beta(np.random.default_rng(2), 20000)
    assert betas.min() >= 0.9 and betas.max() <= 0.999
    np.testing.assert_allclose(betas[:4], 1 - 10 ** np.random.default_rng(2).uniform(-3, -1, 4), rtol=1e-15)
    # half of the samples have 1 - beta below 10**-2, i.e. beta above 0.99
    assert np.mean(betas > 0.99) == pytest.approx(0.5, abs=0.02)


def test_random_search_draws_learning_rates_then_betas(hp):
    calls = []

    def objective(lr, beta):
        calls.append((lr, beta))
        return lr + beta

    lrs, betas, losses = hp.random_search(objective, np.random.default_rng(3), 4, (-2, -1), (-3, -2))
    rng = np.random.default_rng(3)
    np.testing.assert_allclose(lrs, 10 ** rng.uniform(-2, -1, 4), rtol=1e-15)
    np.testing.assert_allclose(betas, 1 - 10 ** rng.uniform(-3, -2, 4), rtol=1e-15)
    np.testing.assert_allclose(losses, lrs + betas, rtol=1e-15)
    assert calls == list(zip(lrs, betas))


def test_zoom_by_hand(hp):
    lrs = np.array([1e-3, 1e-1, 1e-2, 1.0])
    betas = np.array([0.9, 0.99, 0.999, 0.9])
    losses = np.array([0.5, 0.1, 0.2, 0.1])  # best: index 1 and 3 (tied, both kept for k = 2), then 2
    lr_range, beta_range = hp.zoom(lrs, betas, losses, k=2)
    np.testing.assert_allclose(lr_range, (-1.0, 0.0), atol=1e-12)
    np.testing.assert_allclose(beta_range, (-2.0, -1.0), atol=1e-12)
    lr_range, beta_range = hp.zoom(lrs, betas, losses, k=3)
    np.testing.assert_allclose(lr_range, (-2.0, 0.0), atol=1e-12)
    np.testing.assert_allclose(beta_range, (-3.0, -1.0), atol=1e-12)
    # a tie at the k-th place goes to the earlier sample
    lr_range, _ = hp.zoom(lrs, betas, losses, k=1)
    np.testing.assert_allclose(lr_range, (-1.0, -1.0), atol=1e-12)


def test_coarse_to_fine_is_deterministic_and_beats_the_coarse_round(hp):
    for seed in range(5):
        lr, beta, loss = hp.coarse_to_fine(hp.momentum_objective, np.random.default_rng(seed))
        assert (lr, beta, loss) == hp.coarse_to_fine(hp.momentum_objective, np.random.default_rng(seed))
        _, _, coarse = hp.random_search(hp.momentum_objective, np.random.default_rng(seed), 30)
        assert loss <= coarse.min()
        assert loss == pytest.approx(hp.momentum_objective(lr, beta))
        assert 1e-4 <= lr <= 1 and 0.9 <= beta <= 0.999


def test_coarse_to_fine_finds_the_minimum_of_a_bowl(hp):
    def bowl(lr, beta):
        return (np.log10(lr) + 1.7) ** 2 + (np.log10(1 - beta) + 2.2) ** 2

    lr, beta, loss = hp.coarse_to_fine(bowl, np.random.default_rng(0), n_coarse=40, n_fine=40, k=5)
    assert loss < 0.01
    assert abs(np.log10(lr) + 1.7) < 0.1 and abs(np.log10(1 - beta) + 2.2) < 0.1


def test_every_known_mistake_fails_a_public_check_of_its_function(hp, reference):
    public = checks_of(reference, "hyperparameters")
    for mistake in mistakes_of(reference, "hyperparameters"):
        impl = swapped(hp, mistake.function, mistake.impl)
        failing = [c.name for c in public if c.functions == (mistake.function,) and failing_cases(c, hp, impl)]
        assert failing, mistake.name
