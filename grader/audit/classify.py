"""Verdicts on mutants, and each assignment's tally: killed, survived, equivalent, error.

* **killed**: a check took points (which checks; "hidden only" when no public check did, so the
  student's feedback says nothing; "other inputs only" when its own inputs did not show it);
* **error**: it raised, timed out or would not import: killed too, but listed apart;
* **equivalent**: full marks, every check's outputs equal the reference's on the audit's inputs
  and on a few other seeds, and (:mod:`grader.audit.probe`) its functions return what the
  reference's return, arguments left alike, on every call the checks make: not a mistake at all,
  left out of the score;
* **survived**: full marks although its outputs differ somewhere: a blind spot of the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.audit.decisions import Accepted
from grader.audit.mutants import Mutant
from grader.audit.run import RunOutcome
from grader.result import ERROR, NOT_GRADABLE, TIMEOUT

KILLED, SURVIVED, EQUIVALENT, ERRORED = "killed", "survived", "equivalent", "error"


@dataclass
class MutantVerdict:
    mutant: Mutant
    kind: str
    caught_by: list[str] = field(default_factory=list)
    hidden_only: bool = False
    other_inputs_only: bool = False
    message: str = ""
    accepted: Accepted | None = None

    def to_dict(self) -> dict:
        m = self.mutant
        return {"id": m.id, "function": m.function, "operator": m.operator, "file": m.file, "line": m.line,
                "original": m.original, "replacement": m.replacement, "verdict": self.kind,
                "caught_by": self.caught_by, "hidden_only": self.hidden_only,
                "other_inputs_only": self.other_inputs_only, "message": self.message,
                "accepted": self.accepted.reason if self.accepted else None}


def _losing(run: RunOutcome):
    return [c for c in run.checks if c.score < c.max_score]


def classify(mutant: Mutant, main: RunOutcome, others: list[RunOutcome]) -> MutantVerdict:
    """The verdict on ``mutant`` from its run on the audit's inputs and (if it kept full marks) on others."""
    if main.status == NOT_GRADABLE:
        return MutantVerdict(mutant, ERRORED, message=main.message)
    losing = _losing(main)
    if losing:
        failed = [c for c in losing if c.status not in (ERROR, TIMEOUT)]
        kind = KILLED if failed else ERRORED
        return MutantVerdict(mutant, kind, [c.name for c in losing], hidden_only=all(c.hidden for c in losing),
                             message=(failed or losing)[0].message)
    for run in others:
        if run.status == NOT_GRADABLE or _losing(run):
            caught = _losing(run)
            return MutantVerdict(mutant, KILLED, [c.name for c in caught], hidden_only=all(c.hidden for c in caught),
                                 other_inputs_only=True,
                                 message=caught[0].message if caught else run.message)
    if main.same and all(run.same for run in others):
        return MutantVerdict(mutant, EQUIVALENT)
    return MutantVerdict(mutant, SURVIVED)


@dataclass
class Tally:
    killed: int = 0  # errors included
    survived: int = 0
    equivalent: int = 0
    errors: int = 0

    def add(self, kind: str) -> None:
        if kind == KILLED:
            self.killed += 1
        elif kind == ERRORED:
            self.killed += 1
            self.errors += 1
        elif kind == SURVIVED:
            self.survived += 1
        else:
            self.equivalent += 1

    @property
    def score(self) -> float:
        """killed / non-equivalent (1.0 when every mutant is equivalent)."""
        counted = self.killed + self.survived
        return self.killed / counted if counted else 1.0


@dataclass
class AssignmentAudit:
    assignment: str
    verdicts: list[MutantVerdict]
    not_compiling: int = 0
    duplicates: int = 0
    stale: list[Accepted] = field(default_factory=list)
    unneeded: list[Accepted] = field(default_factory=list)  # accepted, but no longer surviving
    min_score: float | None = None
    runs: int = 0  # runs graded now (not from the cache)
    cached: int = 0
    checks: dict[str, list[str]] = field(default_factory=dict)  # check name -> the functions it exercises

    def checks_of(self, function: str) -> list[str]:
        return [name for name, functions in self.checks.items() if function in functions]

    def tally(self, function: str | None = None) -> Tally:
        t = Tally()
        for v in self.verdicts:
            if function is None or v.mutant.function == function:
                t.add(v.kind)
        return t

    def functions(self) -> list[str]:
        names: list[str] = []
        for v in self.verdicts:
            if v.mutant.function not in names:
                names.append(v.mutant.function)
        return names

    @property
    def hidden_only(self) -> list[MutantVerdict]:
        """Killed only by hidden checks: a student with this mistake sees full marks on every public check."""
        return [v for v in self.verdicts if v.kind == KILLED and v.hidden_only]

    @property
    def untried_boundaries(self) -> list[MutantVerdict]:
        """Equivalent comparison swaps (``<`` for ``<=``): the checks never try the boundary itself."""
        return [v for v in self.verdicts if v.kind == EQUIVALENT and v.mutant.operator == "compare"
                and v.accepted is None]

    @property
    def survivors(self) -> list[MutantVerdict]:
        return [v for v in self.verdicts if v.kind == SURVIVED]

    @property
    def decided(self) -> list[MutantVerdict]:
        """The mutants an audit.toml entry accepts (survivors, and right answers counted as equivalent)."""
        return [v for v in self.verdicts if v.accepted is not None]

    @property
    def unaccepted(self) -> list[MutantVerdict]:
        return [v for v in self.survivors if v.accepted is None]

    @property
    def below_min(self) -> bool:
        return self.min_score is not None and self.tally().score < self.min_score

    @property
    def ok(self) -> bool:
        return not self.unaccepted and not self.stale and not self.below_min


def decide(audit: AssignmentAudit, accepted: list[Accepted]) -> None:
    """Attach each accepted entry to its survivor; the rest are stale (no such mutant) or unneeded."""
    by_id = {v.mutant.id: v for v in audit.verdicts}
    for entry in accepted:
        verdict = by_id.get(entry.id)
        if verdict is None:
            audit.stale.append(entry)
        elif verdict.kind == SURVIVED:
            verdict.accepted = entry
            if entry.equivalent:  # right by the specification: out of the score, like any equivalent
                verdict.kind = EQUIVALENT
        else:
            audit.unneeded.append(entry)
