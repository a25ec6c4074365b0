"""Kaplan-Meier against a textbook example, and lifetimes drawn from repositories."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.records import Status
from tracker.report import RepoEntry, kaplan_meier, link_survival
from tracker.report.survival import lifetimes

# Freireich et al. (1963) 6-MP arm as analysed by Gehan (1965), the worked example in
# Kleinbaum & Klein, "Survival Analysis: A Self-Learning Text", ch. 2: weeks of remission,
# False = censored.
WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
RELAPSED = [True, True, True, False, True, False, True, False, False, True, True, False, False, False,
            True, True, False, False, False, False, False]


def test_kaplan_meier_matches_the_textbook_table() -> None:
    points = kaplan_meier(WEEKS, RELAPSED)

    assert [(p.time, p.at_risk, p.events) for p in points] == [
        (6, 21, 3), (7, 17, 1), (10, 15, 1), (13, 12, 1), (16, 11, 1), (22, 7, 1), (23, 6, 1)
    ]
    assert [round(p.survival, 4) for p in points] == [0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482]


def test_kaplan_meier_edge_cases() -> None:
    assert kaplan_meier([], []) == []
    assert kaplan_meier([5, 8], [False, False]) == []  # everyone censored: no drop
    assert [p.survival for p in kaplan_meier([1, 2], [True, True])] == [0.5, 0.0]
    with pytest.raises(ValueError, match="2 durations but 1"):
        kaplan_meier([1, 2], [True])


def _repo(name: str, status: Status, **fields: object) -> RepoEntry:
    return RepoEntry(key=name, canonical=name, host="github.com", status=status, **fields)  # type: ignore[arg-type]


def test_lifetimes_count_dead_as_events_alive_as_censored_and_skip_unknown() -> None:
    published = date(2025, 1, 1)
    checked = datetime(2025, 1, 11, tzinfo=UTC)
    rows = [
        _repo("alive", Status.ARCHIVED, published=published, checked_at=checked),
        _repo("gone", Status.MISSING, published=published, checked_at=checked,
              gone_since=datetime(2025, 1, 6, tzinfo=UTC)),
        _repo("seen", Status.BLOCKED, first_seen=datetime(2025, 1, 2, tzinfo=UTC), checked_at=checked),
        _repo("network", Status.UNREACHABLE, published=published, checked_at=checked),
        _repo("no-origin", Status.OK, checked_at=checked),
    ]

    assert [(item.key, item.days, item.died) for item in lifetimes(rows)] == [
        ("alive", 10.0, False), ("gone", 5.0, True), ("seen", 9.0, True)
    ]
    assert [(p.time, p.survival) for p in link_survival(rows)] == [
        (5.0, pytest.approx(2 / 3)), (9.0, pytest.approx(1 / 3))  # at 9 days: 'seen' and 'alive' at risk
    ]
