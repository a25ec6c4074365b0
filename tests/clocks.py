"""Clocks a test sets: time moves only when the test moves it, or when code under test `sleep`s on it.

Code that waits takes a clock and a sleep (`check_and_record(sleep=...)`,
`GitHubHost(clock=..., sleep=...)`); handing it one of these makes a wait of
an hour cost nothing and leaves a record of how long it would have waited.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class SetClock:
    """A datetime clock (what checks and the store are stamped with)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


class EpochClock:
    """A clock of epoch seconds (what rate-limit resets are counted in)."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
