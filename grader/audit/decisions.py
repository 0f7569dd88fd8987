"""``solutions/<name>/audit.toml``: the surviving mutants an instructor accepts, each with a reason.

::

    [[accept]]
    id = "rmsprop:constant:1f0c2a9b3e"
    reason = "epsilon 1e-8 vs 1e-7 is below any sensible tolerance"

    [[accept]]
    id = "or_weights:constant:efb91c88d0"
    reason = "any weights that give OR's truth table are right"
    equivalent = true   # right by the specification: listed as equivalent, left out of the score

An entry whose id no longer names a mutant is *stale*: reported with its file and line, never
silently ignored (the code it accepted has changed; look at the new survivors instead).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.audit.mutants import AuditError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

AUDIT_FILE = "audit.toml"
ENTRY_KEYS = ("id", "reason", "equivalent")


@dataclass(frozen=True)
class Accepted:
    id: str
    reason: str
    file: Path
    line: int
    equivalent: bool = False  # a right answer by the specification, not a tolerated error

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _line_of(text: str, mutant_id: str) -> int:
    """The line of the entry's ``id = "..."`` (tomllib gives no positions)."""
    pattern = re.compile(r"""^\s*id\s*=\s*(["'])""" + re.escape(mutant_id) + r"\1")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 1


def load_decisions(folder: Path) -> list[Accepted]:
    """The accepted survivors of the assignment in ``folder`` (none when it has no audit.toml)."""
    path = Path(folder) / AUDIT_FILE
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AuditError(f"{path}: not valid TOML: {exc}") from None
    unknown = [k for k in data if k != "accept"]
    if unknown:
        raise AuditError(f"{path}: unknown key {', '.join(map(repr, unknown))}; an audit.toml holds only "
                         f"[[accept]] entries (id and reason)")
    entries = data.get("accept", [])
    if not isinstance(entries, list):
        raise AuditError(f"{path}: accept must be a list of tables ([[accept]] with id and reason)")
    found: list[Accepted] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise AuditError(f"{path}: accept entry {n} must be a table with id and reason")
        bad = [k for k in entry if k not in ENTRY_KEYS]
        mutant_id, reason = entry.get("id"), entry.get("reason")
        line = _line_of(text, mutant_id) if isinstance(mutant_id, str) else 1
        if bad:
            raise AuditError(f"{path}:{line}: accept entry {n} has unknown key {', '.join(map(repr, bad))}; "
                             f"allowed: {', '.join(ENTRY_KEYS)}")
        if not isinstance(mutant_id, str) or mutant_id.count(":") < 2:
            raise AuditError(f"{path}: accept entry {n}: id must be a mutant id as `grade audit` prints it "
                             f"(function:operator:hash), got {mutant_id!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise AuditError(f"{path}:{line}: accept entry {n} ({mutant_id}) needs a reason: why no sensible "
                             f"check should tell this mutant from the reference")
        equivalent = entry.get("equivalent", False)
        if not isinstance(equivalent, bool):
            raise AuditError(f"{path}:{line}: accept entry {n} ({mutant_id}): equivalent must be true or false")
        if any(a.id == mutant_id for a in found):
            raise AuditError(f"{path}:{line}: {mutant_id} is accepted twice")
        found.append(Accepted(mutant_id, reason.strip(), path, line, equivalent))
    return found
