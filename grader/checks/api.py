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
    kind: str = "values"  # "values" or "gradient"
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
