"""Entry point of a child started as a fresh interpreter (the ``spawn`` start method).

The zygote runs ``python -c "...; from grader.sandbox.spawned import main; main()"`` with stdout a
pipe (the result channel), stderr discarded and on stdin one JSON object::

    {"job": {...the job, as a forked child gets it...},
     "work": [[check file, check name, seed], ...]}

It imports the harness (numpy included) before reading its job, so the zygote can start it ahead
of time. Before any student code exists in this process it loads the check files itself (a start-up
failure is reported as ``startup_error``), then hands over to :func:`grader.sandbox.child.main`, which
confines the process as far as the platform allows, sends ``started`` and runs the checks exactly
as a forked child does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    out = os.dup(1)  # the result channel; fd 1 itself is pointed at the null device by the child
    if os.name == "nt":
        import msvcrt

        msvcrt.setmode(out, os.O_BINARY)
    from grader.sandbox import wire

    try:
        import numpy  # noqa: F401  (warm up before the job arrives)
        import numpy.linalg  # noqa: F401
        import numpy.random  # noqa: F401

        from grader.checks.loader import load_checks
        from grader.sandbox import child

        spec = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        loaded: dict[str, dict] = {}
        work = []
        for path, name, seed in spec["work"]:
            if path not in loaded:
                hidden = Path(path).name == "hidden_checks.py"
                loaded[path] = {c.name: c for c in load_checks(Path(path), hidden=hidden)}
            work.append((loaded[path][name], int(seed)))
        job = spec["job"]
    except BaseException as exc:  # the harness itself: say why, the zygote reports it as a failure
        try:
            wire.write_all(out, wire.encode({"t": "startup_error", "message": f"{type(exc).__name__}: {exc}"[:500]}))
        finally:
            os._exit(70)
    child.main(out, job, work, spawned=True)


if __name__ == "__main__":
    main()
