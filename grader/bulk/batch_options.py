"""What ``grade batch`` was asked, merged with ``course.toml`` into the options :func:`run_batch` takes.

Every setting has one rule: the command line overrides the course's file, which overrides the
grader's default. A value that cannot be used is an :class:`OptionError` naming its option, raised
before anything is graded; a file that cannot be used (a roster, an extensions CSV) is an
:class:`AuthoringError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.bulk.batch import BatchOptions
from grader.bulk.extensions import ExtensionError, Extensions, read_csv
from grader.bulk.late import LatePolicy, parse_deadline, parse_policy
from grader.errors import AuthoringError
from grader.config import AssignmentConfig, CourseConfig, OptionError, load_course
from grader.course import assignment_folders
from grader.grading.engine import Settings
from grader.lms.roster import Roster, RosterError, read_roster
from grader.reports.outputs import OutputOptions


@dataclass
class BatchRequest:
    """The command line of ``grade batch``: ``None`` means "as course.toml says"."""

    submissions: Path
    assignment: str
    solutions: Path = Path("solutions")
    gradebook: Path = Path("gradebook.db")
    outputs: OutputOptions = field(default_factory=OutputOptions)
    jobs: int | None = None
    timeout: float | None = None
    check_timeout: float | None = None
    points: float | None = None
    regrade: bool = False
    deadline: str | None = None
    late_policy: str | None = None
    scheduler: str | None = None
    start_method: str | None = None
    source: str = "auto"
    roster: Path | None = None
    time_from: str | None = None
    extensions_csv: Path | None = None
    templates: Path | None = None


@dataclass
class BatchPlan:
    """A batch ready to run: the assignment's folder, run_batch's options, the published points, and
    what the instructor should read before it starts."""

    folder: Path
    options: BatchOptions
    points: float | None
    warnings: list[str] = field(default_factory=list)


def plan_batch(request: BatchRequest) -> BatchPlan:
    """Check the request against the course and build the batch's options (nothing is graded yet)."""
    [folder] = assignment_folders(request.solutions, (request.assignment,))
    config = load_course(request.solutions)
    section = config.assignment(request.assignment)
    deadline, policy = _lateness(request, config, section)
    secret = config.secret_bytes()
    options = BatchOptions(jobs=config.jobs(request.jobs), settings=_settings(request, config), regrade=request.regrade,
                           deadline=deadline, policy=policy, scheduler=request.scheduler, secret=secret,
                           templates=request.templates, source=request.source, roster=_roster(request),
                           time_from=request.time_from, extensions=_extensions(request, section))
    return BatchPlan(folder, options, request.points or section.points, _secret_warnings(config, secret))


def _settings(request: BatchRequest, config: CourseConfig) -> Settings:
    settings = config.settings(timeout=request.timeout, check_timeout=request.check_timeout)
    if request.start_method:
        from grader.sandbox.launch import resolve_start_method

        try:
            resolve_start_method(request.start_method)  # a start method this platform lacks stops here
        except ValueError as exc:
            raise OptionError(str(exc), "--start-method") from None
        settings.start_method = request.start_method
    return settings


def _lateness(request: BatchRequest, config: CourseConfig,
              section: AssignmentConfig) -> tuple[datetime | None, LatePolicy | None]:
    """The deadline and late policy: the command line's, else the assignment's in course.toml."""
    try:
        policy = parse_policy(request.late_policy) if request.late_policy else section.late_policy
    except ValueError as exc:
        raise OptionError(str(exc), "--late-policy") from None
    try:
        deadline = parse_deadline(request.deadline) if request.deadline else section.due
    except ValueError as exc:
        raise OptionError(str(exc), "--deadline") from None
    # an LMS download may say how late each submission is, without a deadline of ours
    lms_download = request.source in ("canvas", "moodle") or request.submissions.is_file()
    if policy is not None and deadline is None and not lms_download:
        raise OptionError(f"--late-policy needs --deadline (or due in {config.label} "
                          f"[assignments.{request.assignment}])")
    if deadline is not None and policy is None:
        policy = LatePolicy()  # record how late each submission is, without a penalty
    return deadline, policy


def _extensions(request: BatchRequest, section: AssignmentConfig) -> Extensions:
    """course.toml's extensions, with the --extensions CSV's on top."""
    extensions = section.extensions or Extensions()
    if request.extensions_csv:
        try:
            extensions = extensions.merged(read_csv(request.extensions_csv))
        except ExtensionError as exc:
            raise AuthoringError(str(exc)) from None
    return extensions


def _roster(request: BatchRequest) -> Roster | None:
    if request.roster is None:
        return None
    try:
        return read_roster(request.roster)
    except RosterError as exc:
        raise AuthoringError(str(exc)) from None


def _secret_warnings(config: CourseConfig, secret: bytes | None) -> list[str]:
    if secret is None and config.secret.declared:
        return [f"warning: no course secret found ({config.secret.describe()}): hidden checks draw their "
                f"inputs from the public default seed"]
    return []
