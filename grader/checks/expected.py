"""Where expected outputs come from: the reference run in the grader's own process (instructor, CI)
or the values frozen into the student pack at `grade generate` time.

Both also give the outputs of the known mistakes and accepted variants, for diagnosis.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, Callable, Protocol

from grader.checks.api import Check, Mistake
from grader.checks.scenario import evaluate, public_seed
from grader.checks.side_effects import AFTER, argument_label, changed_slots, compact, is_side, judged, parse
from grader.checks.trusted_warnings import kept
from grader.checks.values import Outputs, Value, decode_outputs, encode_outputs
from grader.errors import AuthoringError

FORMAT = 1


class Assignment(Protocol):
    """What expectations read of an assignment (:class:`grader.course.Assignment` is one). Declared
    here, not imported: checks sit below the course loader, which builds assignments out of them."""

    name: str
    module: str
    folder: Path
    is_pack: bool
    public_checks: list[Check]
    reference: ModuleType  # the instructor's solution (a pack has none)
    mistakes: list[Mistake]  # known mistakes and accepted variants
    frozen: dict  # a pack's expected.json


@dataclass(frozen=True)
class Alternative:
    """A known mistake (or accepted variant) and what it outputs for one check and seed."""

    name: str
    function: str
    hint: str
    accepted: bool
    outputs: Outputs


class Candidate:
    """A known mistake (or accepted variant) of one check and seed whose outputs are computed when
    first read: judging a failing check usually reads a few of its mistakes, not all of them. A
    mistake that fails on the scenario has no outputs (``{}``), which match nothing."""

    __slots__ = ("name", "function", "hint", "accepted", "_run", "_outputs")

    def __init__(self, mistake: Mistake, run: Callable[[], Outputs | None]):
        self.name, self.function, self.hint = mistake.name, mistake.function, mistake.hint
        self.accepted = mistake.accepted
        self._run: Callable[[], Outputs | None] | None = run
        self._outputs: Outputs | None = None

    def _load(self) -> None:
        if self._run is not None:
            run, self._run = self._run, None
            self._outputs = run()

    @property
    def ran(self) -> bool:
        """Whether the mistake runs to the end on this scenario."""
        self._load()
        return self._outputs is not None

    @property
    def outputs(self) -> Outputs:
        self._load()
        return {} if self._outputs is None else self._outputs


def run_in_process(check: Check, impl: Any, seed: int) -> Outputs:
    """Run a trusted implementation's scenario here and convert the outputs the check judges
    (the records of its arguments reduced to whether the calls changed them)."""
    raw = compact(judged(check.mutates, evaluate(check, impl, seed)))
    return {name: Value.of(arr) for name, arr in raw.items()}


def reference_outputs(check: Check, reference: Any, seed: int) -> Outputs:
    """The reference's outputs, refusing a reference that changes an argument its check says the
    function leaves alone (those outputs would make the change the specification)."""
    raw = judged(check.mutates, evaluate(check, reference, seed))
    changed = changed_slots(raw)
    if changed:
        names = sorted({f"{parse(n)[0]}({argument_label(n)})" for n in raw
                        if n.startswith(AFTER) and n.rpartition("=")[0] in changed})
        raise AuthoringError(f"the reference changes {', '.join(names)} in place, which check {check.name!r} "
                             f"requires to be left alone: fix the reference or declare it with mutates=")
    return {name: Value.of(arr) for name, arr in compact(raw).items()}


def with_replaced(reference: Any, mistake: Mistake) -> SimpleNamespace:
    """The reference module with one function swapped for a mistake's version."""
    namespace = SimpleNamespace(**vars(reference))
    setattr(namespace, mistake.function, mistake.impl)
    return namespace


class Bounded(OrderedDict):
    """A small LRU map: public checks (one seed each) stay cached; per-student hidden seeds come
    and go, so a worker grading thousands of students keeps flat memory."""

    def __init__(self, size: int = 256):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value


class ReferenceExpectations:
    """Expected outputs computed from the reference solution (cached per check and seed)."""

    def __init__(self, assignment: Assignment):
        self.assignment = assignment
        self._expected: dict[tuple[str, int], Outputs] = Bounded()
        self._alternatives: dict[tuple[str, int], list[Candidate]] = Bounded()
        # side-effect markers of the expected outputs, per check (and per known mistake of it)
        self._markers: dict[str | tuple[str, str], Outputs] = {}

    def seed(self, check: Check) -> int:
        return public_seed(self.assignment.name, check)

    def expected(self, check: Check, seed: int) -> Outputs:
        key = (check.name, seed)
        if key not in self._expected:
            try:
                with kept("reference"):
                    self._expected[key] = self._reference_outputs(check, seed)
            except AuthoringError as exc:
                raise AuthoringError(f"{self.assignment.folder}: {exc}") from exc
            except Exception as exc:
                raise AuthoringError(f"{self.assignment.folder}: the reference fails check {check.name!r}: "
                                     f"{type(exc).__name__}: {exc}") from exc
        return self._expected[key]

    def _reference_outputs(self, check: Check, seed: int) -> Outputs:
        """The reference's outputs; its arguments are recorded (and proven left alone) on the first
        seed of a check only: later seeds (each student's hidden inputs) reuse that run's markers,
        which name the same arguments, instead of copying every argument of every call again."""
        markers = self._markers.get(check.name)
        if markers is None:
            outputs = reference_outputs(check, self.assignment.reference, seed)
            self._markers[check.name] = {n: v for n, v in outputs.items() if is_side(n)}
            return outputs
        raw = evaluate(check, self.assignment.reference, seed, record=False)
        return {**{name: Value.of(arr) for name, arr in raw.items()}, **markers}

    def _mistake_outputs(self, check: Check, mistake: Mistake, seed: int) -> Outputs:
        """A known mistake's outputs; which arguments it changes is recorded on its first seed only
        (a slip that changes an argument does so whatever the inputs)."""
        impl = with_replaced(self.assignment.reference, mistake)
        markers = self._markers.get((check.name, mistake.name))
        if markers is None:
            outputs = run_in_process(check, impl, seed)
            self._markers[(check.name, mistake.name)] = {n: v for n, v in outputs.items() if is_side(n)}
            return outputs
        raw = evaluate(check, impl, seed, record=False)
        return {**{name: Value.of(arr) for name, arr in raw.items()}, **markers}

    def candidates(self, check: Check, seed: int) -> list[Candidate]:
        """The known mistakes and accepted variants of ``check``'s functions, in order, each run when
        its outputs are first read (and kept: a public check's seed is every student's)."""
        key = (check.name, seed)
        if key not in self._alternatives:
            self._alternatives[key] = [Candidate(m, partial(self._outputs_or_none, check, m, seed))
                                       for m in self.assignment.mistakes if m.function in check.functions]
        return self._alternatives[key]

    def _outputs_or_none(self, check: Check, mistake: Mistake, seed: int) -> Outputs | None:
        try:
            with kept(f"{'variant' if mistake.accepted else 'mistake'} {mistake.name}"):
                return self._mistake_outputs(check, mistake, seed)
        except Exception:  # a mistake that crashes on this scenario cannot be matched here
            return None

    def alternatives(self, check: Check, seed: int) -> list[Alternative]:
        """Every known mistake and accepted variant that runs on this scenario, with its outputs."""
        return [Alternative(c.name, c.function, c.hint, c.accepted, c.outputs)
                for c in self.candidates(check, seed) if c.ran]


class FrozenExpectations:
    """Expected outputs frozen in a student pack's expected.json (public checks only)."""

    def __init__(self, assignment: Assignment):
        self.assignment = assignment
        self.data = assignment.frozen.get("checks", {})
        self._expected: dict[str, Outputs] = {}
        self._alternatives: dict[str, list[Alternative]] = {}

    def _entry(self, check: Check) -> dict:
        if check.name not in self.data:
            raise AuthoringError(f"{self.assignment.folder}/expected.json has no values for check {check.name!r}: "
                                 f"checks.py and expected.json are from different versions of the pack")
        return self.data[check.name]

    def seed(self, check: Check) -> int:
        return int(self._entry(check)["seed"])

    def expected(self, check: Check, seed: int) -> Outputs:
        if check.name not in self._expected:  # decoded once: the pack's values never change
            self._expected[check.name] = decode_outputs(self._entry(check)["expected"])
        return self._expected[check.name]

    def alternatives(self, check: Check, seed: int) -> list[Alternative]:
        if check.name not in self._alternatives:
            self._alternatives[check.name] = [
                Alternative(a["name"], a["function"], a["hint"], a["accepted"], decode_outputs(a["outputs"]))
                for a in self._entry(check).get("alternatives", [])]
        return self._alternatives[check.name]

    candidates = alternatives  # frozen values cost nothing to read: no need to defer them


def expectations_for(assignment: Assignment) -> ReferenceExpectations | FrozenExpectations:
    return FrozenExpectations(assignment) if assignment.is_pack else ReferenceExpectations(assignment)


def freeze(assignment: Assignment, version: str) -> dict[str, Any]:
    """The expected.json content of a pack: public checks' expected and alternative outputs."""
    source = ReferenceExpectations(assignment)
    checks = {}
    for check in assignment.public_checks:
        seed = source.seed(check)
        checks[check.name] = {
            "seed": seed,
            "expected": encode_outputs(source.expected(check, seed)),
            "alternatives": [
                {"name": a.name, "function": a.function, "hint": a.hint, "accepted": a.accepted,
                 "outputs": encode_outputs(a.outputs)}
                for a in source.alternatives(check, seed)
            ],
        }
    return {"format": FORMAT, "assignment": assignment.name, "module": assignment.module,
            "generated_by": f"grade {version}", "checks": checks}
