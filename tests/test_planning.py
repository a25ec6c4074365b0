"""The budget plan's pure parts: the order of due repositories, the cost estimate, what fits, the ETA, the guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.hosts.github_budget import GitHubStats, RateLimits, ResourceLimit
from tracker.planned_run import BudgetGuard
from tracker.planning import (
    Costs,
    DueCounts,
    DueRecord,
    RunCost,
    fitting,
    learn_costs,
    plan,
    plan_order,
)
from tracker.records import RepoKind, RepoRef

NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
RESET = NOW + timedelta(minutes=40)
TOKEN = Costs.defaults(authenticated=True)


SAME = object()


def due(id_: int, *, last: datetime | None = None, conclusive: object = SAME, at_risk: bool = False,
        host: str = "github.com", kind: str = "code") -> DueRecord:
    """A due repository; its last check was conclusive unless `conclusive` says when (or None: never)."""
    when = last if conclusive is SAME else conclusive
    assert when is None or isinstance(when, datetime)
    return DueRecord(id_, host, "lab", f"r{id_}", kind, last, when, at_risk)


def limits(remaining: int, limit: int = 5000, points: int | None = 5000) -> RateLimits:
    graphql = ResourceLimit(5000, points, RESET) if points is not None else None
    return RateLimits(ResourceLimit(limit, remaining, RESET), graphql, authenticated=True)


def test_never_checked_first_then_longest_ago_by_day_then_at_risk_within_a_day() -> None:
    day = timedelta(days=1)
    records = [
        due(1, last=NOW - day),
        due(2),  # never checked
        due(3, last=NOW - 3 * day),
        due(4, last=NOW - day + timedelta(hours=1), at_risk=True),  # same day as 1, later, but at risk
        due(5, last=NOW - timedelta(hours=2), conclusive=None),  # only inconclusive checks: as if oldest
        due(6),
        due(7, last=NOW, conclusive=NOW - 2 * day),  # unreachable today; conclusive two days ago
    ]
    assert [record.id for record in sorted(records, key=plan_order)] == [2, 6, 5, 3, 7, 4, 1]


def test_what_fits_first_checks_before_rechecks() -> None:
    assert fitting(300_000, 0, 4750, 1.04, 0.04) == 4567
    assert fitting(10, 1000, 4750, 1.04, 0.04) == 10 + 1000  # 10.4 + 40: all of it
    assert fitting(10, 200_000, 4750, 1.04, 0.04) == 10 + 118_490
    assert fitting(5, 5, 0, 1.04, 0.04) == 0
    assert fitting(5, 5, 100, 0.0, 0.0) == 10


def test_costs_are_learned_from_runs_and_fall_back_to_the_defaults() -> None:
    assert learn_costs([], TOKEN) == TOKEN
    assert learn_costs([RunCost(50, 0, 60)], TOKEN) == TOKEN  # too small to say anything
    both = learn_costs([RunCost(1000, 0, 1100), RunCost(0, 1000, 50), RunCost(500, 500, 575)], TOKEN)
    assert both.first == pytest.approx(1.1) and both.recheck == pytest.approx(0.05) and both.learned_from == 3
    # Only first runs: the default ratio, scaled to what they spent.
    firsts = learn_costs([RunCost(1000, 0, 1300), RunCost(2000, 0, 2600)], TOKEN)
    assert firsts.first == pytest.approx(1.3) and firsts.recheck == pytest.approx(0.05)
    # A run made without a token (2.7 each) cannot move a token's plan past three times the default.
    assert learn_costs([RunCost(1000, 0, 9000)], TOKEN).first == pytest.approx(3 * 1.04)


def test_a_first_run_over_300000_plans_one_hour_and_says_how_long_the_rest_takes() -> None:
    n = 300_000
    records = [due(i) for i in range(1, n + 1)]
    made = plan(lambda: iter(records), DueCounts(n, n, n), limits(5000), TOKEN, reserve_share=0.05)
    assert made.reserve == 250 and made.spendable == 4750 and made.planned_github == 4567
    assert [ref.name for ref in made.refs[:3]] == ["r1", "r2", "r3"] and len(made.refs) == 4567
    assert made.deferred == n - 4567
    assert made.hours_for_all == pytest.approx(n * 1.04 / 4750)
    text = made.describe()
    assert text.startswith("300,000 due; 4,567 GitHub repositories checked now")
    assert "at this budget about 66 h" in text and "295,433 left; next run continues after GitHub's reset" in text


def test_other_hosts_are_not_limited_by_github_and_a_spent_budget_checks_only_them() -> None:
    records = [due(1), due(2, host="gitlab.com"), due(3, host="huggingface.co", kind=RepoKind.MODEL.value), due(4)]
    made = plan(lambda: iter(records), DueCounts(4, 2, 2), limits(200, limit=5000), TOKEN, reserve_share=0.05)
    assert made.spendable == 0 and made.planned_github == 0
    assert [ref.host for ref in made.refs] == ["gitlab.com", "huggingface.co"] and made.deferred == 2


def test_past_graphqls_points_the_rest_way_is_planned_at_its_cost() -> None:
    records = [due(i) for i in range(1, 10_001)]
    made = plan(lambda: iter(records), DueCounts(10_000, 10_000, 10_000), limits(5000, points=260), TOKEN,
                reserve_share=0.05)
    # 260 - 250 reserve = 10 points at 0.08: 125 the GraphQL way (130 requests); the other 4,620 requests
    # at 2.7 each the REST way: 1,711 more
    assert made.planned_github == 125 + 1711 and made.graphql_limited and "the REST way" in made.describe()


def test_without_a_budget_reading_everything_is_checked_in_order() -> None:
    records = [due(2, last=NOW), due(1)]
    made = plan(lambda: iter(records), DueCounts(2, 2, 1), None, TOKEN, reserve_share=0.05)
    assert [ref.name for ref in made.refs] == ["r1", "r2"] and made.deferred == 0
    assert "budget unknown" in made.describe()


def test_the_guard_stops_github_repositories_when_only_the_reserve_is_left() -> None:
    spent = [0]  # by this host; GitHub's remaining also drops by 100 that another user of the token spent
    guard = BudgetGuard(reserve=250, cost_each=1.0,
                        stats=lambda: GitHubStats(requests_rate_counted=spent[0], rate_remaining=900 - spent[0]))
    refs = [RepoRef("github.com", "lab", f"r{i}") for i in range(800)] + [RepoRef("gitlab.com", "lab", "x")]
    handed = []
    for ref in guard(refs):
        handed.append(ref)
        if len(handed) % 2 == 0:  # half of what was handed has spent its request so far
            spent[0] += 1
    github = [ref for ref in handed if ref.host == "github.com"]
    # 1,000 - 100 by another user - 250 in reserve: 650 repositories at one request each, and no more
    assert len(github) == 650 and guard.held_back == 150 and handed[-1].host == "gitlab.com"
    assert guard.stopped_at == 900 - 325
