"""The `track` flow: one tracking run, from sources to report.

Read `track` top to bottom as the table of contents of a run. Every task calls
`tracker/` and holds no logic of its own; the flow only decides order,
concurrency and what the Prefect UI shows.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from tracker import dashboard, tracking
from tracker.hosts.github import quiet_library_loggers
from tracker.hosts.github_graphql import LOOK_BATCH
from tracker.records import RepoRef
from tracker.settings import Settings
from tracker.store import IngestSummary, Store, open_store

# Checks run in batches: one Prefect task per repository costs ~25 ms of
# orchestration against a few ms of checking a repository whose answer is cached,
# so 1,000 single tasks would spend most of a run in Prefect (see README, "The Prefect UI").
# A batch's GitHub repositories share one GraphQL look, hence the look's size.
BATCH_SIZE = int(os.environ.get("REPRO_TRACKER_BATCH_SIZE", str(LOOK_BATCH)))
# Batches in flight at once; each batch checks `Settings.concurrency` repositories
# at once, so at most PARALLEL_BATCHES x concurrency requests reach GitHub together:
# 2 x 8 = 16 by default, far below GitHub's 100.
PARALLEL_BATCHES = int(os.environ.get("REPRO_TRACKER_PARALLEL_BATCHES", "2"))
DASK_ADDRESS_VARIABLE = "REPRO_TRACKER_DASK_ADDRESS"

# Loggers that repeat, per repository, what the run's summary already says
# (urllib3's retries of an unreachable host, PyGithub's redirect notes).
@functools.cache
def _store(database_url: str | None) -> Store:
    """One store per process and database: opening one runs the migrations check."""
    return open_store(database_url)


def _settings(database_url: str | None, max_age_hours: float | None = None) -> Settings:
    # The token is read from the environment inside each task, never passed as a
    # parameter: Prefect records flow parameters in its database and UI.
    return Settings.from_env(database_url=database_url, max_age_hours=max_age_hours)


@task(cache_policy=NO_CACHE)
def start_run(sources: Sequence[str], database_url: str | None, flow_run_id: str | None) -> int:
    return _store(database_url).start_run(sources=list(sources), flow_run_id=flow_run_id)


@task(cache_policy=NO_CACHE)
def ingest_sources(sources: Sequence[str], database_url: str | None) -> IngestSummary:
    logger = get_run_logger()
    return tracking.ingest(_store(database_url), sources, on_problem=lambda problem: logger.warning(str(problem)))


@task(cache_policy=NO_CACHE)
def check_artifacts(database_url: str | None, max_age_hours: float | None, run_id: int) -> tracking.ArtifactTally:
    """Web pages, DOIs and short links, all in one task: the web client keeps to a few requests per host."""
    from tracker.artifacts.check import ArtifactChecker

    settings = _settings(database_url)
    store = _store(database_url)
    checker = ArtifactChecker.from_settings(settings)
    try:
        due = store.artifacts_due(max_age_hours=max_age_hours, run_id=run_id)
        return tracking.check_artifacts_and_record(store, run_id, checker, due, workers=settings.concurrency)
    finally:
        checker.close()


@task(cache_policy=NO_CACHE)
def look_for_promised_code(database_url: str | None) -> tracking.PromiseTally:
    """Papers that promised code without a link: the Hugging Face paper page, and GitHub search with a token."""
    from tracker.artifacts.promises import PromiseFinder

    finder = PromiseFinder.from_settings(_settings(database_url))
    try:
        return tracking.look_for_promised_code(_store(database_url), finder)
    finally:
        finder.close()


@task(cache_policy=NO_CACHE)
def repositories_due(database_url: str | None, max_age_hours: float | None, run_id: int) -> list[str]:
    refs = _store(database_url).repositories_due(max_age_hours=max_age_hours, run_id=run_id)
    return [ref.canonical for ref in refs]


# A network fault on one repository never fails a batch (it is recorded as
# `unreachable`, and a 404 as `missing`: retrying either changes nothing). What
# fails a batch and is worth retrying is the database being locked or away.
@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=5),
      retry_jitter_factor=0.5, retry_condition_fn=lambda task, task_run, state: tracking.is_transient(state))
def check_batch(canonicals: Sequence[str], run_id: int, database_url: str | None) -> tracking.RunTally:
    """Check one batch; a retry re-checks only what the failed attempt did not record."""
    quiet_library_loggers()  # again here: on a Dask worker this is another process
    settings = _settings(database_url)
    store = _store(database_url)
    checker = tracking.RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    due = store.repositories_due(keys=[RepoRef.parse(c).key for c in canonicals], run_id=run_id)
    return tracking.check_and_record(store, run_id, checker, due, workers=settings.concurrency)


@task(cache_policy=NO_CACHE)
def finish_run(run_id: int, tally: tracking.RunTally, database_url: str | None, note: str | None = None) -> None:
    _store(database_url).finish_run(run_id, tally.run_status, requests_made=tally.requests_made,
                                    requests_rate_limited=tally.requests_rate_limited, note=note)


@task(cache_policy=NO_CACHE)
def write_report(database_url: str | None, report_dir: str) -> Path:
    return dashboard.write_report_files(_store(database_url), Path(report_dir), datetime.now(UTC))


@task(cache_policy=NO_CACHE)
def publish_dashboard(database_url: str | None, run_id: int, report_path: Path | None) -> dashboard.RunView:
    """The Prefect UI's view of the run: a status table, a summary and a link to the report."""
    view = dashboard.run_view(_store(database_url), run_id)
    create_table_artifact(key="repro-status", table=view.status_rows, description=view.status_caption)
    create_markdown_artifact(key="repro-summary", markdown=view.summary_markdown, description=view.title)
    if report_path is not None:
        create_link_artifact(key="repro-report", link=(report_path / "report.html").resolve().as_uri(),
                             link_text="Reproducibility report (HTML)", description=view.title)
    return view


def _rename_flow_run(name: str) -> None:
    """Name the run after what it did, once that is known (the UI's run list shows names)."""
    from prefect.client.orchestration import get_client

    flow_run_id = flow_run.get_id()
    if flow_run_id:
        with get_client(sync_client=True) as client:
            client.update_flow_run(flow_run_id, name=name)


def _flow_run_link(run_id: int) -> str:
    """Where the UI shows this run: its page on a lasting server, else the id that the store keeps."""
    from prefect.settings import PREFECT_API_URL

    flow_run_id = flow_run.get_id()
    where = flow_run.ui_url if PREFECT_API_URL.value() and flow_run.ui_url else f"flow run {flow_run_id}"
    return f"run {run_id} in the store, {where} in Prefect"


def _first_name() -> str:
    """The run's name until it has counted papers and repositories."""
    sources = flow_run.parameters.get("sources") or []
    count = len(sources)
    return f"track {datetime.now(UTC):%Y-%m-%d}: {count} source{'' if count == 1 else 's'}"


@flow(name="track", flow_run_name=_first_name, task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_BATCHES))
def track(sources: list[str], database_url: str | None = None, max_age_hours: float | None = None,
          report_dir: str | None = "reports", batch_size: int = BATCH_SIZE) -> Any:
    """Ingest the sources, check the artifacts and every repository that is due, record the run, report.

    Returns the run's summary text. A run cut short by the rate limit completes
    in a state named `RateLimited`: what it checked is recorded, and the next
    run checks the rest (`repositories_due` skips what this run checked).
    """
    quiet_library_loggers()
    flow_run_id = flow_run.get_id()
    run_id = start_run(sources, database_url, str(flow_run_id) if flow_run_id else None)
    tally = tracking.RunTally()
    try:
        ingest_sources(sources, database_url)
        # Before the repositories: a short link or a promise kept may add one, checked in this same run.
        check_artifacts(database_url, max_age_hours, run_id)
        look_for_promised_code(database_url)
        due = repositories_due(database_url, max_age_hours, run_id)
        batches = [due[i:i + batch_size] for i in range(0, len(due), batch_size)]
        for batch_tally in check_batch.map(batches, run_id=run_id, database_url=database_url).result():
            tally.add(batch_tally)
    except BaseException as exc:
        # Record what was found before the interruption; the next run continues from there.
        finish_run(run_id, tally.interrupted(), database_url, note=f"interrupted: {type(exc).__name__}")
        raise
    finish_run(run_id, tally, database_url)
    report_path = write_report(database_url, report_dir) if report_dir else None
    view = publish_dashboard(database_url, run_id, report_path)
    _rename_flow_run(view.title)
    text = dashboard.run_summary_text(view, tally.by_status, report_path, flow_run_link=_flow_run_link(run_id))
    if tally.run_status == "rate_limited":
        left = tally.by_status.get("not_checked", 0)
        return Completed(name="RateLimited", data=text,
                         message=f"GitHub's rate limit left {left} repositories for the next run")
    return text


def dask_task_runner(address: str) -> Any:
    """A task runner that sends check batches to the Dask cluster at `address` (tcp://host:8786)."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


def run_track(sources: list[str], *, max_age_hours: float | None = None, dask_address: str | None = None,
              report_dir: str | None = "reports") -> str:
    """Run `track` once; on a Dask cluster when an address is given or set in REPRO_TRACKER_DASK_ADDRESS.

    Without PREFECT_API_URL, Prefect starts a temporary local server for the run.
    """
    address = dask_address or os.environ.get(DASK_ADDRESS_VARIABLE) or None
    flow_to_run = track.with_options(task_runner=dask_task_runner(address)) if address else track
    return flow_to_run(sources=sources, max_age_hours=max_age_hours, report_dir=report_dir)


def serve_track(sources: list[str], cron: str) -> None:
    """Serve `track` on a schedule until interrupted (Prefect's `flow.serve`).

    The database comes from REPRO_TRACKER_DATABASE_URL in the serving process's
    environment, never from a parameter (parameters are stored and shown by Prefect).
    """
    track.serve(name="repro-tracker", cron=cron, parameters={"sources": sources})
