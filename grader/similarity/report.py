"""`grade similarity`: the ranked pairs, their clusters and the evidence side by side, as JSON and as
instructor-only HTML pages.

A report, never a penalty: nothing here reads or writes a score. The pages live wherever ``--html``
puts them and are not linked from anything a student sees (feedback pages, the pack, Gradescope).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader.similarity.collect import SimilarityError, Target, files_of, from_folder, from_gradebook
from grader.similarity.fingerprint import K, fingerprint
from grader.similarity.normalize import Unit
from grader.similarity.index import Index, Member
from grader.similarity.score import COMMON, THRESHOLD, TYPICAL_QUANTILE, Pair, Scored, score_index

SHOWN = 100  # pairs with a page of evidence, best first (a class rarely flags more)


@dataclass
class Line:
    number: int
    text: str
    match: bool


@dataclass
class UnitEvidence:
    name: str
    similarity: float
    typical: float
    excess: float
    left: list[Line]
    right: list[Line]


@dataclass
class Report:
    assignment: str
    gradebook: Path
    against: list[str]
    scored: Scored
    clusters: list[list[str]]
    evidence: dict[tuple[str, str], list[UnitEvidence]] = field(default_factory=dict)

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.scored.pairs if p.flagged]


def build(gradebook: Path, target: Target, against: list[Path] = (), shown: int = SHOWN) -> Report:
    """Compare the gradebook's submissions with each other and with every ``--against`` source."""
    labels = []
    with Index() as index:
        for subject in from_gradebook(Path(gradebook), target):
            index.add(subject)
        for path in against:
            path = Path(path)
            label = _label(path, labels)
            labels.append(label)
            if path.is_dir():
                found = from_folder(path, target, label)
            elif path.is_file():
                found = from_gradebook(path, target, label)
            else:
                raise SimilarityError(f"--against {path}: no such folder or gradebook")
            for subject in found:
                index.add(subject)
        scored = score_index(index)
        report = Report(target.name, Path(gradebook), labels, scored, _clusters(scored.pairs))
        with Sources(target) as sources:
            for pair in scored.pairs[:shown]:  # best first: the flagged ones, then the closest others
                report.evidence[_key(pair)] = evidence(pair, sources, index)
    return report


def _label(path: Path, taken: list[str]) -> str:
    label, n = path.stem or str(path), 2
    while label in taken or label == "class":
        label, n = f"{path.stem}-{n}", n + 1
    return label


def _key(pair: Pair) -> tuple[str, str]:
    return pair.a.key, pair.b.key


def _clusters(pairs: list[Pair]) -> list[list[str]]:
    """Groups of submissions linked by flagged pairs (two or more members), largest first."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        if p.flagged:
            parent[root(p.a.key)] = root(p.b.key)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))


class Sources:
    """The normalized functions and source lines of the subjects the pages show, read again from
    their gradebooks (each opened once) or entries, the last few remembered (a subject is often in
    several shown pairs)."""

    REMEMBERED = 32

    def __init__(self, target: Target) -> None:
        self.target = target
        self.books: dict[str, Any] = {}
        self.known: dict[str, tuple[dict[str, Unit], dict[str, list[str]]]] = {}

    def __enter__(self) -> "Sources":
        return self

    def __exit__(self, *exc: object) -> None:
        for book in self.books.values():
            book.close()

    def of(self, subject: Member) -> tuple[dict[str, Unit], dict[str, list[str]]]:
        found = self.known.get(subject.key)
        if found is None:
            files = files_of(subject, self.target, self.books)
            texts = {}
            for name, data in files.items():
                try:
                    texts[name] = data.decode("utf-8-sig").splitlines()
                except UnicodeDecodeError:
                    continue
            found = self.target.units(files), texts
            if len(self.known) >= self.REMEMBERED:
                del self.known[next(iter(self.known))]
            self.known[subject.key] = found
        return found


def _side(unit: Unit | None, texts: dict[str, list[str]], module: str, matched: set[int]) -> list[Line]:
    if unit is None:
        return []
    file = unit.name.split(":", 1)[0] if ":" in unit.name else f"{module}.py"
    lines = texts.get(file, [])
    start, end = unit.span
    return [Line(n, lines[n - 1], n in matched) for n in range(start, min(end, len(lines)) + 1)]


def _matched_lines(unit: Unit, shared: set[int], positions: dict[int, tuple[int, ...]]) -> set[int]:
    found: set[int] = set()
    for h in shared:
        for p in positions.get(h, ()):
            found.update(unit.lines[p:p + K])
    return found


def evidence(pair: Pair, sources: Sources, index: Index) -> list[UnitEvidence]:
    """Each function of the pair side by side, the lines holding shared weighted fingerprints marked."""
    units_a, texts_a = sources.of(pair.a)
    units_b, texts_b = sources.of(pair.b)
    module = sources.target.module
    shown = []
    for u in sorted(pair.units, key=lambda u: (-u.excess, -u.similarity, u.name)):
        ua, ub = units_a.get(u.name), units_b.get(u.name)
        if ua is None or ub is None:
            continue
        fa, fb = fingerprint(ua.tokens), fingerprint(ub.tokens)
        unit = index.unit_ids.get(u.name)
        weighted = index.entry(pair.a.id).units.get(unit, (0.0, {}))[1]  # what others have too and weighs
        shared = fa.positions.keys() & fb.positions.keys() & weighted.keys()
        shown.append(UnitEvidence(u.name, u.similarity, u.typical, u.excess,
                                  _side(ua, texts_a, module, _matched_lines(ua, shared, fa.positions)),
                                  _side(ub, texts_b, module, _matched_lines(ub, shared, fb.positions))))
    return shown


# JSON -------------------------------------------------------------------------------------------

def how() -> dict[str, Any]:
    """How a score is formed, in words (the JSON and the pages say the same)."""
    return {
        "code": ("per function: the rarity-weighted share of fingerprints the two have in common (each "
                 f"fingerprint weighs ln(N / how many have it); forms more than {COMMON:.0%} of the class "
                 f"share weigh 0), minus what is usual for that function in this class (the "
                 f"{TYPICAL_QUANTILE:.0%} percentile of random pairs), as a share of the room left above it; "
                 "functions weighted by how much rare code they hold"),
        "output": ("bit-identical wrong values on the same public check, returned by few in the class: "
                   "2 / (how many returned it) per check, halved for a known mistake; the strongest per "
                   "function, combined over functions"),
        "score": "1 - (1 - code) * (1 - output)",
        "threshold": THRESHOLD,
        "note": "a report for the instructor to read, never a penalty: no score is changed",
    }


def _pair_json(pair: Pair) -> dict[str, Any]:
    return {
        "a": pair.a.key, "b": pair.b.key, "score": pair.score, "code": pair.code, "output": pair.output,
        "flagged": pair.flagged,
        "functions": [{"name": u.name, "similarity": u.similarity, "typical": u.typical, "excess": u.excess,
                       "weight": u.weight} for u in pair.units],
        "shared_wrong_values": [{"check": s.check, "functions": list(s.functions), "digest": s.digest,
                                 "returned_by": s.count, "known_mistake": s.mistake, "strength": s.strength}
                                for s in pair.shared],
    }


def to_json(report: Report) -> dict[str, Any]:
    s = report.scored
    return {"assignment": report.assignment, "gradebook": str(report.gradebook), "against": report.against,
            "submissions": s.submissions, "pairs_scored": s.candidates, "flagged": s.flagged,
            "rare_wrong_value_limit": s.rare_limit,
            "typical": s.typical, "how": how(), "pairs": [_pair_json(p) for p in s.pairs],
            "clusters": report.clusters}


def write_json(report: Report, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(report), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# HTML -------------------------------------------------------------------------------------------

def write_html(report: Report, folder: Path, templates: Path | None = None) -> Path:
    """``folder/index.html`` (the ranked pairs and clusters) and ``folder/pairs/NNNN.html`` per shown pair."""
    from grader.reports.html import _render

    folder = Path(folder)
    (folder / "pairs").mkdir(parents=True, exist_ok=True)
    rows = []
    for rank, pair in enumerate(report.scored.pairs, 1):
        shown = _key(pair) in report.evidence
        href = f"pairs/{rank:04d}.html" if shown else None
        rows.append({"rank": rank, "pair": pair, "href": href})
        if shown:
            page = _render("similarity_pair.html.j2", templates, version=grader.__version__, report=report,
                           pair=pair, rank=rank, units=report.evidence[_key(pair)], how=how(), pct=_pct)
            (folder / href).write_text(page, encoding="utf-8")
    index = folder / "index.html"
    index.write_text(_render("similarity_index.html.j2", templates, version=grader.__version__, report=report,
                             rows=rows, how=how(), pct=_pct), encoding="utf-8")
    return index


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def summary_lines(report: Report, top: int = 10) -> list[str]:
    """The top pairs, one line each, for the terminal."""
    lines = []
    for pair in report.scored.pairs[:top]:
        mark = "FLAG" if pair.flagged else "    "
        lines.append(f"{mark} {pair.score:5.2f}  {pair.a.key}  ~  {pair.b.key}  "
                     f"(code {pair.code:.2f}, shared wrong values {pair.output:.2f})")
    return lines
