"""Side effects on arguments: recorded where the scenario runs, judged in the grader; ``mutates=``
declarations; the reference held to its own specification; and the relative tolerance mode."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from grader.checks import Gradient, check, gradient_check, may_modify, must_restore
from grader.checks.expected import Alternative, reference_outputs, run_in_process
from grader.checks.scenario import evaluate
from grader.checks.side_effects import snapshot
from grader.course import load_pack, load_solution
from grader.errors import AuthoringError
from grader.grading.engine import Engine, Settings
from grader.grading.judge import Received, judge
from grader.grading.workdir import base_files, remove, write_run_folder

ROOT = Path(__file__).resolve().parents[2]


def _update(weights, step):
    return weights + step


def _update_in_place(weights, step):
    weights += step
    return weights


def _judge(c, impl, reference, alternatives=()):
    expected = reference_outputs(c, reference, 0)
    return judge(c, Received(arrays=run_in_process(c, impl, 0)), expected, list(alternatives))


@check(points=2, functions=["update"])
def update_twice(impl, rng):
    """Two updates of the same weights."""
    w = np.array([1.0, 2.0, 3.0])
    return {"first": impl.update(w, np.ones(3)), "second": impl.update(w, np.full(3, 2.0))}


CHECK = update_twice.__grade__


def test_a_function_that_changes_its_argument_fails_its_check_with_a_diagnosis_and_a_hint():
    result = _judge(CHECK, SimpleNamespace(update=_update_in_place), SimpleNamespace(update=_update))
    assert result.status == "failed" and result.score == 0
    assert "`update` modified its argument `weights` in place" in result.message
    assert "weights.copy()" in result.hint


def test_a_function_that_leaves_its_arguments_alone_passes():
    result = _judge(CHECK, SimpleNamespace(update=_update), SimpleNamespace(update=_update))
    assert result.status == "passed" and result.score == 2


def test_an_argument_declared_changeable_is_not_judged_even_under_another_name():
    @check(points=1, functions=["update"], mutates=may_modify("update", "weights"))
    def lenient(impl, rng):
        """One update, in place allowed."""
        return {"next": impl.update(np.array([1.0, 2.0]), np.ones(2))}

    def renamed_in_place(x, step):  # CS231n calls it x: still the first argument
        x += step
        return x

    result = _judge(lenient.__grade__, SimpleNamespace(update=renamed_in_place), SimpleNamespace(update=_update))
    assert result.status == "passed"
    def doubles_step(weights, step):
        step *= 2
        return weights + step / 2

    result = _judge(lenient.__grade__, SimpleNamespace(update=doubles_step), SimpleNamespace(update=_update))
    assert "`update` modified its argument `step` in place" in result.message  # step is still held to it


def _nudging_gradient(restore):
    def numerical_gradient(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.size):
            old = x.flat[i]
            x.flat[i] = old + h
            plus = f(x)
            x.flat[i] = old - h
            minus = f(x)
            if restore:
                x.flat[i] = old
            grad.flat[i] = (plus - minus) / (2 * h)
        return grad
    return numerical_gradient


@check(points=1, functions=["numerical_gradient"], mutates=must_restore("numerical_gradient", "x"))
def gradient_of_a_cube(impl, rng):
    """The numerical gradient of sum(x**3)."""
    return {"grad": impl.numerical_gradient(lambda z: float(np.sum(z**3)), rng.normal(size=4))}


def test_must_restore_accepts_a_restored_argument_and_names_one_left_changed():
    reference = SimpleNamespace(numerical_gradient=_nudging_gradient(restore=True))
    c = gradient_of_a_cube.__grade__
    assert _judge(c, reference, reference).status == "passed"
    result = _judge(c, SimpleNamespace(numerical_gradient=_nudging_gradient(restore=False)), reference)
    assert result.score == 0
    assert "`numerical_gradient` left its argument `x` changed: it must restore what it nudges" in result.message
    assert "x[i] = old" in result.hint


def test_a_trajectory_fed_its_own_outputs_is_not_taken_for_a_side_effect():
    @check(points=1, functions=["update"], steps=True)
    def trajectory(impl, rng):
        """Five updates, each from the last."""
        w, ws = np.ones(3), []
        for _ in range(5):
            w = impl.update(w, 0.1 * w)
            ws.append(w)
        return {"w": np.array(ws)}

    within_tolerance = SimpleNamespace(update=lambda weights, step: weights + step * (1 + 1e-7))
    result = _judge(trajectory.__grade__, within_tolerance, SimpleNamespace(update=_update))
    assert result.status == "passed"  # its later arguments differ from the reference's: no matter


def test_the_reference_may_not_change_an_argument_its_check_leaves_alone():
    with pytest.raises(AuthoringError, match=r"reference changes update\(weights\) in place.*update_twice"):
        reference_outputs(CHECK, SimpleNamespace(update=_update_in_place), 0)


def test_a_known_mistake_that_changes_its_argument_gives_its_own_hint():
    impl = SimpleNamespace(update=_update_in_place)
    known = Alternative("in_place", "update", "You used += on the weights you were given.", False,
                        run_in_process(CHECK, impl, 0))
    result = _judge(CHECK, impl, SimpleNamespace(update=_update), [known])
    assert result.mistake == "in_place" and result.hint == "You used += on the weights you were given."


def test_lists_and_dicts_are_recorded_with_their_lengths():
    assert snapshot(3.0) is None and snapshot((1.0, "a")) is None  # immutable: nothing to record
    assert snapshot([1.0, 2.0]).tolist() == [2, 1.0, 2.0]
    nested = {"b": np.array([[1, 2]]), "a": [0.5]}
    assert snapshot(nested).tolist() == [2, 1, 0.5, 1, 2]  # values in key order, lengths first
    grown = {**nested, "c": 0.0}
    assert snapshot(grown).tolist() != snapshot(nested).tolist()


def test_calls_after_the_scenario_returns_are_not_recorded():
    @gradient_check(points=1, functions=["square"])
    def gradient(impl, rng):
        """The gradient of sum(square(x))."""
        x = np.array([1.0, -2.0])
        return {"dx": Gradient(2 * x, lambda z: float(np.sum(impl.square(z))), x)}

    impl = SimpleNamespace(square=lambda z: z * z)
    outputs = evaluate(gradient.__grade__, impl, 0)
    assert sorted(outputs) == ["dx", "dx@numerical"]  # the loss's 8 later calls left no record


def test_relative_mode_judges_tiny_values_by_their_relative_error():
    @check(points=1, functions=["f"], relative=True, rtol=1e-6)
    def spans(impl, rng):
        """Values from 1e-12 to 1e3."""
        return {"y": impl.f(np.array([1e-12, 1.0, 1e3]))}

    reference = SimpleNamespace(f=lambda x: x)
    c = spans.__grade__
    assert _judge(c, SimpleNamespace(f=lambda x: x * (1 + 1e-8)), reference).status == "passed"
    off = _judge(c, SimpleNamespace(f=lambda x: np.where(x < 1e-6, 10 * x, x)), reference)  # passes atol=1e-8
    assert off.status == "failed" and "1 of 3 values differ" in off.message


@pytest.fixture(scope="module")
def perceptron_in_place():
    source = (ROOT / "solutions" / "perceptron" / "perceptron.py").read_text()
    old = "    new_weights = weights + learnrate * error * np.asarray(x, dtype=float)\n"
    assert old in source
    return source.replace(old, "    weights += learnrate * error * np.asarray(x, dtype=float)\n"
                               "    new_weights = weights\n")


@pytest.mark.parametrize("where", ["solutions", "pack"])
def test_a_submission_that_updates_in_place_is_told_so_by_the_engine_and_the_pack_alike(where, perceptron_in_place):
    assignment = (load_solution(ROOT / "solutions" / "perceptron") if where == "solutions"
                  else load_pack(ROOT / "assignments" / "perceptron"))
    with Engine(assignment, settings=Settings(timeout=30), include_hidden=False) as engine:
        root = write_run_folder({**base_files(assignment), "perceptron.py": perceptron_in_place.encode()})
        try:
            result = engine.grade(root)
        finally:
            remove(root)
    checks = {c.name: c for c in result.checks}
    assert checks["update_step_cases"].score == 0
    assert "`update_step` modified its argument `weights` in place" in checks["update_step_cases"].message
    assert checks["step_values"].status == "passed"


def test_an_argument_is_unchanged_when_its_records_agree_bit_for_bit_or_up_to_round_off_and_changed_otherwise():
    from grader.checks.side_effects import AFTER, BEFORE, changed_slots

    def slots(before, after):
        return changed_slots({BEFORE + "f:0=x": np.array(before), AFTER + "f:0=x": np.array(after)})

    assert slots([1.0, np.nan, np.inf], [1.0, np.nan, np.inf]) == set()
    assert slots([0.1 + 0.2, 0.0], [0.3, -0.0]) == set()  # put back by x[i] += h; x[i] -= h
    assert slots([1.0, np.nan], [1.0, 2.0]) == {AFTER + "f:0"}
    assert slots([1.0, 2.0], [1.0, 2.0 + 1e-6]) == {AFTER + "f:0"}
    assert slots([1.0, 2.0], [1.0, 2.0, 0.0]) == {AFTER + "f:0"}
