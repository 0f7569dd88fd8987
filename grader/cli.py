"""The `grade` command: thin click commands over package functions."""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

import grader
from grader.errors import AuthoringError
from grader.markers import MarkerError
from grader.config import OptionError
from grader.wording import plural


def _templates(path: Path | None) -> Path | None:
    candidate = path or Path("templates")
    return candidate.resolve() if candidate.is_dir() else None


def _course(solutions: Path | None):
    """The course's settings: course.toml beside the solutions folder (defaults when there is none)."""
    from grader.config import load_course

    return load_course(solutions)


class Failure(click.ClickException):
    exit_code = 2


def _users_to_fix() -> tuple[type[Exception], ...]:
    """Errors whose message tells the user what to fix (imported only when one is raised)."""
    from grader.bulk.gradebook import GradebookError
    from grader.lms.intake import IntakeError
    from grader.lms.roster import RosterError
    from grader.reports.outputs import OutputError

    return AuthoringError, MarkerError, GradebookError, IntakeError, RosterError, OutputError


def _guard(fn):
    """Turn the user's errors into a clear message and exit code 2 instead of a traceback: a wrong
    option as click's usage error naming it, anything else to fix as one sentence."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OptionError as exc:
            if exc.option:
                raise click.BadParameter(str(exc), param_hint=exc.option) from None
            raise click.UsageError(str(exc)) from None
        except Exception as exc:
            if isinstance(exc, _users_to_fix()):
                raise Failure(str(exc)) from None
            raise

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(grader.__version__, prog_name="grade")
def main() -> None:
    """Autograding for numerical Python exercises."""


solutions_option = click.option("--solutions", type=click.Path(path_type=Path), default=Path("solutions"),
                                show_default=True, help="The instructor's solutions folder.")


def output_options(command):
    """--json, --csv, --junit, --gradescope and --html, handed to ``command`` as one ``outputs``
    (:class:`~grader.reports.outputs.OutputOptions`): grade batch and grade report write the same files."""
    options = [
        click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write all results as JSON."),
        click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="Write a CSV for LMS import."),
        click.option("--junit", "junit_path", type=click.Path(path_type=Path), help="Write JUnit XML."),
        click.option("--gradescope", "gradescope_dir", type=click.Path(path_type=Path),
                     help="Write Gradescope results.json files."),
        click.option("--html", "html_dir", type=click.Path(path_type=Path),
                     help="Write feedback pages and a class report."),
    ]

    @functools.wraps(command)
    def wrapper(*args, json_path, csv_path, junit_path, gradescope_dir, html_dir, **kwargs):
        from grader.reports.outputs import OutputOptions

        outputs = OutputOptions(json=json_path, csv=csv_path, junit=junit_path, gradescope=gradescope_dir,
                                html=html_dir)
        return command(*args, outputs=outputs, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


templates_option = click.option("--templates", type=click.Path(path_type=Path), default=None,
                                help="Template overrides (default: ./templates if present).")


@main.command()
@click.argument("assignments", nargs=-1)
@solutions_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("assignments"), show_default=True,
              help="Where the student pack goes.")
@templates_option
@click.option("--check", is_flag=True, help="Render in memory; exit 1 listing stale or missing files.")
@_guard
def generate(assignments: tuple[str, ...], solutions: Path, out: Path, templates: Path | None, check: bool) -> None:
    """Render the student pack (stubs, notebooks, checks, expected outputs) from the solutions."""
    from grader.authoring.generate import render_course, stale_files, write_pack

    started = time.perf_counter()
    _course(solutions)  # a wrong course.toml stops here, before anything is written
    rendered = render_course(solutions, assignments, _templates(templates))
    if check:
        notes: list[str] = []
        problems = stale_files(rendered, out, notes)
        for note in notes:
            click.echo(note, err=True)
        if problems:
            click.echo("\n".join(problems))
            click.echo(f"{plural(len(problems), 'pack file is', 'pack files are')} out of date: run `grade generate` and commit the result.", err=True)
            sys.exit(1)
        click.echo(f"pack is up to date ({plural(len(rendered), 'assignment')})")
        return
    written = write_pack(rendered, out)
    click.echo(f"generated {plural(len(rendered), 'assignment')} into {out} ({plural(len(written), 'file')} changed) "
               f"in {time.perf_counter() - started:.2f} s")


@main.command()
@click.argument("assignments", nargs=-1)
@solutions_option
@templates_option
@click.option("--show", is_flag=True, help="Also show, for each known mistake and accepted variant, the checks' "
                                           "messages and hints exactly as a student who made it sees them.")
@_guard
def verify(assignments: tuple[str, ...], solutions: Path, templates: Path | None, show: bool = False) -> None:
    """Prove the checks: reference full marks, stub zero, every known mistake caught."""
    import textwrap

    from grader.authoring.verify import Verifier
    from grader.course import assignment_folders, load_solution
    from grader.reports.terminal import format_result

    config = _course(solutions)
    failed = 0
    for folder in assignment_folders(solutions, assignments):
        verifier = Verifier(load_solution(folder), secret=config.secret_bytes(), settings=config.settings(),
                            templates=_templates(templates))
        report = verifier.report()
        click.echo(f"{report.assignment}:")
        for f in report.findings:
            mark = click.style("ok  ", fg="green") if f.ok else click.style("FAIL", fg="red", bold=True)
            click.echo(f"  {mark} {f.subject}: {f.detail}")
        for line in report.warnings:  # the instructor's code warned: worth knowing, not a failure
            click.echo(f"  {click.style('note', fg='yellow')} {line}")
        if show:
            for m in verifier.assignment.mistakes:
                table = format_result(verifier.student_view(m), colour=sys.stdout.isatty(), width=96)
                click.echo("\n" + textwrap.indent(table, "    "))
        failed += not report.ok
    if failed:
        click.echo(f"{plural(failed, 'assignment')} failed verification", err=True)
        sys.exit(1)


@main.command()
@click.argument("assignments", nargs=-1)
@solutions_option
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Parallel workers (default: all cores).")
@click.option("--scheduler", help="A Dask scheduler address (tcp://HOST:PORT) to grade the mutants on a cluster.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Other inputs tried on a mutant that keeps full marks (equivalent, or only unexposed?).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="The lowest mutation score an assignment may have (default: [audit] min_score in course.toml).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write every mutant's verdict as JSON.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write a page of the survivors, each with its diff against the reference.")
@click.option("--no-cache", is_flag=True, help="Grade every mutant again (default: reuse .grade-cache/audit/).")
@templates_option
@_guard
def audit(assignments: tuple[str, ...], solutions: Path, jobs: int | None, scheduler: str | None, seeds: int,
          min_score: float | None, json_path: Path | None, html_dir: Path | None, no_cache: bool,
          templates: Path | None) -> None:
    """Grade mutants of the references (one small change each) and report the ones no check catches.

    Exit 1 when a survivor is neither killed nor accepted in solutions/NAME/audit.toml, when an
    audit.toml entry is stale, or when an assignment's mutation score is below min_score.
    """
    from grader.audit.course_audit import AuditOptions, audit_course
    from grader.audit.mutants import AuditError
    from grader.audit.report import failing_line, format_audits, totals_line, write_html, write_json

    config = _course(solutions)
    options = AuditOptions(jobs=config.jobs(jobs), scheduler=scheduler, settings=config.settings(),
                           secret=config.secret_bytes(), seeds=seeds,
                           min_score=config.audit.min_score if min_score is None else min_score)
    try:
        audits = audit_course(solutions, assignments, options, _audit_progress(), cache=not no_cache)
    except AuditError as exc:
        raise Failure(str(exc)) from None
    click.echo(format_audits(audits, _templates(templates)), nl=False)
    if json_path:
        click.echo(f"wrote {write_json(audits, json_path)}")
    if html_dir:
        click.echo(f"wrote {write_html(audits, html_dir, solutions, _templates(templates))}")
    click.echo(totals_line(audits))
    if failing_line(audits):
        click.echo(failing_line(audits), err=True)
        sys.exit(1)


def _audit_progress():
    """A line on stderr every few seconds: how many runs are graded."""
    state = {"last": time.monotonic()}

    def progress(done: int, queued: int) -> None:
        now = time.monotonic()
        if now - state["last"] >= 5:
            state["last"] = now
            click.echo(f"auditing: {plural(done, 'run')} graded ({plural(queued, 'mutant')} queued, and the runs on other inputs "
                       f"of those that keep full marks)", err=True)
    return progress


@main.command()
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option("--assignment", help="The assignment (default: the one this folder holds).")
@click.option("--student", help="Your student id (default: git's user.email, else your user name; refused when "
                                "that is obviously someone else's, e.g. a maintainer's or no-reply address).")
@click.option("--notebook", help="Grade this notebook instead of the .py file.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the result as JSON.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Also write a feedback page.")
@click.option("--timeout", type=float, default=None, help="Seconds for the whole submission.")
@click.option("--no-archive", is_flag=True, help="Do not write the submission archive.")
@click.option("--start-method", type=click.Choice(["auto", "fork", "spawn"]), default=None,
              help="How each submission's child process starts: a warm fork (Linux's default) or a fresh "
                   "interpreter (spawn: Windows' and macOS's). Default: $GRADE_START_METHOD, else auto.")
def submit(path: Path, assignment: str | None, student: str | None, notebook: str | None, json_path: Path | None,
           html_path: Path | None, timeout: float | None, no_archive: bool, start_method: str | None = None) -> None:
    """Grade your work on the public checks and write the archive to hand in.

    On an assignment's solutions folder (grade submit solutions/NAME), preview instead: the
    reference graded and shown exactly as a student's copy would be, with no archive."""
    import json

    from grader.grading.identity import BorrowedIdentity, resolve
    from grader.grading.submit_target import NoAssignmentHere, locate
    from grader.sandbox.launch import launch

    try:
        target = locate(path, assignment)
    except NoAssignmentHere as exc:
        raise Failure(str(exc)) from None
    if not target.preview:  # a borrowed id stops here, before the sandbox starts
        try:
            resolve(student)
        except BorrowedIdentity as exc:
            raise Failure(str(exc)) from None
    try:
        launched = launch([str(target.checks)], start_method)
    except ValueError as exc:  # a start method this platform lacks
        raise click.BadParameter(str(exc), param_hint="--start-method") from None

    from grader.grading.engine import Settings
    from grader.grading.submit import submit as run_submit, which_file
    from grader.reports.terminal import format_result
    from grader.submission import NotGradable

    settings = Settings(start_method=start_method or "auto")
    if timeout:
        settings.timeout = timeout
    try:
        done = run_submit(target.folder, assignment=assignment, student=student, notebook=notebook,
                          settings=settings, archive=not no_archive, launched=launched)
    except (AuthoringError, ValueError) as exc:
        if isinstance(exc, NotGradable):
            click.echo(f"not gradable: {exc}", err=True)
            sys.exit(1)
        raise Failure(str(exc)) from None
    result = done.result
    shown = result.for_student()  # every output of this command is the student's
    if done.preview:
        click.echo(f"previewing {path}: the reference solution, graded on the public checks and shown as "
                   f"`grade submit` shows a student's copy; nothing to hand in (no archive)")
    if done.identity is not None:
        click.echo(f"handing in as: {done.identity.student} (from {done.identity.source}; "
                   f"another id: --student)")
    if which_file(done):
        click.echo(which_file(done))
    click.echo(format_result(shown, colour=sys.stdout.isatty()))
    if json_path:
        json_path.write_text(json.dumps(shown.to_dict(), indent=1) + "\n", encoding="utf-8")
    if html_path:
        from grader.reports.html import write_student_page

        write_student_page(shown, html_path)
        click.echo(f"feedback page: {html_path}")
    if done.archive:
        click.echo(f"archive to hand in: {done.archive}")
    all_passed = result.status == "graded" and all(c.status == "passed" for c in result.checks)
    sys.exit(0 if all_passed else 1)


@main.command()
@click.argument("submissions", type=click.Path(exists=True, path_type=Path))
@click.option("--assignment", required=True, help="The assignment to grade.")
@solutions_option
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Parallel workers (default: all cores).")
@click.option("--gradebook", type=click.Path(path_type=Path), default=Path("gradebook.db"), show_default=True)
@output_options
@click.option("--timeout", type=float, default=None, help="Seconds per submission.")
@click.option("--check-timeout", type=float, default=None, help="Seconds per check (unless a check sets its own).")
@click.option("--points", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Scale the assignment's total to this (default: its points in course.toml, else the checks').")
@click.option("--regrade", is_flag=True, help="Grade everything again, even unchanged submissions.")
@click.option("--deadline", help="ISO 8601 deadline (UTC unless it says otherwise).")
@click.option("--late-policy", help="none | zero | 10%/day | 10%/day,max=50%")
@click.option("--scheduler", help="A Dask scheduler address (tcp://HOST:PORT) to grade on a cluster.")
@click.option("--start-method", type=click.Choice(["auto", "fork", "spawn"]), default=None,
              help="How each submission's child process starts: a warm fork (Linux's default) or a fresh "
                   "interpreter (spawn: Windows' and macOS's). Default: $GRADE_START_METHOD, else auto.")
@click.option("--from", "source", type=click.Choice(["auto", "folder", "canvas", "moodle"]), default="auto",
              show_default=True, help="What SUBMISSIONS is: a folder of one entry per student, or a Canvas or "
                                      "Moodle submissions download (its zip, or the folder it was extracted to).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The LMS's roster: Canvas's gradebook export or Moodle's grading worksheet (CSV). Students on it "
                   "without a submission get a row; submissions not on it are reported.")
@click.option("--time-from", type=click.Choice(["lms", "manifest", "mtime"]), default=None,
              help="Where submission times come from when the LMS gives none: the student's manifest.json or the "
                   "file's modification time (both written on the student's side). Default: the LMS only; "
                   "without a time no late penalty is applied.")
@click.option("--extensions", "extensions_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of per-student extensions (columns student and days or due), besides course.toml's.")
@templates_option
@_guard
def batch(templates: Path | None, **options) -> None:
    """Grade every submission in SUBMISSIONS into a gradebook, then write the outputs asked for.

    SUBMISSIONS is a folder of one entry per student (named after them), or a Canvas or Moodle
    submissions download as it comes. Defaults come from course.toml (timeouts, jobs, the secret,
    and the assignment's due date, late policy, extensions and points); options override them.
    """
    from grader.bulk.batch_options import BatchRequest
    from grader.bulk.closing import format_batch_summary, untimed_warning
    from grader.bulk.pipeline import grade_batch

    outcome = grade_batch(BatchRequest(templates=_templates(templates), **options),
                          warn=lambda line: click.echo(line, err=True))
    click.echo(format_batch_summary(outcome))
    if untimed_warning(outcome):
        click.echo(untimed_warning(outcome), err=True)


@main.command()
@click.option("--gradebook", type=click.Path(path_type=Path), required=True, help="The gradebook a batch wrote.")
@click.option("--assignment", required=True, help="The assignment to report on.")
@output_options
@click.option("--points", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Scale the assignment's total to this (default: its points in ./course.toml, else the checks').")
@click.option("--to", "lms", type=click.Choice(["canvas", "moodle"]), default=None,
              help="Fill the LMS's own file (--roster) for import: Canvas's gradebook export, or Moodle's grading "
                   "worksheet plus a feedback-files zip.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --to: the file the LMS exported (Canvas gradebook CSV, Moodle grading worksheet CSV).")
@click.option("--out", "lms_out", type=click.Path(dir_okay=False, path_type=Path),
              help="With --to: the file to import into the LMS.")
@click.option("--column", help="With --to canvas: the export's column to fill (default: the one named after the "
                                "assignment or its title).")
@click.option("--as", "mode", type=click.Choice(["points", "percent"]), default="points", show_default=True,
              help="With --to canvas: points on the column's Points Possible, or a percentage.")
@click.option("--feedback-zip", type=click.Path(dir_okay=False, path_type=Path),
              help="With --to moodle: where the feedback-files zip goes (default: beside --out).")
@click.option("--changes", is_flag=True, help="List the students whose score changed when the checks changed "
                                              "(from the gradebook's history of graded versions).")
@_guard
def report(**options) -> None:
    """Write the outputs of a graded batch again from its gradebook, without grading."""
    from grader.bulk.report_from_gradebook import ReportRequest, format_report, report_from_gradebook

    click.echo(format_report(report_from_gradebook(ReportRequest(**options))))


@main.command()
@click.argument("student")
@click.option("--assignment", required=True, help="The assignment whose score to adjust.")
@click.option("--points", required=True, help="Points to add (+2) or take (-1.5), on the assignment's published scale.")
@click.option("--note", required=True, help="Why: shown to the student with the score.")
@click.option("--gradebook", type=click.Path(path_type=Path), default=Path("gradebook.db"), show_default=True)
@_guard
def adjust(student: str, assignment: str, points: str, note: str, gradebook: Path) -> None:
    """Add or take points from STUDENT's score, with a note; kept through regrades, shown in every output."""
    from grader.bulk.adjustments import adjust_score, describe

    try:
        value = float(points)
    except ValueError:
        raise click.BadParameter(f"{points!r} is not a number of points (e.g. +2 or -1.5)", param_hint="--points")
    total = adjust_score(gradebook, assignment, student, value, note)
    click.echo(f"{student}, {assignment}: {describe({'points': value, 'note': note})} (adjustments now {total:+g})")


@main.command("new")
@click.argument("name")
@solutions_option
@click.option("--title", help="The assignment's title (its pack, notebook and class report show it): the heading "
                              "of the reference's docstring, and course.toml's title when given here "
                              "(default: its name, capitalised).")
@templates_option
@_guard
def new(name: str, solutions: Path, title: str | None, templates: Path | None) -> None:
    """Start assignment NAME: solutions/NAME/ with a reference, checks and a known mistake, registered
    in course.toml."""
    from grader.authoring.scaffold import scaffold

    done = scaffold(solutions, name, title=title, templates=_templates(templates))
    click.echo(f"created {done.folder}/: " + ", ".join(p.name for p in done.files))
    click.echo(("created " if done.created_config else "registered it in ") + f"{done.config} [assignments.{name}]")
    click.echo(f"next: edit them, then `grade generate {name}` and `grade verify {name}`")


@main.command("pack")
@click.argument("assignments", nargs=-1)
@solutions_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("packs"), show_default=True,
              help="The folder the zips go to (one <assignment>.zip each).")
@click.option("--wheel", "wheel_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The grader wheel to put in wheels/ (default: built from the grader's source tree).")
@click.option("--no-wheel", is_flag=True, help="Leave the grader's wheel out (students install it another way).")
@templates_option
@_guard
def pack(assignments: tuple[str, ...], solutions: Path, out: Path, templates: Path | None,
         wheel_path: Path | None = None, no_wheel: bool = False) -> None:
    """Zip each assignment's student pack (stub, notebook, data, public checks, README, the grader's
    wheel) for the LMS, refusing any pack with solution or hidden material in it."""
    from grader.authoring.pack import write_packs
    from grader.authoring.wheel import WheelError, build_wheel, read_wheel

    config = _course(solutions)
    try:
        wheel = None if no_wheel else read_wheel(wheel_path) if wheel_path else build_wheel()
    except WheelError as exc:
        raise Failure(str(exc)) from None
    try:
        packed = write_packs(solutions, assignments, out, templates=_templates(templates),
                             secret=config.secret_bytes(), wheel=wheel)
    except OSError as exc:
        raise Failure(f"cannot write into {out}: {exc}") from None
    for p in packed:
        click.echo(f"wrote {p.path} ({plural(p.files, 'file')}, {p.path.stat().st_size // 1024} KiB)")


@main.group()
def export() -> None:
    """Package an assignment for another platform."""


@export.command("gradescope")
@click.option("--assignment", required=True, help="The assignment to package.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True, help="The zip to write.")
@solutions_option
@templates_option
@_guard
def export_gradescope(assignment: str, out: Path, solutions: Path, templates: Path | None) -> None:
    """Build a Gradescope autograder zip (setup.sh, run_autograder, solutions, hidden checks)."""
    from grader.reports.gradescope import build_autograder

    config = _course(solutions)
    secret = config.secret_bytes()
    try:
        path = build_autograder(solutions, assignment, out, secret=secret, templates=_templates(templates),
                                config=config)
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc}") from None
    click.echo(f"wrote {path} ({path.stat().st_size // 1024} KiB): upload it in Gradescope's autograder settings.")
    click.echo("It holds the solutions, the hidden checks" + (" and the course secret" if secret else "")
               + ": keep it private (never give it to students).")
    if not secret:
        click.echo(f"warning: no course secret ({config.secret.describe()}): hidden checks will draw "
                   "their inputs from the public default seed, which students could reproduce.", err=True)


# grade similarity (issue 16) ---------------------------------------------------------------------

@main.command("similarity")
@click.option("--assignment", required=True, help="The assignment to compare.")
@click.option("--gradebook", type=click.Path(path_type=Path), default=Path("gradebook.db"), show_default=True,
              help="The gradebook a batch wrote.")
@click.option("--against", "against", multiple=True, type=click.Path(path_type=Path),
              help="Also compare with an earlier term's gradebook or a folder of submissions (repeatable).")
@click.option("--html", "html_dir", type=click.Path(path_type=Path), help="Write the pages (instructor only).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the pairs as JSON.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Pairs to print.")
@solutions_option
@templates_option
@_guard
def similarity(assignment: str, gradebook: Path, against: tuple[Path, ...], html_dir: Path | None,
               json_path: Path | None, top: int, solutions: Path, templates: Path | None) -> None:
    """Rank pairs of submissions that were likely shared, with the evidence side by side (never a penalty)."""
    from grader.course import assignment_folders
    from grader.similarity.collect import SimilarityError, load_target
    from grader.similarity.report import build, summary_lines, write_html, write_json

    [folder] = assignment_folders(solutions, (assignment,))
    try:
        report = build(gradebook, load_target(folder, _templates(templates)), list(against))
    except SimilarityError as exc:
        raise Failure(str(exc)) from None
    written = []
    try:
        if json_path:
            written.append(write_json(report, json_path))
        if html_dir:
            written.append(write_html(report, html_dir, _templates(templates)))
    except OSError as exc:
        raise Failure(f"cannot write the report: {exc}") from None
    s = report.scored
    listed = f", the best {len(s.pairs)} listed" if s.flagged > len(report.flagged) else ""
    click.echo(f"{assignment}: {plural(s.submissions, 'submission')}, {plural(s.candidates, 'pair')} scored, "
               f"{s.flagged} flagged (score >= {report_threshold()}{listed}); a report, never a penalty")
    for line in summary_lines(report, top):
        click.echo(line)
    for path in written:
        click.echo(f"  wrote {path}")


def report_threshold() -> float:
    from grader.similarity.score import THRESHOLD

    return THRESHOLD


if __name__ == "__main__":
    main()
