"""Where the `track` flow's check batches run: threads of the flow's process, or a Dask cluster."""

from __future__ import annotations

from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

from tracker.settings import Settings

# Batches in flight at once by default (`Settings.parallel_batches`, REPRO_TRACKER_PARALLEL_BATCHES):
# `run_track` and `serve_track` give the flow a task runner of the configured width.
PARALLEL_BATCHES: int = Settings.model_fields["parallel_batches"].default


def thread_runner(workers: int) -> Any:
    """Batches checked in threads of this process; `Any` because Prefect types a runner by its futures."""
    return ThreadPoolTaskRunner(max_workers=workers)


def dask_task_runner(address: str) -> Any:
    """A task runner that sends check batches to the Dask cluster at `address` (tcp://host:8786)."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)
