"""What `grade audit` shows and writes: a terminal table per assignment and function, the survivors
and the problems below it, a JSON file, and HTML pages (survivors with a diff against the reference)
rendered through the jinja templates ``audit.txt.j2`` and ``audit.html.j2``."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import grader
from grader.audit.classify import AssignmentAudit, MutantVerdict
from grader.templating import environment
from grader.wording import plural

KINDS = ("killed", "survived", "equivalent", "error")


def _row(name: str, audit: AssignmentAudit, function: str | None) -> dict[str, Any]:
    t = audit.tally(function)
    hidden_only = sum(v.kind == "killed" and v.hidden_only for v in audit.verdicts
                      if function is None or v.mutant.function == function)
    return {"name": name, "killed": t.killed, "survived": t.survived, "equivalent": t.equivalent,
            "errors": t.errors, "hidden_only": hidden_only, "score": t.score}


def summary(audit: AssignmentAudit) -> dict[str, Any]:
    """The figures of one assignment (and of each of its functions), as plain data."""
    return {
        "assignment": audit.assignment,
        "total": _row(audit.assignment, audit, None),
        "functions": [_row(f, audit, f) for f in audit.functions()],
        "not_compiling": audit.not_compiling, "duplicates": audit.duplicates,
        "min_score": audit.min_score, "below_min": audit.below_min, "ok": audit.ok,
        "runs": audit.runs, "cached": audit.cached,
        "stale": [{"id": a.id, "file": str(a.file), "line": a.line, "reason": a.reason} for a in audit.stale],
        "unneeded": [{"id": a.id, "file": str(a.file), "line": a.line} for a in audit.unneeded],
    }


def failure(audit: AssignmentAudit) -> str:
    """Why an assignment fails the audit, in one line."""
    parts = []
    if audit.unaccepted:
        parts.append(f"{plural(len(audit.unaccepted), 'survivor')} neither killed nor accepted")
    if audit.stale:
        parts.append(f"{plural(len(audit.stale), 'stale audit.toml entry', 'stale audit.toml entries')}")
    if audit.below_min:
        parts.append(f"score {audit.tally().score:.3f} below min_score {audit.min_score}")
    return "; ".join(parts)


def totals_line(audits: list[AssignmentAudit]) -> str:
    """How much was audited: assignments, mutants (and those that did not compile), runs graded and cached."""
    skipped = sum(a.not_compiling for a in audits)
    return (f"{plural(len(audits), 'assignment')}, {plural(sum(len(a.verdicts) for a in audits), 'mutant')}"
            + (f" ({skipped} more did not compile: skipped)" if skipped else "")
            + f"; {plural(sum(a.runs for a in audits), 'run')} graded, {sum(a.cached for a in audits)} from the cache")


def failing_line(audits: list[AssignmentAudit]) -> str | None:
    """The assignments that fail the audit and why, in one line (``None`` when every one passes)."""
    failing = [a for a in audits if not a.ok]
    if not failing:
        return None
    return f"{plural(len(failing), 'assignment fails', 'assignments fail')} the audit: " + ", ".join(
        f"{a.assignment} ({failure(a)})" for a in failing)


def format_audits(audits: list[AssignmentAudit], templates: Path | None = None) -> str:
    """The terminal report: one table of every assignment and function, then what needs a decision."""
    return environment(templates).get_template("audit.txt.j2").render(
        audits=[{"summary": summary(a), "audit": a} for a in audits], width=_width(audits))


def _width(audits: list[AssignmentAudit]) -> int:
    names = [a.assignment for a in audits] + [f for a in audits for f in a.functions()]
    return max([len(n) + 2 for n in names] + [20])


def to_json(audits: list[AssignmentAudit]) -> dict[str, Any]:
    return {"assignments": [{**summary(a), "mutants": [v.to_dict() for v in a.verdicts]} for a in audits]}


def write_json(audits: list[AssignmentAudit], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(audits), indent=1) + "\n", encoding="utf-8")
    return path


def mutant_diff(verdict: MutantVerdict, reference: str) -> str:
    """The unified diff of the mutated file against the reference."""
    m = verdict.mutant
    return "".join(difflib.unified_diff(reference.splitlines(keepends=True), m.source.splitlines(keepends=True),
                                        f"reference/{m.file}", f"mutant/{m.file}", n=2))


def write_html(audits: list[AssignmentAudit], folder: Path, solutions: Path, templates: Path | None = None) -> Path:
    """``folder/index.html``: every assignment's table; each survivor with its diff and the checks that ran."""
    folder.mkdir(parents=True, exist_ok=True)
    env = environment(templates).overlay(autoescape=True)
    pages = []
    for a in audits:
        survivors = []
        for v in a.survivors:
            reference = (solutions / a.assignment / v.mutant.file).read_text(encoding="utf-8")
            survivors.append({"verdict": v, "diff": mutant_diff(v, reference)})
        pages.append({"summary": summary(a), "audit": a, "survivors": survivors,
                      "checks": sorted({c for v in a.verdicts for c in v.caught_by})})
    target = folder / "index.html"
    target.write_text(env.get_template("audit.html.j2").render(pages=pages, version=grader.__version__), encoding="utf-8")
    return target
