"""Words that agree with a count: "1 assignment", "2 assignments", "1.5 points".

One helper for every command's output and every template (registered as the jinja filter
``plural``), so no message says "1 assignments" or "assignment(s)".
"""

from __future__ import annotations


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """``count`` followed by ``singular`` when it is exactly 1, else by ``plural_form``.

    ``plural_form`` defaults to ``singular + "s"``; give it for any other phrase, including one
    whose verb agrees too: ``plural(n, "check fails", "checks fail")``.
    """
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{shown} {singular if count == 1 else plural_form or singular + 's'}"
