"""The zygote learns that a child ended through the child's pidfd where the kernel has them (Linux
5.3+), and otherwise through SIGCHLD: both ways a finished child is reported, a hanging one is
killed and reported, and the next submission runs."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from grader.grading.engine import Engine, Settings
from grader.grading.workdir import base_files, remove, write_run_folder

LINUX = sys.platform.startswith("linux")

HANGS_IN_SGD = "def sgd(w, dw, config=None):\n    while True:\n        pass\n"


def _without_pidfds(tmp_path, monkeypatch) -> None:
    """Start zygotes through an interpreter whose ``os`` has no ``pidfd_open`` (an older Linux)."""
    shim = tmp_path / "no_pidfd.py"
    shim.write_text("import os, runpy, sys\n"
                    "del os.pidfd_open\n"
                    "assert sys.argv[1] == '-m'\n"
                    "module, sys.argv = sys.argv[2], [sys.argv[2]] + sys.argv[3:]\n"
                    "runpy.run_module(module, run_name='__main__', alter_sys=True)\n")
    wrapper = tmp_path / "python-without-pidfds"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{shim}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "executable", str(wrapper))


@pytest.mark.skipif(not LINUX or not hasattr(os, "pidfd_open"), reason="pidfds and their fallback are Linux's")
@pytest.mark.parametrize("pidfds", [True, False], ids=["pidfd", "sigchld"])
def test_children_end_is_noticed_with_and_without_pidfds(optim, optim_reference_source, tmp_path, monkeypatch, pidfds):
    if not pidfds:
        _without_pidfds(tmp_path, monkeypatch)
    base = base_files(optim)
    engine = Engine(optim, settings=Settings(timeout=30, check_timeout=2, import_timeout=10, start_method="fork"))
    folders = [write_run_folder({**base, "optim.py": source.encode()})
               for source in (optim_reference_source, optim_reference_source + "\n" + HANGS_IN_SGD,
                              optim_reference_source)]
    try:
        right, hangs, again = engine.grade_all([(folder, f"s{i}", {}) for i, folder in enumerate(folders)])
    finally:
        engine.close()
        for folder in folders:
            remove(folder)
    assert right.score == right.max_score and again.score == again.max_score
    sgd = [c for c in hangs.checks if c.functions == ["sgd"]]
    assert sgd and all(c.score == 0 and "timed out" in c.message for c in sgd)
    assert all(c.score == c.max_score for c in hangs.checks if c.functions != ["sgd"])
