"""course.toml: the loader's validation, the secret's lookup, options over the file, points scaling."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from grader.bulk.late import LatePolicy
from grader.config import ConfigError, CourseConfig, course_secret, load_config, load_course
from grader.grading.engine import DEFAULT_CHECK_TIMEOUT, DEFAULT_TIMEOUT
from grader.result import FAILED, PASSED, CheckResult, Result, scale_result

from _instructor import REPO, make_course, run_cli


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_course_config() -> None:
    config = load_course(REPO / "solutions")
    assert config.name == "Neural-network basics"
    assert config.secret.env == "GRADE_SECRET"
    assert config.secret.file == Path("~/.config/grade/nn-basics.secret").expanduser()
    settings = config.settings()
    assert settings.check_timeout == 5 and settings.timeout == 60 and settings.memory_bytes == 1024 << 20
    assert set(config.assignments) == {p.name for p in (REPO / "solutions").iterdir() if p.is_dir()
                                       and (p / f"{p.name}.py").is_file()}
    assert all(a.points is None and a.due is None for a in config.assignments.values())


def test_a_full_config(tmp_path: Path) -> None:
    path = write(tmp_path, """
name = "Deep learning 101"
[secret]
env = "DL_SECRET"
file = "~/.config/grade/dl.secret"
[grading]
timeout = 30
check_timeout = 2.5
import_timeout = 4
memory_mb = 512
jobs = 3
[assignments.optim]
title = "Optimizers"
points = 20
due = 2030-03-01T23:59:00+01:00
late_policy = "10%/day,max=50%"
[assignments.sigmoid]
due = "2030-02-01T12:00Z"
[assignments.mlp]
due = 2030-02-03
[assignments.backprop]
due = 2030-02-04T08:00:00
""")
    config = load_config(path)
    assert config.name == "Deep learning 101"
    assert config.secret.env == "DL_SECRET" and config.secret.file.is_absolute()
    optim = config.assignment("optim")
    assert optim.title == "Optimizers" and optim.points == 20.0
    assert optim.due == datetime(2030, 3, 1, 22, 59, tzinfo=timezone.utc)
    assert optim.late_policy == LatePolicy("per_day", 10.0, 50.0)
    assert config.assignment("sigmoid").due == datetime(2030, 2, 1, 12, 0, tzinfo=timezone.utc)
    assert config.assignment("mlp").due == datetime(2030, 2, 3, tzinfo=timezone.utc)
    assert config.assignment("backprop").due == datetime(2030, 2, 4, 8, 0, tzinfo=timezone.utc)
    assert config.assignment("perceptron").points is None  # no section: all defaults
    s = config.settings()
    assert (s.timeout, s.check_timeout, s.import_timeout, s.memory_bytes) == (30.0, 2.5, 4.0, 512 << 20)
    assert config.jobs() == 3 and config.jobs(7) == 7
    s = config.settings(timeout=90, check_timeout=1)  # options override the file
    assert (s.timeout, s.check_timeout, s.import_timeout) == (90.0, 1.0, 4.0)


def test_no_file_means_the_engine_defaults(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    config = load_course(tmp_path / "solutions")
    assert config == CourseConfig()
    assert config.settings().timeout == DEFAULT_TIMEOUT and config.settings().check_timeout == DEFAULT_CHECK_TIMEOUT
    assert config.jobs() == (os.cpu_count() or 1)


BAD = [
    ('[grading]\ntimeout = "ten"\n', "[grading] timeout must be a positive number of seconds, got 'ten'"),
    ("[grading]\ntimeout = 0\n", "[grading] timeout must be a positive number of seconds, got 0"),
    ("[grading]\ncheck_timeout = -1.5\n", "[grading] check_timeout must be a positive number of seconds, got -1.5"),
    ("[grading]\nimport_timeout = true\n", "[grading] import_timeout must be a positive number of seconds, got True"),
    ("[grading]\ntimeout = nan\n", "[grading] timeout must be a positive number of seconds, got nan"),
    ("[grading]\nmemory_mb = 1.5\n", "[grading] memory_mb must be a whole number of MiB, at least 64, got 1.5"),
    ("[grading]\nmemory_mb = 16\n", "[grading] memory_mb must be a whole number of MiB, at least 64, got 16"),
    ("[grading]\njobs = 0\n", "[grading] jobs must be a whole number of parallel workers, at least 1, got 0"),
    ("[grading]\ntimout = 5\n",
     "[grading] has unknown key 'timout'; allowed: timeout, check_timeout, import_timeout, memory_mb, jobs"),
    ('title = "x"\ndeadline = 1\n', "has unknown keys 'title', 'deadline'; allowed: name, secret, grading, audit, assignments"),
    ("[audit]\nmin_score = 95\n", "[audit] min_score must be a mutation score between 0 and 1 (e.g. 0.95), got 95"),
    ("[audit]\nmin_score = -0.1\n", "[audit] min_score must be a mutation score between 0 and 1"),
    ('[audit]\nmin_score = "high"\n', "[audit] min_score must be a mutation score between 0 and 1"),
    ("[audit]\nminimum = 0.9\n", "[audit] has unknown key 'minimum'; allowed: min_score"),
    ("grading = 5\n", "grading must be a table ([grading] followed by its keys), got 5"),
    ('name = ""\n', "name must be the course's name as text, got ''"),
    ('secret = "hunter2"\n', "secret must not hold the secret itself"),
    ('[secret]\nvalue = "hunter2"\n', "[secret] value is not allowed: course.toml says where the secret lives, "
                                     "never what it is; allowed: env"),
    ('[secret]\nenv = "1 BAD"\n', "[secret] env must be the name of an environment variable"),
    ('[secret]\nfile = "course.secret"\n', "[secret] file must be an absolute path or start with ~"),
    ("[secret]\nfile = 3\n", "[secret] file must be a path"),
    ('[assignments.optim]\npoints = "ten"\n', "[assignments.optim] points must be a positive number"),
    ("[assignments.optim]\npoints = 0\n", "[assignments.optim] points must be a positive number"),
    ('[assignments.optim]\ndue = "next friday"\n',
     "[assignments.optim] due must be an ISO 8601 date-time, e.g. 2025-03-01T23:59:00+01:00 (without an offset "
     "it is UTC), got 'next friday'"),
    ("[assignments.optim]\ndue = 23:59:00\n", "[assignments.optim] due must be an ISO 8601 date-time"),
    ('[assignments.optim]\nlate_policy = "lots"\n', "[assignments.optim] late_policy must be one of \"none\", "
                                                    "\"zero\""),
    ("[assignments.optim]\nlate_policy = 10\n", "[assignments.optim] late_policy must be one of"),
    ("[assignments.optim]\ntitle = 3\n", "[assignments.optim] title must be one line of text, got 3"),
    ("[assignments.optim]\ndeadline = 2030-01-01\n",
     "[assignments.optim] has unknown key 'deadline'; allowed: title, points, due, late_policy"),
    ('[assignments."2fast"]\n', "[assignments.2fast]: an assignment's name must be a Python identifier"),
    ("assignments = 3\n", "assignments must be a table"),
    ("[assignments]\noptim = 3\n", "assignments.optim must be a table ([assignments.optim] followed by its keys)"),
    ("name = \n", "not valid TOML"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[m[:40] for _, m in BAD])
def test_a_wrong_key_or_value_names_the_file_the_key_and_what_is_allowed(tmp_path: Path, text: str,
                                                                          message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_the_secret_file_must_lie_outside_the_course(tmp_path: Path) -> None:
    path = write(tmp_path, f'[secret]\nfile = "{tmp_path / "keys" / "course.secret"}"\n')
    with pytest.raises(ConfigError, match=r"\[secret\] file must lie outside the course folder"):
        load_config(path)


def test_an_assignment_section_must_name_an_assignment_folder(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", "demo", config="[assignments.demo]\n[assignments.demmo]\n")
    with pytest.raises(ConfigError, match=r"\[assignments.demmo\] names no assignment in .*solutions "
                                          r"\(assignments there: demo\)"):
        load_course(root / "solutions")


def test_the_cli_reports_a_wrong_config_with_the_file_and_key(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", "demo")
    (root / "course.toml").write_text('[grading]\ntimeout = "ten"\n')
    for command in (["generate"], ["verify"], ["pack", "--out", "packs"], ["export", "gradescope", "--assignment",
                                                                           "demo"]):
        done = run_cli(root, *command)
        assert done.exit_code == 2, (command, done.output)
        assert "course.toml: [grading] timeout must be a positive number of seconds, got 'ten'" in done.output
    assert not (root / "assignments").exists() and not (root / "packs").exists()


def test_secret_lookup_order(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    secret_file = home / "course.secret"
    secret_file.write_text("from the configured file\n")
    other = home / "other.secret"
    other.write_text("from GRADE_SECRET_FILE")
    course = tmp_path / "course"
    course.mkdir()
    config = load_config(write(course, f'[secret]\nenv = "DL_SECRET"\nfile = "{secret_file}"\n'))
    assert config.secret_bytes() == b"from the configured file"
    monkeypatch.setenv("GRADE_SECRET_FILE", str(other))
    assert config.secret_bytes() == b"from GRADE_SECRET_FILE"
    monkeypatch.setenv("GRADE_SECRET", "not this course's variable")
    assert config.secret_bytes() == b"from GRADE_SECRET_FILE"
    monkeypatch.setenv("DL_SECRET", "from DL_SECRET")
    assert config.secret_bytes() == b"from DL_SECRET"
    # without course.toml (or without [secret]): $GRADE_SECRET, then $GRADE_SECRET_FILE, as before
    assert course_secret() == b"not this course's variable"
    monkeypatch.delenv("GRADE_SECRET")
    assert course_secret() == b"from GRADE_SECRET_FILE"
    monkeypatch.delenv("GRADE_SECRET_FILE")
    assert course_secret() is None
    assert load_config(write(course, '[secret]\nfile = "~/surely/not/here.secret"\n')).secret_bytes() is None


def result(score_a: float, score_b: float, penalty: float = 0.0) -> Result:
    checks = [CheckResult("a", ["f"], score_a, 2.0, PASSED if score_a == 2 else FAILED, hint="h"),
              CheckResult("b", ["g"], score_b, 6.0, PASSED if score_b == 6 else FAILED)]
    r = Result.from_checks("ada", "demo", checks)
    r.penalty = penalty
    r.score = round(r.raw_score * (1 - penalty), 6)
    return r


def test_points_scale_scores_and_keep_verdicts() -> None:
    scaled = scale_result(result(2.0, 3.0), 20)
    assert scaled.max_score == 20 and scaled.score == 12.5
    assert [(c.score, c.max_score, c.status, c.hint) for c in scaled.checks] == \
        [(5.0, 5.0, PASSED, "h"), (7.5, 15.0, FAILED, None)]
    late = scale_result(result(2.0, 6.0, penalty=0.25), 10)
    assert late.score == 7.5 and late.max_score == 10 and late.raw_score == 10
    same = result(1.0, 1.0)
    assert scale_result(same, None) is same and scale_result(same, 8) is same


def test_batch_and_report_read_the_config_and_options_override_it(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", "demo", config="""name = "Tiny"
[grading]
check_timeout = 5
jobs = 1
[assignments.demo]
points = 10
due = 2030-01-10T12:00:00Z
late_policy = "20%/day"
""")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.py").write_bytes((root / "solutions" / "demo" / "demo.py").read_bytes())
    (subs / "bob.py").write_bytes((root / "solutions" / "demo" / "demo.py").read_bytes())
    on_time = datetime(2030, 1, 10, 11, 0, tzinfo=timezone.utc).timestamp()
    late = datetime(2030, 1, 11, 13, 0, tzinfo=timezone.utc).timestamp()  # 2 started days late
    os.utime(subs / "ada.py", (on_time, on_time))
    os.utime(subs / "bob.py", (late, late))
    done = run_cli(root, "batch", str(subs), "--assignment", "demo", "--json", "out.json", "--csv", "out.csv",
                   "--gradebook", "gb.db", "--time-from", "mtime")  # the instructor trusts these files' times
    assert done.exit_code == 0, done.output
    data = json.loads((root / "out.json").read_text())
    assert data["max_score"] == 10
    by = {r["student"]: r for r in data["results"]}
    assert by["ada"]["score"] == 10 and by["ada"]["late_days"] == 0
    assert by["bob"]["late_days"] == 2 and by["bob"]["penalty"] == pytest.approx(0.4)
    assert by["bob"]["score"] == pytest.approx(6.0)
    assert sum(c["max_score"] for c in by["ada"]["checks"]) == pytest.approx(10)
    assert all(c["status"] == "passed" for c in by["bob"]["checks"])
    csv = (root / "out.csv").read_text().splitlines()
    assert csv[0].startswith("student,score,max_score") and "bob,6,10," in csv[2]

    # options override the file
    done = run_cli(root, "batch", str(subs), "--assignment", "demo", "--json", "out2.json", "--gradebook", "gb2.db",
                   "--points", "5", "--late-policy", "none", "--time-from", "mtime")
    assert done.exit_code == 0, done.output
    by = {r["student"]: r for r in json.loads((root / "out2.json").read_text())["results"]}
    assert by["bob"]["score"] == 5 and by["bob"]["late_days"] == 2 and by["bob"]["penalty"] == 0

    # grade report scales the stored (raw) results with the file's points, or --points
    done = run_cli(root, "report", "--gradebook", "gb.db", "--assignment", "demo", "--json", "again.json")
    assert done.exit_code == 0, done.output
    again = json.loads((root / "again.json").read_text())
    assert again == data
    done = run_cli(root, "report", "--gradebook", "gb.db", "--assignment", "demo", "--json", "half.json",
                   "--points", "100")
    assert json.loads((root / "half.json").read_text())["max_score"] == 100


def test_late_policy_in_the_config_without_a_due_date_is_a_usage_error(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", "demo", config='[assignments.demo]\nlate_policy = "zero"\n')
    subs = tmp_path / "subs"
    subs.mkdir()
    done = run_cli(root, "batch", str(subs), "--assignment", "demo", "--gradebook", "gb.db")
    assert done.exit_code == 2 and "--late-policy needs --deadline (or due in course.toml [assignments.demo])" \
        in done.output


def test_the_gradescope_autograder_carries_points_and_timeouts_not_lateness(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", "demo", config="""name = "Tiny"
[grading]
check_timeout = 3
[assignments.demo]
title = "A tiny demo"
points = 12
due = 2030-01-10T12:00:00Z
late_policy = "zero"
""")
    done = run_cli(root, "export", "gradescope", "--assignment", "demo", "--out", "ag.zip")
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(root / "ag.zip") as zf:
        text = zf.read("course.toml").decode()
    extracted = tmp_path / "source"
    extracted.mkdir()
    (extracted / "course.toml").write_text(text)
    config = load_config(extracted / "course.toml")
    assert config.name == "Tiny" and config.grading.check_timeout == 3
    demo = config.assignment("demo")
    assert (demo.points, demo.title, demo.due, demo.late_policy) == (12.0, "A tiny demo", None, None)
    # the built-in course sets no points: its autograder grades on the checks' own points
    done = run_cli(REPO, "export", "gradescope", "--assignment", "sigmoid", "--out", str(tmp_path / "s.zip"))
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert "[assignments" not in zf.read("course.toml").decode()


def test_a_title_in_the_config_heads_the_readme_and_the_notebook(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", "demo", config='[assignments.demo]\ntitle = "Walking downhill"\n')
    done = run_cli(root, "generate")
    assert done.exit_code == 0, done.output
    assert (root / "assignments" / "demo" / "README.md").read_text().startswith("# Walking downhill\n")
    notebook = json.loads((root / "assignments" / "demo" / "demo.ipynb").read_text())
    assert "".join(notebook["cells"][0]["source"]).startswith("# Walking downhill")


@pytest.mark.parametrize("config, title", [(None, "Demo"), ('[assignments.demo]\ntitle = "Walking downhill"\n',
                                                            "Walking downhill")])
def test_an_assignment_has_one_title_that_the_notebook_shows_once_and_the_class_report_shows(
        tmp_path: Path, config: str | None, title: str) -> None:
    from grader.course import load_pack, load_solution

    root = make_course(tmp_path / "c", "demo", config=config)  # `grade new`'s docstring is headed "# Demo"
    assert load_solution(root / "solutions" / "demo").title == title
    assert run_cli(root, "generate").exit_code == 0
    pack = root / "assignments" / "demo"
    assert load_pack(pack).title == title
    notebook = json.loads((pack / "demo.ipynb").read_text())
    headings = [line for cell in notebook["cells"] if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).split("\n") if line.startswith("# ")]
    assert headings == [f"# {title}"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ann.py").write_bytes((root / "solutions" / "demo" / "demo.py").read_bytes())
    done = run_cli(root, "batch", str(tmp_path / "in"), "--assignment", "demo", "--gradebook",
                   str(tmp_path / "book.db"), "--html", str(tmp_path / "html"))
    assert done.exit_code == 0, done.output
    assert f"<h1>{title}</h1>" in (tmp_path / "html" / "index.html").read_text()
    again = run_cli(root, "report", "--gradebook", str(tmp_path / "book.db"), "--assignment", "demo", "--html",
                    str(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    assert f"<h1>{title}</h1>" in (tmp_path / "again" / "index.html").read_text()
