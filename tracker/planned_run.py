"""Running a plan (`tracker.planning`): asking the store and GitHub for it, and keeping to it while the run goes.

The plan is an estimate; GitHub's own ``X-RateLimit-Remaining`` on each answer
is the truth, so `check_within_budget` wraps `tracking.check_and_record` with
a guard that stops handing GitHub repositories to the checker once what is
left reaches the reserve. A budget spent by somebody else mid-run still hands
the repositories already being checked to git alone
(`RepositoryChecker._through_git_alone`): that fallback is for surprises, the
plan is for what is known before starting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tracker.planning import Costs, DueCounts, DueRecord, Plan, PlanSummary, RunCost, learn_costs, plan
from tracker.records import RepoKind, RepoRef

if TYPE_CHECKING:  # PyGithub stays out of `status`
    from tracker.hosts.github_budget import GitHubStats, RateLimits
    from tracker.settings import Settings
    from tracker.store import Store
    from tracker.tracking.checker import RepositoryChecker
    from tracker.tracking.tally import RunTally

log = logging.getLogger(__name__)


@dataclass
class BudgetGuard:
    """Stops handing GitHub repositories to the checker once GitHub's remaining budget, less what the
    repositories already handed over are still expected to spend, reaches the reserve; counts what it held back.

    The plan's figures are estimates; ``X-RateLimit-Remaining`` on each answer
    is GitHub's word, and it also counts what the token's other users spent.
    A repository handed over is expected to cost `cost_each` (the plan's
    average); what this host has spent so far (`GitHubStats.requests_rate_counted`)
    is already in GitHub's figure, so only the rest of the expectation is
    subtracted. The checker reads up to two looks ahead, so this matters.
    """

    reserve: int
    cost_each: float
    stats: Callable[[], GitHubStats]
    handed: int = 0
    held_back: int = 0
    stopped_at: int | None = field(default=None)  # GitHub's remaining when the guard stopped

    def __call__(self, refs: Iterable[RepoRef]) -> Iterator[RepoRef]:
        for ref in refs:
            if not _budgeted(ref):
                yield ref
            elif self.spent():
                self.held_back += 1
            else:
                self.handed += 1
                yield ref

    def spent(self) -> bool:
        if self.stopped_at is not None:
            return True
        stats = self.stats()
        remaining = stats.rate_remaining
        if remaining is None:
            return False
        expected = max(self.handed * self.cost_each - stats.requests_rate_counted, 0.0)
        if remaining - expected <= self.reserve:
            self.stopped_at = remaining
            return True
        return False


def _budgeted(ref: RepoRef) -> bool:
    return ref.host == "github.com" and ref.kind is RepoKind.CODE


class PlanningStore(Protocol):
    """The part of `tracker.store.Store` a plan reads."""

    def due_counts(self, *, max_age_hours: float | None = None) -> DueCounts: ...

    def due_records(self, *, max_age_hours: float | None = None) -> Iterator[DueRecord]: ...

    def github_run_costs(self, *, runs: int = 5) -> list[RunCost]: ...


class BudgetSource(Protocol):
    """The part of `tracker.hosts.github.GitHubHost` a plan asks."""

    def rate_limits(self) -> RateLimits | None: ...


def plan_checks(store: PlanningStore, github: BudgetSource, *, max_age_hours: float | None,
                reserve_share: float) -> Plan:
    """This run's plan: GitHub's budget now, costs learned from the store's recent runs, the due repositories."""
    limits = github.rate_limits()
    costs = Costs.defaults(authenticated=limits.authenticated if limits is not None else False)
    costs = learn_costs(store.github_run_costs(), costs)
    counts = store.due_counts(max_age_hours=max_age_hours)
    return plan(lambda: store.due_records(max_age_hours=max_age_hours), counts, limits, costs,
                reserve_share=reserve_share)


def plan_run(store: PlanningStore, github: BudgetSource, settings: Settings) -> Plan | None:
    """The plan for a run of every due repository, or None when REPRO_TRACKER_PAST_BUDGET=git asks to check them
    all (the CLI's `check --all` and the flow decide alike)."""
    if settings.past_budget != "next-run":
        return None
    return plan_checks(store, github, max_age_hours=settings.max_age_hours, reserve_share=settings.budget_reserve)


def check_within_budget(store: Store, run_id: int, checker: RepositoryChecker, refs: Iterable[RepoRef], *,
                        reserve: int, cost_each: float, workers: int, **options: Any) -> RunTally:
    """`tracking.check_and_record` with the guard: GitHub repositories stop being handed over once GitHub's
    remaining budget reaches the reserve (and what may still be in flight); the tally counts them `deferred`."""
    from tracker.tracking.recording import check_and_record

    guard = BudgetGuard(reserve, cost_each, lambda: checker.github.stats)
    tally = check_and_record(store, run_id, checker, guard(refs), workers=workers, **options)
    tally.deferred += guard.held_back
    if guard.held_back:
        log.info("stopped checking GitHub repositories with %s requests left (reserve %d): %d left for the next run",
                 guard.stopped_at, reserve, guard.held_back)
    return tally


def run_note(plan: Plan | PlanSummary, tally: RunTally) -> str:
    """The run's note in the store: the plan, and what the guard held back when GitHub's count ran out sooner."""
    note = f"planned: {plan.describe()}"
    held = tally.deferred - plan.deferred
    if held > 0:
        note += f"; {held:,} more left when GitHub's remaining budget reached the reserve"
    return note
