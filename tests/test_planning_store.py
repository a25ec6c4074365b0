"""The store's side of the budget plan: the due repositories streamed as plain records, and the runs' costs."""

from __future__ import annotations

from datetime import timedelta

from store_support import RESULTS, T0, bare_facts, ok_facts, paper_links, pg_database, store_url  # noqa: F401

from tracker.planning import DueCounts, RunCost
from tracker.records import RepoRef, Status
from tracker.store import open_store

NOW = T0 + timedelta(days=10)


def test_due_records_say_what_the_order_needs(store_url: str) -> None:
    with open_store(store_url, clock=lambda: NOW) as store:
        store.add_papers([paper_links("arxiv:1", "github.com/lab/promised", code_promised=True),
                          paper_links("arxiv:2", "github.com/lab/plain", code_promised=False)])
        store.add_repositories([RepoRef.parse(name) for name in (
            "github.com/lab/never", "github.com/lab/flapping", "github.com/lab/unreachable", "gitlab.com/lab/other")])
        for day, status in enumerate([Status.OK, Status.MISSING, Status.OK]):
            run = store.start_run(["test"])
            when = T0 + timedelta(days=day)
            store.record_check(run, bare_facts("github.com/lab/flapping", status, when), RESULTS, health="ok", repro_score=1)
            store.record_check(run, ok_facts("github.com/lab/plain", when), RESULTS, health="ok", repro_score=1)
            store.record_check(run, ok_facts("gitlab.com/lab/other", when), RESULTS, health="ok", repro_score=1)
            store.record_check(run, bare_facts("github.com/lab/unreachable", Status.UNREACHABLE, when), RESULTS, health="ok", repro_score=1)
            store.finish_run(run, "completed", requests_rate_limited=10 + day)
        records = {record.name: record for record in store.due_records()}
        assert store.due_counts() == DueCounts(total=6, github=5, never_checked=2)
        assert records["never"].never_checked and not records["never"].at_risk
        assert records["promised"].never_checked and records["promised"].at_risk
        flapping = records["flapping"]
        assert flapping.at_risk and flapping.last_conclusive_at == T0 + timedelta(days=2)
        assert not records["plain"].at_risk
        unreachable = records["unreachable"]
        assert unreachable.last_checked_at == T0 + timedelta(days=2) and unreachable.last_conclusive_at is None
        assert not records["other"].budgeted and records["plain"].budgeted
        # Checked conclusively within 200 hours: not due; never conclusive: still due.
        young = {record.name for record in store.due_records(max_age_hours=200)}
        assert young == {"never", "promised", "unreachable"}
        assert store.due_counts(max_age_hours=200) == DueCounts(3, 3, 2)
        # The first run checked 3 GitHub repositories for the first time, the later ones re-checked them.
        assert sorted(store.github_run_costs(), key=lambda cost: cost.rate_counted) \
            == [RunCost(3, 0, 10), RunCost(0, 3, 11), RunCost(0, 3, 12)]
