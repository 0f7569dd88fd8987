"""A pytest plugin: a course repository's own pytest run proves every assignment's checks.

Opt-in, so that installing grade changes no other pytest run: it acts only when asked, with

* ``pytest --grade-verify`` (the course is the rootdir), or ``pytest --grade-course DIR``;
* or ``grade_verify = true`` in the course's pytest configuration (``[tool.pytest.ini_options]``
  of pyproject.toml, or pytest.ini), with ``grade_course = DIR`` if the course is not the rootdir.

It is registered through the ``pytest11`` entry point ``grade``; without grade installed as a
distribution, load it with ``-p grader.pytest_plugin``.

It adds one test item per assignment x check x (reference, untouched stub), and one per known
mistake or accepted variant, with node ids like::

    solutions/optim::adam_update::reference     the reference scores full marks on adam_update
    solutions/optim::adam_update::stub          the untouched stub scores zero on it
    solutions/optim::mistake[adam_no_bias_correction]   the mistake loses points, its hint shown
    solutions/optim::variant[adam_folded_step]  the variant keeps full marks

so ``-k``, ``-x``, ``--junitxml`` and the exit codes work as for any test. ``pytest --grade-audit``
adds one item per assignment, ``solutions/optim::audit``, that fails when `grade audit` would (a
survivor neither killed nor accepted, a stale audit.toml entry, a score below ``[audit] min_score``);
the whole course is audited once, in one pool, when the first of them runs. The verdicts come from
:class:`grader.authoring.verify.Verifier`, the code behind ``grade verify``: per assignment, the
reference and the stub are graded once in the sandbox, and the mistakes are judged once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SOLUTIONS = "solutions"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grade", "grade: prove a course's checks (as `grade verify` does)")
    group.addoption("--grade-verify", action="store_true", default=False,
                    help="add a test per assignment x check x (reference, stub) and per known mistake")
    group.addoption("--grade-audit", action="store_true", default=False,
                    help="add a test per assignment: its checks pass `grade audit` (mutants of the reference)")
    group.addoption("--grade-course", metavar="DIR", default=None,
                    help="the course root holding solutions/ (implies --grade-verify; default: the rootdir)")
    parser.addini("grade_verify", type="bool", default=False,
                  help="grade: verify the course's assignments in this pytest run")
    parser.addini("grade_course", default="", help="grade: the course root (default: the rootdir)")


def _course_root(config: pytest.Config) -> Path | None:
    """The course to verify, or None when the plugin is not asked to act."""
    option = config.getoption("--grade-course", default=None)
    if option:
        return Path(option).resolve()
    if not (config.getoption("--grade-verify", default=False) or config.getini("grade_verify")
            or config.getoption("--grade-audit", default=False)):
        return None
    ini = config.getini("grade_course")
    if ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return (base / ini).resolve()
    return config.rootpath


def pytest_report_header(config: pytest.Config) -> str | None:
    root = _course_root(config)
    return None if root is None else f"grade: verifying the assignments of {root / SOLUTIONS}"


class VerifyFailed(Exception):
    """A finding of `grade verify` that is not ok (its detail is the failure's text)."""


class GradeAssignment(pytest.Collector):
    """One assignment of the course: holds its :class:`Verifier` (graded once for all its items)."""

    def __init__(self, *, folder: Path, course: "CourseContext", **kwargs):
        super().__init__(**kwargs)
        self.folder = folder
        self.course = course
        self._verifier = None
        self.problem: str | None = None
        try:
            from grader.course import load_solution

            self.assignment = load_solution(folder)
            self.mistakes = list(self.assignment.mistakes)
        except Exception as exc:  # reported by the item "load", not as a collection crash
            self.assignment, self.mistakes, self.problem = None, [], f"{type(exc).__name__}: {exc}"

    def collect(self):
        if self.problem is not None:
            return [GradeItem.from_parent(self, name="load", assignment=self, kind="load")]
        audit = [GradeAuditItem.from_parent(self, name="audit", assignment=self)] if self.course.audit else []
        if not self.course.verify:
            return audit
        nodes: list = [GradeCheck.from_parent(self, name=check.name, path=self.folder, assignment=self)
                       for check in self.assignment.checks]
        nodes += audit
        for m in self.mistakes:
            kind = "variant" if m.accepted else "mistake"
            nodes.append(GradeItem.from_parent(self, name=f"{kind}[{m.name}]", assignment=self, kind=kind,
                                               subject=m.name))
        return nodes

    @property
    def verifier(self):
        if self._verifier is None:
            from grader.authoring.verify import Verifier

            self._verifier = Verifier(self.assignment, secret=self.course.secret, settings=self.course.settings,
                                      templates=self.course.templates)
        return self._verifier

    def reportinfo(self):
        return self.folder, None, self.name


class GradeCheck(pytest.Collector):
    """One check of an assignment (the parent of its reference and stub items)."""

    def __init__(self, *, assignment: GradeAssignment, **kwargs):
        super().__init__(**kwargs)
        self.grade_assignment = assignment

    def collect(self):
        return [GradeItem.from_parent(self, name=kind, assignment=self.grade_assignment, kind=kind, subject=self.name)
                for kind in ("reference", "stub")]


class GradeItem(pytest.Item):
    """One finding of `grade verify`: ``kind`` is reference, stub, mistake, variant or load."""

    def __init__(self, *, assignment: GradeAssignment, kind: str, subject: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.grade_assignment = assignment
        self.kind = kind
        self.subject = subject
        self.add_marker(pytest.mark.grade)

    def runtest(self) -> None:
        a = self.grade_assignment
        if a.problem is not None:
            raise VerifyFailed(f"{a.folder}: cannot be loaded: {a.problem}")
        verifier = a.verifier
        if self.kind == "reference":
            finding = verifier.reference_check(self.subject)
        elif self.kind == "stub":
            finding = verifier.stub_check(self.subject)
        else:
            [m] = [m for m in a.mistakes if m.name == self.subject]
            finding = verifier.mistake(m)
        self.user_properties.append(("grade", f"{finding.subject}: {finding.detail}"))
        if not finding.ok:
            raise VerifyFailed(f"{a.assignment.name}: {finding.subject}: {finding.detail}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, VerifyFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        what = {"reference": "the reference scores full marks on",
                "stub": "the untouched stub scores zero on",
                "mistake": "the known mistake is caught:", "variant": "the accepted variant keeps full marks:",
                "load": "the assignment loads"}[self.kind]
        return self.grade_assignment.folder, None, f"{self.grade_assignment.name}: {what} {self.subject or ''}"


class GradeAuditItem(pytest.Item):
    """The assignment passes `grade audit`: no survivor unaccepted, no stale entry, score >= min_score."""

    def __init__(self, *, assignment: GradeAssignment, **kwargs):
        super().__init__(**kwargs)
        self.grade_assignment = assignment
        self.add_marker(pytest.mark.grade)

    def runtest(self) -> None:
        from grader.audit.report import format_audits

        audit = self.grade_assignment.course.audit_of(self.grade_assignment.assignment.name)
        self.user_properties.append(("grade", f"mutation score {audit.tally().score:.3f}"))
        if not audit.ok:
            raise VerifyFailed(format_audits([audit]))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, VerifyFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.grade_assignment.folder, None, f"{self.grade_assignment.name}: the checks pass grade audit"


class CourseContext:
    """What every assignment of the course shares: the secret, settings and templates, and the
    audit's results (the whole course audited at once, on first use)."""

    def __init__(self, root: Path, *, verify: bool = True, audit: bool = False):
        from grader.config import load_course

        self.root = root
        self.solutions = root / SOLUTIONS
        self.config = config = load_course(self.solutions)
        self.secret = config.secret_bytes()
        self.settings = config.settings()
        templates = root / "templates"
        self.templates = templates if templates.is_dir() else None
        self.verify, self.audit = verify, audit
        self._audits: dict | None = None

    def audit_of(self, assignment: str):
        if self._audits is None:
            from grader.audit.course_audit import AuditOptions, audit_course

            options = AuditOptions(jobs=self.config.jobs(), settings=self.settings, secret=self.secret,
                                   min_score=self.config.audit.min_score)
            self._audits = {a.assignment: a for a in audit_course(self.solutions, (), options)}
        return self._audits[assignment]


def build_items(session: pytest.Session, root: Path) -> list[pytest.Item]:
    """Every item of the course at ``root``, collected (and reported) like any other test.

    An assignment that does not load is one failing item ("load"), so the others are still verified;
    a course that cannot be read at all (no solutions/, a wrong course.toml) stops the run.
    """
    from grader.course import assignment_folders

    try:
        config = session.config
        course = CourseContext(root, verify=bool(config.getoption("--grade-verify", default=False)
                                                 or config.getini("grade_verify")
                                                 or not config.getoption("--grade-audit", default=False)),
                               audit=bool(config.getoption("--grade-audit", default=False)))
        folders = assignment_folders(course.solutions)
    except Exception as exc:
        raise pytest.UsageError(f"grade: cannot verify the course at {root}: {exc}") from None
    items: list[pytest.Item] = []
    for folder in folders:
        rel = _relative(folder, session.config.rootpath)
        node = GradeAssignment.from_parent(session, name=rel, nodeid=rel, path=folder, folder=folder, course=course)
        items.extend(session.genitems(node))
    return items


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "grade: a check of a course proven by grade's pytest plugin")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Add the course's items before -k / -m selection and the other plugins see the list."""
    root = _course_root(config)
    if root is None:
        return
    items.extend(build_items(session, root))
