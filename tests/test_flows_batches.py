"""`track` sends its check batches a few at a time, reading the due list as they end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tracker.store import open_store

# The session's one Prefect server and the world fixture, registered once for every flow test module.
pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World


def test_more_batches_than_are_sent_at_once_check_each_repository_once(
        world: World, read_artifacts: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.track
    from flows.track import track

    sent: list[list[str]] = []
    batches = flows.track.due_batches

    def recorded(*args: Any) -> Any:
        for batch in batches(*args):
            sent.append(batch)
            yield batch

    monkeypatch.setattr(flows.track, "due_batches", recorded)
    # One batch in flight, two sent ahead at most: the third repository's batch waits for the first to end.
    monkeypatch.setenv("REPRO_TRACKER_PARALLEL_BATCHES", "1")
    state = track(sources=[str(world.source)], database_url=world.database_url, report_dir=None, batch_size=1,
                  return_state=True)
    assert state.is_completed(), state.message
    assert sorted(name for batch in sent for name in batch) == [
        "github.com/acme/bare-bones", "github.com/acme/seeing", "github.com/lab/gone"]
    assert [len(batch) for batch in sent] == [1, 1, 1]
    store = open_store(world.database_url)
    [run] = store.runs()
    assert (str(run.status), run.repositories_checked) == ("completed", 3)
    assert all(len(store.history(check.canonical)) == 1 for check in store.latest_checks())
    [progress] = read_artifacts(state.state_details.flow_run_id, "repro-progress")
    assert (float(progress.data), progress.description) == (100.0, "checked 3/3 repositories")
