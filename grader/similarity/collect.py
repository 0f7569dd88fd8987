"""The submissions to compare, as :class:`Subject` rows: from a gradebook (the files and output digests
it kept) or from a folder of submissions (code only: nothing is graded again).

Submissions are read one at a time (from an open cursor of the gradebook, never all of them at
once) and only their fingerprints go on, into the index: nothing here grows with the class. The
sources of the pairs the report shows are read again when it is written.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from grader.similarity.evidence import Wrong
from grader.similarity.fingerprint import fingerprint
from grader.similarity.normalize import Base, Unit, normalize
from grader.similarity.index import Member, Subject
from grader.wording import plural


MAX_SOURCE_BYTES = 1 << 20  # a larger .py is no one's exercise answer: not parsed, no code evidence


class SimilarityError(ValueError):
    """The report cannot be made; the message names the file and the fix."""


@dataclass
class Target:
    """What the comparison needs from the assignment: its module name and the stub students started from."""

    name: str
    module: str
    base: Base
    base_hashes: dict[str, frozenset[int]]  # per function: the fingerprints of the stub's own code

    @classmethod
    def of(cls, name: str, module: str, stub: str) -> "Target":
        base = Base(stub)
        hashes = {u.name: fingerprint(u.tokens).hashes for u in normalize(stub).values()}
        return cls(name, module, base, hashes)

    def units(self, files: dict[str, bytes]) -> dict[str, Unit]:
        """The normalized functions of a submission's Python files (the stub's code taken out)."""
        found: dict[str, Unit] = {}
        for name in sorted(files):
            if not name.endswith(".py") or len(files[name]) > MAX_SOURCE_BYTES:
                continue
            try:
                text = files[name].decode("utf-8-sig")
            except UnicodeDecodeError:
                continue
            main = name == f"{self.module}.py"
            found.update(normalize(text, self.base if main else None, "" if main else f"{name}:"))
        return found

    def fingerprints(self, files: dict[str, bytes]) -> dict[str, array]:
        """Per function, the fingerprints of the student's own code (the stub's taken out)."""
        prints = {}
        for name, unit in self.units(files).items():
            hashes = fingerprint(unit.tokens).hashes - self.base_hashes.get(name, frozenset())
            if hashes:
                prints[name] = array("q", hashes)  # 8 bytes a fingerprint, not an int object's 32
        return prints


def load_target(solution_folder: Path, templates: Path | None = None) -> Target:
    """The assignment's module and its stub, rendered from the solution as the student pack renders it
    (the module alone: the rest of the pack, its frozen reference outputs above all, is not needed)."""
    from grader.stubs import render_stub
    from grader.course import load_solution

    assignment = load_solution(solution_folder)
    path = assignment.module_path
    stub = render_stub(path.read_text(encoding="utf-8"), str(path), assignment.name, templates)
    return Target.of(assignment.name, assignment.module, stub)


def from_gradebook(path: Path, target: Target, source: str = "class") -> Iterator[Subject]:
    """Every kept submission of the target assignment in the gradebook at ``path``."""
    from grader.bulk.gradebook import Gradebook, GradebookError

    path = Path(path)
    if not path.is_file():
        raise SimilarityError(f"{path}: no such gradebook (write one with `grade batch SUBMISSIONS --assignment "
                              f"{target.name} --gradebook {path}`)")
    try:
        with Gradebook(path) as book:
            # both by student, and the students with wrong values are some of the kept ones, in order
            wrong_values = book.wrong_public_values(target.name)
            pending = next(wrong_values, None)
            old, missing, seen = [], 0, 0  # old: the first few of the rows without files, by name
            for student, files in book.kept(target.name):
                seen += 1
                wrong = {}
                if pending is not None and pending[0] == student:
                    wrong = {check: Wrong(digest, tuple(functions), mistake)
                             for check, (digest, functions, mistake) in pending[1].items()}
                    pending = next(wrong_values, None)
                if files is None:
                    missing += 1
                    if len(old) < 3:
                        old.append(student)
                    continue
                key = student if source == "class" else f"{source}/{student}"
                yield Subject(key, student, source, target.fingerprints(files), wrong, str(path))
            if not seen:
                known = book.assignments()
                raise SimilarityError(f"{path} holds no results for {target.name!r} "
                                      f"(it holds: {', '.join(known) or 'none'})")
    except GradebookError as exc:
        raise SimilarityError(str(exc)) from None
    if old:
        shown = ", ".join(old) + (f" and {missing - len(old)} more" if missing > len(old) else "")
        raise SimilarityError(f"{path}: {plural(missing, 'submission')} of {target.name} ({shown}) "
                              f"{'was' if missing == 1 else 'were'} graded before the "
                              f"gradebook kept submissions' files; run the batch again with --regrade "
                              f"(grade batch SUBMISSIONS --assignment {target.name} --gradebook {path} --regrade)")


def from_folder(path: Path, target: Target, source: str) -> Iterator[Subject]:
    """Every submission entry of a folder (an earlier term's, collected solutions), code only."""
    from grader.bulk.entries import entry_student, plain_entries
    from grader.submission import NotGradable, open_submission

    for entry in plain_entries(Path(path)):
        try:
            opened = open_submission(entry, target.module)
        except NotGradable:
            continue  # nothing to compare
        student = entry_student(entry)
        yield Subject(f"{source}/{student}", student, source, target.fingerprints(opened.files), {}, str(entry))


def files_of(subject: Member, target: Target, books: dict | None = None) -> dict[str, bytes]:
    """A subject's files, read again from where they came from (``books``: gradebooks already open)."""
    from grader.bulk.gradebook import Gradebook
    from grader.submission import NotGradable, open_submission

    origin = Path(subject.origin)
    if origin.is_file() and origin.suffix not in (".py", ".ipynb", ".zip"):
        if books is None:
            with Gradebook(origin) as book:
                return book.files(target.name, subject.student) or {}
        if subject.origin not in books:
            books[subject.origin] = Gradebook(origin)
        return books[subject.origin].files(target.name, subject.student) or {}
    try:
        return open_submission(origin, target.module).files
    except NotGradable:
        return {}
