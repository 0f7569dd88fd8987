"""How an instructor declares checks, known mistakes and accepted variants.

The decorators only attach metadata to the function and return it unchanged, so a checks file stays
plain Python that can be read, imported and tested like any other module::

    @check(points=2, functions=["adam"])
    def adam_from_state(impl, rng):
        w = rng.normal(size=(4, 5))
        next_w, config = impl.adam(w, rng.normal(size=w.shape), {"t": 5, ...})
        return {"next_w": next_w, "m": config["m"]}

A scenario receives the implementation under test (the student's module, the reference, or a known
mistake) and a seeded ``numpy.random.Generator``; it returns named array-likes. Each name is one case
of the check: with ``partial=True`` the points are shared equally between the cases.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from grader.checks.side_effects import Mutation, flatten_mutations

ATTR = "__grade__"
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-8
DEFAULT_GRAD_THRESHOLD = 1e-7
DEFAULT_STEP = 1e-5
TINY = 2.2250738585072014e-308  # the smallest normal float64: relative mode's default floor

Scenario = Callable[[Any, Any], "dict[str, Any]"]


@dataclass(frozen=True)
class Check:
    """One graded check: a scenario plus how to judge its outputs."""

    name: str
    points: float
    functions: tuple[str, ...]
    scenario: Scenario = field(repr=False, compare=False)
    hidden: bool = False
    kind: str = "values"  # "values", "gradient" or "question"
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    threshold: float = DEFAULT_GRAD_THRESHOLD
    partial: bool = True
    steps: bool = False  # the first axis of every output is a step of a trajectory
    strict_dtype: bool = False
    timeout: float | None = None
    seed: int | None = None
    description: str = ""
    plot: str | None = None  # "path" (2-D optimizer path) or "curve" (loss per epoch): feedback pages draw it
    # the arguments a function under check may change (default: none, numpy's convention)
    mutates: tuple[Mutation, ...] = ()
    # relative mode: each value within rtol of the expected one, |a - e| <= rtol * max(|e|, floor)
    relative: bool = False
    floor: float = 0.0
    choices: tuple[str, ...] = ()  # a multiple-choice question's choices, as lettered in the pack
    several: bool = False  # a multiple-choice question with any number of right choices

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"


@dataclass(frozen=True)
class Gradient:
    """What a gradient scenario returns for one parameter.

    ``analytic`` is the implementation's gradient of ``f`` at ``x``; the framework computes the
    centred-difference gradient of ``f`` itself (``f`` maps an array shaped like ``x`` to a scalar).
    """

    analytic: Any
    f: Callable[[Any], float] = field(repr=False)
    x: Any = field(repr=False)
    h: float = DEFAULT_STEP


@dataclass(frozen=True)
class Mistake:
    """A known-wrong (or, with ``accepted=True``, an accepted) version of one student function."""

    function: str
    hint: str
    impl: Callable = field(repr=False, compare=False)
    name: str = ""
    accepted: bool = False


def _functions(functions: str | Iterable[str]) -> tuple[str, ...]:
    names = (functions,) if isinstance(functions, str) else tuple(functions)
    if not names or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise ValueError(f"functions must name the student functions a check exercises, got {functions!r}")
    return names


def _doc(fn: Callable) -> str:
    """The docstring's first paragraph on one line. Its lines are stripped one by one: Python 3.13
    removes a docstring's indentation at compile time, earlier versions keep it."""
    first = (fn.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(line.strip() for line in first.splitlines() if line.strip())


def check(
    points: float,
    functions: str | Sequence[str],
    *,
    hidden: bool = False,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    partial: bool = True,
    steps: bool = False,
    strict_dtype: bool = False,
    timeout: float | None = None,
    seed: int | None = None,
    name: str | None = None,
    plot: str | None = None,
    mutates: Any = None,
    relative: bool = False,
    floor: float = TINY,
) -> Callable[[Scenario], Scenario]:
    """Declare a numeric check: outputs are compared with the reference's within rtol/atol.

    ``relative=True`` judges each value by its relative error alone, ``|a - e| <= rtol *
    max(|e|, floor)`` (``atol`` unused): for outputs whose values span orders of magnitude, where an
    absolute tolerance would pass any tiny value. ``mutates=`` lists the arguments the functions
    under check may change (:func:`grader.checks.may_modify`, :func:`grader.checks.must_restore`);
    every other array, list or dict argument must be left as it was.

    ``plot="path"`` (outputs of shape (steps, 2): a path across a 2-D loss surface) or
    ``plot="curve"`` (1-D outputs: a value per epoch) lets feedback pages draw the student's
    outputs beside the reference's (public checks only).
    """
    if points < 0:
        raise ValueError("points must be >= 0")
    if plot not in (None, "path", "curve"):
        raise ValueError("plot must be None, 'path' or 'curve'")
    if relative and not (rtol > 0 and floor >= 0):
        raise ValueError("relative=True needs rtol > 0 and floor >= 0")
    mutations = flatten_mutations(mutates)

    def attach(fn: Scenario) -> Scenario:
        setattr(fn, ATTR, Check(
            name=name or fn.__name__, points=float(points), functions=_functions(functions),
            scenario=fn, hidden=hidden, rtol=rtol, atol=atol, partial=partial, steps=steps,
            strict_dtype=strict_dtype, timeout=timeout, seed=seed, description=_doc(fn), plot=plot,
            mutates=mutations, relative=relative, floor=float(floor),
        ))
        return fn

    return attach


def gradient_check(
    points: float,
    functions: str | Sequence[str],
    *,
    threshold: float = DEFAULT_GRAD_THRESHOLD,
    hidden: bool = False,
    partial: bool = True,
    timeout: float | None = None,
    seed: int | None = None,
    name: str | None = None,
    mutates: Any = None,
) -> Callable[[Scenario], Scenario]:
    """Declare a gradient check: the scenario returns :class:`Gradient` values; each analytic
    gradient must be within ``threshold`` relative error of the reference's numerical gradient."""
    mutations = flatten_mutations(mutates)

    def attach(fn: Scenario) -> Scenario:
        setattr(fn, ATTR, Check(
            name=name or fn.__name__, points=float(points), functions=_functions(functions),
            scenario=fn, hidden=hidden, kind="gradient", threshold=threshold, partial=partial,
            timeout=timeout, seed=seed, description=_doc(fn), mutates=mutations,
        ))
        return fn

    return attach


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def question(
    points: float,
    answer: str,
    *,
    choices: Sequence[str] = (),
    several: bool = False,
    hidden: bool = False,
    rtol: float = 1e-6,
    atol: float = 0.0,
    timeout: float | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> Callable[[Callable], Callable]:
    """Declare a question answered by setting the module variable ``answer``.

    The decorated function's docstring is the question as the pack shows it; the function itself is
    never called. With ``choices``, the student sets ``answer`` to the letter of a choice (``"b"``)
    or, with ``several=True``, to the letters of every right choice (``"ac"`` or ``{"a", "c"}``).
    Without choices, the answer is a number, compared within ``rtol``/``atol``.

    Graded like any check: the scenario reads the variable in the student's process and returns
    numbers (which choices are selected, in an order shuffled by the check's seed, so a hidden
    question's data differs per student); the grader compares them with the reference module's own
    answer. A question is all or nothing.
    """
    if not isinstance(answer, str) or not answer.isidentifier():
        raise ValueError(f"answer must name the module variable that holds the answer, got {answer!r}")
    choices = tuple(str(c) for c in choices)
    if several and not choices:
        raise ValueError("several=True needs choices")
    if len(choices) == 1 or len(choices) > len(LETTERS):
        raise ValueError(f"a multiple-choice question needs 2 to {len(LETTERS)} choices, got {len(choices)}")
    scenario = _choice_scenario(answer, choices, several) if choices else _number_scenario(answer)

    def attach(fn: Callable) -> Callable:
        setattr(fn, ATTR, Check(
            name=name or fn.__name__, points=float(points), functions=(answer,), scenario=scenario,
            hidden=hidden, kind="question", rtol=rtol, atol=atol, partial=False, timeout=timeout,
            seed=seed, description=_doc(fn), choices=choices, several=several,
        ))
        return fn

    return attach


def _unanswered(answer: str, value: Any) -> None:
    if value is None:
        raise ValueError(f"{answer} is not answered yet (it is None)")


def _choice_scenario(answer: str, choices: tuple[str, ...], several: bool) -> Scenario:
    letters = LETTERS[: len(choices)]

    def scenario(impl: Any, rng: Any) -> dict[str, Any]:
        value = getattr(impl, answer, None)
        _unanswered(answer, value)
        picked = _letters(answer, value, letters, several)
        selected = [1.0 if letter in picked else 0.0 for letter in letters]
        order = rng.permutation(len(letters))  # per student for a hidden question: no fixed pattern
        return {answer: [selected[i] for i in order]}

    return scenario


def _letters(answer: str, value: Any, letters: str, several: bool) -> set[str]:
    """The letters a student's answer names; a clear error for anything else."""
    if isinstance(value, str):
        picked = [c for c in value.lower() if c.isalpha()]
    elif several and isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        picked = [c for v in value for c in v.lower() if c.isalpha()]
    else:
        want = "letters such as 'ac'" if several else "one letter such as 'b'"
        raise TypeError(f"{answer} must be {want}, got a {type(value).__name__}")
    wrong = sorted(set(picked) - set(letters))
    if wrong:
        raise ValueError(f"{answer}: {', '.join(wrong)} is not a choice (choose from {', '.join(letters)})")
    if not picked or (not several and len(set(picked)) != 1):
        raise ValueError(f"{answer} must name {'at least one letter' if several else 'exactly one letter'}"
                         f" of {', '.join(letters)}")
    return set(picked)


def _number_scenario(answer: str) -> Scenario:
    def scenario(impl: Any, rng: Any) -> dict[str, Any]:
        value = getattr(impl, answer, None)
        _unanswered(answer, value)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{answer} must be a number, got a {type(value).__name__}")
        return {answer: float(value)}

    return scenario


def wrong_answer(question_answer: str, value: Any, hint: str) -> "_WrongAnswer":
    """A known wrong answer to a question (in mistakes.py): a student who gives ``value`` for the
    variable ``question_answer`` is shown ``hint``, and `grade verify` proves the question tells it."""
    _functions(question_answer)
    if not hint.strip():
        raise ValueError("a known wrong answer needs a hint")
    return _WrongAnswer(Mistake(function=question_answer, hint=hint.strip(), impl=value,
                                name=f"{question_answer}={value}"))


class _WrongAnswer:
    """Holds a wrong answer's :class:`Mistake` where :func:`declared` finds it."""

    def __init__(self, declared_mistake: Mistake):
        setattr(self, ATTR, declared_mistake)


def mistake(function: str, hint: str) -> Callable[[Callable], Callable]:
    """Register a known-wrong version of ``function``; ``hint`` is the one sentence a student sees."""
    return _register(function, hint, accepted=False)


def variant(function: str, note: str) -> Callable[[Callable], Callable]:
    """Register an accepted alternative of ``function``: outputs matching it score as right."""
    return _register(function, note, accepted=True)


def _register(function: str, text: str, accepted: bool) -> Callable[[Callable], Callable]:
    _functions(function)
    if not text.strip():
        raise ValueError("a known mistake needs a hint and an accepted variant a note")

    def attach(fn: Callable) -> Callable:
        setattr(fn, ATTR, Mistake(function=function, hint=text.strip(), impl=fn, name=fn.__name__,
                                  accepted=accepted))
        return fn

    return attach


def declared(namespace: dict[str, Any], kind: type) -> list:
    """The checks (or mistakes) declared in a module namespace, in definition order."""
    return [getattr(v, ATTR) for v in namespace.values() if isinstance(getattr(v, ATTR, None), kind)]
