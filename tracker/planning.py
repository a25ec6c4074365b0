"""A run that plans its GitHub budget: what it may spend, what comes first, where it stops, when the rest is done.

A first run over 300,000 repositories cannot fit one token's hour (1.04
rate-counted requests each is 312,000 requests, 62 hours at 5,000 an hour).
Instead of spending the budget and marking the rest `not_checked` (a row per
repository that says nothing and costs storage), a run asks GitHub what it may
spend (`GET /rate_limit`, which costs nothing), keeps a reserve for the token's
other users, checks only the GitHub repositories that budget covers, in the
order that matters (`plan_order`), and says how far it got and when the rest
will be done. The next run continues from there because the same order puts
what was never checked first and what was checked longest ago next.

Everything here is pure arithmetic over plain records; asking the store and
GitHub for them, and keeping to the plan while the run goes, is
`tracker.planned_run`'s.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, NamedTuple

from tracker.records import RepoKind, RepoRef

if TYPE_CHECKING:  # the store imports this module; PyGithub stays out of `status`
    from tracker.hosts.github_budget import RateLimits

log = logging.getLogger(__name__)

# Used when the store has no run to learn from (bench/results.md: N=1,000 against the stand-in).
# With a token: one GraphQL look per 50 plus a tree per first check; a re-check is mostly free 304s.
TOKEN_FIRST = 1.04
TOKEN_RECHECK = 0.04
TOKEN_FIRST_POINTS = 0.08
TOKEN_RECHECK_POINTS = 0.06
# Without a token every repository goes the REST way (repository, latest release, tags) and GitHub counts 304s.
ANONYMOUS_FIRST = 2.7
ANONYMOUS_RECHECK = 2.7
# With a token but GraphQL's points spent: the REST way, whose re-checks are mostly free 304s.
REST_FIRST = 2.7
REST_RECHECK = 0.1
# Runs that checked fewer GitHub repositories than this say too little about the cost of one.
LEARN_MIN_REPOSITORIES = 100


class DueRecord(NamedTuple):
    """One repository due for a check, as the plan needs it: plain values, no store objects."""

    id: int
    host: str
    owner: str
    name: str
    kind: str
    last_checked_at: datetime | None  # any check; None: never checked
    last_conclusive_at: datetime | None  # the last check that was neither unreachable nor not_checked
    at_risk: bool  # its status changed recently (or flaps), or its paper promised code

    @property
    def budgeted(self) -> bool:
        """Whether checking it spends GitHub's API budget (other hosts are read with git or their own API)."""
        return self.host == "github.com" and self.kind == RepoKind.CODE.value

    @property
    def never_checked(self) -> bool:
        return self.last_checked_at is None

    def ref(self) -> RepoRef:
        return RepoRef(host=self.host, owner=self.owner, name=self.name, kind=RepoKind(self.kind))


_NEVER = datetime.min.replace(tzinfo=UTC)


def plan_order(record: DueRecord) -> tuple[int, date, int, datetime, int]:
    """The key that orders due repositories: never checked first (in order of first sight), then by the day of
    their last conclusive check, oldest first (never conclusive counts as oldest), and within one day the
    repositories at risk first.

    The day, not the instant: checks of one run spread over its hours, and a
    repository checked at 06:10 is not more due than one checked at 06:50; a
    repository whose status just changed, that flaps, or whose paper promised
    code is. Ties fall to first sight (the id), so the order never shuffles.
    """
    if record.never_checked:
        return (0, date.min, 0, _NEVER, record.id)
    last = record.last_conclusive_at or _NEVER
    return (1, last.date(), 0 if record.at_risk else 1, last, record.id)


@dataclass(frozen=True, slots=True)
class Costs:
    """What checking one GitHub repository costs: REST requests that count against the rate limit, and GraphQL
    points, for a first check (nothing cached) and a re-check (conditional requests, kept trees)."""

    first: float
    recheck: float
    first_points: float = 0.0
    recheck_points: float = 0.0
    learned_from: int = 0  # runs the REST figures were learned from; 0: the defaults

    @classmethod
    def defaults(cls, *, authenticated: bool) -> Costs:
        if authenticated:
            return cls(TOKEN_FIRST, TOKEN_RECHECK, TOKEN_FIRST_POINTS, TOKEN_RECHECK_POINTS)
        return cls(ANONYMOUS_FIRST, ANONYMOUS_RECHECK)


class RunCost(NamedTuple):
    """What one recorded run checked on GitHub and what it cost: the evidence `learn_costs` weighs."""

    first_checks: int
    rechecks: int
    rate_counted: int


def learn_costs(runs: Sequence[RunCost], default: Costs) -> Costs:
    """Costs per first check and per re-check, fitted to recorded runs; `default` where they say too little.

    Least squares over ``counted = first x a + recheck x b``. When the runs
    cannot tell the two apart (every run had the same mix, say only first
    runs), the default ratio between them is kept and scaled to what the runs
    spent. Learned figures stay within a third and three times the default, so
    that runs made with another token (none, an App's) cannot skew a plan far.
    """
    useful = [run for run in runs if run.first_checks + run.rechecks >= LEARN_MIN_REPOSITORIES]
    if not useful:
        return default
    sff = sum(r.first_checks ** 2 for r in useful)
    srr = sum(r.rechecks ** 2 for r in useful)
    sfr = sum(r.first_checks * r.rechecks for r in useful)
    sfc = sum(r.first_checks * r.rate_counted for r in useful)
    src = sum(r.rechecks * r.rate_counted for r in useful)
    det = sff * srr - sfr * sfr
    first = recheck = -1.0
    if det > 1e-9 * max(sff * srr, 1):
        first, recheck = (sfc * srr - src * sfr) / det, (src * sff - sfc * sfr) / det
    if first <= 0 or recheck <= 0:
        expected = sum(default.first * r.first_checks + default.recheck * r.rechecks for r in useful)
        scale = sum(r.rate_counted for r in useful) / expected if expected else 1.0
        first, recheck = default.first * scale, default.recheck * scale

    def bounded(value: float, around: float) -> float:
        return min(max(value, around / 3), around * 3)

    return Costs(bounded(first, default.first), bounded(recheck, default.recheck), default.first_points,
                 default.recheck_points, learned_from=len(useful))


@dataclass(frozen=True, slots=True)
class Plan:
    """What this run checks and what it leaves, with the figures the run's note, the CLI and the flow show."""

    refs: list[RepoRef]  # in the order to check them
    due: int  # every repository due, on any host
    due_github: int
    never_checked: int  # of the GitHub ones
    planned_github: int  # GitHub repositories this run checks
    spendable: int | None  # REST requests this run may spend (remaining minus reserve); None: budget unknown
    limit: int | None  # the REST budget per window, as GitHub said
    reserve: int
    reset: datetime | None
    costs: Costs
    cost_all: float  # REST requests every due GitHub repository costs at `costs`
    graphql_limited: bool = False  # GraphQL's points, not REST's requests, set how far this run gets

    @property
    def deferred(self) -> int:
        """GitHub repositories left for the next runs (not recorded as anything: nothing was asked)."""
        return self.due_github - self.planned_github

    @property
    def cost_each(self) -> float:
        """What one of this run's GitHub repositories costs on average, as planned (first checks come first)."""
        firsts = min(self.never_checked, self.planned_github)
        if not self.planned_github:
            return self.costs.first
        return (firsts * self.costs.first + (self.planned_github - firsts) * self.costs.recheck) / self.planned_github

    @property
    def hours_for_all(self) -> float | None:
        """Hours of this budget (limit minus reserve, per hourly window) every due GitHub repository needs."""
        if not self.limit or self.limit <= self.reserve:
            return None
        return self.cost_all / (self.limit - self.reserve)

    def describe(self) -> str:
        """One sentence for the user, the run's note and the flow's summary:
        "312,000 due; 4,567 checked now within the budget; at this budget about 68 h; next run continues"."""
        parts = [f"{self.due:,} due"]
        if self.due_github != self.due:
            parts[0] += f" ({self.due_github:,} on GitHub)"
        if self.spendable is None:
            parts.append("GitHub's budget unknown (its /rate_limit did not answer), so all are checked")
            return "; ".join(parts)
        budget = f"{self.spendable:,} of {self.limit:,} requests spendable, {self.reserve:,} kept in reserve"
        if self.graphql_limited:
            budget += "; past GraphQL's points the REST way"
        parts.append(f"{self.planned_github:,} GitHub repositories checked now ({budget})")
        hours = self.hours_for_all
        if hours is not None and self.due_github:
            parts.append(f"at this budget about {_hours(hours)}")
        if self.deferred:
            when = f" after GitHub's reset at {self.reset:%Y-%m-%d %H:%M} UTC" if self.reset else ""
            parts.append(f"{self.deferred:,} left; next run continues{when}")
        return "; ".join(parts)


    def summary(self) -> PlanSummary:
        """The plan without its repositories: what a flow passes between tasks and shows."""
        return PlanSummary(self.describe(), self.deferred, self.reserve, self.cost_each, self.hours_for_all)


@dataclass(frozen=True, slots=True)
class PlanSummary:
    text: str
    deferred: int
    reserve: int
    cost_each: float
    hours_for_all: float | None

    def describe(self) -> str:
        return self.text


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{max(1, math.ceil(hours * 60))} min"
    return f"{hours:,.0f} h" if hours >= 10 else f"{hours:.1f} h"


def reserve_of(limit: int, share: float) -> int:
    """Requests kept for the token's other users: `share` of the limit, rounded up."""
    return math.ceil(limit * share)


def plan(due: Callable[[], Iterable[DueRecord]], counts: DueCounts, limits: RateLimits | None, costs: Costs, *,
         reserve_share: float) -> Plan:
    """The repositories this run checks, in order, within `limits` less the reserve.

    `due` is called once and may stream: only the GitHub repositories the
    budget covers are kept (`heapq.nsmallest`), with every repository of
    another host, which GitHub's budget does not limit. `counts` (from the
    store, before streaming) says how many are due, so that the number that
    fits is known before the stream starts.
    """
    cost_all = counts.never_checked * costs.first + (counts.github - counts.never_checked) * costs.recheck
    if limits is None:
        refs = [record.ref() for record in sorted(due(), key=plan_order)]
        return Plan(refs, counts.total, counts.github, counts.never_checked, counts.github, None, None, 0, None,
                    costs, cost_all)
    core = limits.core
    reserve = reserve_of(core.limit, reserve_share)
    spendable = max(core.remaining - reserve, 0)
    fits = fitting(counts.never_checked, counts.github - counts.never_checked, spendable, costs.first, costs.recheck)
    graphql_limited = False
    if limits.graphql is not None and (costs.first_points or costs.recheck_points):
        points = max(limits.graphql.remaining - reserve_of(limits.graphql.limit, reserve_share), 0)
        rechecks = counts.github - counts.never_checked
        fits_points = fitting(counts.never_checked, rechecks, points, costs.first_points, costs.recheck_points)
        if fits_points < fits:
            # Past GraphQL's points the checker goes the REST way, which costs more of REST's budget.
            firsts = min(counts.never_checked, fits_points)
            spent = firsts * costs.first + (fits_points - firsts) * costs.recheck
            fits = fits_points + fitting(counts.never_checked - firsts, rechecks - (fits_points - firsts),
                                         spendable - spent, REST_FIRST, REST_RECHECK)
            graphql_limited = True
    others: list[DueRecord] = []

    def github() -> Iterator[DueRecord]:
        for record in due():
            if record.budgeted:
                yield record
            else:
                others.append(record)

    stream = github()
    chosen = heapq.nsmallest(fits, stream, key=plan_order)
    for _ in stream:
        pass  # the GitHub repositories past the budget are not kept; the other hosts' ones are
    ordered = sorted([*chosen, *others], key=plan_order)
    return Plan([record.ref() for record in ordered], counts.total, counts.github, counts.never_checked, len(chosen),
                spendable, core.limit, reserve, core.reset, costs, cost_all, graphql_limited)


def fitting(first: int, recheck: int, budget: float, first_cost: float, recheck_cost: float) -> int:
    """How many repositories `budget` covers, first checks before re-checks (the order puts them first)."""
    if budget <= 0:
        return 0
    if first_cost <= 0 and recheck_cost <= 0:
        return first + recheck
    firsts = first if first_cost <= 0 else min(first, _times(budget, first_cost))
    left = budget - firsts * first_cost
    if firsts < first:
        return firsts
    rechecks = recheck if recheck_cost <= 0 else min(recheck, _times(left, recheck_cost))
    return firsts + rechecks


def _times(budget: float, cost: float) -> int:
    """Whole repositories at `cost` within `budget`; 10 / 0.08 is 125, not the 124 of binary floating point."""
    return int(budget / cost + 1e-9)


class DueCounts(NamedTuple):
    total: int  # due on any host
    github: int  # due on GitHub (what the budget limits)
    never_checked: int  # of the GitHub ones
