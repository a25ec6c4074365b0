"""How a figure reads: a score, a count with its noun, a time as "3 months ago".

The terminal, the report files, badges and the Prefect UI say a figure the
same way; these are the words they share.
"""

from __future__ import annotations

from datetime import datetime

import humanize

from tracker.records import Status
from tracker.report.model import RepoEntry


def time_ago(then: datetime | None, now: datetime) -> str:
    """``3 months ago`` relative to `now`; an injected `now` keeps output testable."""
    if then is None:
        return "unknown"
    return humanize.naturaltime(then, when=now)


def last_commit_text(row: RepoEntry, now: datetime) -> str:
    """The last commit as a table shows it: ``never`` for an empty repository, ``unknown`` where no date is known."""
    if row.status is Status.EMPTY:
        return "never"
    return time_ago(row.last_commit_at, now)


def counted(count: int, noun: str) -> str:
    """A figure with its noun in the number it takes: 1 run, 2 runs."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def format_score(value: float | None) -> str:
    """A score for display: ``72`` or ``7.5``, and ``-`` when there is none."""
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
