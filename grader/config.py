"""Course-wide settings: ``course.toml`` at the course root, and the secret for hidden inputs.

A course root holds ``solutions/`` and, optionally, ``course.toml``::

    name = "Neural-network basics"

    [secret]                     # where the secret lives; never the secret itself
    env = "GRADE_SECRET"         # an environment variable holding it
    file = "~/.config/grade/nn-basics.secret"   # or a file outside the repository

    [grading]                    # defaults of grade verify / batch / export gradescope
    timeout = 60                 # seconds per submission
    check_timeout = 5            # seconds per check (unless the check sets its own)
    import_timeout = 10          # seconds to import the submission
    memory_mb = 1024             # address-space limit of a submission's process
    jobs = 4                     # grade batch's parallel workers

    [audit]                      # grade audit
    min_score = 0.95             # the lowest mutation score an assignment may have (0 to 1)

    [assignments.optim]
    title = "Optimizers"         # heading of the pack's README and notebook
    points = 20                  # scale the assignment's total to this
    due = 2025-03-01T23:59:00+01:00   # ISO 8601 (a TOML date-time or a string)
    late_policy = "10%/day,max=50%"   # as grade batch --late-policy

Every key is optional. Command-line options override the file. A wrong key or value is a
:class:`ConfigError` naming the file, the key and what is allowed.

The file is found next to the solutions folder (``<solutions>/../course.toml``; with the default
``--solutions solutions`` that is ``./course.toml``), or wherever ``$GRADE_CONFIG`` points.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from grader.course_toml import CONFIG_ENV, CONFIG_NAME, ConfigError, course_root, find_config
from grader.errors import AuthoringError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SECRET_ENV = "GRADE_SECRET"
SECRET_FILE_ENV = "GRADE_SECRET_FILE"

TOP_KEYS = ("name", "secret", "grading", "audit", "assignments")
AUDIT_KEYS = ("min_score",)
SECRET_KEYS = ("env", "file")
GRADING_KEYS = ("timeout", "check_timeout", "import_timeout", "memory_mb", "jobs")
ASSIGNMENT_KEYS = ("title", "points", "due", "late_policy", "extensions")
MIN_MEMORY_MB = 64
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class OptionError(AuthoringError):
    """A command-line value that is wrong, or missing beside another: ``option`` names the option
    at fault (``None`` when the problem is the combination)."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


# ---------------------------------------------------------------- the schema


@dataclass(frozen=True)
class SecretSource:
    """Where the secret for per-student hidden inputs lives (the secret itself is never in the file)."""

    env: str | None = None
    file: Path | None = None  # absolute (``~`` expanded), outside the course folder

    @property
    def declared(self) -> bool:
        return self.env is not None or self.file is not None

    def describe(self) -> str:
        """'$GRADE_SECRET or ~/.config/...' (what the course looks at, for messages)."""
        env = self.env or SECRET_ENV
        places = [f"${env}", f"${SECRET_FILE_ENV}"]
        if self.file is not None:
            places.append(str(self.file))
        return ", ".join(places[:-1]) + " or " + places[-1]


@dataclass(frozen=True)
class GradingDefaults:
    """``[grading]``: defaults of the grading settings (``None``: the engine's own default)."""

    timeout: float | None = None
    check_timeout: float | None = None
    import_timeout: float | None = None
    memory_mb: int | None = None
    jobs: int | None = None


@dataclass(frozen=True)
class AuditDefaults:
    """``[audit]``: what `grade audit` demands (``None``: no minimum mutation score)."""

    min_score: float | None = None


@dataclass(frozen=True)
class AssignmentConfig:
    """``[assignments.<name>]``."""

    name: str
    title: str | None = None
    points: float | None = None
    due: datetime | None = None  # aware, UTC
    late_policy: Any = None  # grader.bulk.late.LatePolicy
    extensions: Any = None  # grader.bulk.extensions.Extensions (per-student extra days or due dates)


@dataclass(frozen=True)
class CourseConfig:
    """The whole course.toml (or the defaults, when a course has none: ``path`` is then ``None``)."""

    path: Path | None = None
    name: str | None = None
    secret: SecretSource = field(default_factory=SecretSource)
    grading: GradingDefaults = field(default_factory=GradingDefaults)
    assignments: dict[str, AssignmentConfig] = field(default_factory=dict)
    audit: AuditDefaults = field(default_factory=AuditDefaults)

    @property
    def label(self) -> str:
        return str(self.path) if self.path else CONFIG_NAME

    def assignment(self, name: str) -> AssignmentConfig:
        """The section of ``name`` (an empty one when the file has none)."""
        return self.assignments.get(name) or AssignmentConfig(name)

    def settings(self, *, timeout: float | None = None, check_timeout: float | None = None,
                 import_timeout: float | None = None, memory_mb: int | None = None):
        """The engine's :class:`~grader.grading.engine.Settings`: options, else this file, else defaults."""
        from grader.grading.engine import Settings

        g = self.grading
        settings = Settings()
        for key, option in (("timeout", timeout), ("check_timeout", check_timeout),
                            ("import_timeout", import_timeout)):
            value = option if option else getattr(g, key)
            if value:
                setattr(settings, key, float(value))
        memory = memory_mb or g.memory_mb
        if memory:
            settings.memory_bytes = int(memory) << 20
        return settings

    def jobs(self, option: int | None = None) -> int:
        """grade batch's workers: the option, else ``[grading] jobs``, else every core."""
        return option or self.grading.jobs or os.cpu_count() or 1

    def secret_bytes(self) -> bytes | None:
        """The course secret (see :func:`course_secret` for where it is looked for)."""
        return course_secret(config=self)

    def check_assignments(self, found: Iterable[str], solutions: Path | str = "solutions") -> None:
        """Refuse a section naming no assignment folder of the course (a typo, most likely)."""
        known = set(found)
        unknown = sorted(set(self.assignments) - known)
        if unknown:
            raise ConfigError(f"{self.label}: [assignments.{unknown[0]}] names no assignment in {solutions} "
                              f"(assignments there: {', '.join(sorted(known)) or 'none'})")


# ---------------------------------------------------------------- finding and loading


def course_config(solutions: Path | str | None = None) -> CourseConfig:
    """The configuration of the course whose solutions folder is ``solutions`` (defaults if it has none)."""
    path = find_config(course_root(solutions))
    return load_config(path) if path else CourseConfig()


def load_course(solutions: Path | str | None = "solutions") -> CourseConfig:
    """:func:`course_config`, with every ``[assignments.<name>]`` checked against the solutions folder."""
    config = course_config(solutions)
    if config.assignments and solutions is not None and Path(solutions).is_dir():
        from grader.course import assignment_folders

        config.check_assignments((p.name for p in assignment_folders(Path(solutions))), solutions)
    return config


def load_config(path: Path | str) -> CourseConfig:
    """Read and validate ``path``; every problem is a :class:`ConfigError`."""
    path = Path(path)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}: cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path | str = CONFIG_NAME) -> CourseConfig:
    """Validate the parsed TOML ``data`` of the file ``path``."""
    path = Path(path)
    label = str(path)
    v = _Validator(label)
    if isinstance(data.get("secret"), str):
        raise ConfigError(f"{label}: secret must not hold the secret itself (course.toml is committed with the "
                          f"course); say where it lives instead: [secret] env = \"GRADE_SECRET\" and/or "
                          f"file = \"~/.config/grade/<course>.secret\"")
    v.keys(data, TOP_KEYS, "")
    name = data.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise v.error("", "name", "must be the course's name as text", name)
    secret = _secret(v, v.table(data, "secret"), path)
    grading = _grading(v, v.table(data, "grading"))
    audit = _audit(v, v.table(data, "audit"))
    assignments = {}
    sections = v.table(data, "assignments")
    for aname, section in sections.items():
        assignments[aname] = _assignment(v, aname, section)
    return CourseConfig(path=path, name=name.strip() if isinstance(name, str) else None, secret=secret,
                        grading=grading, assignments=assignments, audit=audit)


class _Validator:
    def __init__(self, label: str):
        self.label = label

    def error(self, table: str, key: str, allowed: str, got: Any) -> ConfigError:
        where = f"[{table}] " if table else ""
        return ConfigError(f"{self.label}: {where}{key} {allowed}, got {_show(got)}")

    def keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], table: str) -> None:
        unknown = [k for k in data if k not in allowed]
        if unknown:
            where = f"[{table}] has" if table else "has"
            raise ConfigError(f"{self.label}: {where} unknown key{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(repr(k) for k in unknown)}; allowed: {', '.join(allowed)}")

    def table(self, data: Mapping[str, Any], key: str, parent: str = "") -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            where = f"{parent}.{key}" if parent else key
            raise ConfigError(f"{self.label}: {where} must be a table ([{where}] followed by its keys), "
                              f"got {_show(value)}")
        return value


def _show(value: Any) -> str:
    if isinstance(value, (datetime, date, dtime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _secret(v: _Validator, table: Mapping[str, Any], path: Path) -> SecretSource:
    for key in table:
        if key not in SECRET_KEYS:
            raise ConfigError(f"{v.label}: [secret] {key} is not allowed: course.toml says where the secret "
                              f"lives, never what it is; allowed: env (an environment variable's name), "
                              f"file (a path outside the course folder)")
    env = table.get("env")
    if env is not None and (not isinstance(env, str) or not _ENV_NAME.fullmatch(env)):
        raise v.error("secret", "env", "must be the name of an environment variable (letters, digits, _)", env)
    file = table.get("file")
    resolved = None
    if file is not None:
        if not isinstance(file, str) or not file.strip():
            raise v.error("secret", "file", "must be a path, e.g. \"~/.config/grade/course.secret\"", file)
        expanded = Path(file).expanduser()
        if not expanded.is_absolute():
            raise v.error("secret", "file", "must be an absolute path or start with ~ (a relative path would "
                                            "point inside the course folder, which is committed)", file)
        resolved = Path(os.path.abspath(expanded))
        root = Path(os.path.abspath(path)).parent
        inside = root == resolved or root in resolved.parents
        if inside:
            raise v.error("secret", "file", f"must lie outside the course folder {root} (anything inside it "
                                            f"risks being committed)", file)
    return SecretSource(env=env, file=resolved)


def _grading(v: _Validator, table: Mapping[str, Any]) -> GradingDefaults:
    v.keys(table, GRADING_KEYS, "grading")
    values: dict[str, Any] = {}
    for key in ("timeout", "check_timeout", "import_timeout"):
        if key in table:
            value = table[key]
            if not _number(value) or value <= 0:
                raise v.error("grading", key, "must be a positive number of seconds", value)
            values[key] = float(value)
    if "memory_mb" in table:
        value = table["memory_mb"]
        if not isinstance(value, int) or isinstance(value, bool) or value < MIN_MEMORY_MB:
            raise v.error("grading", "memory_mb", f"must be a whole number of MiB, at least {MIN_MEMORY_MB}", value)
        values["memory_mb"] = value
    if "jobs" in table:
        value = table["jobs"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise v.error("grading", "jobs", "must be a whole number of parallel workers, at least 1", value)
        values["jobs"] = value
    return GradingDefaults(**values)


def _audit(v: _Validator, table: Mapping[str, Any]) -> AuditDefaults:
    v.keys(table, AUDIT_KEYS, "audit")
    value = table.get("min_score")
    if value is not None and (not _number(value) or not 0 <= value <= 1):
        raise v.error("audit", "min_score", "must be a mutation score between 0 and 1 (e.g. 0.95)", value)
    return AuditDefaults(None if value is None else float(value))


def _assignment(v: _Validator, name: str, section: Any) -> AssignmentConfig:
    from grader.bulk.late import FORMS, parse_deadline, parse_policy

    table = f"assignments.{name}"
    if not name.isidentifier():
        raise ConfigError(f"{v.label}: [{table}]: an assignment's name must be a Python identifier (its folder "
                          f"solutions/<name>/ holds <name>.py), got {name!r}")
    if not isinstance(section, dict):
        raise ConfigError(f"{v.label}: assignments.{name} must be a table ([{table}] followed by its keys), "
                          f"got {_show(section)}")
    v.keys(section, ASSIGNMENT_KEYS, table)
    values: dict[str, Any] = {}
    if "title" in section:
        title = section["title"]
        if not isinstance(title, str) or not title.strip() or "\n" in title:
            raise v.error(table, "title", "must be one line of text", title)
        values["title"] = title.strip()
    if "points" in section:
        points = section["points"]
        if not _number(points) or points <= 0:
            raise v.error(table, "points", "must be a positive number (the assignment's total is scaled to it)",
                          points)
        values["points"] = float(points)
    if "due" in section:
        due = section["due"]
        if isinstance(due, datetime):
            values["due"] = due.astimezone(timezone.utc) if due.tzinfo else due.replace(tzinfo=timezone.utc)
        elif isinstance(due, date):
            values["due"] = datetime(due.year, due.month, due.day, tzinfo=timezone.utc)
        elif isinstance(due, str):
            try:
                values["due"] = parse_deadline(due)
            except ValueError:
                raise v.error(table, "due", "must be an ISO 8601 date-time, e.g. 2025-03-01T23:59:00+01:00 "
                                            "(without an offset it is UTC)", due) from None
        else:
            raise v.error(table, "due", "must be an ISO 8601 date-time, e.g. 2025-03-01T23:59:00+01:00", due)
    if "late_policy" in section:
        spec = section["late_policy"]
        try:
            if not isinstance(spec, str):
                raise ValueError
            values["late_policy"] = parse_policy(spec)
        except ValueError:
            raise v.error(table, "late_policy", f"must be one of {FORMS}", spec) from None
    if "extensions" in section:
        values["extensions"] = _extensions(v, table, section["extensions"])
    return AssignmentConfig(name=name, **values)


def _extensions(v: _Validator, table: str, value: Any):
    """``[assignments.NAME.extensions]``: student = extra days or a due date."""
    from grader.bulk.extensions import ExtensionError, from_table

    if not isinstance(value, dict):
        raise v.error(table, "extensions", "must be a table of student = days or due date", value)
    try:
        return from_table(value, f"{v.label}: [{table}.extensions]")
    except ExtensionError as exc:
        raise ConfigError(str(exc)) from None


# ---------------------------------------------------------------- the secret


def course_secret(path: str | None = None, *, config: CourseConfig | None = None) -> bytes | None:
    """The course secret, looked for in this order:

    1. the environment variable ``[secret] env`` names (``$GRADE_SECRET`` when course.toml names none);
    2. the file ``$GRADE_SECRET_FILE`` names (or ``path``);
    3. the file ``[secret] file`` names.

    ``None`` when none of them holds one (hidden checks then use a public default seed).
    """
    source = config.secret if config is not None else SecretSource()
    value = os.environ.get(source.env or SECRET_ENV)
    if value:
        return value.encode()
    for file in (path or os.environ.get(SECRET_FILE_ENV), source.file):
        if file and Path(file).expanduser().is_file():
            data = Path(file).expanduser().read_bytes().strip()
            if data:
                return data
    return None


# ---------------------------------------------------------------- writing (grade new)


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def autograder_config_text(config: CourseConfig, assignment: str) -> str | None:
    """The course.toml of a Gradescope autograder: the name, [grading] and this assignment's title and
    points. Lateness is left to Gradescope; the secret travels as its own file. ``None`` if empty."""
    lines = [f"# From {config.label}, for the Gradescope autograder of {assignment}."]
    if config.name:
        lines.append(f"name = {toml_string(config.name)}")
    g = config.grading
    grading = [f"{k} = {getattr(g, k)!r}" for k in ("timeout", "check_timeout", "import_timeout", "memory_mb")
               if getattr(g, k) is not None]
    if grading:
        lines += ["", "[grading]", *grading]
    section = config.assignments.get(assignment)
    if section is not None and (section.title or section.points):
        lines += ["", f"[assignments.{assignment}]"]
        if section.title:
            lines.append(f"title = {toml_string(section.title)}")
        if section.points:
            lines.append(f"points = {section.points!r}")
    if len(lines) == 1:
        return None
    text = "\n".join(lines) + "\n"
    parse_config(tomllib.loads(text))  # what we write must load
    return text


def new_config_text(name: str) -> str:
    return (f"# The course's settings: see docs/authoring.md (course.toml).\n"
            f"name = {toml_string(name)}\n\n"
            f"[secret]  # where the secret for per-student hidden inputs lives (never the secret itself)\n"
            f"env = \"GRADE_SECRET\"\n\n"
            f"[grading]\n"
            f"check_timeout = 5\n")


def register_assignment(path: Path, name: str, title: str | None = None) -> None:
    """Append an ``[assignments.<name>]`` section to ``path``, keeping the file's text as it is."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text:
        config = parse_config(tomllib.loads(text), path)
        if name in config.assignments:
            raise ConfigError(f"{path}: [assignments.{name}] already exists")
    section = (f"[assignments.{name}]\n"
               + (f"title = {toml_string(title)}\n" if title
                  else f"# title = {toml_string(name.replace('_', ' ').capitalize())}\n")
               + "# points = 10                       # scale the assignment's total to this\n"
               + "# due = \"2030-01-31T23:59:00+00:00\" # ISO 8601\n"
               + "# late_policy = \"10%/day,max=50%\"   # none | zero | P%/day | P%/day,max=C%\n")
    if text and not text.endswith("\n"):
        text += "\n"
    if text and not text.endswith("\n\n"):
        text += "\n"
    new_text = text + section
    parse_config(tomllib.loads(new_text), path)  # never write a file that no longer loads
    path.write_text(new_text, encoding="utf-8")
