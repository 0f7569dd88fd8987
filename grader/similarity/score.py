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

Only pairs that share a fingerprint few have (``ENUMERATE``) or one rare wrong value are ever scored:
no comparison of all pairs. The fingerprints, their counts and the pairs found are in an on-disk
index (:mod:`grader.similarity.index`); pairs are scored one at a time and only the best ``keep``
are held, so memory stays flat in the class size. Nothing here changes a grade.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass
from typing import Iterable

from grader.similarity.evidence import SharedValue, output_score, rare_limit, shared
from grader.similarity.index import Index, Member, Subject

__all__ = ["Pair", "Scored", "Subject", "UnitScore", "score", "score_index"]

THRESHOLD = 0.5
COMMON = 0.05  # fingerprints more than this share of the submissions have weigh nothing
MIN_COMMON = 3  # ... but in a small class, up to this many may share one and it still counts
TYPICAL_QUANTILE = 0.9
SAMPLE_PAIRS = 2000  # random pairs per function for the class's distribution
ENUMERATE = 10  # pairs are found through fingerprints at most this many submissions share
EVIDENCE = 4  # rarest-kind fingerprints shared over the submission that let its code score count two thirds
KEEP = 500  # pairs the report holds, best first (the flagged ones are counted, all of them)


@dataclass(frozen=True)
class UnitScore:
    name: str
    similarity: float
    typical: float
    excess: float
    weight: float


@dataclass
class Pair:
    a: Member
    b: Member
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
    pairs: list[Pair]  # best first, at most ``keep``
    typical: dict[str, float]  # per function: the class's 90th-percentile similarity
    submissions: int
    candidates: int  # pairs scored (those sharing anything rare)
    rare_limit: int
    flagged: int = 0  # pairs at or above the threshold, also those beyond the ``keep`` held


def _weight(n: int, df: int, common: int) -> float:
    """A fingerprint's weight: ``ln(N / df)``, or 0 when more than ``common`` submissions have it."""
    return math.log(n / df) if df <= common else 0.0


def _similarity(a: tuple[float, dict[int, float]] | None, b: tuple[float, dict[int, float]] | None) -> float:
    """Containment of one function of two subjects: the weight they share over the smaller one's."""
    if a is None or b is None or not a[1] or not b[1]:
        return 0.0
    smaller = min(a[0], b[0])
    if smaller <= 0:
        return 0.0
    weights = a[1]
    return min(1.0, sum(weights[h] for h in weights.keys() & b[1].keys()) / smaller)


def _typical(index: Index, rng: random.Random) -> dict[str, float]:
    """Per function: the TYPICAL_QUANTILE of the similarity of pairs of the class (all pairs when
    there are at most SAMPLE_PAIRS, else as many drawn at random): only the sample is held."""
    typical = {}
    for unit, n in index.class_members().items():
        if n < 2:
            typical[index.names[unit]] = 0.0
            continue
        if n * (n - 1) // 2 <= SAMPLE_PAIRS:
            ranks = [(x, y) for x in range(n) for y in range(x + 1, n)]
        else:
            ranks = [tuple(rng.sample(range(n), 2)) for _ in range(SAMPLE_PAIRS)]
        values = sorted(_similarity(index.class_unit(unit, x), index.class_unit(unit, y)) for x, y in ranks)
        typical[index.names[unit]] = values[min(len(values) - 1, int(TYPICAL_QUANTILE * len(values)))]
    return typical


def score(subjects: Iterable[Subject], *, keep: int = KEEP, seed: int = 0) -> Scored:
    """Every pair of ``subjects`` (the class's first) sharing something rare, scored; the best ``keep``."""
    with Index() as index:
        for subject in subjects:
            index.add(subject)
        return score_index(index, keep=keep, seed=seed)


def score_index(index: Index, *, keep: int = KEEP, seed: int = 0) -> Scored:
    """Score the pairs of the subjects added to ``index`` (which this seals); the best ``keep`` held."""
    n_all = index.size
    common = max(MIN_COMMON, math.floor(COMMON * n_all))
    limit = rare_limit(index.in_class or n_all)
    index.seal(lambda df: _weight(n_all, df, common), limit)
    typical = _typical(index, random.Random(seed))
    candidates = index.find_pairs(min(common, ENUMERATE))
    enough = EVIDENCE * math.log(max(n_all, 3) / 2)  # the weight of EVIDENCE fingerprints two share
    names = index.names
    best: list[tuple[float, int, int, int, float, float, list, list]] = []  # a min-heap: the worst held on top
    flagged = 0
    for n, (i, j) in enumerate(index.pairs()):
        a, b = index.entry(i), index.entry(j)
        parts = []  # (unit, weight, similarity, typical, excess): floats only, objects for the pairs held
        shared_weight = 0.0
        for unit in a.units.keys() & b.units.keys():
            (ta, wa), (tb, wb) = a.units[unit], b.units[unit]
            both = sum(wa[h] for h in wa.keys() & wb.keys()) if wa and wb else 0.0
            shared_weight += both
            weight = min(ta, tb)
            if weight <= 0:
                continue
            sim = min(1.0, both / weight)
            t = typical.get(names[unit], 0.0)
            excess = max(0.0, (sim - t) / (1.0 - t)) if t < 1.0 else 0.0
            parts.append((names[unit], weight, sim, t, excess))
        common_weight = sum(w for _, w, _, _, _ in parts)
        code = sum(w * e for _, w, _, _, e in parts) / common_weight if common_weight > 0 else 0.0
        # one rare line in common is a coincidence, ten are not (counted over the whole submission)
        code *= 1.0 - math.exp(-shared_weight / enough)
        shared_values = shared(a.wrong, b.wrong) if a.wrong and b.wrong else []
        output = output_score(shared_values)
        total = 1.0 - (1.0 - code) * (1.0 - output)
        if total <= 0:
            continue
        flagged += round(total, 4) >= THRESHOLD
        held = (total, -n, i, j, code, output, parts, shared_values)
        if len(best) < keep:
            heapq.heappush(best, held)
        elif (total, -n) > best[0][:2]:
            heapq.heapreplace(best, held)
    pairs = [Pair(index.member(i), index.member(j), round(total, 4), round(code, 4), output,
                  [UnitScore(u, round(sim, 4), round(t, 4), round(e, 4), round(w, 3))
                   for u, w, sim, t, e in sorted(parts)], shared_values)
             for total, _, i, j, code, output, parts, shared_values in best]
    pairs.sort(key=lambda p: (-p.score, -p.output, p.a.key, p.b.key))
    return Scored(pairs, typical, n_all, candidates, limit, flagged)
