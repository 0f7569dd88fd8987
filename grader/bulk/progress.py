"""How far a batch is: a rate and a time left from the results of the last few seconds.

A rate averaged since the batch started counts the start-up (reading the submissions, rendering
the pack, starting the workers) as if it were grading, so early in a batch it is many times too
low and the time left as many times too long. :class:`RecentRate` measures only between results,
over a sliding window. On a terminal the line is redrawn in place; anywhere else (a CI log, a
file) a plain line is written every few seconds, never a carriage return.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import Callable, TextIO

import click

from grader.result import Result

Clock = Callable[[], float]

WINDOW = 10.0  # seconds of results the rate is measured over
LOG_EVERY = 5.0  # seconds between lines when stderr is not a terminal
REDRAW_EVERY = 0.1  # seconds between redraws on a terminal
BAR_WIDTH = 24


class RecentRate:
    """Results per second over the last ``window`` seconds of results (always the last two, at least:
    a slow batch still has a rate)."""

    def __init__(self, window: float = WINDOW, clock: Clock = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._times: deque[float] = deque()

    def tick(self) -> None:
        """One more result, now."""
        now = self.clock()
        self._times.append(now)
        while len(self._times) > 2 and now - self._times[0] > self.window:
            self._times.popleft()

    def rate(self) -> float | None:
        """Results per second between the oldest and the newest result in the window (``None``
        until two results have come)."""
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return None
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])

    def seconds_left(self, remaining: int) -> float | None:
        rate = self.rate()
        return remaining / rate if rate else None


def clock_text(seconds: float) -> str:
    """``seconds`` as H:MM:SS (the time left in a batch)."""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class BatchProgress:
    """The ``progress`` callback :func:`run_batch` calls once per result, as a context manager that
    ends the terminal's line. ``total`` is 0 when the count is not known in advance (an LMS zip is
    counted as it is read)."""

    def __init__(self, total: int, *, stream: TextIO | None = None, terminal: bool | None = None,
                 clock: Clock = time.monotonic) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = (self.stream.isatty() and bool(total)) if terminal is None else terminal
        self.clock = clock
        self.rate = RecentRate(clock=clock)
        self.done = 0
        self._shown_at: float | None = None
        self._started = clock()

    def __enter__(self) -> "BatchProgress":
        return self

    def __exit__(self, *_: object) -> None:
        if self.terminal and self._shown_at is not None:
            click.echo(file=self.stream)  # the redrawn line stays; what follows starts below it

    def __call__(self, result: Result | None, fresh: bool) -> None:
        self.done += 1
        self.rate.tick()
        now = self.clock()
        last = self.done == self.total
        every = REDRAW_EVERY if self.terminal else LOG_EVERY
        since = now - (self._started if self._shown_at is None else self._shown_at)
        if last or since >= every:
            self._shown_at = now
            if self.terminal:
                click.echo("\r" + self.bar_line(), nl=False, file=self.stream)
            else:
                click.echo(self.log_line(), file=self.stream)

    def _figures(self) -> str:
        rate = self.rate.rate()
        if rate is None:
            return ""
        left = self.rate.seconds_left(self.total - self.done) if self.total else None
        return f"{rate:.0f}/s" + (f", {clock_text(left)} left" if left is not None and self.done < self.total else "")

    def bar_line(self) -> str:
        """grading [########----------------]  448/1500  119/s, 0:00:09 left"""
        filled = int(BAR_WIDTH * self.done / self.total) if self.total else 0
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"grading [{bar}]  {self.done}/{self.total}  {self._figures()}".rstrip() + "  "

    def log_line(self) -> str:
        """graded 448/1500 (119/s, 0:00:09 left)"""
        shown = f"{self.done}/{self.total}" if self.total else str(self.done)
        figures = self._figures()
        return f"graded {shown}" + (f" ({figures})" if figures else "")
