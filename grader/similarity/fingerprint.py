"""k-gram fingerprints with winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms
for document fingerprinting", SIGMOD 2003: the algorithm behind MOSS).

Every run of ``K`` consecutive tokens is hashed; of each window of ``W`` consecutive k-gram hashes
the smallest is kept (the rightmost on a tie), and a hash is recorded again only when a new window
picks a different position. Two guarantees follow: any shared run of at least ``W + K - 1`` tokens
shares at least one fingerprint, and no run shorter than ``K`` tokens is ever a match. About
``2 / (W + 1)`` of the k-grams are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

K = 5  # tokens per k-gram: a normalized statement like `v = v - v * v` is about 10 tokens
W = 4  # window: every shared run of W + K - 1 = 8 tokens is found
_MOD = (1 << 61) - 1  # a Mersenne prime: hashes spread well and stay Python small ints
_BASE = 1_000_003


@dataclass(frozen=True)
class Fingerprints:
    """The fingerprints of one unit: hash -> the token positions of the k-grams it was taken from."""

    positions: dict[int, tuple[int, ...]]

    @property
    def hashes(self) -> frozenset[int]:
        return frozenset(self.positions)


def kgram_hashes(tokens: tuple[int, ...] | list[int], k: int = K) -> list[int]:
    """A rolling polynomial hash of every k-gram (one per start position; none if fewer than k tokens)."""
    n = len(tokens)
    if n < k:
        return []
    top = pow(_BASE, k - 1, _MOD)
    h = 0
    for t in tokens[:k]:
        h = (h * _BASE + t) % _MOD
    out = [h]
    for i in range(k, n):
        h = ((h - tokens[i - k] * top) * _BASE + tokens[i]) % _MOD
        out.append(h)
    return out


def winnow(hashes: list[int], w: int = W) -> list[tuple[int, int]]:
    """(hash, position) picked by winnowing: the rightmost minimum of each window, each once."""
    if not hashes:
        return []
    if len(hashes) <= w:
        i = min(range(len(hashes)), key=lambda j: (hashes[j], -j))
        return [(hashes[i], i)]
    picked: list[tuple[int, int]] = []
    last = -1
    for start in range(len(hashes) - w + 1):
        window = hashes[start:start + w]
        low = min(window)
        i = start + w - 1 - window[::-1].index(low)  # rightmost minimum
        if i != last:
            picked.append((low, i))
            last = i
    return picked


def fingerprint(tokens: tuple[int, ...], k: int = K, w: int = W) -> Fingerprints:
    """The winnowed fingerprints of a token stream."""
    positions: dict[int, list[int]] = {}
    for h, i in winnow(kgram_hashes(tokens, k), w):
        positions.setdefault(h, []).append(i)
    return Fingerprints({h: tuple(p) for h, p in positions.items()})
