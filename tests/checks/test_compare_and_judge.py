"""Verdict logic in the grader's process: comparison messages, partial credit, known mistakes,
accepted variants, gradient checks, and the wire's refusals."""

import numpy as np
import pytest

from grader.checks.api import check, gradient_check
from grader.checks.compare import _close, all_close, compare, matches
from grader.checks.expected import Alternative
from grader.checks.values import Value
from grader.grading.judge import Received, judge
from grader.sandbox import wire


def test_close_is_numpy_isclose_with_equal_nan():
    rng = np.random.default_rng(0)
    for _ in range(3000):
        e = rng.normal(size=7) * 10.0 ** rng.integers(-9, 3)
        a = e * (1 + rng.normal(size=7) * 10.0 ** rng.integers(-9, -2))
        if rng.random() < 0.3:
            a[rng.integers(0, 7)] = rng.choice([np.nan, np.inf, -np.inf])
        if rng.random() < 0.3:
            e[rng.integers(0, 7)] = rng.choice([np.nan, np.inf, -np.inf])
        with np.errstate(all="ignore"):
            want = np.isclose(a, e, rtol=1e-5, atol=1e-8, equal_nan=True)
        assert (want == _close(a, e, 1e-5, 1e-8)).all()


def test_all_close_in_one_pass_agrees_with_matching_each_pair():
    rng = np.random.default_rng(1)
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0]
    for _ in range(2000):
        pairs = []
        for _ in range(int(rng.integers(1, 5))):
            shape = tuple(int(n) for n in rng.integers(0, 4, size=int(rng.integers(0, 3))))
            e = rng.normal(size=shape) * 10.0 ** rng.integers(-12, 3)
            if rng.random() < 0.2:
                e = e + 1j * rng.normal(size=shape)
            a = e * (1 + rng.normal(size=shape) * 10.0 ** rng.integers(-9, -3))
            for arr in (a, e):
                if arr.size and rng.random() < 0.2:
                    arr.reshape(-1)[rng.integers(0, arr.size)] = rng.choice(specials)
            pairs.append((np.asarray(a), np.asarray(e)))
        floor = None if rng.random() < 0.5 else float(10.0 ** rng.integers(-12, 0))
        want = all(matches(a, e, 1e-5, 1e-8, floor) for a, e in pairs)
        assert all_close(pairs, 1e-5, 1e-8, floor) == want


def test_a_check_whose_cases_all_pass_but_one_gets_that_case_s_message_alone():
    expected = vals(a=[1.0, 2.0], b=[[3.0]], c=5.0)
    r = judge(_check(), Received(arrays=vals(a=[1.0, 2.0], b=[[3.0]], c=5.0)), expected, [])
    assert r.status == "passed" and r.score == 3.0 and r.message == ""
    r = judge(_check(), Received(arrays=vals(a=[1.0, 2.0], b=[[3.5]], c=5.0)), expected, [])
    assert r.score == 2.0 and r.message == "b: 1 of 1 values differ; largest error 0.5 (relative 0.166667) at index (0, 0): " \
                                          "got 3.5, expected 3"
    r = judge(_check(), Received(arrays=vals(a=[1.0, 2.0], b=[3.0], c=5.0)), expected, [])
    assert r.score == 2.0 and r.message == "b: wrong shape (1,), expected (1, 1)"
    bools = {**vals(a=[1.0, 2.0], c=5.0), "b": Value.of(np.array([[True]]))}
    r = judge(_check(), Received(arrays=bools), expected, [])
    assert r.score == 2.0 and r.message == "b: values are of kind bool but number was expected"


def test_messages_name_what_differs_and_where():
    e = np.arange(12.0).reshape(3, 4)
    a = e.copy()
    a[1, 2] += 0.5
    v = compare("w", a, e, rtol=1e-5, atol=1e-8)
    assert not v.passed and "1 of 12 values differ" in v.message and "(1, 2)" in v.message
    assert "got 6.5, expected 6" in v.message
    hidden = compare("w", a, e, rtol=1e-5, atol=1e-8, hidden=True)
    assert "expected" not in hidden.message and "6.5" not in hidden.message
    assert "wrong shape (4, 3), expected (3, 4)" in compare("w", e.T, e, rtol=1e-5, atol=1e-8).message
    a[0, 1] = np.nan
    assert "NaN at index (0, 1)" in compare("w", a, e, rtol=1e-5, atol=1e-8).message
    assert "kind bool" in compare("w", e > 3, e, actual_kind="b", rtol=1e-5, atol=1e-8).message
    traj = np.zeros((6, 2))
    bad = traj.copy()
    bad[3:] = 1.0
    assert "first wrong at step 4 of 6" in compare("w", bad, traj, rtol=1e-5, atol=1e-8, steps=True).message


def _check(**kw):
    @check(points=3, functions=["f"], **kw)
    def c(impl, rng):
        return {}
    return c.__grade__


def vals(**arrays):
    return {k: Value.of(np.asarray(v, dtype=float)) for k, v in arrays.items()}


def test_partial_credit_and_all_or_nothing():
    expected = vals(a=[1.0], b=[2.0], c=[3.0])
    got = Received(arrays=vals(a=[1.0], b=[2.0], c=[0.0]))
    assert judge(_check(), got, expected, []).score == 2.0
    assert judge(_check(partial=False), got, expected, []).score == 0.0


def test_known_mistake_is_named_only_when_every_failing_case_matches():
    expected = vals(a=[1.0], b=[2.0])
    wrong = Alternative("no_bias", "f", "Looks like no bias correction.", False, vals(a=[1.0], b=[5.0]))
    r = judge(_check(), Received(arrays=vals(a=[1.0], b=[5.0])), expected, [wrong])
    assert r.mistake == "no_bias" and r.hint == "Looks like no bias correction." and r.score == 1.5
    r = judge(_check(), Received(arrays=vals(a=[1.0], b=[7.0])), expected, [wrong])
    assert r.mistake is None and r.hint is None


def test_accepted_variant_scores_as_right():
    expected = vals(a=[1.0], b=[2.0])
    ok = Alternative("folded", "f", "The paper's folded step size: accepted.", True, vals(a=[1.0], b=[2.5]))
    r = judge(_check(), Received(arrays=vals(a=[1.0], b=[2.5])), expected, [ok])
    assert r.status == "passed" and r.score == 3.0 and r.hint.startswith("The paper's")


def test_alternatives_are_only_computed_when_something_fails():
    calls = []
    expected = vals(a=[1.0])
    judge(_check(), Received(arrays=vals(a=[1.0])), expected, None, lambda: calls.append(1) or [])
    assert not calls
    judge(_check(), Received(arrays=vals(a=[0.0])), expected, None, lambda: calls.append(1) or [])
    assert calls == [1]


def test_gradient_check_uses_relative_error_against_the_reference_numerical_gradient():
    @gradient_check(points=2, functions=["backward"], threshold=1e-7)
    def g(impl, rng):
        return {}
    c = g.__grade__
    numerical = np.array([1.0, -2.0, 3.0])
    expected = {"dW": Value.of(numerical * 0.0), "dW@numerical": Value.of(numerical)}
    right = judge(c, Received(arrays={"dW": Value.of(numerical * (1 + 1e-9))}), expected, [])
    assert right.status == "passed"
    wrong = judge(c, Received(arrays={"dW": Value.of(numerical * 1.1),
                                      "dW@numerical": Value.of(numerical * 1.1)}), expected, [])
    assert wrong.status == "failed" and "relative error" in wrong.message
    assert "your own forward pass" in wrong.message  # consistent with itself: the forward pass differs


def test_errors_timeouts_and_hidden_errors():
    c = _check()
    err = Received(status="error", error_type="ValueError", error_message="shapes (3,) (4,) secret",
                   where="optim.py, line 3, in f")
    assert judge(c, err, vals(a=[1.0]), []).message == "ValueError: shapes (3,) (4,) secret (optim.py, line 3, in f)"
    hidden = _check(hidden=True)
    assert "secret" not in judge(hidden, err, vals(a=[1.0]), []).message
    t = judge(c, Received(status="timeout", detail="timed out after 5 s"), vals(a=[1.0]), [])
    assert t.status == "timeout" and t.score == 0 and t.message == "timed out after 5 s"


def test_wire_refuses_non_numeric_and_oversized_data():
    arr = np.arange(6.0)
    header = {"dtype": arr.dtype.str, "shape": [6], "nbytes": arr.nbytes}
    assert (wire.decode_array(header, arr.tobytes()) == arr).all()
    with pytest.raises(wire.WireError):
        wire.decode_array({**header, "dtype": "|O"}, arr.tobytes())
    with pytest.raises(wire.WireError):
        wire.decode_array({**header, "shape": [7]}, arr.tobytes())
    import os

    r, w = os.pipe()
    os.write(w, wire.encode({"t": "x"}, b"y" * 100))
    os.close(w)
    with pytest.raises(wire.WireError):
        wire.FrameReader(r, wire.Caps(array_bytes=10)).read()
    os.close(r)


def test_a_failing_check_runs_its_known_mistakes_in_order_only_until_one_matches():
    from grader.checks.api import Mistake
    from grader.checks.expected import Candidate

    runs = []

    def candidate(name, outputs, accepted=False):
        def run():
            runs.append(name)
            return outputs
        return Candidate(Mistake("f", f"Looks like {name}.", impl=None, name=name, accepted=accepted), run)

    expected = vals(a=[1.0], b=[2.0])
    candidates = [candidate("crashes", None), candidate("variant", vals(a=[1.0], b=[3.0]), accepted=True),
                  candidate("no_bias", vals(a=[1.0], b=[5.0])), candidate("never_read", vals(a=[1.0], b=[5.0]))]
    r = judge(_check(), Received(arrays=vals(a=[1.0], b=[5.0])), expected, None, lambda: candidates)
    assert (r.mistake, r.hint, r.score) == ("no_bias", "Looks like no_bias.", 1.5)
    assert runs == ["variant", "crashes", "no_bias"]  # accepted variants first, then mistakes in order
    assert not candidates[0].ran and candidates[0].outputs == {} and candidates[2].ran
    assert runs == ["variant", "crashes", "no_bias"]  # each ran once
