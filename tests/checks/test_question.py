"""The question check kind: what a student's answer becomes on the wire, and how it is judged."""

import types

import numpy as np
import pytest

from grader.checks.api import question
from grader.checks.expected import run_in_process
from grader.grading.judge import Received, judge


@question(points=2, answer="ANSWER", choices=["one", "two", "three", "four"])
def pick_one():
    """Which is it?"""


@question(points=1, answer="ANSWERS", choices=["w", "alpha", "beta"], several=True)
def pick_several():
    """Which ones? (all that apply)"""


@question(points=1, answer="COUNT", rtol=0.0, atol=0.0)
def a_number():
    """How many?"""


def _check(fn):
    return fn.__grade__


def _module(**answers):
    return types.SimpleNamespace(**answers)


def _judge(fn, student, reference, seed=3):
    check = _check(fn)
    expected = run_in_process(check, _module(**reference), seed)
    try:
        received = Received(arrays=run_in_process(check, _module(**student), seed))
    except Exception as exc:  # noqa: BLE001 - judged as the engine would an error from the child
        received = Received(status="error", error_type=type(exc).__name__, error_message=str(exc))
    return judge(check, received, expected, [])


def test_a_question_is_a_check_of_its_variable_with_its_text_and_choices():
    check = _check(pick_one)
    assert (check.kind, check.functions, check.description) == ("question", ("ANSWER",), "Which is it?")
    assert check.choices == ("one", "two", "three", "four") and not check.partial


@pytest.mark.parametrize("answer", ["c", "C", " (c) ", "c)"])
def test_the_right_letter_in_any_spelling_scores_full_marks(answer):
    result = _judge(pick_one, {"ANSWER": answer}, {"ANSWER": "c"})
    assert (result.status, result.score) == ("passed", 2.0)


def test_a_wrong_choice_fails_without_saying_which_is_right():
    result = _judge(pick_one, {"ANSWER": "a"}, {"ANSWER": "c"})
    assert (result.status, result.score) == ("failed", 0.0)
    assert result.message == "ANSWER: not the right choice"


@pytest.mark.parametrize("answer", ["ac", {"a", "c"}, ["c", "a"], "a, c"])
def test_several_choices_as_a_string_or_a_collection(answer):
    assert _judge(pick_several, {"ANSWERS": answer}, {"ANSWERS": "ac"}).status == "passed"


def test_several_choices_are_all_or_nothing():
    result = _judge(pick_several, {"ANSWERS": "a"}, {"ANSWERS": "ac"})
    assert result.score == 0.0 and result.message == "ANSWERS: not the right set of choices"


@pytest.mark.parametrize("answer, error", [(None, "not answered yet"), ("e", "e is not a choice"),
                                           ("ab", "exactly one letter"), (2, "one letter such as 'b'")])
def test_an_answer_that_is_no_choice_is_an_error_that_says_why(answer, error):
    result = _judge(pick_one, {"ANSWER": answer}, {"ANSWER": "c"})
    assert result.status == "error" and error in result.message


def test_a_number_question_compares_numbers_and_refuses_text():
    assert _judge(a_number, {"COUNT": np.int64(512)}, {"COUNT": 512}).status == "passed"
    wrong = _judge(a_number, {"COUNT": 513}, {"COUNT": 512})
    assert wrong.status == "failed" and wrong.message == "COUNT: not the right number"
    assert "must be a number" in _judge(a_number, {"COUNT": "512"}, {"COUNT": 512}).message
    assert _judge(a_number, {"COUNT": True}, {"COUNT": 1}).status == "error"


def test_the_wire_carries_the_selection_in_an_order_shuffled_by_the_seed():
    check = _check(pick_one)
    orders = {tuple(run_in_process(check, _module(ANSWER="a"), seed)["ANSWER"].array) for seed in range(12)}
    assert len(orders) > 1  # the position of the selected choice depends on the seed
    assert all(sum(order) == 1 for order in orders)
