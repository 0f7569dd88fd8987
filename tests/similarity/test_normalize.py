"""The normalizer and the fingerprints: what must not matter does not, what the stub gave never counts."""

from __future__ import annotations

import random

from class_fixture import STUB, fill

from grader.similarity.fingerprint import K, W, fingerprint, kgram_hashes, winnow
from grader.similarity.normalize import normalize

BODY = {"sgd": 'next_w = w - config["learning_rate"] * dw'}
ADAM = '''
    t = config["t"] + 1
    m = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    next_w = w - config["learning_rate"] * m / (1 - config["beta1"] ** t)
    config["m"], config["t"] = m, t'''
DISGUISED = '''
    """my own adam"""
    step = config["t"] + 1  # count this step
    first = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    next_w = w - config["learning_rate"] * first / (1 - config["beta1"] ** step)
    if False:
        print("never")
    config["m"], config["t"] = first, step
    # done'''


def tokens(source, target, unit):
    return target.units(source.encode() if isinstance(source, str) else source).get(unit)


def test_renamed_variables_comments_docstrings_and_dead_code_change_nothing(target):
    plain = target.units({"optim.py": fill({"adam": ADAM}).encode()})["adam"]
    disguised = target.units({"optim.py": fill({"adam": DISGUISED}).encode()})["adam"]
    assert plain.tokens == disguised.tokens


def test_the_untouched_stub_and_the_given_code_leave_nothing(target):
    assert target.units({"optim.py": STUB.encode()}) == {}
    sgd = target.units({"optim.py": fill(BODY).encode()})["sgd"]
    alone = normalize("def sgd(w, dw, config=None):\n    next_w = w - config['learning_rate'] * dw\n")["sgd"]
    assert sgd.tokens == alone.tokens  # the stub's config lines, placeholder and return are gone


def test_a_different_operation_is_a_different_form(target):
    plus = normalize("def f(a, b):\n    return a + b\n")["f"]
    times = normalize("def f(a, b):\n    return a * b\n")["f"]
    sqrt = normalize("def f(a, b):\n    return np.sqrt(a)\n")["f"]
    exp = normalize("def f(a, b):\n    return np.exp(a)\n")["f"]
    assert plus.tokens != times.tokens and sqrt.tokens != exp.tokens


def test_a_source_that_does_not_parse_gives_no_units(target):
    assert normalize("def adam(:\n") == {}
    assert target.units({"optim.py": b"\xff\xfe not utf-8"}) == {}


def test_helper_files_are_units_of_their_own(target):
    units = target.units({"optim.py": STUB.encode(), "helpers.py": b"def ema(a, x, r):\n    return r * a + (1 - r) * x\n"})
    assert list(units) == ["helpers.py:ema"]


def test_winnowing_finds_every_shared_run_of_w_plus_k_minus_1_tokens():
    rng = random.Random(7)
    for _ in range(200):
        run = [rng.randrange(50) for _ in range(W + K - 1)]
        a = [rng.randrange(50) for _ in range(rng.randrange(30))] + run + [rng.randrange(50) for _ in range(9)]
        b = [rng.randrange(50) for _ in range(rng.randrange(30))] + run
        assert fingerprint(tuple(a)).hashes & fingerprint(tuple(b)).hashes


def test_winnowing_keeps_the_rightmost_minimum_of_each_window_once():
    assert winnow([5, 3, 3, 9, 1, 8], 3) == [(3, 2), (1, 4)]
    assert kgram_hashes((1, 2, 3), 5) == []


def test_hostile_sources_give_no_evidence_instead_of_an_error(target):
    deep = "def sgd(w, dw, config=None):\n    x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    long_chain = "def sgd(w, dw, config=None):\n    x = " + " + ".join(["w"] * 20000) + "\n"
    huge = "X = 1\n" * 300_000
    for source in (deep, long_chain, huge, "\x00", "def f(:"):
        units = target.units({"optim.py": source.encode()})
        assert all(u.tokens for u in units.values())
    assert target.units({"optim.py": huge.encode()}) == {}  # over MAX_SOURCE_BYTES: not parsed at all
