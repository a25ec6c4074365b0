"""The archive tables on SQLite and PostgreSQL: verdicts over time, the newest per repository, save requests."""

from __future__ import annotations

from datetime import timedelta

from store_support import T0, ok_facts, pg_database, store, store_url  # noqa: F401  (fixtures)

from tracker.archive.state import ArchiveState, ArchiveVerdict
from tracker.store import Store


def test_verdicts_are_kept_over_time_and_the_newest_is_read_per_repository(store: Store) -> None:  # noqa: F811
    run = store.start_run(sources=["test"])
    for name in ("a", "b"):
        store.record_check(run, ok_facts(f"github.com/lab/{name}"), [], health="alive", repro_score=50)
    behind = ArchiveVerdict(ArchiveState.BEHIND, "HEAD not in the archive", "https://github.com/lab/a",
                            head_commit="a" * 40, visit_date=T0, visit_status="full", snapshot="b" * 40,
                            days_behind=12)
    store.archive.record_check("github.com/lab/a", behind, run_id=run, checked_at=T0)
    archived = ArchiveVerdict(ArchiveState.ARCHIVED, "HEAD in the archive", "https://github.com/lab/a",
                              head_commit="c" * 40, visit_date=T0 + timedelta(days=1), revision="c" * 40)
    store.archive.record_check("github.com/LAB/a", archived, checked_at=T0 + timedelta(days=1))
    store.archive.record_check("github.com/lab/b", ArchiveVerdict(ArchiveState.UNKNOWN, "HTTP 502", "https://github.com/lab/b"))
    latest = store.archive.latest()
    assert {key: check.state for key, check in latest.items()} == {
        "github.com/lab/a": ArchiveState.ARCHIVED, "github.com/lab/b": ArchiveState.UNKNOWN}
    assert latest["github.com/lab/a"].visit_date == T0 + timedelta(days=1)
    assert [check.state for check in store.archive.history("github.com/lab/a")] == [
        ArchiveState.BEHIND, ArchiveState.ARCHIVED]
    assert store.archive.history("github.com/lab/a")[0].run_id == run
    assert set(store.archive.latest(["github.com/lab/b"])) == {"github.com/lab/b"}


def test_a_save_request_is_recorded_and_followed_until_it_ends(store: Store) -> None:  # noqa: F811
    run = store.start_run(sources=["test"])
    store.record_check(run, ok_facts("github.com/lab/a"), [], health="alive", repro_score=50)
    row = store.archive.record_save_request("github.com/lab/a", "https://github.com/lab/a", "not in Software Heritage",
                                            request_id=1001, save_request_status="accepted", save_task_status="pending")
    [pending] = store.archive.save_requests()
    assert pending.pending and pending.outcome == "pending"
    store.archive.update_save_request(row, save_request_status="accepted", save_task_status="succeeded",
                                      visit_date=T0, visit_status="full", snapshot_swhid="swh:1:snp:" + "b" * 40,
                                      note=None)
    [done] = store.archive.latest_save_requests().values()
    assert not done.pending and done.outcome == "succeeded" and done.visit_date == T0
