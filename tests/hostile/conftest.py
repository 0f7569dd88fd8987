"""Fixtures of the hostile corpus (the helpers live in hostile_support.py, importable by name)."""

from hostile_support import places  # noqa: F401  (a fixture)
