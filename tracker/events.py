"""Which status changes a run announces, and under which event names: pure, so the flow only emits.

A user builds notifications (e-mail, Slack, a webhook) as Prefect automations
on these events instead of in our code. Each change of one repository since
its previous check (`tracker.report.analysis.repo_changes`, where only an
authoritative answer counts) is one event; its resource is the repository,
so an automation can match one repository, one owner or all of them:
``prefect.resource.id`` is ``repro-tracker.repository.github.com/owner/name``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.report.analysis import Change, ChangeKind, describe_change, repo_changes
from tracker.report.model import RepoEntry

EVENT_PREFIX = "repro-tracker.repository"
RESOURCE_PREFIX = "repro-tracker.repository."

EVENT_NAMES: dict[ChangeKind, str] = {
    ChangeKind.MISSING: f"{EVENT_PREFIX}.missing",
    ChangeKind.BLOCKED: f"{EVENT_PREFIX}.blocked",  # blocked or disabled by the host
    ChangeKind.MOVED: f"{EVENT_PREFIX}.moved",
    ChangeKind.ARCHIVED: f"{EVENT_PREFIX}.archived",
    ChangeKind.LICENSE: f"{EVENT_PREFIX}.license-changed",
    ChangeKind.REVIVED: f"{EVENT_PREFIX}.revived",
    ChangeKind.STALE: f"{EVENT_PREFIX}.stale",
}


@dataclass(frozen=True, slots=True)
class RepoEvent:
    """One event as `prefect.events.emit_event` takes it."""

    event: str
    resource: dict[str, str]
    payload: dict[str, Any] = field(default_factory=dict)


def resource_id(canonical: str) -> str:
    return f"{RESOURCE_PREFIX}{canonical}"


def run_changes(repositories: Iterable[RepoEntry], since: datetime | None) -> list[Change]:
    """The changes this run saw: of repositories whose latest check is at or after `since` (the run's start).

    A repository the run did not check keeps its older change, which an
    earlier run announced already.
    """
    found: list[Change] = []
    for repo in repositories:
        if since is not None and (repo.checked_at is None or repo.checked_at < since):
            continue
        found.extend(repo_changes(repo))
    return found


def change_event(change: Change, *, run_id: int | str | None = None) -> RepoEvent:
    """The event for one change: its name by kind, the repository as the resource, from/to in the payload."""
    host = change.canonical.split("/", 1)[0]
    resource = {
        "prefect.resource.id": resource_id(change.canonical),
        "prefect.resource.name": change.canonical,
        "repro-tracker.host": host,
    }
    payload: dict[str, Any] = {
        "repository": change.canonical,
        "change": str(change.kind),
        "from": change.before,
        "to": change.after,
        "summary": f"{change.canonical}: {describe_change(change)}",
    }
    if run_id is not None:
        payload["run_id"] = str(run_id)
    return RepoEvent(event=EVENT_NAMES[change.kind], resource=resource, payload=payload)


def change_events(changes: Iterable[Change], *, run_id: int | str | None = None) -> list[RepoEvent]:
    return [change_event(change, run_id=run_id) for change in changes]


def describe_run_checks(checked: int, changes: Iterable[Change], by_status: dict[str, int]) -> str:
    """The flow's log line for the check stage: ``checked 437 repositories: 3 went missing, 1 moved``."""
    counts: dict[ChangeKind, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    phrases = {
        ChangeKind.MISSING: "went missing", ChangeKind.BLOCKED: "were blocked or disabled",
        ChangeKind.MOVED: "moved", ChangeKind.ARCHIVED: "were archived", ChangeKind.LICENSE: "changed license",
        ChangeKind.REVIVED: "came back", ChangeKind.STALE: "went stale",
    }
    news = ", ".join(f"{count} {phrases[kind]}" for kind, count in counts.items()) or "nothing changed"
    mix = ", ".join(f"{count} {status}" for status, count in sorted(by_status.items()))
    noun = "repository" if checked == 1 else "repositories"
    return f"checked {checked} {noun}: {news}" + (f" ({mix})" if mix else "")
