"""The `track` flow's tasks: each calls `tracker/` and holds no logic of its own.

Tasks may run on a Dask worker (`check_batch`): they get the run's id and the database URL, never the flow
process's store, and read their settings (tokens included) where they run, so no token is ever a parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from prefect.tasks import exponential_backoff

from tracker import dashboard, events, planned_run, planning, run_lifecycle
from tracker.hosts.github import quiet_library_loggers
from tracker.records import RepoRef
from tracker.run_lifecycle import TrackedRun
from tracker.settings import Settings
from tracker.sources.read import SourceFault
from tracker.store import IngestSummary, Store, open_store
from tracker.tracking import artifacts, papers, recording
from tracker.tracking.artifacts import ArtifactTally, PromiseTally
from tracker.tracking.checker import RepositoryChecker
from tracker.tracking.faults import is_transient, source_fault_or_transient
from tracker.tracking.tally import RunTally


@functools.cache
def store_for(database_url: str | None) -> Store:
    """One store per process and database: opening one runs the migrations check."""
    return open_store(database_url)


def settings_for(database_url: str | None, max_age_hours: float | None = None) -> Settings:
    # The token is read from the environment inside each task, never passed as a
    # parameter: Prefect records flow parameters in its database and UI.
    return Settings.from_env(database_url=database_url, max_age_hours=max_age_hours)


@task(cache_policy=NO_CACHE)
def start_run(sources: Sequence[str], database_url: str | None, flow_run_id: str | None) -> int:
    return TrackedRun.start(store_for(database_url), sources, flow_run_id=flow_run_id).id


# A source whose service faulted (network, 5xx or 429 past the HTTP layer's own retries) is read
# again a few minutes later (`Settings.source_retries` times); what its pages gave before the fault
# is stored, and an OAI-PMH harvest resumes at its next page. A malformed spec or a bad file is not retried.
DEFAULT_SOURCE_RETRIES: int = Settings.model_fields["source_retries"].default


@task(cache_policy=NO_CACHE, retries=DEFAULT_SOURCE_RETRIES, retry_delay_seconds=exponential_backoff(backoff_factor=30),
      retry_jitter_factor=0.5, task_run_name="ingest {source}",
      retry_condition_fn=lambda task, task_run, state: source_fault_or_transient(state))
def ingest_source(source: str, database_url: str | None) -> IngestSummary:
    logger = get_run_logger()
    summary = papers.ingest_source(store_for(database_url), source, settings=settings_for(database_url),
                                     on_problem=lambda problem: logger.warning(str(problem)))
    logger.info(f"{source}: ingested {summary.papers} papers ({summary.new_papers} new) with {summary.links} links "
                f"to {summary.repositories} repositories ({summary.new_repositories} new)")
    return summary


def ingest_sources(sources: Sequence[str], database_url: str | None, retries: int) -> list[str]:
    """Each source in its own task, one after another (arXiv allows one connection); the sources not read."""
    failed: list[str] = []
    # The task as declared unless REPRO_TRACKER_SOURCE_RETRIES asks for another count.
    ingest = ingest_source if retries == DEFAULT_SOURCE_RETRIES else ingest_source.with_options(retries=retries)
    for source in sources:
        state = ingest(source, database_url, return_state=True)
        if state.is_failed():
            failure = state.result(raise_on_failure=False)
            if not isinstance(failure, SourceFault):
                state.result()  # a fault of ours (settings, code, the database), not the source's: it fails the run
            failed.append(str(failure))
    if failed:
        get_run_logger().error("sources not read: %s", "; ".join(failed))
    return failed


@task(cache_policy=NO_CACHE)
def check_artifacts(database_url: str | None, max_age_hours: float | None, run_id: int) -> ArtifactTally:
    """Web pages, DOIs and short links, all in one task: the web client keeps to a few requests per host."""
    from tracker.artifacts.check import ArtifactChecker

    settings = settings_for(database_url)
    store = store_for(database_url)
    checker = ArtifactChecker.from_settings(settings, cache=store.answer_cache)
    try:
        due = store.artifacts_due(max_age_hours=max_age_hours, run_id=run_id)
        return artifacts.check_artifacts_and_record(store, run_id, checker, due, workers=settings.concurrency)
    finally:
        checker.close()


@task(cache_policy=NO_CACHE)
def look_for_promised_code(database_url: str | None) -> PromiseTally:
    """Papers that promised code without a link: the Hugging Face paper page, and GitHub search with a token."""
    from tracker.artifacts.promises import PromiseFinder

    finder = PromiseFinder.from_settings(settings_for(database_url))
    try:
        return artifacts.look_for_promised_code(store_for(database_url), finder)
    finally:
        finder.close()


@task(cache_policy=NO_CACHE)
def repositories_due(database_url: str | None, max_age_hours: float | None,
                     run_id: int) -> tuple[int, list[str] | None, planning.PlanSummary | None]:
    """How many repositories this run checks, and which when a plan chose them.

    Within GitHub's budget the plan (`tracker.planning`) names them: at most what the budget covers, and every
    other host's. With REPRO_TRACKER_PAST_BUDGET=git every due one is checked, read from the store a chunk at a
    time as batches leave (`flows.batches.due_batches`), so memory stays flat however many are due.
    """
    settings = settings_for(database_url, max_age_hours)
    store = store_for(database_url)
    from tracker.hosts.github import GitHubHost

    with GitHubHost.from_settings(settings) as github:
        plan = planned_run.plan_run(store, github, settings)
    if plan is not None:
        get_run_logger().info(f"plan: {plan.describe()}")
        return len(plan.refs), [ref.canonical for ref in plan.refs], plan.summary()
    count = store.count_repositories_due(max_age_hours=max_age_hours, run_id=run_id)
    get_run_logger().info(f"{count} repositories are due for a check"
                          + (f" (not checked within {max_age_hours:g} hours)" if max_age_hours else ""))
    return count, None, None


# A network fault on one repository never fails a batch (it is recorded as
# `unreachable`, and a 404 as `missing`: retrying either changes nothing). What
# fails a batch and is worth retrying is the database being locked or away.
@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=5),
      retry_jitter_factor=0.5, retry_condition_fn=lambda task, task_run, state: is_transient(state))
def check_batch(canonicals: Sequence[str], run_id: int, database_url: str | None,
                budget: tuple[int, float] | None = None) -> RunTally:
    """Check one batch; a retry re-checks only what the failed attempt did not record, and counts both.

    `budget` (the plan's reserve and cost per repository) stops the batch's GitHub repositories once
    GitHub's remaining budget reaches the reserve (`planned_run.check_within_budget`)."""
    quiet_library_loggers()  # again here: on a Dask worker this is another process
    settings = settings_for(database_url)
    store = store_for(database_url)
    checker = RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    due = store.repositories_due(keys=[RepoRef.parse(c).key for c in canonicals], run_id=run_id)
    # A 404 of a repository that was live is asked again after every batch (`confirm_gone`), not here.
    if budget is not None:
        reserve, cost_each = budget
        tally = planned_run.check_within_budget(store, run_id, checker, due, reserve=reserve, cost_each=cost_each,
                                             workers=settings.concurrency,
                                             confirm_gone_after=settings.confirm_gone_after, defer_confirmation=True)
    else:
        tally = recording.check_and_record(store, run_id, checker, due, workers=settings.concurrency,
                                          confirm_gone_after=settings.confirm_gone_after, defer_confirmation=True)
    tally.add(run_lifecycle.earlier_attempts(store, run_id, canonicals, due))
    return tally


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=5),
      retry_jitter_factor=0.5, retry_condition_fn=lambda task, task_run, state: is_transient(state))
def confirm_gone(awaiting: dict[str, datetime], run_id: int, database_url: str | None) -> RunTally:
    """Ask again about the repositories that were live and answered "not found" in a batch, then record them."""
    quiet_library_loggers()
    settings = settings_for(database_url)
    store = store_for(database_url)
    checker = RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    # A retry asks only about what the failed attempt did not record, and counts both.
    due = store.repositories_due(keys=[RepoRef.parse(c).key for c in awaiting], run_id=run_id)
    unrecorded = {ref.key for ref in due}
    left = {canonical: at for canonical, at in awaiting.items() if RepoRef.parse(canonical).key in unrecorded}
    tally = recording.confirm_gone(store, run_id, checker, left, after=settings.confirm_gone_after,
                                  workers=settings.concurrency)
    tally.add(run_lifecycle.earlier_attempts(store, run_id, awaiting, due))
    return tally


@task(cache_policy=NO_CACHE)
def count_failed_batch(canonicals: Sequence[str], run_id: int, database_url: str | None) -> RunTally:
    """A check batch that failed for good (a dead worker, an error past its retries), as the store recorded it."""
    return run_lifecycle.failed_batch(store_for(database_url), run_id, canonicals)


@task(cache_policy=NO_CACHE)
def finish_run(run_id: int, tally: RunTally, database_url: str | None, note: str | None = None) -> None:
    # Tasks may run on a Dask worker: they get the run's id, never the flow process's store.
    TrackedRun(store_for(database_url), run_id).finish(tally, note=note)


# Archival is its own stage, after the run's checks are recorded: a slow or spent
# Software Heritage never holds them up, and what its budget left is asked next run.
@task(cache_policy=NO_CACHE)
def archive_stage(database_url: str | None, run_id: int) -> dict[str, Any]:
    from tracker.archive.stage import run_archive_stage
    from tracker.archive.swh import SoftwareHeritage

    swh = SoftwareHeritage.from_settings(settings_for(database_url))
    try:
        tally = run_archive_stage(store_for(database_url), swh, run_id=run_id)
    finally:
        swh.close()
    get_run_logger().info(tally.summary())
    return tally.as_dict()


@task(cache_policy=NO_CACHE)
def preserve_stage(database_url: str | None) -> dict[str, Any]:
    """Ask Software Heritage to save what is most at risk, within its save budget."""
    from tracker.archive.preserve import preserve
    from tracker.archive.swh import SoftwareHeritage

    swh = SoftwareHeritage.from_settings(settings_for(database_url))
    try:
        result = preserve(store_for(database_url), swh)
    finally:
        swh.close()
    get_run_logger().info(f"preserve: {len(result.sent)} save requests sent, {len(result.left)} left; {result.budget}")
    return result.as_dict()


@task(cache_policy=NO_CACHE)
def write_report(database_url: str | None, report_dir: str) -> Path:
    target = dashboard.write_report_files(store_for(database_url), Path(report_dir), datetime.now(UTC))
    get_run_logger().info(f"report written to {target}/ (report.html, report.md, repositories.csv/.json)")
    return target


@task(cache_policy=NO_CACHE)
def publish_dashboard(database_url: str | None, run_id: int, report_path: Path | None,
                      plan_text: str | None = None) -> dashboard.RunView:
    """The Prefect UI's view of the run: a status table, a summary (with the budget plan) and the whole
    Markdown report.

    The report goes in as Markdown because a `file://` link to report.html
    cannot be opened from the UI's page.
    """
    view = dashboard.run_view(store_for(database_url), run_id)
    create_table_artifact(key="repro-status", table=view.status_rows, description=view.status_caption)
    summary = view.summary_markdown + (f"\n\n**GitHub's budget:** {plan_text}\n" if plan_text else "")
    create_markdown_artifact(key="repro-summary", markdown=summary, description=view.title)
    if report_path is not None:
        markdown = dashboard.markdown_for_ui((report_path / "report.md").read_text(encoding="utf-8"))
        create_markdown_artifact(key="repro-report", markdown=markdown,
                                 description=f"{view.title}; the HTML report is {report_path / 'report.html'}")
    return view


@task(cache_policy=NO_CACHE)
def announce_changes(changes: Sequence[Any], run_id: int) -> int:
    """One Prefect event per status change (names and resources from `tracker.events`), for automations."""
    logger = get_run_logger()
    found = events.change_events(changes, run_id=run_id)
    for item in found:
        emit_event(event=item.event, resource=item.resource, payload=item.payload)
        logger.info(f"event {item.event}: {item.payload['summary']}")
    return len(found)
