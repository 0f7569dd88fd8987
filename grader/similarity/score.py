"""Pairs of submissions scored against the class's own distribution, from an index of fingerprints.

How a pair's score is formed (the report's pages say the same):

1. **Rarity.** Each fingerprint of a function weighs ``ln(N / df)``: ``N`` submissions compared,
   ``df`` of them having it. A form everyone writes (``w - lr * dw``) weighs about nothing; one two
   students share weighs a lot. Forms more than ``COMMON`` of the class share weigh 0 and are never
   looked at (this is also what keeps the index fast).
2. **Similarity per function**: the weight of the fingerprints two submissions share, over the
   weight of the smaller one's (containment: added comments or dead code do not hide a copy).
3. **Against the class.** For each function, the similarity of random pairs of the class gives what
   is usual here (its 90th percentile, ``typical``); a pair's *excess* is how far above typical it
   is, as a share of the room left above typical. Short functions where honest students converge
   have a high typical and so little excess.
4. **Code score**: the excess of each function weighted by its information (the smaller side's
   total weight), so a copied ``adam`` counts for more than a matching one-line ``sgd``; scaled by
   ``1 - exp(-shared / enough)``, ``shared`` being the weight the two share over all functions and
   ``enough`` that of ``EVIDENCE`` fingerprints only two submissions have (one rare line in common
   is a coincidence).
5. **Output score** from shared rare wrong values (:mod:`grader.similarity.evidence`).
6. **Score** = ``1 - (1 - code) * (1 - output)``: either kind of evidence alone can raise a pair,
   both together raise it more. Pairs at or above ``THRESHOLD`` are flagged for a person to look at.

Only pairs that share at least one weighted fingerprint or one rare wrong value are ever scored: no
comparison of all pairs. Nothing here changes a grade.
"""

from __future__ import annotations

import heapq
import math
import random
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from grader.similarity.evidence import SharedValue, Wrong, WrongValues, output_score

THRESHOLD = 0.5
COMMON = 0.05  # fingerprints more than this share of the submissions have weigh nothing
MIN_COMMON = 3  # ... but in a small class, up to this many may share one and it still counts
TYPICAL_QUANTILE = 0.9
SAMPLE_PAIRS = 2000  # random pairs per function for the class's distribution
ENUMERATE = 10  # pairs are found through fingerprints at most this many submissions share
EVIDENCE = 4  # rarest-kind fingerprints shared over the submission that let its code score count two thirds


@dataclass
class Subject:
    """One submission compared: its fingerprints per function and its wrong public values."""

    key: str  # unique among the subjects: the student id, or "SOURCE/student" for --against
    student: str
    source: str  # "class" for the gradebook's own assignment, else the --against path
    units: dict[str, Sequence[int]]  # per function: its fingerprints (an array('q'): 8 bytes each)
    wrong: dict[str, Wrong] = field(default_factory=dict)
    origin: str = ""  # where its files are read again: the gradebook, or the submission entry


@dataclass(frozen=True)
class UnitScore:
    name: str
    similarity: float
    typical: float
    excess: float
    weight: float


@dataclass
class Pair:
    a: Subject
    b: Subject
    score: float
    code: float
    output: float
    units: list[UnitScore]
    shared: list[SharedValue]

    @property
    def flagged(self) -> bool:
        return self.score >= THRESHOLD


@dataclass
class Scored:
    pairs: list[Pair]  # best first
    typical: dict[str, float]  # per function: the class's 90th-percentile similarity
    submissions: int
    candidates: int  # pairs scored (those sharing anything rare)
    rare_limit: int
    weights: dict[str, dict[int, float]] = field(default_factory=dict)  # per function: fingerprint -> weight


def _weight(n: int, df: int, common: int) -> float:
    """A fingerprint's weight: ``ln(N / df)``, or 0 when more than ``common`` submissions have it."""
    return math.log(n / df) if df <= common else 0.0


class Index:
    """Inverted index of fingerprints per function, with each fingerprint's weight."""

    def __init__(self, subjects: list[Subject]) -> None:
        self.subjects = subjects
        n = len(subjects)
        self.common = max(MIN_COMMON, math.floor(COMMON * n))
        # How many have each fingerprint is counted with numpy (8 bytes a fingerprint), and only the
        # fingerprints two or more have are indexed: most of a class's are its own, and a dictionary
        # entry for each would be most of the memory.
        units = sorted({unit for s in subjects for unit in s.units})
        shared: dict[str, dict[int, int]] = {}
        self.totals: list[dict[str, float]] = [{} for _ in subjects]
        for unit in units:
            arrays = {i: np.fromiter(s.units[unit], dtype=np.int64, count=len(s.units[unit]))
                      for i, s in enumerate(subjects) if unit in s.units}
            values, counts = np.unique(np.concatenate(list(arrays.values())), return_counts=True)
            weights = np.where(counts <= self.common, np.log(n / counts), 0.0)
            for i, arr in arrays.items():
                self.totals[i][unit] = float(weights[np.searchsorted(values, arr)].sum())
            keep = counts >= 2
            shared[unit] = dict(zip(values[keep].tolist(), counts[keep].tolist()))
        postings: dict[str, dict[int, list[int]]] = {unit: {} for unit in units}
        for i, s in enumerate(subjects):
            kept = {}
            for unit, hashes in s.units.items():
                known, posting = shared[unit], postings[unit]
                mine = [h for h in hashes if h in known]
                for h in mine:
                    posting.setdefault(h, []).append(i)
                kept[unit] = array("q", mine)
            s.units = kept  # from here on only what two submissions can share is kept
        self.postings = postings
        self.weights: dict[str, dict[int, float]] = {
            unit: {h: _weight(n, len(ids), self.common) for h, ids in posting.items()}
            for unit, posting in postings.items()}

    def candidates(self) -> set[tuple[int, int]]:
        """Pairs (one side in the class) sharing a fingerprint at most ``ENUMERATE`` submissions have.

        Only these are scored: a pair sharing nothing that rare cannot share much of weight (a
        fingerprint ``ENUMERATE`` have weighs ``ln(N / ENUMERATE)``, and most of its code would have
        to be forms others have too). Listing the pairs of a fingerprint costs the square of how many
        have it, so this bound is also what keeps time and memory in proportion to the class.
        """
        limit = min(self.common, ENUMERATE)
        in_class = [s.source == "class" for s in self.subjects]
        pairs: set[tuple[int, int]] = set()
        for posting in self.postings.values():
            for ids in posting.values():
                if not 2 <= len(ids) <= limit:
                    continue
                for x in range(len(ids)):
                    i = ids[x]
                    for y in range(x + 1, len(ids)):
                        if in_class[i] or in_class[ids[y]]:
                            pairs.add((i, ids[y]))
        return pairs

    def shared(self, i: int, j: int) -> dict[str, float]:
        """The weight of the fingerprints ``i`` and ``j`` share, per function."""
        a, b = self.subjects[i].units, self.subjects[j].units
        out = {}
        for unit in a.keys() & b.keys():
            weights = self.weights[unit]
            out[unit] = sum(weights[h] for h in set(a[unit]).intersection(b[unit]))
        return out

    def similarity(self, i: int, j: int, unit: str) -> float:
        a, b = self.subjects[i].units.get(unit), self.subjects[j].units.get(unit)
        smaller = min(self.totals[i].get(unit, 0.0), self.totals[j].get(unit, 0.0))
        if not a or not b or smaller <= 0:
            return 0.0
        weights = self.weights[unit]
        return min(1.0, sum(weights[h] for h in set(a).intersection(b)) / smaller)

    def typical(self, rng: random.Random) -> dict[str, float]:
        """Per function: the TYPICAL_QUANTILE of the similarity of random pairs of the class."""
        members: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.subjects):
            if s.source == "class":
                for unit in s.units:
                    members[unit].append(i)
        typical = {}
        for unit, ids in members.items():
            n = len(ids)
            if n < 2:
                typical[unit] = 0.0
                continue
            if n * (n - 1) // 2 <= SAMPLE_PAIRS:
                pairs = [(ids[x], ids[y]) for x in range(n) for y in range(x + 1, n)]
            else:
                pairs = [tuple(rng.sample(ids, 2)) for _ in range(SAMPLE_PAIRS)]
            values = sorted(self.similarity(i, j, unit) for i, j in pairs)
            typical[unit] = values[min(len(values) - 1, int(TYPICAL_QUANTILE * len(values)))]
        return typical


def score(subjects: list[Subject], *, keep: int = 500, seed: int = 0) -> Scored:
    """Every pair sharing something rare, scored; the best ``keep`` of them (and all flagged ones)."""
    index = Index(subjects)
    typical = index.typical(random.Random(seed))
    wrong = WrongValues(sum(s.source == "class" for s in subjects) or len(subjects))
    for s in subjects:
        wrong.add(s.wrong)
    candidates = index.candidates()
    by_value: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, s in enumerate(subjects):
        for check, w in s.wrong.items():
            if wrong.rare(check, w.digest):
                by_value[(check, w.digest)].append(i)
    for ids in by_value.values():
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                if subjects[ids[x]].source == "class" or subjects[ids[y]].source == "class":
                    candidates.add((ids[x], ids[y]))
    enough = EVIDENCE * math.log(max(len(subjects), 3) / 2)  # the weight of EVIDENCE fingerprints two share
    best: list[tuple[float, int, Pair]] = []
    flagged: list[Pair] = []
    totals = index.totals
    for n, (i, j) in enumerate(sorted(candidates)):
        a, b = subjects[i], subjects[j]
        shared_weight = index.shared(i, j)
        ta, tb = totals[i], totals[j]
        parts = []  # (unit, weight, shared, similarity, typical, excess): floats only, objects for the kept
        for unit in a.units.keys() & b.units.keys():
            weight = min(ta[unit], tb[unit])
            if weight <= 0:
                continue
            shared = shared_weight.get(unit, 0.0)
            sim = min(1.0, shared / weight)
            t = typical.get(unit, 0.0)
            excess = max(0.0, (sim - t) / (1.0 - t)) if t < 1.0 else 0.0
            parts.append((unit, weight, sim, t, excess))
        common = sum(w for _, w, _, _, _ in parts)
        code = sum(w * e for _, w, _, _, e in parts) / common if common > 0 else 0.0
        # one rare line in common is a coincidence, ten are not (counted over the whole submission)
        code *= 1.0 - math.exp(-sum(shared_weight.values()) / enough)
        shared_values = wrong.shared(a.wrong, b.wrong) if a.wrong and b.wrong else []
        output = output_score(shared_values)
        total = 1.0 - (1.0 - code) * (1.0 - output)
        if total <= 0 or (total < THRESHOLD and len(best) >= keep and total <= best[0][0]):
            continue
        units = [UnitScore(u, round(sim, 4), round(t, 4), round(e, 4), round(w, 3))
                 for u, w, sim, t, e in sorted(parts)]
        pair = Pair(a, b, round(total, 4), round(code, 4), output, units, shared_values)
        if pair.flagged:
            flagged.append(pair)
        elif len(best) < keep:
            heapq.heappush(best, (total, -n, pair))
        else:
            heapq.heapreplace(best, (total, -n, pair))
    pairs = flagged + [p for _, _, p in best]
    pairs.sort(key=lambda p: (-p.score, -p.output, p.a.key, p.b.key))
    return Scored(pairs, typical, len(subjects), len(candidates), wrong.rare_limit, index.weights)
