"""The one way into grading files: write them to a fresh private folder, grade it with an
:class:`~grader.grading.engine.Engine`, remove the folder.

`grade submit`, `grade verify`, the notebook's ``check()``, the batch worker and `grade audit` all
grade through here, so a student's file, a known mistake's and a mutant's take the same path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from grader.grading.engine import Engine
from grader.grading.workdir import remove, write_run_folder
from grader.result import Result
from grader.sandbox.runner import RunReport

Files = dict[str, bytes]  # relative path -> content: the pack's given files with the submission's over them


def grade_files_with_reports(engine: Engine, items: Iterable[tuple[Files, str, dict[str, Any]]]
                             ) -> Iterator[tuple[Result, RunReport]]:
    """Grade each (files, student, extra Result fields) in order: its result and the run's raw report.

    Pipelined as :meth:`Engine.grade_all`: a folder is written just before it is sent to the sandbox
    and removed as soon as its result is out, whatever happens to the caller.
    """
    folders: deque[Path] = deque()

    def prepared():
        for files, student, extra in items:
            folders.append(write_run_folder(files))
            yield folders[-1], student, extra

    try:
        for graded in engine.grade_all_reports(prepared()):
            remove(folders.popleft())
            yield graded
    finally:
        for folder in folders:
            remove(folder)


def grade_files_all(engine: Engine, items: Iterable[tuple[Files, str, dict[str, Any]]]) -> Iterator[Result]:
    """Grade each (files, student, extra Result fields) in order, one result each."""
    for result, _ in grade_files_with_reports(engine, items):
        yield result


def grade_files(engine: Engine, files: Files, student: str = "student", **extra: Any) -> Result:
    """Grade one submission's ``files``."""
    return next(grade_files_all(engine, [(files, student, extra)]))
