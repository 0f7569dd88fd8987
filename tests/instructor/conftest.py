"""Fixtures of the instructor tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from _instructor import make_course


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course")


@pytest.fixture(autouse=True)
def _no_ambient_secret(monkeypatch):
    """Tests decide the secret and the config file themselves."""
    for var in ("GRADE_SECRET", "GRADE_SECRET_FILE", "GRADE_CONFIG"):
        monkeypatch.delenv(var, raising=False)
