"""Late policy arithmetic: started days after the deadline, percentages, caps."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from grader.bulk.late import LatePolicy, apply_late, parse_deadline, parse_policy
from grader.result import CheckResult, Result

DEADLINE = "2024-05-01T23:59:00Z"


@pytest.mark.parametrize("submitted, days", [
    ("2024-05-01T12:00:00Z", 0),            # early
    ("2024-05-01T23:59:00Z", 0),            # exactly on the deadline
    ("2024-05-02T00:00:00Z", 1),            # one minute late
    ("2024-05-01T23:59:00.001Z", 1),        # a millisecond late
    ("2024-05-02T23:59:00Z", 1),            # exactly 24 h late
    ("2024-05-02T23:59:01Z", 2),            # 24 h and a second
    ("2024-05-04T23:59:00+00:00", 3),
    ("2024-05-02T01:59:00+02:00", 0),       # on time once converted to UTC
    ("2024-05-02T02:00:00+02:00", 1),
    ("2024-05-02T00:00:00", 1),             # naive = UTC
    ("2024-05-31T00:00:00Z", 30),
])
def test_late_days(submitted: str, days: int) -> None:
    assert LatePolicy().assess(submitted, parse_deadline(DEADLINE))[0] == days


@pytest.mark.parametrize("spec, days, penalty", [
    ("none", 0, 0.0), ("none", 5, 0.0),
    ("zero", 0, 0.0), ("zero", 1, 1.0), ("zero", 30, 1.0),
    ("10%/day", 0, 0.0), ("10%/day", 1, 0.1), ("10%/day", 3, 0.3), ("10%/day", 10, 1.0), ("10%/day", 15, 1.0),
    ("10%/day,max=50%", 4, 0.4), ("10%/day,max=50%", 5, 0.5), ("10%/day,max=50%", 9, 0.5),
    ("2.5%/day", 3, 0.075), ("33%/day", 3, 0.99), (" 20 % / DAY , MAX = 30 % ", 2, 0.3),
])
def test_penalties(spec: str, days: int, penalty: float) -> None:
    assert parse_policy(spec).penalty(days) == pytest.approx(penalty, abs=1e-12)


def test_assess_end_to_end() -> None:
    policy = parse_policy("10%/day,max=50%")
    deadline = parse_deadline("2024-05-01T23:59")
    assert policy.assess("2024-05-01T23:00:00Z", deadline) == (0, 0.0)
    assert policy.assess("2024-05-02T00:00:00Z", deadline) == (1, 0.1)
    assert policy.assess("2024-05-09T00:00:00Z", deadline) == (8, 0.5)
    assert policy.assess(None, deadline) == (0, 0.0)
    assert policy.assess("2024-05-09T00:00:00Z", None) == (0, 0.0)


@pytest.mark.parametrize("bad", ["", "10", "10%", "10%/week", "-5%/day", "150%/day", "10%/day,max=120%",
                                 "10%/day,cap=50%", "half"])
def test_bad_policies_list_the_forms(bad: str) -> None:
    with pytest.raises(ValueError, match="accepted forms") as info:
        parse_policy(bad)
    assert "10%/day,max=50%" in str(info.value) and "zero" in str(info.value)


def test_deadlines() -> None:
    utc = timezone.utc
    assert parse_deadline("2024-05-01T23:59:00Z") == datetime(2024, 5, 1, 23, 59, tzinfo=utc)
    assert parse_deadline("2024-05-01T23:59:00") == datetime(2024, 5, 1, 23, 59, tzinfo=utc)
    assert parse_deadline("2024-05-02T01:59:00+02:00") == datetime(2024, 5, 1, 23, 59, tzinfo=utc)
    assert parse_deadline("2024-05-01") == datetime(2024, 5, 1, tzinfo=utc)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_deadline("next friday")


def test_policy_text_round_trips() -> None:
    for spec in ("none", "zero", "10%/day", "10%/day,max=50%", "2.5%/day"):
        assert str(parse_policy(spec)) == spec


def test_apply_late_scales_the_raw_score() -> None:
    checks = [CheckResult("a", ["f"], 2.0, 2.0, "passed"), CheckResult("b", ["g"], 1.0 / 3, 1.0, "failed")]
    result = Result.from_checks("bob", "optim", checks)
    same = apply_late(result, 2, 0.2)
    assert same is result
    assert (result.late_days, result.penalty, result.score) == (2, 0.2, round((2 + 1 / 3) * 0.8, 6))
    apply_late(result, 0, 0.0)  # re-assessing (a changed deadline) starts again from the raw score
    assert result.score == round(2 + 1 / 3, 6)
    apply_late(result, 3, 1.0)
    assert result.score == 0.0
