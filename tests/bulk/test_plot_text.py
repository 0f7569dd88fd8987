"""The gradebook's cached JSON text of plots is exactly what json.dumps writes, hit or miss."""

import json
import math

import numpy as np
import pytest

from grader.bulk.gradebook import PlotText, _json_default


def _dumps(value):
    return json.dumps(value, default=_json_default)


PLOTS = [
    {"kind": "path", "series": {"student": [[0.0, -0.0], [1, 1.0]], "expected": [[True, False], [1e-300, 1e300]]}},
    {"kind": "curve", "series": {"student": [float("nan"), math.inf, -math.inf, 2.5]}},
    {"kind": "curve", "series": {"é": [1, 2], 3: [4]}},  # a non-str key: written without the cache
    {"a": {"b": {"c": {"d": {"e": [1.5, [2.5]]}}}}},  # deeper than the dicts it follows
    [1, 2.0, "x", None, [3, [4.25]]],
    {"kind": "path", "series": {"student": np.array([1.0, 2.0])}},  # numpy: through the default hook
]


@pytest.mark.parametrize("plot", PLOTS)
def test_same_text_as_json_dumps_first_time_and_from_the_cache(plot):
    text = PlotText()
    assert text(plot) == _dumps(plot)
    assert text(plot) == _dumps(plot)


def test_values_that_print_differently_are_never_confused():
    text = PlotText()
    for a, b in ([0.0], [-0.0]), ([1], [1.0]), ([1], [True]), ([0], [False]):
        assert text(a) == _dumps(a) and text(b) == _dumps(b) and text(a) != text(b)


def test_the_cache_is_bounded():
    text = PlotText(size=8)
    for i in range(100):
        assert text([float(i)]) == _dumps([float(i)])
    assert len(text._known) == 8


def test_what_json_refuses_is_refused():
    with pytest.raises(TypeError):
        PlotText()({"x": [object()]})
