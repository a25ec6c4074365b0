"""What one run checked, by status, and what it cost at the host: the figures a run is finished with."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from tracker.records import RepoFacts, Status
from tracker.tracking.checker import OUR_FAULT, REFUSED, CheckedRepository


@dataclass
class RunTally:
    """What one run checked, by status, and what it cost at the host.

    `awaiting_confirmation` holds the repositories (canonical name -> when
    they first answered "not found") whose 404 is not recorded yet: they were
    live at their last conclusive check and are asked again (`confirm_gone`).
    """

    by_status: dict[str, int] = dataclasses.field(default_factory=dict)
    requests_made: int = 0
    requests_rate_limited: int = 0
    status_override: str | None = None
    awaiting_confirmation: dict[str, datetime] = dataclasses.field(default_factory=dict)
    rate_limited: int = 0  # the `not_checked` ones that a rate limit left unasked
    deferred: int = 0  # GitHub repositories due but left for the next run by the budget plan (not recorded)
    unfinished: int = 0  # repositories of check batches that failed (a dead worker) before recording them

    @property
    def checked(self) -> int:
        return sum(self.by_status.values())

    @property
    def run_status(self) -> str:
        """`rate_limited` when the limit left repositories unchecked (`not_checked`, or left for the next run
        by the budget plan); the next run picks them up.

        Names refused as unreadable and our own faults are `not_checked` too,
        but no rate limit caused them and none will lift them.
        """
        if self.status_override:
            return self.status_override
        return "rate_limited" if self.rate_limited or self.deferred else "completed"

    def add(self, other: RunTally) -> None:
        for status, count in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + count
        self.requests_made += other.requests_made
        self.requests_rate_limited += other.requests_rate_limited
        self.awaiting_confirmation.update(other.awaiting_confirmation)
        self.rate_limited += other.rate_limited
        self.deferred += other.deferred
        self.unfinished += other.unfinished

    def count(self, checked: CheckedRepository) -> None:
        self.count_facts(checked.facts)

    def count_facts(self, facts: RepoFacts) -> None:
        status = str(facts.status)
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if left_by_rate_limit(facts):
            self.rate_limited += 1

    def interrupted(self) -> RunTally:
        """This tally, for a run that stopped before checking everything it meant to."""
        return dataclasses.replace(self, by_status=dict(self.by_status), status_override="interrupted",
                                   awaiting_confirmation=dict(self.awaiting_confirmation))


def left_by_rate_limit(facts: RepoFacts) -> bool:
    """Whether a rate limit is why `facts` is `not_checked` (not a name git refuses, nor a fault of ours)."""
    return facts.status is Status.NOT_CHECKED and "rate limit" in facts.detail \
        and not facts.detail.startswith((REFUSED, OUR_FAULT))

