"""A batch's progress: the rate and the time left come from recent results, not from the start.

Every test drives a fake clock, so the figures are exact and nothing waits."""

from __future__ import annotations

import io

from grader.bulk.progress import BatchProgress, RecentRate, clock_text


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def feed(progress: BatchProgress, clock: FakeClock, count: int, every: float) -> None:
    for _ in range(count):
        clock.advance(every)
        progress(None, True)


def test_a_long_start_up_does_not_slow_the_rate_or_stretch_the_time_left() -> None:
    # the case: 448 of 1,500 graded at 119/s after a long start-up; about 9 s are left
    clock = FakeClock()
    progress = BatchProgress(1500, stream=io.StringIO(), terminal=False, clock=clock)
    clock.advance(60.0)  # reading the submissions, rendering the pack, starting the workers
    feed(progress, clock, 448, 1 / 119)
    assert round(progress.rate.rate()) == 119
    assert 8.5 < progress.rate.seconds_left(1500 - 448) < 9.5
    # a rate averaged from the start would say about 7/s and more than two minutes left
    assert progress.done / (clock.now - 1000.0) < 8


def test_the_rate_follows_a_change_of_pace_within_the_window() -> None:
    clock = FakeClock()
    rate = RecentRate(window=10.0, clock=clock)
    for _ in range(100):  # 10/s for 10 s
        clock.advance(0.1)
        rate.tick()
    for _ in range(300):  # then 50/s for 6 s, then 20/s for 12 s: only the last 10 s count
        clock.advance(0.02)
        rate.tick()
    for _ in range(240):
        clock.advance(0.05)
        rate.tick()
    assert abs(rate.rate() - 20.0) < 0.01


def test_a_slow_batch_still_has_a_rate_from_its_last_two_results() -> None:
    clock = FakeClock()
    rate = RecentRate(window=10.0, clock=clock)
    rate.tick()
    assert rate.rate() is None and rate.seconds_left(5) is None  # one result: no rate yet
    clock.advance(30.0)
    rate.tick()
    assert rate.rate() == 1 / 30 and rate.seconds_left(2) == 60.0


def test_a_log_gets_a_plain_line_every_few_seconds_and_at_the_end() -> None:
    clock = FakeClock()
    log = io.StringIO()
    with BatchProgress(20, stream=log, terminal=False, clock=clock) as progress:
        feed(progress, clock, 20, 0.5)  # 10 s in all
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines == ["graded 10/20 (2/s, 0:00:05 left)", "graded 20/20 (2/s)"]


def test_a_terminal_gets_one_line_redrawn_in_place_and_ended() -> None:
    clock = FakeClock()
    screen = io.StringIO()
    with BatchProgress(4, stream=screen, terminal=True, clock=clock) as progress:
        feed(progress, clock, 4, 1.0)
    shown = screen.getvalue()
    assert shown.endswith("\n") and shown.count("\n") == 1  # every redraw starts with \r, one newline at the end
    frames = [frame.rstrip() for frame in shown.strip("\n").split("\r") if frame]
    assert frames[0] == "grading [######------------------]  1/4"  # one result: no rate yet
    assert frames[1] == "grading [############------------]  2/4  1/s, 0:00:02 left"
    assert frames[-1] == "grading [########################]  4/4  1/s"


def test_an_lms_zip_counted_as_it_is_read_shows_the_count_and_rate_only() -> None:
    clock = FakeClock()
    log = io.StringIO()
    with BatchProgress(0, stream=log, clock=clock) as progress:  # total unknown: never a terminal bar
        feed(progress, clock, 12, 0.5)
    assert log.getvalue().splitlines() == ["graded 10 (2/s)"]


def test_time_left_reads_as_hours_minutes_seconds() -> None:
    assert [clock_text(s) for s in (9, 9.6, 387, 3600 * 2 + 61)] == ["0:00:09", "0:00:10", "0:06:27", "2:01:01"]
