"""Verdicts: what a submission sent back for a check, against the expected outputs.

Everything here runs in the grader's own process. What it judges is plain data that came over the
sandbox's channel (or from a trusted in-process run); nothing here calls student code.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.checks.api import Check
from grader.checks.compare import PASS, Verdict, all_close, compare, matches, same_kind
from grader.checks.expected import Alternative, Bounded
from grader.checks.gradcheck import relative_error
from grader.checks.scenario import NUMERICAL_SUFFIX
from grader.checks.side_effects import (AFTER, BEFORE, RESTORE, argument_label, changed_slots, is_side, parse, rule_for,
                                        stable)
from grader.checks.values import Outputs, Value, output_signature, signature_digest
from grader.result import ERROR, FAILED, PASSED, TIMEOUT, CheckResult

MAX_MESSAGES = 3


@dataclass
class Received:
    """What the sandbox reported for one check."""

    status: str = "ok"  # ok | error | timeout | died | missing
    arrays: Outputs = field(default_factory=dict)
    error_type: str = ""
    error_message: str = ""
    where: str = ""  # "optim.py, line 12, in adam" (the student's own innermost frame)
    detail: str = ""


def _error_message(received: Received, hidden: bool) -> str:
    where = f" ({received.where})" if received.where else ""
    if received.status == "timeout":
        return received.detail or "timed out"
    if received.status in ("died", "missing"):
        return received.detail or "the submission's process ended before this check reported"
    text = "" if hidden or not received.error_message else f": {received.error_message}"
    return f"{received.error_type or 'Error'}{text}{where}"


def _case_verdict(check: Check, name: str, got: Value | None, want: Value, hidden: bool) -> Verdict:
    if check.kind == "question":  # never says what the right answer is, public or hidden
        if matches(None if got is None else got.array, want.array, check.rtol, check.atol):
            return Verdict(True)
        what = "number" if not check.choices else "set of choices" if check.several else "choice"
        return Verdict(False, f"{name}: not the right {what}")
    if check.kind == "gradient":
        if got is None:
            return Verdict(False, f"{name}: no gradient was returned")
        if got.array.shape != want.array.shape:
            return Verdict(False, f"{name}: gradient has shape {got.array.shape}"
                                  + ("" if hidden else f", expected {want.array.shape}"))
        err = relative_error(got.array, want.array)
        if err <= check.threshold:
            return Verdict(True)
        return Verdict(False, f"{name}: relative error {err:.3g} against the numerical gradient "
                              f"(threshold {check.threshold:.0e})")
    return compare(name, None if got is None else got.array, want.array,
                   actual_kind=got.kind if got else "f", expected_kind=want.kind, rtol=check.rtol,
                   atol=check.atol, strict_dtype=check.strict_dtype, steps=check.steps, hidden=hidden,
                   floor=check.floor if check.relative else None)


def _verdicts(check: Check, cases: dict[str, Value], received: Outputs, hidden: bool) -> dict[str, Verdict]:
    """Each case's verdict. Values cases that all arrived in the expected kind and shape are first
    compared in one pass; only when some differ is each judged on its own (and told why)."""
    if check.kind == "values" and cases:
        pairs = []
        for name, want in cases.items():
            got = received.get(name)
            if got is None or got.array.shape != want.array.shape or \
                    not same_kind(got.kind, want.kind, check.strict_dtype):
                break
            pairs.append((got.array, want.array))
        else:
            if all_close(pairs, check.rtol, check.atol, check.floor if check.relative else None):
                return dict.fromkeys(cases, PASS)
    return {name: _case_verdict(check, name, received.get(name), want, hidden) for name, want in cases.items()}


def _case_matches(check: Check, got: Value | None, want: Value) -> bool:
    if got is None:
        return False
    if check.kind == "gradient":
        return got.array.shape == want.array.shape and relative_error(got.array, want.array) <= check.threshold
    return matches(got.array, want.array, check.rtol, check.atol, floor=check.floor if check.relative else None)


def _expected_cases(check: Check, expected: Outputs) -> dict[str, Value]:
    if check.kind == "gradient":
        return {n[: -len(NUMERICAL_SUFFIX)]: v for n, v in expected.items() if n.endswith(NUMERICAL_SUFFIX)}
    return {n: v for n, v in expected.items() if not is_side(n)}


class Expected:
    """One check's expected outputs as judging reads them, derived once per check and seed (an
    engine keeps them: every student shares a public check's): the cases to compare and the
    argument slots judged for side effects."""

    __slots__ = ("outputs", "cases", "slots", "values")

    def __init__(self, check: Check, outputs: Outputs):
        self.outputs = outputs
        self.cases = _expected_cases(check, outputs)
        # judged arguments: their stable slot -> the reference's name for them (feedback uses it)
        self.slots = {stable(n): n for n in outputs if n.startswith(AFTER)}
        self.values = check.kind == "values"

    def passes(self, check: Check, received: Outputs) -> bool:
        """Whether ``received`` passes ``check`` outright: every case arrived in the expected kind
        and shape and is within tolerance (equal bit for bit, usually: one comparison of bytes per
        case), and no judged argument changed. True exactly when :func:`judge` would find nothing
        failing and nothing changed; False says only "judge it in full"."""
        if not self.values or not self.cases:  # gradients and questions are judged in full
            return False
        pairs = []
        for name, want in self.cases.items():
            got = received.get(name)
            if got is None or got.array.shape != want.array.shape or \
                    not same_kind(got.kind, want.kind, check.strict_dtype):
                return False
            pairs.append((got.array, want.array))
        if not all_close(pairs, check.rtol, check.atol, check.floor if check.relative else None):
            return False
        return not self.slots or not _changed_any(self.slots, received)


def _alternative_cases(check: Check, outputs: Outputs) -> dict[str, Value]:
    """What a known mistake (or variant) answers: its analytic gradients for a gradient check."""
    if check.kind == "gradient":
        return {n: v for n, v in outputs.items() if not n.endswith(NUMERICAL_SUFFIX) and not is_side(n)}
    return {n: v for n, v in outputs.items() if not is_side(n)}


def _changed_any(judged_slots: dict[str, str], outputs: Outputs) -> bool:
    """Whether ``outputs`` show any judged argument slot changed (``bool(_changed(...))``, reading
    only the records of the judged slots, and a record left bit for bit as it was without arithmetic)."""
    for name, after in outputs.items():
        if name.startswith(AFTER) and stable(name) in judged_slots:
            before = outputs.get(BEFORE + name[len(AFTER):])
            if before is None:
                return True
            if before.array.shape == after.array.shape and before.array.dtype == after.array.dtype \
                    and before.array.tobytes() == after.array.tobytes():
                continue  # the same bits: the same record (NaN included)
            if stable(name) in changed_slots({name: after, BEFORE + name[len(AFTER):]: before}):
                return True
    return False


def _changed(judged_slots: dict[str, str], outputs: Outputs) -> list[str]:
    """The judged argument slots that ``outputs`` show changed. Slots pair by position, so a
    student whose ``w`` is called ``x`` is judged on the same one; a slot with no record (the
    student's function calls it by a name whose records are skipped) shows no change."""
    if not judged_slots:  # the check judges no argument (or every one may change): nothing to compare
        return []
    changed = changed_slots(outputs)
    return [slot for slot in judged_slots if slot in changed]


def _side_message(check: Check, name: str) -> str:
    function, _, argument = parse(name)
    label = argument_label(name)
    if rule_for(check.mutates, function, argument) == RESTORE:
        return f"`{function}` left its argument `{label}` changed: it must restore what it nudges"
    return f"`{function}` modified its argument `{label}` in place"


def _side_hint(check: Check, name: str) -> str:
    function, _, argument = parse(name)
    label = argument_label(name)
    if rule_for(check.mutates, function, argument) == RESTORE:
        return f"Put each entry of `{label}` back after using it (`x[i] = old`), so the caller gets it unchanged."
    return (f"Leave `{label}` as you received it: build a new array (`{label} + step`, not `{label} += step`) "
            f"or work on `{label}.copy()`.")


def _gradient_consistency(check: Check, received: Received, failing: list[str]) -> str:
    """For a failing gradient: does it at least match the numerical gradient of the student's own loss?"""
    notes = []
    for name in failing:
        own, analytic = received.arrays.get(name + NUMERICAL_SUFFIX), received.arrays.get(name)
        if own is None or analytic is None or own.array.shape != analytic.array.shape:
            continue
        if relative_error(analytic.array, own.array) <= check.threshold:
            notes.append(f"{name} agrees with the numerical gradient of your own forward pass, so the "
                         f"forward pass (the loss) differs from the reference")
    return "; ".join(notes)


def judge(check: Check, received: Received, expected: Outputs | Expected, alternatives: list[Alternative] | None,
          load_alternatives=None) -> CheckResult:
    """One check's result. ``expected``: the expected outputs, or what :class:`Expected` derived of
    them once. ``load_alternatives`` is called only when diagnosis is needed; what it returns may
    compute each alternative's outputs when first read (only those needed are read)."""
    hidden = check.hidden
    base = dict(name=check.name, functions=list(check.functions), max_score=check.points,
                visibility=check.visibility, description=check.description)
    if received.status != "ok":
        status = TIMEOUT if received.status == "timeout" else ERROR
        return CheckResult(score=0.0, status=status, message=_error_message(received, hidden), **base)
    if not isinstance(expected, Expected):
        expected = Expected(check, expected)
    cases = expected.cases
    if expected.passes(check, received.arrays):  # most checks of most submissions: nothing to diagnose
        return CheckResult(score=round(float(check.points), 6), status=PASSED, message="", hint=None, mistake=None,
                           plot=_plot(check, received, cases), **base)
    verdicts = _verdicts(check, cases, received.arrays, hidden)
    failing = [n for n, v in verdicts.items() if not v.passed]
    names = expected.slots  # judged arguments, reference's names
    changed = _changed(names, received.arrays)
    hint = mistake = None
    if changed:
        alts = alternatives if alternatives is not None else (load_alternatives() if load_alternatives else [])
        for alt in alts:
            if alt.accepted:  # (its outputs are not read: a known mistake may be computed only when read)
                continue
            alt_cases = _alternative_cases(check, alt.outputs)
            if (set(changed) <= set(_changed(names, alt.outputs))
                    and all(n in alt_cases and _case_matches(check, received.arrays.get(n), alt_cases[n])
                            for n in failing)):
                hint, mistake = alt.hint, alt.name
                break
        if hint is None:
            hint = _side_hint(check, names[changed[0]])
    elif failing:
        alts = alternatives if alternatives is not None else (load_alternatives() if load_alternatives else [])
        best_alt, best_rescued = None, []
        for alt in (a for a in alts if a.accepted):
            alt_cases = _alternative_cases(check, alt.outputs)
            rescued = [n for n in failing
                       if n in alt_cases and _case_matches(check, received.arrays.get(n), alt_cases[n])]
            if len(rescued) > len(best_rescued):
                best_alt, best_rescued = alt, rescued
        if best_alt is not None:
            failing = [n for n in failing if n not in best_rescued]
            hint = best_alt.hint
        for alt in alts:
            if alt.accepted or not failing:
                continue
            alt_cases = _alternative_cases(check, alt.outputs)
            if all(n in alt_cases and _case_matches(check, received.arrays.get(n), alt_cases[n]) for n in failing):
                hint, mistake = alt.hint, alt.name
                break
    passed = len(cases) - len(failing)
    fraction = passed / len(cases) if cases else 0.0
    # a function that changes what it must leave alone fails the check, whatever its values
    score = 0.0 if changed else check.points * (fraction if check.partial else float(not failing))
    messages = [_side_message(check, names[slot]) for slot in changed]
    messages += [verdicts[n].message for n in failing[:MAX_MESSAGES]]
    if len(failing) > MAX_MESSAGES:
        messages.append(f"and {len(failing) - MAX_MESSAGES} more")
    if check.kind == "gradient" and failing:
        note = _gradient_consistency(check, received, failing)
        if note:
            messages.append(note)
    status = PASSED if not failing and not changed else FAILED
    return CheckResult(score=round(float(score), 6), status=status, message="; ".join(messages),
                       hint=hint, mistake=mistake, plot=_plot(check, received, cases), **base)


def _plot(check: Check, received: Received, cases: dict[str, Value]) -> dict | None:
    """The arrays a feedback page draws for this check: never for hidden checks."""
    if not check.plot or check.hidden:
        return None
    series = {}
    for name, want in cases.items():
        got = received.arrays.get(name)
        if want.kind == "c" or want.array.size > 20000:
            continue
        series[name] = {"expected": want.array.tolist(),
                        "student": None if got is None or got.array.shape != want.array.shape
                        else np.where(np.isfinite(got.array), got.array, np.nan).tolist()}
    return {"kind": check.plot, "series": series} if series else None


class PublicJudgments:
    """Public checks' judgments, by exactly what was received (names, kinds, shapes and bits).

    A public check runs on every student's same inputs, and its judgment depends on nothing but
    what was received: a class sends it the same few answers again and again (the reference's
    bits, a known mistake's), and each is judged (and diagnosed) once per worker. Bounded in
    entries and in the bytes of an answer kept as a key; a bigger answer is judged each time."""

    def __init__(self, size: int = 512, max_bytes: int = 16 << 10):
        self._known: Bounded = Bounded(size)
        self.max_bytes = max_bytes

    def judge(self, check: Check, arrays: Outputs, expected: Expected, seed: int,
              load_alternatives=None) -> CheckResult:
        """:func:`judge` of the arrays a public ``check`` received on ``seed``, with their digest."""
        signature = output_signature(arrays)
        size = sum(len(data) for _, _, _, _, data in signature)
        key = (check.name, seed, signature) if size <= self.max_bytes else None
        if key is not None and key in self._known:
            # a fresh copy (results are the caller's to keep), its plot drawn from these arrays
            return _copy(self._known[key], _plot(check, Received(status="ok", arrays=arrays), expected.cases))
        result = judge(check, Received(status="ok", arrays=arrays), expected, None, load_alternatives)
        result.digest = signature_digest(signature)
        if key is not None:
            self._known[key] = _copy(result, None)
        return result


def _copy(result: CheckResult, plot: Any) -> CheckResult:
    """A copy of ``result`` that shares no list with it, with ``plot``."""
    fresh = copy.copy(result)
    fresh.functions, fresh.plot = list(result.functions), plot
    return fresh


def values_equal(a: Outputs, b: Outputs) -> bool:
    """Exact equality of two output sets (used by tests and verify)."""
    return a.keys() == b.keys() and all(np.array_equal(a[k].array, b[k].array, equal_nan=True) for k in a)
