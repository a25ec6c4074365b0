"""A run's other links (pages, DOIs, short links) checked and recorded, and promised code looked for again."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.artifacts.check import ArtifactCheck, ArtifactChecker, ArtifactTarget
from tracker.artifacts.promises import PromiseFinder, arxiv_id_of
from tracker.records import RepoRef
from tracker.store import Store

log = logging.getLogger(__name__)


@dataclass
class ArtifactTally:
    """What one run's artifact stage checked, by state, and the repositories short links led to that were new."""

    by_state: dict[str, int] = dataclasses.field(default_factory=dict)
    new_repositories: list[RepoRef] = dataclasses.field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(self.by_state.values())


def check_artifacts_and_record(store: Store, run_id: int, checker: ArtifactChecker,
                               targets: Iterable[ArtifactTarget], *, workers: int,
                               on_checked: Callable[[ArtifactCheck], None] | None = None) -> ArtifactTally:
    """Check each web page, DOI and short link with at most `workers` at once, committing each check at once.

    The web client keeps to a few requests per host whatever `workers` is. A
    repository a short link led to is added to the store and returned, for
    the run to check with the others.
    """
    from concurrent.futures import ThreadPoolExecutor

    tally = ArtifactTally()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="artifact") as pool:
        for checked in pool.map(checker.check, targets):
            new = store.record_artifact_check(run_id, checked)
            if new is not None:
                tally.new_repositories.append(new)
            state = str(checked.verdict.state)
            tally.by_state[state] = tally.by_state.get(state, 0) + 1
            if on_checked is not None:
                on_checked(checked)
    return tally


@dataclass
class PromiseTally:
    """What one run's look for promised code did: papers looked at, and repositories found for them."""

    looked: int = 0
    found: list[str] = dataclasses.field(default_factory=list)  # "paper id: repository"


def look_for_promised_code(store: Store, finder: PromiseFinder) -> PromiseTally:
    """Look again for the code each promising paper without a link has not been looked at for today.

    A repository found is linked to the paper as `found_later` with the date;
    every paper looked at is marked so, found or not, so it waits a day.
    """
    tally = PromiseTally()
    for due in store.promises_due():
        try:
            found = finder.look(arxiv_id_of(due.paper_id), due.title)
        except Exception:
            log.exception("looking for the code promised by %s failed", due.paper_id)
            continue
        tally.looked += 1
        if store.record_promise_look(due.paper_id, found=found.ref if found else None,
                                     where=found.where if found else ""):
            assert found is not None
            tally.found.append(f"{due.paper_id}: {found.ref.canonical}")
    return tally

