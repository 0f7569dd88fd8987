"""Output evidence: two submissions that returned bit-identical wrong values on the same public check.

Every student runs a public check on the same inputs, so a right answer is shared by all who got it
right and says nothing. A *wrong* value is different: there are many ways to be wrong, and two
students landing on the same wrong bits, when few others in the class did, most likely share the
mistake itself, even if one of them reworded the code. How rare is rare is measured in the class:
a wrong value returned by more than ``RARE`` of the submissions (or a known mistake the checks
diagnose, which independent students do make) counts for less or not at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RARE = 0.05  # a wrong value returned by at most this share of the submissions (and at least 2) is rare
KNOWN_MISTAKE = 0.5  # a wrong value the checks diagnose as a known mistake counts half
PER_FUNCTION = 0.8  # what one function's shared wrong value alone contributes, at most


@dataclass(frozen=True)
class Wrong:
    """A wrong value one submission returned on a public check."""

    digest: str
    functions: tuple[str, ...]
    mistake: str | None = None  # the known mistake it was diagnosed as, if any


@dataclass(frozen=True)
class SharedValue:
    """A wrong value two submissions share, with how many in the class returned it."""

    check: str
    functions: tuple[str, ...]
    digest: str
    count: int
    mistake: str | None
    strength: float  # 2 / count, halved for a known mistake


def rare_limit(submissions: int) -> int:
    """The most submissions a wrong value may be returned by and still be rare."""
    return max(2, math.floor(RARE * submissions))


def shared(a: dict[str, tuple[Wrong, int]], b: dict[str, tuple[Wrong, int]]) -> list[SharedValue]:
    """The wrong values ``a`` and ``b`` both returned, check by check; each side maps a check to the
    rare wrong value it returned there and how many in the class returned it."""
    found = []
    for check in sorted(a.keys() & b.keys()):
        (wa, count), (wb, _) = a[check], b[check]
        if wa.digest != wb.digest:
            continue
        mistake = wa.mistake or wb.mistake
        strength = (2 / count) * (KNOWN_MISTAKE if mistake else 1.0)
        found.append(SharedValue(check, wa.functions, wa.digest, count, mistake, round(strength, 4)))
    return found


def output_score(shared: list[SharedValue]) -> float:
    """0..1 from the shared wrong values: the strongest per function (one bug fails several checks of
    the function it is in), combined over functions as independent pieces of evidence."""
    best: dict[tuple[str, ...], float] = {}
    for s in shared:
        best[s.functions] = max(best.get(s.functions, 0.0), s.strength)
    missing = 1.0
    for strength in best.values():
        missing *= 1.0 - PER_FUNCTION * strength
    return round(1.0 - missing, 4)
