"""`grade batch`'s options: course.toml's settings, the command line over them, and a wrong value
refused before anything is graded, naming its option."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from grader.bulk.batch_options import BatchRequest, plan_batch
from grader.errors import AuthoringError
from grader.config import OptionError

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"

COURSE = """
[secret]
env = "NO_SUCH_SECRET_FOR_THIS_TEST"

[grading]
timeout = 30
jobs = 3

[assignments.optim]
points = 20
due = "2030-03-01T23:59:00+00:00"
late_policy = "10%/day,max=50%"

[assignments.optim.extensions]
"ana@uni.example" = 2
"""


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The course's settings for the shipped solutions, and an empty folder of submissions."""
    config = tmp_path / "course.toml"
    config.write_text(COURSE, encoding="utf-8")
    monkeypatch.setenv("GRADE_CONFIG", str(config))
    monkeypatch.delenv("NO_SUCH_SECRET_FOR_THIS_TEST", raising=False)
    monkeypatch.delenv("GRADE_SECRET", raising=False)
    monkeypatch.delenv("GRADE_SECRET_FILE", raising=False)
    (tmp_path / "subs").mkdir()
    return tmp_path


def request(course: Path, **overrides) -> BatchRequest:
    return BatchRequest(submissions=course / "subs", assignment="optim", solutions=SOLUTIONS, **overrides)


def test_course_toml_fills_every_setting_the_command_line_leaves_out(course: Path) -> None:
    plan = plan_batch(request(course))
    assert plan.folder == SOLUTIONS / "optim"
    assert plan.points == 20
    assert plan.options.jobs == 3 and plan.options.settings.timeout == 30
    assert plan.options.deadline == datetime(2030, 3, 1, 23, 59, tzinfo=timezone.utc)
    assert str(plan.options.policy) == "10%/day,max=50%"
    assert plan.options.extensions.find(["ana@uni.example"]).days == 2
    # the secret is declared but absent: said before grading, since hidden inputs become public
    assert len(plan.warnings) == 1 and "NO_SUCH_SECRET_FOR_THIS_TEST" in plan.warnings[0]


def test_the_command_line_overrides_course_toml(course: Path) -> None:
    extra = course / "extensions.csv"
    extra.write_text("student,days\nben@uni.example,1\n", encoding="utf-8")
    plan = plan_batch(request(course, jobs=1, timeout=5.0, points=10.0, deadline="2030-04-01T00:00:00Z",
                              late_policy="zero", extensions_csv=extra))
    assert plan.points == 10
    assert plan.options.jobs == 1 and plan.options.settings.timeout == 5.0
    assert plan.options.deadline == datetime(2030, 4, 1, tzinfo=timezone.utc)
    assert str(plan.options.policy) == "zero"
    found = plan.options.extensions
    assert found.find(["ana@uni.example"]).days == 2 and found.find(["ben@uni.example"]).days == 1


def test_a_deadline_without_a_policy_records_lateness_without_a_penalty(course: Path, monkeypatch) -> None:
    bare = course / "bare.toml"
    bare.write_text("[assignments.optim]\n", encoding="utf-8")
    monkeypatch.setenv("GRADE_CONFIG", str(bare))
    plan = plan_batch(request(course, deadline="2030-04-01T00:00:00Z"))
    assert str(plan.options.policy) == "none" and plan.options.deadline is not None
    assert plan.warnings == [] and plan.points is None


@pytest.mark.parametrize("overrides, option, words", [
    ({"late_policy": "11 percent"}, "--late-policy", "11 percent"),
    ({"deadline": "next tuesday"}, "--deadline", "next tuesday"),
])
def test_a_value_that_cannot_be_used_names_its_option(course: Path, overrides, option, words) -> None:
    with pytest.raises(OptionError) as caught:
        plan_batch(request(course, **overrides))
    assert caught.value.option == option and words in str(caught.value)


def test_a_policy_without_any_deadline_is_refused_unless_the_lms_may_say_how_late(course: Path,
                                                                                   monkeypatch) -> None:
    undated = course / "undated.toml"
    undated.write_text("[assignments.optim]\n", encoding="utf-8")
    monkeypatch.setenv("GRADE_CONFIG", str(undated))
    with pytest.raises(OptionError, match="--late-policy needs --deadline") as caught:
        plan_batch(request(course, late_policy="zero"))
    assert caught.value.option is None  # the combination is wrong, not one value
    assert str(plan_batch(request(course, late_policy="zero", source="canvas")).options.policy) == "zero"


def test_a_broken_extensions_file_is_refused_naming_it(course: Path) -> None:
    broken = course / "extensions.csv"
    broken.write_text("who,when\nana,soon\n", encoding="utf-8")
    with pytest.raises(AuthoringError, match="extensions.csv"):
        plan_batch(request(course, extensions_csv=broken))
