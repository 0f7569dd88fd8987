"""The edge-input helpers do what their one-line docstrings say, and a single number stays a single
number on its way to the grader (so a batch of one is told apart from one record)."""

from types import SimpleNamespace

import numpy as np

from grader.checks import check, edges
from grader.checks.scenario import evaluate


def test_at_and_around_gives_the_threshold_and_its_neighbours():
    values = edges.at_and_around(0.5, gap=1e-6)
    assert values[0] == 0.5 and values[1] < 0.5 < values[2]


def test_with_ties_draws_from_few_distinct_values():
    values = edges.with_ties(np.random.default_rng(0), 30, n_distinct=3)
    assert values.shape == (30,) and len(np.unique(values)) <= 3


def test_one_record_and_column_keep_two_dimensions():
    records = np.arange(12.0).reshape(4, 3)
    assert edges.one_record(records).shape == (1, 3)
    assert edges.column(np.arange(5.0)).shape == (5, 1)


def test_in_units_and_with_norm_rescale():
    assert np.isclose(edges.in_units(3e-8, 1e-8), 3.0, rtol=1e-15)
    assert np.isclose(np.linalg.norm(edges.with_norm([3.0, 4.0], 10.0)), 10.0)


def test_spanning_covers_many_orders_of_magnitude():
    values = np.abs(edges.spanning(np.random.default_rng(1), 200, low=-12, high=3))
    assert values.min() < 1e-9 and values.max() > 1.0


def test_reordered_keeps_the_items_in_another_order():
    mapping = {k: i for i, k in enumerate("abcdefgh")}
    shuffled = edges.reordered(mapping, np.random.default_rng(2))
    assert shuffled == mapping and list(shuffled) != list(mapping)


def test_a_single_number_stays_zero_dimensional_and_an_array_of_one_does_not():
    @check(points=1, functions=["f"])
    def shapes(impl, rng):
        """One number and an array of one."""
        return {"number": impl.f(2.0), "array_of_one": np.array([impl.f(2.0)])}

    outputs = evaluate(shapes.__grade__, SimpleNamespace(f=lambda x: x * 2), 0)
    assert outputs["number"].shape == () and outputs["array_of_one"].shape == (1,)
