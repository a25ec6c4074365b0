"""Is anyone still looking after the code? Last commit, recent commits, people, releases.

Maintained means a commit within the last 365 days, the line `score.health`
draws between ``alive`` and ``stale``. Scores by the last commit's age: within
90 days 10, within 365 days 7 (pass); within two years 3, older 0 (fail). An
archived repository fails with 0 whatever its history: its owner has said no
change will come. Without git history the API's last push stands in.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import as_utc, failed, passed, status_unknown, unknown
from tracker.records import CheckResult, RepoFacts, Status

NAME = "activity"

MAINTAINED_DAYS = 365


def _score(days: int) -> int:
    if days <= 90:
        return 10
    if days <= MAINTAINED_DAYS:
        return 7
    if days <= 2 * MAINTAINED_DAYS:
        return 3
    return 0


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    gate = status_unknown(NAME, facts)
    if gate is not None:
        return gate
    if facts.status is Status.EMPTY:
        return failed(NAME, "No commits at all: the repository is empty.")
    activity = facts.activity
    metadata = facts.metadata
    evidence: list[str] = []
    if activity is not None and activity.last_commit_at is not None:
        last, what = activity.last_commit_at, "Last commit"
        evidence.append(f"last commit: {as_utc(last).isoformat()}")
        if activity.head_commit:
            evidence.append(f"head: {activity.head_commit}")
        evidence += [
            f"commits in 90 days: {activity.commits_90d}",
            f"commits in 365 days: {activity.commits_365d}",
            f"contributors: {activity.contributors}",
            f"tags: {activity.tags}",
        ]
    elif metadata is not None and metadata.pushed_at is not None:
        last, what = metadata.pushed_at, "Last push"
        evidence.append(f"last push (API): {as_utc(last).isoformat()}")
    else:
        return unknown(NAME, "Unknown: neither the git history nor the host's API gave a last commit date.")
    if metadata is not None and metadata.latest_release:
        released = f" ({as_utc(metadata.latest_release_at).date()})" if metadata.latest_release_at else ""
        evidence.append(f"latest release: {metadata.latest_release}{released}")

    days = max((as_utc(now) - as_utc(last)).days, 0)
    # The date, not "N days ago": the reason is stored, and one that changed with every day that passes would make
    # each re-check of an untouched repository a change (history keeps changes, not repetitions).
    parts = [f"{what} on {as_utc(last).date().isoformat()}"]
    if what == "Last commit":
        assert activity is not None
        parts.append(f"{activity.commits_365d} commit{'' if activity.commits_365d == 1 else 's'} "
                     f"in the last 365 days")
        parts.append(f"{activity.contributors} contributor{'' if activity.contributors == 1 else 's'}")
    if metadata is not None and metadata.latest_release:
        parts.append(f"latest release {metadata.latest_release}")
    summary = "; ".join(parts) + "."
    if facts.status is Status.ARCHIVED:
        return failed(NAME, f"Archived: the owner made it read-only. {summary}", evidence)
    if days <= MAINTAINED_DAYS:
        return passed(NAME, f"Maintained. {summary}", evidence, score=_score(days))
    return failed(NAME, f"Stale: no commit for over a year. {summary}", evidence, score=_score(days))
