"""Which source decides lateness: the LMS wherever it says anything, else only the one the instructor names."""

from datetime import datetime, timedelta, timezone

from grader.bulk.timing import Facts, decide

DUE = datetime(2030, 3, 1, 23, 59, tzinfo=timezone.utc)
TWO_DAYS_LATE = "2030-03-03T12:00:00Z"


def test_the_lms_wins_over_a_backdated_manifest_even_when_the_manifest_is_named():
    facts = Facts(lms_late_by=timedelta(days=1, hours=2), manifest_time="2020-01-01T00:00:00Z")
    late = decide(facts, "manifest", DUE)
    assert (late.late_days, late.source) == (2, "lms")


def test_without_the_lms_only_the_named_source_counts():
    facts = Facts(manifest_time=TWO_DAYS_LATE, mtime="2030-03-01T00:00:00Z")
    assert decide(facts, None, DUE).source == "none" and decide(facts, None, DUE).late_days == 0
    assert "no late penalty" in decide(facts, None, DUE).note
    assert (decide(facts, "manifest", DUE).late_days, decide(facts, "manifest", DUE).source) == (2, "manifest")
    assert (decide(facts, "mtime", DUE).late_days, decide(facts, "mtime", DUE).source) == (0, "mtime")


def test_an_extension_moves_the_deadline_and_shortens_what_the_lms_counts():
    assert decide(Facts(manifest_time=TWO_DAYS_LATE), "manifest", DUE, timedelta(days=2)).late_days == 0
    assert decide(Facts(lms_late_by=timedelta(days=3)), None, None, timedelta(days=1)).late_days == 2
    new_due = datetime(2030, 3, 2, 23, 59, tzinfo=timezone.utc)
    assert decide(Facts(manifest_time=TWO_DAYS_LATE), "manifest", DUE, new_due=new_due).late_days == 1


def test_a_late_flag_without_a_time_counts_one_day_and_says_so():
    late = decide(Facts(lms_late=True), None, DUE)
    assert late.late_days == 1 and late.source == "lms" and "1 day" in late.note
    assert decide(Facts(lms_late=False), "mtime", DUE).late_days == 0
