"""The audit's cache: one row per run, keyed by the mutated file, the checks' version, the engine
settings and the inputs (:func:`grader.audit.run.run_key`), so re-auditing after editing one check
reruns only that assignment's mutants. SQLite, like the gradebook: one file, safe to interrupt.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from grader.audit.run import RunOutcome

CACHE_DIR = Path(".grade-cache") / "audit"


class AuditCache:
    """Run outcomes by key; ``path=None`` keeps nothing (``--no-cache``)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._db = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
            self._db.execute("CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, outcome TEXT NOT NULL)")

    def get(self, keys: list[str]) -> dict[str, RunOutcome]:
        if self._db is None or not keys:
            return {}
        found: dict[str, RunOutcome] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            rows = self._db.execute(f"SELECT key, outcome FROM runs WHERE key IN ({','.join('?' * len(part))})", part)
            for key, text in rows:
                found[key] = RunOutcome.from_dict(json.loads(text))
        return found

    def put(self, outcomes: list[RunOutcome]) -> None:
        if self._db is None or not outcomes:
            return
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO runs (key, outcome) VALUES (?, ?)",
                                 [(o.key, json.dumps(o.to_dict())) for o in outcomes])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def cache_path(course_root: Path) -> Path:
    return course_root / CACHE_DIR / "runs.db"
