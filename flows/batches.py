"""Checking every due repository in batches: a few batches in flight at once, in threads or on a Dask cluster.

One Prefect task per repository costs ~25 ms of orchestration against a few ms of checking a repository whose
answer is cached, so 1,000 single tasks would spend most of a run in Prefect (see README, "The Prefect UI").
"""

from __future__ import annotations

import contextlib
import itertools
import queue
from collections.abc import Iterable, Iterator
from typing import cast
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.futures import PrefectFuture

from flows.runners import dask_task_runner
from flows.tasks import check_batch, count_failed_batch, store_for
from tracker.hosts.github_graphql import LOOK_BATCH
from tracker.tracking.tally import RunTally

# A batch's GitHub repositories share one GraphQL look, hence the look's size
# (REPRO_TRACKER_BATCH_SIZE, `Settings.batch_size`, sets another).
BATCH_SIZE = LOOK_BATCH
# Batches sent ahead, per batch that can run at once: enough that a worker finishing one has the next at
# hand, few enough that the flow holds a few hundred names, not the whole due list.
BATCHES_AHEAD = 2


def due_batches(database_url: str | None, max_age_hours: float | None, run_id: int, size: int,
                planned: list[str] | None) -> Iterator[list[str]]:
    """The names to check, `size` at a time: the plan's, or every due one read from the store only as fast as
    batches are sent."""
    due: Iterator[str] = iter(planned) if planned is not None else (
        ref.canonical for ref in store_for(database_url).iter_repositories_due(max_age_hours=max_age_hours,
                                                                              run_id=run_id))
    while batch := list(itertools.islice(due, size)):
        yield batch


def check_all(batches: Iterable[list[str]], total: int, run_id: int, database_url: str | None,
              tally: RunTally, *, parallel_batches: int, dask_address: str | None,
              budget: tuple[int, float] | None = None) -> list[str]:
    """Check every batch, adding each batch's tally as it ends and moving the run's progress artifact.

    At most `BATCHES_AHEAD` x the batches that can run at once are sent ahead of the ones that
    ended, and the next is read from `batches` only when one ends: memory stays flat however many
    repositories are due (300,000: bench/results.md). With `dask_address` the batches go to that
    cluster (prefect-dask's `DaskTaskRunner`), and only they: the flow's other tasks stay here.

    A batch that fails for good (its Dask worker died, or an error outlived the task's retries) does not
    stop the others: what it recorded is counted from the store, the rest as `unfinished`. Returns the
    failed batches' causes (exception names), for the run's note.
    """
    progress_id = cast(UUID, create_progress_artifact(
        progress=0.0 if total else 100.0, key="repro-progress",
        description=f"checking {total} repositories"))  # called synchronously: a UUID
    failures: list[str] = []
    if not total:
        return failures
    with dask_task_runner(dask_address) if dask_address else contextlib.nullcontext() as cluster:
        if cluster is None:
            def submit(batch: list[str]) -> PrefectFuture[RunTally]:
                return check_batch.submit(batch, run_id=run_id, database_url=database_url, budget=budget)
            width = parallel_batches
        else:
            def submit(batch: list[str]) -> PrefectFuture[RunTally]:
                return cast(PrefectFuture[RunTally], cluster.submit(
                    check_batch, {"canonicals": batch, "run_id": run_id, "database_url": database_url,
                                   "budget": budget}))
            width = max(parallel_batches, sum(cluster.client.nthreads().values()))
        ended: queue.SimpleQueue[PrefectFuture[RunTally]] = queue.SimpleQueue()
        in_flight: dict[UUID, list[str]] = {}
        done = 0

        def collect() -> None:
            nonlocal done
            future = ended.get()
            batch = in_flight.pop(future.task_run_id)
            try:
                tally.add(future.result())
            except Exception as exc:  # a dead worker's KilledWorker, or the batch's own error past its retries
                failures.append(type(exc).__name__)
                get_run_logger().error(f"a check batch of {len(batch)} failed ({type(exc).__name__}: {exc}); "
                                       "what it recorded is kept, the rest is due next run")
                tally.add(count_failed_batch(batch, run_id, database_url))
            done += len(batch)
            update_progress_artifact(artifact_id=progress_id, progress=min(100.0, 100.0 * done / total),
                                     description=f"checked {done}/{total} repositories")

        for batch in batches:
            if len(in_flight) >= BATCHES_AHEAD * width:
                collect()
            future = submit(batch)
            in_flight[future.task_run_id] = batch
            future.add_done_callback(ended.put)
        while in_flight:
            collect()
    return failures
