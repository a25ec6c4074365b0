"""`track` on a local Dask cluster (worker processes) with the store on PostgreSQL, as a team would run it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from store_support import empty_pg_schema, pg_database  # noqa: F401  (fixture)

from tracker.store import open_store

# The session's one Prefect server and the world fixture, registered once for every flow test module.
pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World


@pytest.fixture
def dask_cluster(world: World, pg_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Two worker processes; they inherit the environment (stand-in, git routing, database) at start."""
    distributed = pytest.importorskip("distributed")
    empty_pg_schema(pg_database)
    monkeypatch.setenv("REPRO_TRACKER_DATABASE_URL", pg_database)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=2, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        yield cluster


def test_track_checks_on_dask_workers_into_postgresql(world: World, dask_cluster: Any,
                                                      prefect_server: str) -> None:
    from distributed import Client

    from flows.serving import run_track

    with Client(dask_cluster) as client:
        workers = client.run(lambda: __import__("os").getpid())
        summary = run_track([str(world.source)], dask_address=dask_cluster.scheduler_address,
                            report_dir=str(world.report_dir))
    assert "2 ok" in summary and "1 missing" in summary
    store = open_store()
    [run] = store.runs()
    assert (str(run.status), run.repositories_checked) == ("completed", 3)
    assert run.flow_run_id
    assert len(set(workers.values())) == 2  # the checks had two worker processes to go to
    # The check batches, and only they, went to the cluster; the other stages run in the flow's process.
    assert list(dask_cluster.scheduler.task_prefixes) == ["check_batch"]
