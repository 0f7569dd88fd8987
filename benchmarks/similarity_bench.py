"""`grade similarity` speed and memory on generated classes of `optim` submissions.

    python benchmarks/similarity_bench.py [--sizes 1000 5000] [--large]

For each N (1,000 and 5,000 by default; ``--large`` adds 10,000, a few minutes more), a gradebook of N
submissions is written directly (no grading: the report reads only the files and output digests a
batch keeps). Each submission fills the stub's four functions with one of seven independently
written styles, its local names renamed at random and one to three statements of its own inserted
at random places (so the class has many distinct forms, as a real one does); one in twenty is a
planted copy of another, renamed, and a fifth return a wrong value on a public check (half of them
one of three common mistakes, half a value of their own). Then the whole report is built (read and
fingerprint every submission, index, class distributions, score, evidence of the shown pairs) and
its JSON and HTML written, twice, each in a fresh process: once as it runs, for the wall time, the
CPU time and the process's peak resident memory (``VmHWM``: interpreter, numpy, jinja2 and
SQLite's page cache included), once under ``tracemalloc`` (which slows it), for the peak of what
the report itself allocates from the moment it loads the assignment, and that peak less what the
loaded assignment holds (the modules imported, the stub). Prints those, the pairs scored, whether
every planted copy was flagged, and each size's peaks as a multiple of the smallest size's.

Targets: 1,000 submissions in under 10 s on 2 cores; memory flat in the class size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "similarity"))

OPS = ["np.sqrt", "np.abs", "np.tanh", "np.exp", "np.square", "np.clip"]
BINOPS = ["+", "-", "*", "/"]


def _extra(rng: random.Random, k: int) -> str:
    """A statement of the student's own: a chain of 2 to 4 random operations (thousands of forms)."""
    expr = rng.choice(["w", "dw"])
    for _ in range(rng.randint(2, 4)):
        op = rng.choice(OPS)
        expr = f"{op}({expr}, -1, 1)" if op == "np.clip" else f"{op}({expr})"
        expr = f"{expr} {rng.choice(BINOPS)} {rng.choice(['w', 'dw', '0.5'])}"
    return f"extra_{k} = {expr}"


def _student_body(rng: random.Random, styles: list[dict[str, str]]) -> dict[str, str]:
    import textwrap

    bodies = {}
    for fn in ("sgd", "sgd_momentum", "rmsprop", "adam"):
        lines = textwrap.dedent(rng.choice(styles)[fn]).strip("\n").splitlines()
        for k in range(rng.randint(1, 3)):
            # only between statements of the function's own block (never inside a nested one)
            spots = [i for i in range(len(lines) + 1)
                     if (i == len(lines) or not lines[i].startswith((" ", ")")))
                     and (i == 0 or not lines[i - 1].rstrip().endswith((":", "(", ",")))]
            lines.insert(rng.choice(spots), _extra(rng, k))
        bodies[fn] = "\n".join(lines)
    return bodies


def _rename(source: str, rng: random.Random) -> str:
    for name in ("lr", "mu", "rho", "eps", "b1", "b2", "first", "second", "step", "mean", "var", "decay"):
        source = re.sub(rf"\b{name}\b", f"{name}_{rng.randint(0, 999)}", source)
    return source


def make_gradebook(path: Path, n: int, seed: int = 1) -> set[tuple[str, str]]:
    """Write the gradebook; return the planted pairs (original, copy)."""
    from class_fixture import MISTAKES, STYLES, fill

    from grader.bulk.gradebook import Gradebook
    from grader.result import CheckResult, Result

    rng = random.Random(seed)
    styles = list(STYLES.values()) + list(MISTAKES.values())
    wrong_pool = [f"{i:016x}" for i in range(3)]
    checks = [("sgd_update", "sgd"), ("rmsprop_update", "rmsprop"), ("adam_update", "adam")]
    sources: list[tuple[str, str]] = []
    planted: set[tuple[str, str]] = set()
    with Gradebook(path) as book:
        for i in range(n):
            if sources and rng.random() < 0.05:
                original, text = rng.choice(sources)
                source = _rename(text, rng)
                planted.add((original, f"s{i:05d}"))
            else:
                source = _rename(fill(_student_body(rng, styles)), rng)
                sources.append((f"s{i:05d}", source))
            rows = []
            for name, fn in checks:
                wrong = rng.random() < 0.2  # a common known mistake, or a wrong value of one's own
                digest = (rng.choice(wrong_pool[:3]) if rng.random() < 0.5 else f"{i:08x}{name[:8]}") \
                    if wrong else "right-" + name
                rows.append(CheckResult(name=name, functions=[fn], score=0.0 if wrong else 1.0, max_score=1.0,
                                        status="failed" if wrong else "passed", digest=digest))
            book.record(Result.from_checks(f"s{i:05d}", "optim", rows, sha256=str(i)), version="bench",
                        files={"optim.py": source.encode()})
    return planted


def _peak_rss_kib() -> float:
    """This process's peak resident memory. On Linux ``VmHWM``: ``ru_maxrss`` also counts the parent's
    memory at the fork that started this process (Linux keeps the high-water mark across exec), and
    the parent here holds the generated class."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform == "darwin" else 1)


def measure(gradebook: Path, out: Path, traced: bool) -> dict:
    """Build and write the whole report in this (fresh) process; ``traced``: under tracemalloc, whose
    peak is what the report itself allocates (Python objects; not SQLite's page cache nor numpy's
    buffers freed back to the system), counted from before the assignment's stub is rendered."""
    import tracemalloc

    from grader.similarity.collect import load_target
    from grader.similarity.report import build, write_html, write_json

    if traced:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    target = load_target(ROOT / "solutions" / "optim")
    loaded = tracemalloc.get_traced_memory()[0] if traced else 0  # the modules it imported and the stub
    report = build(gradebook, target)
    write_json(report, out / "s.json")
    write_html(report, out / "html")
    figures = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
               "rss_mib": _peak_rss_kib() / 1024,
               "scored": report.scored.candidates, "flagged": len(report.flagged)}
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        figures["traced_mib"], figures["comparing_mib"] = peak / 2**20, (peak - loaded) / 2**20
    return figures


def _fresh(gradebook: Path, out: Path, traced: bool) -> dict:
    args = [sys.executable, __file__, "--measure", str(gradebook), str(out)] + (["--traced"] if traced else [])
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def _planted_pairs(planted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    groups: dict[str, set[str]] = {}
    for original, copy in planted:
        groups.setdefault(original, {original}).add(copy)
    return {tuple(sorted(pair)) for g in groups.values() for pair in itertools.combinations(g, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--large", action="store_true", help="also N = 10,000 (a few minutes)")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)  # internal: one fresh process per N
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]), args.traced)))
        return
    sizes = sorted(set(args.sizes) | ({10000} if args.large else set()))
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            gradebook = Path(tmp) / "gb.db"
            made = time.perf_counter()
            planted = _planted_pairs(make_gradebook(gradebook, n))
            made = time.perf_counter() - made
            r = _fresh(gradebook, Path(tmp), traced=False)  # wall, CPU and the process's peak, undisturbed
            traced = _fresh(gradebook, Path(tmp), traced=True)  # tracemalloc slows it: apart
            r["traced_mib"], r["comparing_mib"] = traced["traced_mib"], traced["comparing_mib"]
            data = json.loads((Path(tmp) / "s.json").read_text())
            flagged = {tuple(sorted((p["a"], p["b"]))) for p in data["pairs"] if p["flagged"]}
            found = len(flagged & planted)
            rows.append((n, r))
            print(f"N = {n:6d}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU; peak RSS {r['rss_mib']:.0f} MiB, "
                  f"report's own peak (tracemalloc) {r['traced_mib']:.1f} MiB, {r['comparing_mib']:.1f} MiB above the "
                  f"loaded assignment; {r['scored']} pairs scored, "
                  f"{r['flagged']} flagged: {found} of the {len(planted)} planted pairs and {r['flagged'] - found} "
                  f"others (gradebook written in {made:.1f} s)", flush=True)
    base_n, base = rows[0]
    for n, r in rows[1:]:
        print(f"N = {n:6d} against N = {base_n}: peak RSS x{r['rss_mib'] / base['rss_mib']:.2f}, "
              f"report's own peak x{r['traced_mib'] / base['traced_mib']:.2f} "
              f"(above the loaded assignment x{r['comparing_mib'] / base['comparing_mib']:.2f}), "
              f"wall x{r['wall'] / base['wall']:.2f}, CPU x{r['cpu'] / base['cpu']:.2f}")


if __name__ == "__main__":
    main()
