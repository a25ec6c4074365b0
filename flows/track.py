"""The `track` flow: one tracking run, from sources to report.

Read `track` top to bottom as the table of contents of a run: its tasks are in `flows/tasks.py`, the check
batches in `flows/batches.py`, where batches run in `flows/runners.py`, and running or serving it in
`flows/serving.py`. Every task calls `tracker/` and holds no logic of its own; the flow only decides order,
concurrency and what the Prefect UI shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Completed

from flows.batches import BATCH_SIZE, check_all, due_batches
from flows.runners import PARALLEL_BATCHES, thread_runner
from flows.tasks import (
    announce_changes,
    archive_stage,
    check_artifacts,
    confirm_gone,
    finish_run,
    ingest_sources,
    look_for_promised_code,
    preserve_stage,
    publish_dashboard,
    repositories_due,
    settings_for,
    start_run,
    store_for,
    write_report,
)
from tracker import dashboard, events, planned_run, run_lifecycle
from tracker.hosts.github import quiet_library_loggers
from tracker.run_lifecycle import TrackedRun
from tracker.sources.read import describe


def _first_name() -> str:
    """The run's name until it has counted papers and repositories: the day and what it reads."""
    sources = flow_run.parameters.get("sources") or []
    return f"track {datetime.now(UTC):%Y-%m-%d}: {_what_it_read(sources)}"


def _record_interruption(flow: Any, flow_run: Any, state: Any) -> None:
    """Failure, crash and cancellation hook: the run's row says `interrupted`, keeping what it checked.

    The next run continues from there. A run already finished (its checks recorded, a later stage such as
    the report failing) keeps how its checks ended.
    """
    run = run_lifecycle.OPEN_RUNS.pop(str(flow_run.id), None)
    if run is None:
        return
    try:
        cause = state.result(raise_on_failure=False)
    except BaseException as exc:  # a crashed state may hold no result at all
        cause = exc
    run.interrupt(cause if isinstance(cause, BaseException) else None,
                  note=None if isinstance(cause, BaseException) else f"interrupted: {state.name}")


@flow(name="track", flow_run_name=_first_name, task_runner=thread_runner(PARALLEL_BATCHES),
      on_failure=[_record_interruption], on_crashed=[_record_interruption], on_cancellation=[_record_interruption])
def track(sources: list[str], database_url: str | None = None, max_age_hours: float | None = None,
          report_dir: str | None = "reports", batch_size: int | None = None, archive: bool | None = None,
          preserve: bool = False, dask_address: str | None = None) -> Any:
    """Ingest the sources, check the artifacts and every repository that is due, record the run, ask the
    archive, report.

    `batch_size` defaults to REPRO_TRACKER_BATCH_SIZE, else the GraphQL look's size.
    `archive` (default: REPRO_TRACKER_ARCHIVE) asks Software Heritage about the
    checked repositories once the checks are recorded; `preserve` then asks it
    to save the ones most at risk (implies `archive`). `dask_address` (default:
    REPRO_TRACKER_DASK_ADDRESS where the flow runs, so a deployment's workers
    can set it) sends the check batches to that Dask cluster.

    Returns the run's summary text. A run cut short by the rate limit completes
    in a state named `RateLimited`: what it checked is recorded, and the next
    run checks the rest (`repositories_due` skips what this run checked).
    """
    quiet_library_loggers()
    flow_run_id = flow_run.get_id()
    run_id = start_run(sources, database_url, str(flow_run_id) if flow_run_id else None)
    # An exception from here to `finish_run` leaves the run to `_record_interruption`, with what `tally` holds.
    run = run_lifecycle.OPEN_RUNS[str(flow_run_id)] = TrackedRun(store_for(database_url), run_id)
    tally = run.tally
    settings = settings_for(database_url, max_age_hours)
    unread = ingest_sources(sources, database_url, retries=settings.source_retries)
    # Before the repositories: a short link or a promise kept may add one, checked in this same run.
    check_artifacts(database_url, max_age_hours, run_id)
    look_for_promised_code(database_url)
    total, planned, plan = repositories_due(database_url, max_age_hours, run_id)
    size = batch_size or settings.batch_size or BATCH_SIZE
    failed = check_all(due_batches(database_url, max_age_hours, run_id, size, planned), total, run_id, database_url,
                       tally, parallel_batches=settings.parallel_batches,
                       dask_address=dask_address or settings.dask_address,
                       budget=(plan.reserve, plan.cost_each) if plan else None)
    if tally.awaiting_confirmation:
        held, tally.awaiting_confirmation = tally.awaiting_confirmation, {}
        tally.add(confirm_gone(held, run_id, database_url))
    unread_note = f"sources not read: {'; '.join(unread)}" if unread else None
    plan_note = None
    if plan is not None:
        tally.deferred += plan.deferred
        plan_note = planned_run.run_note(plan, tally)
    failed_note = run_lifecycle.failed_batches_note(tally, failed)
    notes = (plan_note, failed_note, unread_note)
    finish_run(run_id, tally, database_url, note="; ".join(note for note in notes if note) or None)
    run_lifecycle.OPEN_RUNS.pop(str(flow_run_id), None)
    if preserve or (archive if archive is not None else settings.archive):
        archive_stage(database_url, run_id)
    if preserve:
        preserve_stage(database_url)
    report_path = write_report(database_url, report_dir) if report_dir else None
    view = publish_dashboard(database_url, run_id, report_path, plan_note)
    # "track 2026-12-03 from hf-daily:today, arxiv-list:cs.LG: 40 papers, 12 repositories"
    day, _, figures = view.title.partition(": ")
    view = dataclasses.replace(view, title=f"{day} from {_what_it_read(sources)}: {figures}")
    get_run_logger().info(events.describe_run_checks(tally.checked, view.changes, tally.by_status))
    announce_changes(view.changes, run_id)
    _rename_flow_run(view.title)
    text = dashboard.run_summary_text(view, tally.by_status, report_path, flow_run_link=_flow_run_link(run_id))
    for note in notes:
        if note:
            text = f"{text}\n{note}"
    if tally.run_status == "rate_limited":
        return Completed(name="RateLimited", data=text,
                         message=f"GitHub's rate limit left {tally.rate_limited + tally.deferred} repositories "
                                 "for the next run")
    return text


def _rename_flow_run(name: str) -> None:
    """Name the run after what it did, once that is known (the UI's run list shows names)."""
    from prefect.client.orchestration import get_client

    flow_run_id = flow_run.get_id()
    if flow_run_id:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(str(flow_run_id)), name=name)


def _flow_run_link(run_id: int) -> str:
    """Where the UI shows this run: its page on a lasting server, else the id that the store keeps."""
    from prefect.settings import PREFECT_API_URL

    flow_run_id = flow_run.get_id()
    where = flow_run.ui_url if PREFECT_API_URL.value() and flow_run.ui_url else f"flow run {flow_run_id}"
    return f"run {run_id} in the store, {where} in Prefect"


def _what_it_read(sources: Sequence[str]) -> str:
    text = describe(sources)
    return text if len(text) <= 80 else f"{text[:77]}..."
