"""Running the `track` flow once (`repro-tracker run`) or on a schedule (`repro-tracker schedule`), and the
questions asked of Prefect before either starts: does its API answer, is the cron expression one it takes.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from flows.runners import PARALLEL_BATCHES, thread_runner
from flows.track import track
from tracker.settings import Settings


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
    return track.with_options(task_runner=thread_runner(settings.parallel_batches))
