"""Checks into the store a batch at a time, and a live repository's "not found" asked again before it counts."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from tracker.hosts.github_graphql import LOOK_BATCH
from tracker.records import INCONCLUSIVE, RepoFacts, RepoRef, Status
from tracker.store import Store
from tracker.store.checks import CheckToRecord
from tracker.tracking.checker import CheckedRepository, RepositoryChecker
from tracker.tracking.pipeline import check_many
from tracker.tracking.tally import RunTally

log = logging.getLogger(__name__)

# Statuses that say the repository was there: "not found" after one of them is asked again before it counts.
_LIVE = frozenset({Status.OK, Status.MOVED, Status.ARCHIVED, Status.EMPTY})

# Checks committed together by `check_and_record`: a look's worth, so a crash loses at most one look's checks.
RECORD_BATCH = LOOK_BATCH


def record(store: Store, run_id: int, checked: CheckedRepository) -> None:
    record_all(store, run_id, [checked])


def record_all(store: Store, run_id: int, checked: Sequence[CheckedRepository]) -> None:
    """Commit these checks in one transaction (`Store.record_checks`)."""
    store.record_checks(run_id, [CheckToRecord(item.facts, item.results, item.health, item.repro_score)
                                 for item in checked])



def needs_confirmation(store: Store, checked: CheckedRepository) -> bool:
    """Whether this "not found" must be asked again before it counts: the last conclusive check found it live.

    A repository never seen live (a first check, or one already missing) is
    taken at its word: asking again could only repeat the same answer.
    """
    if checked.facts.status is not Status.MISSING:
        return False
    for earlier in reversed(store.history(checked.facts.ref.key)):
        if earlier.status not in INCONCLUSIVE:
            return earlier.status in _LIVE
    return False


def read_by_git_alone(facts: RepoFacts) -> bool:
    """Whether a GitHub repository's check could not ask the API (`RepositoryChecker._through_git_alone`)."""
    return facts.ref.host == "github.com" and facts.metadata is None and facts.http_status is None \
        and facts.status in _LIVE


def with_last_known_archive(store: Store, checker: RepositoryChecker, checked: CheckedRepository) -> CheckedRepository:
    """A repository read by git alone stays `archived` when the last check that asked GitHub's API found it so.

    Git cannot see the archived flag; recording `ok` would show the
    repository as un-archived in `history` and `status` when nothing but the
    way of reading changed. Archiving is undone rarely, and the next check
    with API budget reads the flag again.
    """
    facts = checked.facts
    if facts.status is not Status.OK or not read_by_git_alone(facts):
        return checked
    for earlier in reversed(store.history(facts.ref.key)):
        if earlier.status in INCONCLUSIVE or earlier.stars is None:
            continue
        if earlier.status is not Status.ARCHIVED:
            return checked
        detail = f"{facts.detail}; archived at the last check that asked GitHub's API ({earlier.checked_at:%Y-%m-%d})"
        return checker.judge(dataclasses.replace(facts, status=Status.ARCHIVED, detail=detail))
    return checked


def check_and_record(store: Store, run_id: int, checker: RepositoryChecker, refs: Iterable[RepoRef], *,
                     workers: int, on_checked: Callable[[CheckedRepository], None] | None = None,
                     confirm_gone_after: float | None = None, defer_confirmation: bool = False,
                     sleep: Callable[[float], None] = time.sleep) -> RunTally:
    """Check each repository and commit the checks a batch at a time, so a crash loses only the batch in flight.

    Checks GitHub's API answered are committed `RECORD_BATCH` at a time (a
    commit costs more than recording an unchanged re-check); a check git alone
    answered (another host, or GitHub when its API could not be asked) is
    committed at once with what is pending, since the clone cost far more than a
    commit and a slow run's progress should not wait for fifty of them. An
    interrupt (Ctrl-C, SIGTERM) commits what is pending before it goes on;
    `on_checked` sees a check only once it is committed.

    With `confirm_gone_after` (seconds), a repository that was live and now
    answers "not found" is held back and asked again once that long has
    passed since its first answer (`confirm_gone`): after every other
    repository, so the wait costs only what is left of it. With
    `defer_confirmation` the held ones are returned in the tally's
    `awaiting_confirmation` instead, for the caller to confirm after all its
    batches (the flow does).
    """
    tally = RunTally()
    pending: list[CheckedRepository] = []

    def commit_pending() -> None:
        batch = pending[:]
        pending.clear()  # before recording, so that a failed batch is not recorded again on the way out
        record_all(store, run_id, batch)
        for done in batch:
            tally.count(done)
            if on_checked is not None:
                on_checked(done)

    try:
        for checked in check_many(checker, refs, workers=workers):
            if confirm_gone_after is not None and needs_confirmation(store, checked):
                tally.awaiting_confirmation[checked.facts.ref.canonical] = checker.clock()
                continue
            pending.append(with_last_known_archive(store, checker, checked))
            if len(pending) >= RECORD_BATCH or not answered_by_api(checked.facts):
                commit_pending()
    finally:
        commit_pending()
    if tally.awaiting_confirmation and confirm_gone_after is not None and not defer_confirmation:
        held, tally.awaiting_confirmation = tally.awaiting_confirmation, {}
        tally.add(_confirm(store, run_id, checker, held, after=confirm_gone_after, workers=workers,
                           on_checked=on_checked, sleep=sleep))
    stats = checker.github.stats
    tally.requests_made = stats.requests_made
    tally.requests_rate_limited = stats.requests_rate_counted
    return tally


def answered_by_api(facts: RepoFacts) -> bool:
    """Whether a check was answered by GitHub's API (cheap, batched) rather than by git (a clone, slow)."""
    return facts.ref.host == "github.com" and not read_by_git_alone(facts)


def confirm_gone(store: Store, run_id: int, checker: RepositoryChecker, awaiting: dict[str, datetime], *,
                 after: float, workers: int, on_checked: Callable[[CheckedRepository], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> RunTally:
    """Ask again about the repositories whose "not found" was held back, and record the second answer.

    Waits only for what is left of `after` seconds since the latest first
    answer (`checker.clock` tells the time, `sleep` waits). A second "not
    found" is recorded `missing`, saying it was confirmed; a live answer is
    recorded as whatever it says.
    """
    tally = _confirm(store, run_id, checker, awaiting, after=after, workers=workers, on_checked=on_checked,
                     sleep=sleep)
    stats = checker.github.stats
    tally.requests_made = stats.requests_made
    tally.requests_rate_limited = stats.requests_rate_counted
    return tally


def _confirm(store: Store, run_id: int, checker: RepositoryChecker, awaiting: dict[str, datetime], *,
             after: float, workers: int, on_checked: Callable[[CheckedRepository], None] | None,
             sleep: Callable[[float], None]) -> RunTally:
    tally = RunTally()
    if not awaiting:
        return tally
    remaining = after - (checker.clock() - max(awaiting.values())).total_seconds()
    if remaining > 0:
        log.info("asking %d repositories again in %.0f s: they were live and now answer 'not found'",
                 len(awaiting), remaining)
        sleep(remaining)
    refs = [RepoRef.parse(canonical) for canonical in awaiting]
    for checked in check_many(checker, refs, workers=workers):
        first = awaiting.get(checked.facts.ref.canonical)
        if checked.facts.status is Status.MISSING and first is not None:
            waited = (checker.clock() - first).total_seconds()
            confirmed = f"{checked.facts.detail}; confirmed: the same answer {waited:.0f} s after the first"
            checked = dataclasses.replace(checked, facts=dataclasses.replace(checked.facts, detail=confirmed))
        checked = with_last_known_archive(store, checker, checked)
        record(store, run_id, checked)
        tally.count(checked)
        if on_checked is not None:
            on_checked(checked)
    return tally
