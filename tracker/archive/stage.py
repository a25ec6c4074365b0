"""The archival stage of a run: ask Software Heritage about the repositories worth asking, record each verdict.

A plain function over the store and the client, shared by `check --archive`
and the flow's archive task. It runs after the checks are recorded, so a slow
or spent archive never holds them up; what the budget did not allow is left
for the next run and said so.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.archive.state import (
    ArchiveState,
    ArchiveVerdict,
    Known,
    Lookup,
    ask_order,
    judge,
    needs_asking,
)
from tracker.archive.swh import SoftwareHeritage
from tracker.records import AUTHORITATIVE_GONE, INCONCLUSIVE, RepoRef
from tracker.store import Store

log = logging.getLogger(__name__)


@dataclass
class ArchiveTally:
    """What one archival stage did."""

    by_state: Counter[str] = field(default_factory=Counter)
    asked: int = 0
    unchanged: int = 0  # archived at the same HEAD: not asked again
    left: list[str] = field(default_factory=list)  # not asked: the budget ran out first
    budget: str = ""
    requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"asked": self.asked, "by_state": dict(self.by_state), "unchanged": self.unchanged,
                "left": self.left, "budget": self.budget, "requests": self.requests}

    def summary(self) -> str:
        states = ", ".join(f"{count} {state}" for state, count in sorted(self.by_state.items())) or "none asked"
        text = f"archive: {self.asked} asked ({states}), {self.unchanged} unchanged since archived"
        if self.left:
            text += f"; {len(self.left)} left for the next run ({self.budget})"
        return text


def known_repositories(store: Store, keys: Iterable[str] | None = None) -> list[Known]:
    """Every checked repository with what decides whether to ask: gone or not, its HEAD, the last verdict.

    Repositories whose latest check is inconclusive wait for a conclusive one.
    A gone repository's HEAD is the last one a check saw, read from its history.
    """
    wanted = None if keys is None else {key.lower() for key in keys}
    rows = [row for row in store.latest_checks(fields=("status", "head_commit"))
            if (wanted is None or row.key in wanted) and row.latest.status not in INCONCLUSIVE]
    archived = store.archive.latest([row.key for row in rows] if wanted is not None else None)
    known = []
    for row in rows:
        gone = row.latest.status in AUTHORITATIVE_GONE
        head = row.latest.head_commit
        if gone and head is None:
            head = next((check.head_commit for check in reversed(store.history(row.key)) if check.head_commit), None)
        last = archived.get(row.key)
        known.append(Known(key=row.key, canonical=row.canonical, gone=gone, head_commit=head,
                           last_state=last.state if last else None, last_head=last.head_commit if last else None,
                           last_revision=last.revision if last else None))
    return known


def run_archive_stage(store: Store, swh: SoftwareHeritage, *, run_id: int | None = None,
                      keys: Iterable[str] | None = None, limit: int | None = None,
                      on_verdict: Callable[[str, ArchiveVerdict], None] | None = None,
                      now: Callable[[], datetime] | None = None) -> ArchiveTally:
    """Ask about every repository worth asking (`needs_asking`), gone ones first, within the read budget."""
    tally = ArchiveTally()
    known = known_repositories(store, keys)
    due = [item for item in known if needs_asking(item)]
    tally.unchanged = len(known) - len(due)
    due = ask_order(due)[:limit] if limit is not None else ask_order(due)
    last_commit = {row.key: row.latest.last_commit_at or row.latest.pushed_at
                   for row in store.latest_checks(fields=("status", "last_commit_at", "pushed_at"))}
    before = swh.http.requests
    for position, item in enumerate(due):
        origin_url = RepoRef.parse(item.canonical).https_url
        answers = swh.look(origin_url, item.head_commit, gone=item.gone, questions_left=2 * (len(due) - position))
        verdict = judge(answers, last_commit_at=last_commit.get(item.key))
        if answers.visit is Lookup.NOT_ASKED:
            tally.left.append(item.canonical)
            if item.last_state is not None:
                continue  # its last verdict stands until it can be asked
        else:
            tally.asked += 1
        store.archive.record_check(item.key, verdict, run_id=run_id, checked_at=now() if now else None)
        tally.by_state[verdict.state.value] += 1
        if verdict.state is ArchiveState.UNKNOWN and item.canonical not in tally.left:
            log.info("%s: archive %s", item.canonical, verdict.detail)
        if on_verdict is not None:
            on_verdict(item.canonical, verdict)
    tally.requests = swh.http.requests - before
    tally.budget = swh.reads.describe()
    return tally
