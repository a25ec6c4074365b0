"""The Store API on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Table, func, select
from store_support import (  # noqa: F401  (fixtures)
    RESULTS,
    T0,
    bare_facts,
    ok_facts,
    paper_links,
    pg_database,
    store,
    store_url,
)

import tracker.store.papers as papers_module
from tracker.http import Validators
from tracker.links import find_code_links
from tracker.records import Artifact, ArtifactKind, PaperLinks, Promise, PromiseKind, RepoRef, Status
from tracker.records import Paper as PaperRecord
from tracker.store import RunStatus, Store, StoredCheck, open_store
from tracker.store.check_row import ACTIVITY_COLUMNS, METADATA_COLUMNS
from tracker.store.migrate import current_revision, head_revision
from tracker.store.models import Paper, PaperLink, Repository, RepositoryCheck


def count(store: Store, model: Table) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def stored_row(store: Store) -> dict[str, object]:
    """The one check's row as written, every column (a `StoredCheck` carries only what readers read)."""
    with store.engine.connect() as connection:
        (row,) = connection.execute(select(RepositoryCheck)).mappings().all()
    return dict(row)


def test_open_creates_the_newest_schema_on_an_empty_database(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    assert store.runs() == []
    assert store.latest_checks() == []
    assert store.papers_with_links() == []
    assert store.repositories_due() == []


def test_opening_again_keeps_data(store_url: str) -> None:
    with open_store(store_url) as first:
        first.add_papers([paper_links("arxiv:1", "github.com/a/b")])
    with open_store(store_url) as again:
        assert [paper.id for paper in again.papers_with_links()] == ["arxiv:1"]


def test_add_papers_twice_adds_nothing_the_second_time(store: Store) -> None:
    found = [
        paper_links("arxiv:1", "github.com/a/one", "https://one.example.org"),
        paper_links("arxiv:2", "github.com/a/one", "github.com/b/two"),
    ]
    first = store.add_papers(found)
    counts = [count(store, model) for model in (Paper, Repository, PaperLink)]
    second = store.add_papers(found)

    assert (first.papers, first.new_papers, first.repositories, first.new_repositories) == (2, 2, 2, 2)
    assert (first.links, first.new_links) == (4, 4)
    assert (second.new_papers, second.new_repositories, second.new_links) == (0, 0, 0)
    assert (second.papers, second.links) == (2, 4)
    assert [count(store, model) for model in (Paper, Repository, PaperLink)] == counts == [2, 2, 4]


def test_add_papers_commits_batches_so_a_crash_keeps_finished_ones(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(papers_module, "INGEST_BATCH", 3)

    def source_that_breaks() -> Iterator[PaperLinks]:
        for index in range(7):
            yield paper_links(f"arxiv:{index}", f"github.com/o/r{index}")
        raise OSError("source went away")

    with pytest.raises(OSError):
        store.add_papers(source_that_breaks())
    # Two full batches were committed; the open one (paper 6) was never written.
    assert sorted(paper.id for paper in store.papers_with_links()) == [f"arxiv:{i}" for i in range(6)]


def test_repository_identity_is_case_insensitive(store: Store) -> None:
    summary = store.add_papers(
        [paper_links("arxiv:1", "github.com/Owner/Repo"), paper_links("arxiv:2", "github.com/owner/repo")]
    )
    assert (summary.repositories, summary.new_repositories) == (1, 1)
    assert count(store, Repository) == 1
    assert store.repositories_due(keys=["GitHub.com/OWNER/repo"]) == [RepoRef("github.com", "Owner", "Repo")]
    papers = store.papers_with_links()
    assert [paper.repositories for paper in papers] == [("github.com/owner/repo",), ("github.com/owner/repo",)]


def test_repositories_named_directly_are_added_once(store: Store) -> None:
    store.add_papers([paper_links("arxiv:1", "github.com/Paper/Repo")])
    named = ("github.com/paper/repo", "gitlab.com/group/sub/tool", "gitlab.com/GROUP/sub/tool")
    refs = [RepoRef.parse(text) for text in named]
    assert store.add_repositories(refs) == 1
    assert store.add_repositories(refs) == 0
    assert [ref.canonical for ref in store.repositories_due()] == ["github.com/Paper/Repo", "gitlab.com/group/sub/tool"]


def test_papers_with_links_returns_plain_rows_in_mention_order(store: Store) -> None:
    store.add_papers(
        [paper_links("arxiv:9", "github.com/z/last", "https://page.example.org", "github.com/a/first")]
    )
    (paper,) = store.papers_with_links()
    assert paper.repositories == ("github.com/z/last", "github.com/a/first")
    assert paper.artifacts == (Artifact("https://page.example.org", ArtifactKind.PROJECT_PAGE),)
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.code_promised is True
    assert paper.first_seen_at.tzinfo is not None


def test_the_sentence_that_promised_code_is_stored_as_evidence(store: Store) -> None:
    abstract = "We study caches. Our simulator and traces will be released upon acceptance. It is fast."
    promising = find_code_links(PaperRecord("arxiv:7", "Caches", abstract, "test"))
    linked = find_code_links(PaperRecord("arxiv:8", "Linked", "Code will be released at github.com/o/r.", "test"))
    store.add_papers([promising, linked])
    rows = {row.id: row for row in store.papers_with_links()}
    assert rows["arxiv:7"].code_promised is True
    assert rows["arxiv:7"].promise == Promise(
        PromiseKind.PROMISED, "Our simulator and traces will be released upon acceptance."
    )
    assert (rows["arxiv:8"].code_promised, rows["arxiv:8"].promise) == (False, None)


def test_record_check_twice_for_one_run_stores_one_row_the_first(store: Store) -> None:
    run = store.start_run(["test"])
    store.record_check(run, ok_facts("github.com/a/b", stars=1), RESULTS, health="healthy", repro_score=60)
    store.record_check(run, ok_facts("github.com/A/B", stars=999), (), health="dead", repro_score=0)

    (check,) = store.history("github.com/a/b")
    assert (check.stars, check.health, check.repro_score, len(check.results())) == (1, "healthy", 60, 2)
    assert count(store, RepositoryCheck) == 1


def test_stored_check_rebuilds_the_records_it_came_from(store: Store) -> None:
    run = store.start_run(["test"])
    facts = ok_facts("github.com/a/b")
    store.record_check(run, facts, RESULTS, health="healthy", repro_score=60)

    (check,) = store.history("github.com/a/b")
    assert facts.metadata is not None and facts.activity is not None
    # Every fact the host gathered is kept, under the column the store derives from the record's field,
    # and those a reader reads come back in the check.
    stored = stored_row(store)
    for record, columns in ((facts.metadata, METADATA_COLUMNS), (facts.activity, ACTIVITY_COLUMNS)):
        sent = {column: getattr(record, name) for name, column in columns.items()}
        sent = {column: list(value) if isinstance(value, tuple) else value for column, value in sent.items()}
        assert {column: stored[column] for column in sent} == sent
        read = {column: value for column, value in sent.items() if column in StoredCheck._fields}
        assert read and check._asdict().items() >= read.items()
    assert (check.status, check.detail, check.http_status, check.moved_to) == (
        facts.status, facts.detail, facts.http_status, None)
    assert check.licenses() == facts.licenses  # everything but the file tree, which is not kept
    assert check.results() == RESULTS
    # Kept twice: whole, and as the outcomes a listing reads without the rest.
    assert check.outcomes() == {result.name: result.outcome for result in RESULTS}
    assert check.outcomes_json is not None and check._replace(outcomes_json=None).outcomes() == check.outcomes()
    assert (check.license_api, check.license_file, check.license_confidence) == ("MIT", "MIT", 0.98)
    assert check.checked_at == T0 and check.checked_at.tzinfo is not None


def test_a_check_that_gathered_nothing_rebuilds_no_metadata_or_activity(store: Store) -> None:
    run = store.start_run(["test"])
    store.record_check(
        run, bare_facts("github.com/a/b", Status.MISSING, http_status=404), (), health="gone", repro_score=None
    )
    (check,) = store.history("github.com/a/b")
    assert (check.status, check.http_status) == (Status.MISSING, 404)
    stored = stored_row(store)
    assert (stored["topics"], stored["commits_90d"]) == (None, None)  # "not gathered", not "gathered, empty"


def test_moved_repository_points_to_its_new_identity(store: Store) -> None:
    store.add_papers([paper_links("arxiv:1", "github.com/old/name")])
    run = store.start_run(["test"])
    moved = bare_facts("github.com/old/name", Status.MOVED, moved_to=RepoRef.parse("github.com/New/Name"))
    store.record_check(run, moved, (), health="moved", repro_score=None)

    with store.engine.connect() as connection:
        rows = {row.key: row for row in connection.execute(select(Repository))}
    assert rows["github.com/old/name"].moved_to_id == rows["github.com/new/name"].id
    assert rows["github.com/new/name"].canonical == "github.com/New/Name"
    assert rows["github.com/new/name"].moved_to_id is None
    (check,) = store.history("github.com/old/name")
    assert check.moved_to == "github.com/New/Name"
    assert RepoRef.parse(check.moved_to) == RepoRef("github.com", "New", "Name")
    # Due lists follow nothing: the old identity is still listed, and the new one too.
    assert {ref.key for ref in store.repositories_due()} == {"github.com/old/name", "github.com/new/name"}


def test_repositories_due_skips_recent_conclusive_checks_and_this_runs_checks(store_url: str) -> None:
    now = T0 + timedelta(days=10)
    with open_store(store_url, clock=lambda: now) as store:
        store.add_papers([paper_links("arxiv:1", *(f"github.com/o/{n}" for n in "abcde"))])
        earlier = store.start_run(["test"])
        for name, hours in (("a", 2), ("b", 50)):
            facts = ok_facts(f"github.com/o/{name}", now - timedelta(hours=hours))
            store.record_check(earlier, facts, (), health="h", repro_score=1)
        store.record_check(
            earlier, bare_facts("github.com/o/c", Status.UNREACHABLE, now - timedelta(hours=1)), (), health="?",
            repro_score=None,
        )
        store.record_check(
            earlier, bare_facts("github.com/o/e", Status.MISSING, now - timedelta(hours=1)), (), health="gone",
            repro_score=None,
        )

        def due(**options: object) -> list[str]:
            return [ref.name for ref in store.repositories_due(**options)]  # type: ignore[arg-type]

        assert due() == ["a", "b", "c", "d", "e"]
        # a and e were answered conclusively within 24 h; c was only unreachable.
        assert due(max_age_hours=24) == ["b", "c", "d"]
        assert due(max_age_hours=1.5) == ["a", "b", "c", "d"]

        current = store.start_run(["test"])
        store.record_check(current, ok_facts("github.com/o/b", now), (), health="h", repro_score=1)
        assert due(max_age_hours=24) == ["c", "d"]
        assert due(run_id=current) == ["a", "c", "d", "e"]
        assert due(max_age_hours=24, run_id=current, keys=["github.com/O/C", "github.com/o/b", "x/y/z"]) == ["c"]


def test_history_is_oldest_run_first_whatever_the_recording_order(store: Store) -> None:
    runs = [store.start_run(["test"]) for _ in range(3)]
    for index in (2, 0, 1):  # recorded out of order, as overlapping flows may
        facts = ok_facts("github.com/a/b", T0 + timedelta(days=index), stars=index * 10)
        store.record_check(runs[index], facts, (), health="h", repro_score=1)
    assert [(check.run_id, check.stars) for check in store.history("github.com/a/b")] == list(zip(runs, [0, 10, 20]))
    assert [check.run_id for check in store.history("GITHUB.COM/A/B")] == runs  # any case of its key
    assert store.history("github.com/nobody/here") == []


def test_latest_checks_gives_the_newest_and_previous_check_up_to_a_run(store: Store) -> None:
    runs = [store.start_run(["test"]) for _ in range(3)]
    for index, run in enumerate(runs):
        when = T0 + timedelta(days=index)
        store.record_check(run, ok_facts("github.com/a/b", when, stars=index), (), health="h", repro_score=1)
        if index == 0:
            store.record_check(run, bare_facts("github.com/c/d", Status.MISSING, when), (), health="gone",
                               repro_score=None)

    rows = store.latest_checks()
    assert [row.key for row in rows] == ["github.com/a/b", "github.com/c/d"]
    ab, cd = rows
    assert (ab.latest.stars, ab.latest.run_id, ab.previous and ab.previous.stars) == (2, runs[2], 1)
    assert (ab.canonical, ab.host, ab.latest.key, ab.latest.canonical) == ("github.com/a/b", "github.com",
                                                                           "github.com/a/b", "github.com/a/b")
    (narrow,) = [row for row in store.latest_checks(fields=("stars",)) if row.key == "github.com/a/b"]
    assert narrow.previous is not None
    assert (narrow.latest.stars, narrow.latest.run_id, narrow.latest.health, narrow.previous.health) == (
        2, runs[2], None, None)
    assert (cd.latest.status, cd.previous) == (Status.MISSING, None)

    as_of_second = {row.key: row for row in store.latest_checks(run_id=runs[1])}
    assert as_of_second["github.com/a/b"].latest.stars == 1
    assert as_of_second["github.com/a/b"].previous.stars == 0  # type: ignore[union-attr]
    assert [row.key for row in store.latest_checks(run_id=runs[0])] == ["github.com/a/b", "github.com/c/d"]


def test_runs_record_how_they_ended_and_what_they_covered(store: Store) -> None:
    store.add_papers([paper_links("arxiv:1", "github.com/a/b"), paper_links("arxiv:2", "github.com/a/b")])
    finished = store.start_run(["arxiv", "pwc"], flow_run_id="flow-123")
    store.record_check(finished, ok_facts("github.com/a/b"), (), health="h", repro_score=1)
    store.finish_run(finished, "rate_limited", requests_made=40, requests_rate_limited=38, note="limit hit")
    killed = store.start_run(["arxiv"])
    store.record_check(killed, ok_facts("github.com/a/b"), (), health="h", repro_score=1)

    first, second = store.runs()
    assert (first.status, first.sources, first.flow_run_id) == (RunStatus.RATE_LIMITED, ("arxiv", "pwc"), "flow-123")
    assert (first.papers, first.repositories_checked, first.requests_made, first.requests_rate_limited) == (
        2, 1, 40, 38,
    )
    assert first.note == "limit hit" and first.finished_at is not None
    # A run that never finished shows what it got done.
    assert (second.status, second.finished_at, second.repositories_checked) == (RunStatus.RUNNING, None, 1)


def test_status_counts_per_run(store: Store) -> None:
    first, second = store.start_run(["test"]), store.start_run(["test"])
    store.record_check(first, ok_facts("github.com/a/b"), (), health="h", repro_score=1)
    store.record_check(first, bare_facts("github.com/a/c", Status.MISSING), (), health="gone", repro_score=None)
    store.record_check(second, bare_facts("github.com/a/c", Status.MISSING), (), health="gone", repro_score=None)
    assert store.status_counts() == {first: {Status.OK: 1, Status.MISSING: 1}, second: {Status.MISSING: 1}}


def test_run_misuse_is_refused_with_a_message(store: Store) -> None:
    run = store.start_run(["test"])
    with pytest.raises(ValueError, match="completed"):
        store.finish_run(run, "done")
    with pytest.raises(ValueError, match="running"):
        store.finish_run(run, "running")
    with pytest.raises(LookupError, match="no run 999"):
        store.finish_run(999, "completed")
    with pytest.raises(LookupError, match="no run 999"):
        store.record_check(999, ok_facts("github.com/a/b"), (), health="h", repro_score=1)
    with pytest.raises(ValueError, match="naive datetime"):
        store.record_check(run, ok_facts("github.com/a/b", datetime(2025, 1, 1)), (), health="h", repro_score=1)
    with pytest.raises(ValueError, match="0-100"):
        store.record_check(run, ok_facts("github.com/a/b"), (), health="h", repro_score=101)
    assert store.history("github.com/a/b") == []


def test_answer_cache_round_trip_survives_reopening(store_url: str) -> None:
    with open_store(store_url) as store:
        cache = store.answer_cache
        assert cache.get("/repos/a/b") is None
        cache.put("/repos/a/b", Validators(etag='W/"1"', last_modified=None, content=b'{"id": 1}'))
        cache.put("/repos/a/b", Validators(etag='W/"2"', last_modified="Tue, 01 Apr 2025 10:00:00 GMT",
                                           content=b"{}"))
    with open_store(store_url) as store:
        assert store.answer_cache.get("/repos/a/b") == Validators(
            etag='W/"2"', last_modified="Tue, 01 Apr 2025 10:00:00 GMT", content=b"{}"
        )
        assert store.answer_cache.get("/repos/a/c") is None


def test_two_openers_of_a_new_database_both_succeed(store_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def open_and_write(label: str) -> None:
        try:
            barrier.wait(timeout=10)
            with open_store(store_url) as store:
                store.start_run([label])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_write, args=(label,)) for label in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with open_store(store_url) as store:
        assert sorted(run.sources[0] for run in store.runs()) == ["one", "two"]


def test_times_come_back_in_utc_whatever_zone_they_went_in(store: Store) -> None:
    run = store.start_run(["test"])
    tokyo = datetime(2025, 3, 1, 21, 0, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    store.record_check(run, ok_facts("github.com/a/b", tokyo), (), health="h", repro_score=1)
    (check,) = store.history("github.com/a/b")
    assert check.checked_at == datetime(2025, 3, 1, 21, 0, tzinfo=UTC)
    assert check.checked_at.utcoffset() == timedelta(0)


def test_forget_removes_a_repository_and_its_checks_and_keeps_the_papers_link_text(store: Store) -> None:
    store.add_papers([paper_links("arxiv:1", "github.com/old/name", "github.com/keep/me", "https://example.org/p")])
    run = store.start_run(["test"])
    store.record_check(run, bare_facts("github.com/old/name", Status.MOVED, moved_to=RepoRef.parse("github.com/New/Name")),
                       (), health="moved", repro_score=None)
    store.record_check(run, ok_facts("github.com/New/Name"), RESULTS, health="alive", repro_score=80)
    store.record_check(run, ok_facts("github.com/keep/me"), RESULTS, health="alive", repro_score=80)

    forgotten = store.forget_repository("github.com/new/name")
    assert forgotten is not None
    assert (forgotten.canonical, forgotten.checks, forgotten.paper_links) == ("github.com/New/Name", 1, 0)
    assert store.history("github.com/new/name") == []
    with store.engine.connect() as connection:
        rows = {row.key: row for row in connection.execute(select(Repository))}
    assert set(rows) == {"github.com/old/name", "github.com/keep/me"}
    assert rows["github.com/old/name"].moved_to_id is None  # the pointer went with it; the check keeps the name
    assert store.history("github.com/old/name")[0].moved_to == "github.com/New/Name"

    forgotten = store.forget_repository("github.com/old/name")
    assert forgotten is not None and (forgotten.checks, forgotten.paper_links) == (1, 1)
    with store.engine.connect() as connection:
        links = connection.execute(select(PaperLink.c.raw_text, PaperLink.c.repository_id).order_by(PaperLink.c.id)).all()
    assert [(raw, repository_id is None) for raw, repository_id in links] == [
        ("https://github.com/old/name", True), ("https://github.com/keep/me", False), ("https://example.org/p", True)]
    [paper] = store.papers_with_links()
    assert paper.repositories == ("github.com/keep/me",) and len(paper.artifacts) == 1
    assert len(store.history("github.com/keep/me")) == 1
    assert store.forget_repository("github.com/old/name") is None
    # The paper ingested again finds its link again: the repository comes back, the kept text stays.
    store.add_papers([paper_links("arxiv:1", "github.com/old/name")])
    assert "github.com/old/name" in {ref.key for ref in store.repositories_due()}


def test_every_fact_of_the_records_has_its_column_and_every_stored_check_field_reads_one() -> None:
    """A fact added to `Metadata` or `Activity` fails here until its column exists; a `StoredCheck` field
    names a column of the check (JSON ones as `<column>_json`) or the repository's identity."""
    columns = set(RepositoryCheck.c.keys())
    for derived in (METADATA_COLUMNS, ACTIVITY_COLUMNS):
        assert set(derived.values()) <= columns
    read = {field.removesuffix("_json") for field in StoredCheck._fields} - {"key", "canonical"}
    assert read <= columns
    assert METADATA_COLUMNS["license_spdx"] == "license_api" and "size_kb" not in METADATA_COLUMNS
