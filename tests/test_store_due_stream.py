"""`iter_repositories_due`: the due list read a chunk at a time, as a long run consumes it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from store_support import T0, ok_facts, paper_links, pg_database, store_url  # noqa: F401  (fixtures)

from tracker.store import open_store


def test_the_streamed_due_list_is_the_due_list_in_its_order_each_once(store_url: str) -> None:
    now = T0 + timedelta(days=10)
    with open_store(store_url, clock=lambda: now) as store:
        names = [f"github.com/o/r{n:02d}" for n in range(11)]
        # Papers add their repositories out of name order: the order of first sight is what is kept.
        store.add_papers([paper_links("arxiv:1", *names[6:]), paper_links("arxiv:2", *names[:6])])
        earlier = store.start_run(["test"])
        store.record_check(earlier, ok_facts(names[3], now - timedelta(hours=1)), (), health="h", repro_score=1)
        current = store.start_run(["test"])
        store.record_check(current, ok_facts(names[8], now - timedelta(hours=90)), (), health="h", repro_score=1)

        for options in ({}, {"max_age_hours": 24}, {"run_id": current}, {"max_age_hours": 24, "run_id": current}):
            listed = [ref.canonical for ref in store.repositories_due(**options)]  # type: ignore[arg-type]
            for chunk in (1, 2, 3, 10, 11, 1000):  # chunks that end on, before and past the last repository
                streamed = [ref.canonical for ref in store._repositories.iter_repositories_due(chunk=chunk, **options)]
                assert streamed == listed, (options, chunk)
            assert store.count_repositories_due(**options) == len(listed)  # type: ignore[arg-type]
        assert names[3] not in [ref.canonical for ref in store.iter_repositories_due(max_age_hours=24)]


def test_a_repository_checked_while_the_list_is_read_is_not_listed_again(store_url: str) -> None:
    with open_store(store_url, clock=lambda: T0) as store:
        store.add_papers([paper_links("arxiv:1", *(f"github.com/o/r{n}" for n in range(5)))])
        run_id = store.start_run(["test"])
        seen = []
        for ref in store._repositories.iter_repositories_due(max_age_hours=24, run_id=run_id, chunk=2):
            seen.append(ref.canonical)
            store.record_check(run_id, ok_facts(ref.canonical, T0), (), health="h", repro_score=1)
        assert seen == [f"github.com/o/r{n}" for n in range(5)]
        assert list(store.iter_repositories_due(max_age_hours=24, run_id=run_id)) == []
        assert store.count_repositories_due(run_id=run_id) == 0
