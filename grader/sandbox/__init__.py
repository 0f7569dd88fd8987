"""The trust boundary: a confined child per submission; only `child.py` imports student code; arrays back, no verdicts."""
