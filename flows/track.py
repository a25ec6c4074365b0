"""The `track` flow: one tracking run, from sources to report.

Read `track` top to bottom as the table of contents of a run. Every task calls
`tracker/` and holds no logic of its own; the flow only decides order,
concurrency and what the Prefect UI shows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import logging
import queue
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from tracker import dashboard, events, planning, run_lifecycle, tracking
from tracker.hosts.github import quiet_library_loggers
from tracker.hosts.github_graphql import LOOK_BATCH
from tracker.records import RepoRef
from tracker.run_lifecycle import TrackedRun
from tracker.settings import Settings
from tracker.sources.read import SourceFault, describe
from tracker.store import IngestSummary, Store, open_store

# Checks run in batches: one Prefect task per repository costs ~25 ms of
# orchestration against a few ms of checking a repository whose answer is cached,
# so 1,000 single tasks would spend most of a run in Prefect (see README, "The Prefect UI").
# A batch's GitHub repositories share one GraphQL look, hence the look's size
# (REPRO_TRACKER_BATCH_SIZE, `Settings.batch_size`, sets another).
BATCH_SIZE = LOOK_BATCH
# Batches in flight at once by default (`Settings.parallel_batches`, REPRO_TRACKER_PARALLEL_BATCHES):
# `run_track` and `serve_track` give the flow a task runner of the configured width.
PARALLEL_BATCHES: int = Settings.model_fields["parallel_batches"].default
# Batches sent ahead, per batch that can run at once: enough that a worker finishing one has the next at
# hand, few enough that the flow holds a few hundred names, not the whole due list.
BATCHES_AHEAD = 2

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
    return TrackedRun.start(_store(database_url), sources, flow_run_id=flow_run_id).id


# A source whose service faulted (network, 5xx or 429 past the HTTP layer's own retries) is read
# again a few minutes later (`Settings.source_retries` times); what its pages gave before the fault
# is stored, and an OAI-PMH harvest resumes at its next page. A malformed spec or a bad file is not retried.
DEFAULT_SOURCE_RETRIES: int = Settings.model_fields["source_retries"].default


@task(cache_policy=NO_CACHE, retries=DEFAULT_SOURCE_RETRIES, retry_delay_seconds=exponential_backoff(backoff_factor=30),
      retry_jitter_factor=0.5, task_run_name="ingest {source}",
      retry_condition_fn=lambda task, task_run, state: tracking.source_fault_or_transient(state))
def ingest_source(source: str, database_url: str | None) -> IngestSummary:
    logger = get_run_logger()
    summary = tracking.ingest_source(_store(database_url), source, settings=_settings(database_url),
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
def check_artifacts(database_url: str | None, max_age_hours: float | None, run_id: int) -> tracking.ArtifactTally:
    """Web pages, DOIs and short links, all in one task: the web client keeps to a few requests per host."""
    from tracker.artifacts.check import ArtifactChecker

    settings = _settings(database_url)
    store = _store(database_url)
    checker = ArtifactChecker.from_settings(settings, cache=store.answer_cache)
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
def repositories_due(database_url: str | None, max_age_hours: float | None,
                     run_id: int) -> tuple[int, list[str] | None, planning.PlanSummary | None]:
    """How many repositories this run checks, and which when a plan chose them.

    Within GitHub's budget the plan (`tracker.planning`) names them: at most what the budget covers, and every
    other host's. With REPRO_TRACKER_PAST_BUDGET=git every due one is checked, read from the store a chunk at a
    time as batches leave (`_due_batches`), so memory stays flat however many are due.
    """
    settings = _settings(database_url, max_age_hours)
    store = _store(database_url)
    from tracker.hosts.github import GitHubHost

    with GitHubHost.from_settings(settings) as github:
        plan = planning.plan_run(store, github, settings)
    if plan is not None:
        get_run_logger().info(f"plan: {plan.describe()}")
        return len(plan.refs), [ref.canonical for ref in plan.refs], plan.summary()
    count = store.count_repositories_due(max_age_hours=max_age_hours, run_id=run_id)
    get_run_logger().info(f"{count} repositories are due for a check"
                          + (f" (not checked within {max_age_hours:g} hours)" if max_age_hours else ""))
    return count, None, None


def _due_batches(database_url: str | None, max_age_hours: float | None, run_id: int, size: int,
                 planned: list[str] | None) -> Iterator[list[str]]:
    """The names to check, `size` at a time: the plan's, or every due one read from the store only as fast as
    batches are sent."""
    due: Iterator[str] = iter(planned) if planned is not None else (
        ref.canonical for ref in _store(database_url).iter_repositories_due(max_age_hours=max_age_hours, run_id=run_id))
    while batch := list(itertools.islice(due, size)):
        yield batch


# A network fault on one repository never fails a batch (it is recorded as
# `unreachable`, and a 404 as `missing`: retrying either changes nothing). What
# fails a batch and is worth retrying is the database being locked or away.
@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=5),
      retry_jitter_factor=0.5, retry_condition_fn=lambda task, task_run, state: tracking.is_transient(state))
def check_batch(canonicals: Sequence[str], run_id: int, database_url: str | None,
                budget: tuple[int, float] | None = None) -> tracking.RunTally:
    """Check one batch; a retry re-checks only what the failed attempt did not record.

    `budget` (the plan's reserve and cost per repository) stops the batch's GitHub repositories once
    GitHub's remaining budget reaches the reserve (`planning.check_within_budget`)."""
    quiet_library_loggers()  # again here: on a Dask worker this is another process
    settings = _settings(database_url)
    store = _store(database_url)
    checker = tracking.RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    due = store.repositories_due(keys=[RepoRef.parse(c).key for c in canonicals], run_id=run_id)
    # A 404 of a repository that was live is asked again after every batch (`confirm_gone`), not here.
    if budget is not None:
        reserve, cost_each = budget
        return planning.check_within_budget(store, run_id, checker, due, reserve=reserve, cost_each=cost_each,
                                            workers=settings.concurrency,
                                            confirm_gone_after=settings.confirm_gone_after, defer_confirmation=True)
    return tracking.check_and_record(store, run_id, checker, due, workers=settings.concurrency,
                                     confirm_gone_after=settings.confirm_gone_after, defer_confirmation=True)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=5),
      retry_jitter_factor=0.5, retry_condition_fn=lambda task, task_run, state: tracking.is_transient(state))
def confirm_gone(awaiting: dict[str, datetime], run_id: int, database_url: str | None) -> tracking.RunTally:
    """Ask again about the repositories that were live and answered "not found" in a batch, then record them."""
    quiet_library_loggers()
    settings = _settings(database_url)
    store = _store(database_url)
    checker = tracking.RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    # A retry asks only about what the failed attempt did not record.
    unrecorded = {ref.key for ref in store.repositories_due(keys=[RepoRef.parse(c).key for c in awaiting],
                                                            run_id=run_id)}
    left = {canonical: at for canonical, at in awaiting.items() if RepoRef.parse(canonical).key in unrecorded}
    return tracking.confirm_gone(store, run_id, checker, left, after=settings.confirm_gone_after,
                                 workers=settings.concurrency)


@task(cache_policy=NO_CACHE)
def finish_run(run_id: int, tally: tracking.RunTally, database_url: str | None, note: str | None = None) -> None:
    # Tasks may run on a Dask worker: they get the run's id, never the flow process's store.
    TrackedRun(_store(database_url), run_id).finish(tally, note=note)


# Archival is its own stage, after the run's checks are recorded: a slow or spent
# Software Heritage never holds them up, and what its budget left is asked next run.
@task(cache_policy=NO_CACHE)
def archive_stage(database_url: str | None, run_id: int) -> dict[str, Any]:
    from tracker.archive.stage import run_archive_stage
    from tracker.archive.swh import SoftwareHeritage

    swh = SoftwareHeritage.from_settings(_settings(database_url))
    try:
        tally = run_archive_stage(_store(database_url), swh, run_id=run_id)
    finally:
        swh.close()
    get_run_logger().info(tally.summary())
    return tally.as_dict()


@task(cache_policy=NO_CACHE)
def preserve_stage(database_url: str | None) -> dict[str, Any]:
    """Ask Software Heritage to save what is most at risk, within its save budget."""
    from tracker.archive.preserve import preserve
    from tracker.archive.swh import SoftwareHeritage

    swh = SoftwareHeritage.from_settings(_settings(database_url))
    try:
        result = preserve(_store(database_url), swh)
    finally:
        swh.close()
    get_run_logger().info(f"preserve: {len(result.sent)} save requests sent, {len(result.left)} left; {result.budget}")
    return result.as_dict()


@task(cache_policy=NO_CACHE)
def write_report(database_url: str | None, report_dir: str) -> Path:
    target = dashboard.write_report_files(_store(database_url), Path(report_dir), datetime.now(UTC))
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
    view = dashboard.run_view(_store(database_url), run_id)
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


def _check_all(batches: Iterable[list[str]], total: int, run_id: int, database_url: str | None,
               tally: tracking.RunTally, *, parallel_batches: int, dask_address: str | None,
               budget: tuple[int, float] | None = None) -> None:
    """Check every batch, adding each batch's tally as it ends and moving the run's progress artifact.

    At most `BATCHES_AHEAD` x the batches that can run at once are sent ahead of the ones that
    ended, and the next is read from `batches` only when one ends: memory stays flat however many
    repositories are due (300,000: bench/results.md). With `dask_address` the batches go to that
    cluster (prefect-dask's `DaskTaskRunner`), and only they: the flow's other tasks stay here.
    """
    progress_id = cast(UUID, create_progress_artifact(
        progress=0.0 if total else 100.0, key="repro-progress",
        description=f"checking {total} repositories"))  # called synchronously: a UUID
    if not total:
        return
    with dask_task_runner(dask_address) if dask_address else contextlib.nullcontext() as cluster:
        if cluster is None:
            def submit(batch: list[str]) -> PrefectFuture[tracking.RunTally]:
                return check_batch.submit(batch, run_id=run_id, database_url=database_url, budget=budget)
            width = parallel_batches
        else:
            def submit(batch: list[str]) -> PrefectFuture[tracking.RunTally]:
                return cast(PrefectFuture[tracking.RunTally], cluster.submit(
                    check_batch, {"canonicals": batch, "run_id": run_id, "database_url": database_url,
                                   "budget": budget}))
            width = max(parallel_batches, sum(cluster.client.nthreads().values()))
        ended: queue.SimpleQueue[PrefectFuture[tracking.RunTally]] = queue.SimpleQueue()
        sizes: dict[UUID, int] = {}
        done = 0

        def collect() -> None:
            nonlocal done
            future = ended.get()
            tally.add(future.result())
            done += sizes.pop(future.task_run_id)
            update_progress_artifact(artifact_id=progress_id, progress=min(100.0, 100.0 * done / total),
                                     description=f"checked {done}/{total} repositories")

        for batch in batches:
            if len(sizes) >= BATCHES_AHEAD * width:
                collect()
            future = submit(batch)
            sizes[future.task_run_id] = len(batch)
            future.add_done_callback(ended.put)
        while sizes:
            collect()


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


def _first_name() -> str:
    """The run's name until it has counted papers and repositories: the day and what it reads."""
    sources = flow_run.parameters.get("sources") or []
    return f"track {datetime.now(UTC):%Y-%m-%d}: {_what_it_read(sources)}"


def _thread_runner(workers: int) -> Any:
    """Batches checked in threads of this process; `Any` because Prefect types a runner by its futures."""
    return ThreadPoolTaskRunner(max_workers=workers)


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


@flow(name="track", flow_run_name=_first_name, task_runner=_thread_runner(PARALLEL_BATCHES),
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
    run = run_lifecycle.OPEN_RUNS[str(flow_run_id)] = TrackedRun(_store(database_url), run_id)
    tally = run.tally
    settings = _settings(database_url, max_age_hours)
    unread = ingest_sources(sources, database_url, retries=settings.source_retries)
    # Before the repositories: a short link or a promise kept may add one, checked in this same run.
    check_artifacts(database_url, max_age_hours, run_id)
    look_for_promised_code(database_url)
    total, planned, plan = repositories_due(database_url, max_age_hours, run_id)
    size = batch_size or settings.batch_size or BATCH_SIZE
    _check_all(_due_batches(database_url, max_age_hours, run_id, size, planned), total, run_id, database_url, tally,
               parallel_batches=settings.parallel_batches,
               dask_address=dask_address or settings.dask_address,
               budget=(plan.reserve, plan.cost_each) if plan else None)
    if tally.awaiting_confirmation:
        held, tally.awaiting_confirmation = tally.awaiting_confirmation, {}
        tally.add(confirm_gone(held, run_id, database_url))
    unread_note = f"sources not read: {'; '.join(unread)}" if unread else None
    plan_note = None
    if plan is not None:
        tally.deferred += plan.deferred
        plan_note = planning.run_note(plan, tally)
    finish_run(run_id, tally, database_url, note="; ".join(note for note in (plan_note, unread_note) if note) or None)
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
    if plan_note:
        text = f"{text}\n{plan_note}"
    if unread_note:
        text = f"{text}\n{unread_note}"
    if tally.run_status == "rate_limited":
        return Completed(name="RateLimited", data=text,
                         message=f"GitHub's rate limit left {tally.rate_limited + tally.deferred} repositories "
                                 "for the next run")
    return text


class PrefectUnreachable(RuntimeError):
    """The Prefect API named by PREFECT_API_URL did not answer: nothing was run."""


def prefect_api_problem(timeout: float = 5.0) -> str | None:
    """One sentence when PREFECT_API_URL is set and its server does not answer, else None.

    Asked before a run starts, so that a typo in the URL or a stopped server is
    one line for the user instead of Prefect's traceback from deep in its client.
    """
    import httpx
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return None  # a temporary server is started for the run
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=timeout).raise_for_status()
    except httpx.HTTPError as exc:
        return (f"the Prefect API at {url} (PREFECT_API_URL) did not answer ({type(exc).__name__}); "
                "start it with `prefect server start`, or unset PREFECT_API_URL to run on a temporary server")
    return None


def cron_problem(cron: str) -> str | None:
    """Why `cron` is not a schedule Prefect accepts (its own validator's words), or None."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError as exc:
        return "; ".join(str(error.get("msg", error)) for error in exc.errors()).removeprefix("Value error, ")
    return None


def _prefect_api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def dask_task_runner(address: str) -> Any:
    """A task runner that sends check batches to the Dask cluster at `address` (tcp://host:8786)."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


def run_track(sources: list[str], *, max_age_hours: float | None = None, dask_address: str | None = None,
              report_dir: str | None = "reports", archive: bool | None = None, preserve: bool = False) -> str:
    """Run `track` once; its checks on a Dask cluster when an address is given or set in REPRO_TRACKER_DASK_ADDRESS.

    Without PREFECT_API_URL, Prefect starts a temporary local server for the run.
    """
    settings = Settings.from_env()
    if (dask_address or settings.dask_address) and not _prefect_api_url():
        # Each worker would start a temporary server of its own (~20 s, ~300 MB), where its task runs stay unseen.
        logging.getLogger(__name__).warning(
            "checking on Dask without PREFECT_API_URL: set it to a Prefect server the workers can reach")
    try:
        summary = _configured(settings)(sources=sources, max_age_hours=max_age_hours, report_dir=report_dir,
                                        archive=archive, preserve=preserve, dask_address=dask_address)
        return cast(str, summary)  # the summary text, also when the run ended in a named Completed state
    except RuntimeError as exc:
        # Prefect's client says so when its server went away after `prefect_api_problem` asked.
        if str(exc).startswith("Failed to reach API"):
            raise PrefectUnreachable(f"{exc}; the checks recorded so far are kept") from exc
        raise


def serve_track(sources: list[str], cron: str) -> None:
    """Serve `track` on a schedule until interrupted (Prefect's `flow.serve`).

    The database comes from REPRO_TRACKER_DATABASE_URL in the serving process's
    environment, never from a parameter (parameters are stored and shown by Prefect).
    """
    _configured(Settings.from_env()).serve(name="repro-tracker", cron=cron, parameters={"sources": sources})


def _configured(settings: Settings) -> Any:
    """`track` with as many batches in flight as the settings allow."""
    if settings.parallel_batches == PARALLEL_BATCHES:
        return track
    return track.with_options(task_runner=_thread_runner(settings.parallel_batches))
