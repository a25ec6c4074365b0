"""Many repositories through one `RepositoryChecker`: looked at in batches, read, judged, yielded as they finish."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tracker.hosts.github_content import PendingRead
from tracker.hosts.github_graphql import LOOK_BATCH, Look
from tracker.records import RepoRef
from tracker.tracking.checker import CheckedRepository, RepositoryChecker


@dataclass(frozen=True, slots=True)
class _Looked:
    refs: list[RepoRef]
    looks: list[Look | None]


@dataclass(eq=False, slots=True)
class _Batch:
    """One look's repositories on their way: how many are still being prepared, and the reads they left."""

    preparing: int
    pending: list[PendingRead] = dataclasses.field(default_factory=list)


def check_many(checker: RepositoryChecker, refs: Iterable[RepoRef], *, workers: int) -> Iterator[CheckedRepository]:
    """Check repositories with at most `workers` at once, yielding each as it finishes.

    GitHub repositories go in batches of `LOOK_BATCH` through three stages:
    one look for the batch, then each repository on its own (`prepare`: its
    tree, or the whole check when nothing is left to read), then one read for
    what the batch left (`finish_many`). A repository the look left to REST,
    and every repository of another host, is checked on its own.

    Looks and reads run on two threads of their own, so that the next batch's
    look is under way while this batch's repositories are prepared: at most
    `workers` + 2 requests at once, far below GitHub's limit of 100. Input is
    consumed only as fast as work finishes (two looks ahead at most). Threads
    suit this work: it waits on HTTP and on git subprocesses.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from tracker.interrupts import interrupt_deferred, wait_first

    workers = max(1, workers)
    # Ctrl-C is raised between two waits, never inside one (where it left futures' locks held: a hang).
    with interrupt_deferred() as interrupt, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool, \
            ThreadPoolExecutor(max_workers=2, thread_name_prefix="batch") as batch_pool:
        running: dict[Future[Any], _Batch | None] = {}
        looks: set[Future[Any]] = set()

        def look(batch: list[RepoRef]) -> _Looked:
            return _Looked(batch, checker.look_many(batch))

        def start_look(batch: list[RepoRef]) -> None:
            future = batch_pool.submit(look, batch)
            running[future] = None
            looks.add(future)

        def finished(done: set[Future[Any]]) -> Iterator[CheckedRepository]:
            for future in done:
                batch = running.pop(future)
                looks.discard(future)
                outcome = future.result()
                if isinstance(outcome, _Looked):
                    looked = _Batch(preparing=sum(found is not None for found in outcome.looks))
                    for ref, found in zip(outcome.refs, outcome.looks, strict=True):
                        if found is None:
                            running[pool.submit(checker.check, ref)] = None
                        else:
                            running[pool.submit(checker.prepare, ref, found)] = looked
                elif isinstance(outcome, PendingRead):
                    assert batch is not None
                    batch.pending.append(outcome)
                elif isinstance(outcome, list):
                    for item in outcome:
                        if isinstance(item, PendingRead):
                            running[pool.submit(checker.finish_with_git, item)] = None
                        else:
                            yield item
                else:
                    yield outcome
                if batch is not None:
                    batch.preparing -= 1
                    if batch.preparing == 0 and batch.pending:
                        running[batch_pool.submit(checker.finish_many, batch.pending)] = None

        def busy() -> bool:
            return len(looks) >= 2 or len(running) - len(looks) >= workers + LOOK_BATCH

        gathering: list[RepoRef] = []
        try:
            for ref in refs:
                if checker.looks_in_batches(ref):
                    gathering.append(ref)
                    if len(gathering) == LOOK_BATCH:
                        start_look(gathering)
                        gathering = []
                else:
                    running[pool.submit(checker.check, ref)] = None
                while busy():
                    yield from finished(wait_first(running, interrupt))
            if gathering:
                start_look(gathering)
            while running:
                yield from finished(wait_first(running, interrupt))
        except BaseException:
            # Ctrl-C, or the caller stopped taking checks (a budget spent): what has not started never will,
            # so the pools' shutdown waits only for the checks under way, not for a look's fifty clones.
            for future in running:
                future.cancel()
            raise

