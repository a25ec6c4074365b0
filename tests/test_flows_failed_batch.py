"""A check batch that fails part-way (a bug, a dead worker, the database away) costs the run none of its counts:
a retry counts what the failed attempt recorded, and a batch that fails for good is counted from the store,
its unrecorded repositories named in the run's note and due again next run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy.exc

from tracker.store import open_store
from tracker.tracking import recording

# The session's one Prefect server and the world fixture, registered once for every flow test module.
pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World

# The world's repositories in the order they are due: with batches of 2, the first batch is these two.
FIRST_BATCH = ("github.com/acme/seeing", "github.com/acme/bare-bones")


def failing_after_one(monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception], times: int) -> None:
    """The first batch's check records its first repository, then fails with `error()` (`times` attempts)."""
    check_and_record = recording.check_and_record
    failures = iter(range(times))

    def check_then_fail(store: Any, run_id: int, checker: Any, refs: Iterable[Any], **options: Any) -> Any:
        refs = list(refs)
        if [ref.canonical for ref in refs] == list(FIRST_BATCH) and next(failures, None) is not None:
            check_and_record(store, run_id, checker, refs[:1], **options)
            raise error()
        return check_and_record(store, run_id, checker, refs, **options)

    monkeypatch.setattr(recording, "check_and_record", check_then_fail)


def run_track(world: World, **options: Any) -> Any:
    from flows.track import track

    return track(sources=[str(world.source)], database_url=world.database_url, report_dir=None, batch_size=2,
                 return_state=True, **options)


def test_a_retried_batch_counts_what_its_failed_attempt_recorded(
        world: World, prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.batches

    locked = sqlalchemy.exc.OperationalError("INSERT", {}, Exception("database is locked"))
    failing_after_one(monkeypatch, lambda: locked, times=1)
    # The task's own retry, without its seconds of waiting.
    monkeypatch.setattr(flows.batches, "check_batch", flows.batches.check_batch.with_options(retry_delay_seconds=0))
    state = run_track(world)
    assert state.is_completed(), state.message
    summary = state.result()
    assert "2 ok" in summary and "1 missing" in summary and "failed" not in summary
    [run] = open_store(world.database_url).runs()
    assert (str(run.status), run.repositories_checked) == ("completed", 3)
    assert "failed" not in (run.note or "")


def test_a_batch_that_fails_for_good_is_counted_from_the_store_and_named_in_the_note(
        world: World, prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    failing_after_one(monkeypatch, lambda: KeyError("a bug"), times=1)
    state = run_track(world)
    assert state.is_completed(), state.message  # the other batch was checked and recorded
    note = "1 check batches failed (KeyError): 1 repositories not checked, due again next run"
    summary = state.result()
    assert "1 ok" in summary and "1 missing" in summary and note in summary
    store = open_store(world.database_url)
    [run] = store.runs()
    assert (str(run.status), run.repositories_checked) == ("completed", 2)
    assert note in (run.note or "")
    # What the failed batch left is due in the next run, and only that.
    again = run_track(world, max_age_hours=24)
    assert again.is_completed(), again.message
    assert [run.repositories_checked for run in store.runs()] == [2, 1]
    assert len(store.history("github.com/acme/bare-bones")) == 1
