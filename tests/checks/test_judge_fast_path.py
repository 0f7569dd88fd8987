"""The judge's fast path (a check whose cases all pass and whose judged arguments are left alone)
gives the result the full judgment gives, on passing, close, failing and mistake-matching answers."""

from dataclasses import asdict

import numpy as np
import pytest

from grader.checks.api import check
from grader.checks.expected import Alternative
from grader.checks.side_effects import AFTER, BEFORE
from grader.checks.values import Value, output_digest
from grader.grading.judge import Expected, PublicJudgments, Received, judge

SLOT = "f:0"
SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0]


def _check(**kw):
    @check(points=3, functions=["f"], **kw)
    def c(impl, rng):
        return {}
    return c.__grade__


def _full(check, received, expected, alternatives):
    """The judgment without the fast path (it is switched off for this one call)."""
    passes = Expected.passes
    Expected.passes = lambda self, check, received: False
    try:
        return judge(check, received, expected, alternatives)
    finally:
        Expected.passes = passes


def _answer(rng, want: np.ndarray) -> np.ndarray:
    """An answer to ``want``: the same bits, close, a little off, far off, or with a NaN/inf."""
    how = rng.integers(0, 6)
    if how == 0:
        return want.copy()
    if how == 1:
        return want * (1 + 1e-9 * rng.normal(size=want.shape))
    if how == 2:
        return want * (1 + 1e-3 * rng.normal(size=want.shape))
    if how == 3:
        return want + rng.normal(size=want.shape)
    if how == 4 and want.size:
        got = want.copy()
        got.reshape(-1)[rng.integers(0, want.size)] = rng.choice(SPECIALS)
        return got
    return want.reshape(-1)[:1].copy() if want.ndim else want.copy()  # a wrong shape (or the same bits)


def _case(rng, kw):
    expected, received = {}, {}
    for name in ["a", "b", "c"][: int(rng.integers(1, 4))]:
        shape = tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(0, 3))))
        want = rng.normal(size=shape) * 10.0 ** rng.integers(-9, 3)
        if want.size and rng.random() < 0.15:
            want.reshape(-1)[0] = rng.choice(SPECIALS)
        expected[name] = Value.of(want)
        if rng.random() > 0.05:  # now and then a case is missing
            got = _answer(rng, want)
            received[name] = Value.of(np.ones(got.shape, dtype=int) if rng.random() < 0.05 else got)
    if rng.random() < 0.6:  # the function's argument is judged: the reference left it alone
        expected[AFTER + SLOT + "=x"], expected[BEFORE + SLOT + "=x"] = Value.of(np.zeros(0)), Value.of(np.zeros(0))
        before = rng.normal(size=4)
        if rng.random() < 0.2:
            before[1] = np.nan
        after = [before.copy(), before + 1e-15 * before, before + 1.0, before[:3]][int(rng.integers(0, 4))]
        name = "x" if rng.random() < 0.7 else "w"  # a student may call it otherwise
        received[BEFORE + SLOT + "=" + name], received[AFTER + SLOT + "=" + name] = Value.of(before), Value.of(after)
    mistake = {n: Value.of(_answer(rng, v.array) if rng.random() < 0.5 else v.array + 1.0)
               for n, v in expected.items() if not n.startswith("@")}
    alternatives = [Alternative("slip", "f", "Looks like a slip.", False, mistake)]
    if rng.random() < 0.5:  # the student sent the mistake's values
        received.update({n: v for n, v in mistake.items()})
    return expected, Received(arrays=received), alternatives


@pytest.mark.parametrize("kw", [{}, {"partial": False}, {"hidden": True}, {"strict_dtype": True},
                                {"relative": True, "floor": 1e-6}, {"rtol": 1e-2}, {"plot": "path"}])
def test_the_fast_path_gives_the_full_judgment_s_result(kw):
    c = _check(**kw)
    rng = np.random.default_rng(sorted(kw).__repr__().__len__())
    outcomes = set()
    for _ in range(600):
        expected, received, alternatives = _case(rng, kw)
        fast = judge(c, received, Expected(c, expected), alternatives)
        assert repr(asdict(fast)) == repr(asdict(_full(c, received, expected, alternatives)))  # NaN too
        outcomes.add((fast.status, fast.mistake))
    # every kind of answer was met: passing, failing, and failing as the known mistake
    assert {("passed", None), ("failed", None), ("failed", "slip")} <= outcomes


def test_a_check_passes_outright_only_when_every_case_is_within_tolerance_and_the_argument_is_left_alone():
    c = _check()
    want = np.array([1.0, 2.0, np.nan])
    expected = Expected(c, {"a": Value.of(want), AFTER + SLOT + "=x": Value.of(np.zeros(0))})
    left = {BEFORE + SLOT + "=x": Value.of(np.array([1.0, np.nan])), AFTER + SLOT + "=x": Value.of(np.array([1.0, np.nan]))}
    assert expected.passes(c, {"a": Value.of(want), **left})
    assert expected.passes(c, {"a": Value.of(want * (1 + 1e-9)), **left})
    assert not expected.passes(c, {"a": Value.of(want * 1.01), **left})
    assert not expected.passes(c, {"a": Value.of(want[:2]), **left})
    assert not expected.passes(c, {**left})
    changed = {**left, AFTER + SLOT + "=x": Value.of(np.array([2.0, np.nan]))}
    assert not expected.passes(c, {"a": Value.of(want), **changed})
    unrecorded = {AFTER + SLOT + "=x": Value.of(np.array([1.0]))}  # recorded after the call, not before it
    assert not expected.passes(c, {"a": Value.of(want), **unrecorded})


def test_a_public_check_s_answer_judged_again_from_memory_is_judged_as_the_first_time():
    c = _check(plot="path")
    rng = np.random.default_rng(11)
    memory = PublicJudgments()
    answers = [_case(rng, {}) for _ in range(200)]
    outcomes = set()
    for _ in range(2):  # the second round is answered from memory
        for expected, received, alternatives in answers:
            got = memory.judge(c, received.arrays, Expected(c, expected), 7, lambda a=alternatives: a)
            want = judge(c, received, expected, alternatives)
            want.digest = output_digest(received.arrays)
            assert repr(asdict(got)) == repr(asdict(want))
            outcomes.add((got.status, got.mistake))
    assert {("passed", None), ("failed", None), ("failed", "slip")} <= outcomes


def test_judgments_from_memory_are_fresh_copies_and_tell_a_number_from_an_array_of_one():
    c = _check()
    memory = PublicJudgments()
    expected = Expected(c, {"a": Value.of(np.array([1.0]))})
    first = memory.judge(c, {"a": Value.of(np.array([1.0]))}, expected, 7)
    first.functions.append("g")
    first.message = "changed by its reader"
    again = memory.judge(c, {"a": Value.of(np.array([1.0]))}, expected, 7)
    assert again.status == "passed" and again.functions == ["f"] and again.message == ""
    number = memory.judge(c, {"a": Value.of(np.array(1.0))}, expected, 7)
    assert number.status == "failed" and "wrong shape ()" in number.message


def test_only_small_answers_are_kept_and_diagnosis_runs_once_per_kept_answer():
    c = _check()
    expected = Expected(c, {"a": Value.of(np.array([1.0]))})
    for max_bytes, loads in [(16 << 10, 1), (0, 2)]:
        memory, calls = PublicJudgments(max_bytes=max_bytes), []
        for _ in range(2):
            memory.judge(c, {"a": Value.of(np.array([3.0]))}, expected, 7, lambda: calls.append(1) or [])
        assert len(calls) == loads
