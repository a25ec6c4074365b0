"""History that records changes: an unchanged re-check is an observation, and every read sees it whole.

On SQLite and PostgreSQL, against the same checks stored uncompacted (every
row full, as before migration 0011), and against a database written at
revision 0010 and upgraded in place.
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import column, func, insert, select, table, text
from store_support import (  # noqa: F401  (fixtures)
    RESULTS,
    T0,
    bare_facts,
    empty_pg_schema,
    ok_facts,
    pg_database,
    store,
    store_url,
)

import tracker.store.checks as checks_module
from tracker.records import Status
from tracker.store import Store, open_store
from tracker.store.check_row import CHECK_FIELDS, LISTED_FIELDS, check_values
from tracker.store.engine import make_engine
from tracker.store.migrate import alembic_config, upgrade
from tracker.store.models import LatestCheck, RepositoryCheck

REPO = "github.com/a/b"
# Run by run: the same facts five times, a change (more stars), back to the first facts, gone, gone again.
SEQUENCE = [ok_facts(REPO, T0 + timedelta(hours=index)) for index in range(5)] + [
    ok_facts(REPO, T0 + timedelta(hours=5), stars=8),
    ok_facts(REPO, T0 + timedelta(hours=6)),
    bare_facts(REPO, Status.MISSING, T0 + timedelta(hours=7), http_status=404),
    bare_facts(REPO, Status.MISSING, T0 + timedelta(hours=8), http_status=404),
]


def record(store: Store, sequence: list[Any]) -> list[int]:
    runs = []
    for facts in sequence:
        runs.append(store.start_run(["test"]))
        store.record_check(runs[-1], facts, RESULTS if facts.status is Status.OK else (),
                           health="healthy" if facts.status is Status.OK else "gone", repro_score=60)
        store.record_check(runs[-1], ok_facts("github.com/other/one", facts.checked_at), (), health="h", repro_score=1)
    return runs


def reads(store: Store, runs: list[int]) -> dict[str, Any]:
    """Everything the readers of history see: history, timelines, latest (now and as of each run), counts."""
    return {
        "history": store.history(REPO),
        "all": store.all_checks(CHECK_FIELDS),
        "all_narrow": store.all_checks(("status", "stars")),
        "latest": store.latest_checks(),
        "latest_narrow": store.latest_checks(fields=("status", "outcomes_json")),
        "as_of": [store.latest_checks(run_id=run) for run in runs],
        "gone_since": store.gone_since(),
        "status_counts": store.status_counts(),
    }


def stored_rows(store: Store) -> list[Any]:
    with store.engine.connect() as connection:
        return connection.execute(select(RepositoryCheck).order_by(RepositoryCheck.c.id)).all()


def test_unchanged_rechecks_are_observations_that_read_as_the_uncompacted_history(
    store_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(store_url) as store:
        runs = record(store, SEQUENCE)
        compacted, rows = reads(store, runs), stored_rows(store)

    ours = [row for row in rows if row.repository_id == rows[0].repository_id]
    repeated = [row.same_as_id is not None for row in ours]
    # Runs 2-5 repeat run 1; run 7 repeats run 6's change back, so it is a full row again; run 9 repeats 8.
    assert repeated == [False, True, True, True, True, False, False, False, True]
    assert all(row.stars is None and row.results is None and row.digest is None for row in ours if row.same_as_id)
    assert {row.same_as_id for row in ours[1:5]} == {ours[0].id} and ours[8].same_as_id == ours[7].id
    assert [row.status for row in ours] == ["ok"] * 7 + ["missing"] * 2  # kept on every row, for counts

    # The same checks with no two digests alike: every row full, as every check was stored before.
    counter = itertools.count()
    monkeypatch.setattr(checks_module, "content_digest", lambda values: f"unique-{next(counter)}")
    # The same dialect, since JSON comes back as each one spells it.
    if store_url.startswith("postgresql"):
        empty_pg_schema(store_url)
    with open_store(store_url if store_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'full.db'}") as store:
        uncompacted = reads(store, record(store, SEQUENCE))
        assert all(row.same_as_id is None for row in stored_rows(store))
    assert compacted == uncompacted
    history = compacted["history"]
    assert [check.checked_at for check in history] == [facts.checked_at for facts in SEQUENCE]
    assert history[3].stars == 7 and history[3].results() == RESULTS and history[5].stars == 8


def test_latest_checks_follow_run_order_whatever_the_recording_order(store: Store) -> None:
    runs = [store.start_run(["test"]) for _ in range(4)]
    for index in (2, 0, 3, 1):  # recorded out of order, as overlapping flows may
        store.record_check(runs[index], ok_facts(REPO, T0 + timedelta(days=index), stars=index % 2), (),
                           health="h", repro_score=1)
    (row,) = store.latest_checks()
    assert (row.latest.run_id, row.latest.stars, row.previous and row.previous.run_id) == (runs[3], 1, runs[2])
    assert store.latest_checks() == store.latest_checks(run_id=runs[3])
    # The copies a listing reads from `latest_checks` say what the checks themselves say.
    listed = sorted(LISTED_FIELDS - {"id", "run_id"})
    assert store.latest_checks(fields=listed) == store.latest_checks(run_id=runs[3], fields=listed)
    with store.engine.connect() as connection:
        kept = connection.execute(select(LatestCheck.c.latest_run_id, LatestCheck.c.previous_run_id)).one()
    assert tuple(kept) == (runs[3], runs[2])


def test_forgetting_a_repository_removes_its_observations_and_its_latest_row(store: Store) -> None:
    record(store, SEQUENCE[:3])
    forgotten = store.forget_repository(REPO)
    assert forgotten is not None and forgotten.checks == 3
    assert store.history(REPO) == [] and [row.key for row in store.latest_checks()] == ["github.com/other/one"]


# -- a database written at revision 0010, upgraded in place -----------------------------------------------

PREVIOUS_RELEASE = "0013"  # main before this change (0013 left repository_checks as 0010 made it)


def _previous_release_checks() -> Any:
    """`repository_checks` as revision 0010 had it, with the store's types (JSON on SQLite, JSONB on PostgreSQL)."""
    return table("repository_checks", *(column(c.name, c.type) for c in RepositoryCheck.c
                                        if c.name not in ("same_as_id", "digest")))


def _write_previous_release(url: str) -> dict[str, int]:
    """Three repositories x six runs, written as 0010's `record_check` wrote them: every check a full row."""
    engine = make_engine(url)
    upgrade(engine, PREVIOUS_RELEASE)
    old_checks = _previous_release_checks()
    ids = {}
    with engine.begin() as connection:
        for name in ("github.com/o/same", "github.com/o/changes", "github.com/o/gone"):
            ids[name] = connection.execute(
                text("INSERT INTO repositories (host, owner, name, kind, canonical, key, first_seen_at) "
                     "VALUES ('github.com', 'o', :n, 'code', :k, :k, :at) RETURNING id"),
                {"n": name.rsplit("/", 1)[1], "k": name, "at": T0},
            ).scalar_one()
        for run in range(6):
            run_id = connection.execute(
                text("INSERT INTO tracking_runs (started_at, status, sources, papers, repositories_checked, "
                     "requests_made, requests_rate_limited) VALUES (:at, 'completed', '[\"arxiv\"]', 0, 3, 9, 0) "
                     "RETURNING id"),
                {"at": T0 + timedelta(days=run)},
            ).scalar_one()
            when = T0 + timedelta(days=run, minutes=5)
            checked = {
                "github.com/o/same": (ok_facts("github.com/o/same", when), RESULTS),
                "github.com/o/changes": (ok_facts("github.com/o/changes", when, stars=run // 2), RESULTS),
                "github.com/o/gone": (ok_facts("github.com/o/gone", when), RESULTS) if run < 3
                else (bare_facts("github.com/o/gone", Status.MISSING, when, http_status=404), ()),
            }
            for name, (facts, results) in checked.items():
                values = check_values(facts, results, health="healthy", repro_score=60)
                connection.execute(insert(old_checks), {"run_id": run_id, "repository_id": ids[name], **values})
    engine.dispose()
    return ids


def _rows_as_stored(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    old_checks = _previous_release_checks()
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(select(old_checks).order_by(old_checks.c.id))]
    engine.dispose()
    return rows


def _as_columns(check: Any) -> dict[str, Any]:
    """A `StoredCheck`'s fields under their column names, JSON decoded: comparable with a row as stored."""
    fields = check._asdict()
    return {name: json.loads(fields[field]) if field.endswith("_json") and fields[field] is not None else fields[field]
            for field, name in CHECK_FIELDS.items()}


def test_a_database_the_previous_release_wrote_is_collapsed_in_place_and_reads_as_before(store_url: str) -> None:
    ids = _write_previous_release(store_url)
    before = _rows_as_stored(store_url)
    latest_before = {}
    for row in before:  # the previous release's latest two: highest runs per repository
        latest_before.setdefault(row["repository_id"], []).append(row["id"])

    with open_store(store_url) as store:
        history = [check for key in sorted(ids) for check in store.history(key)]
        assert sorted((_as_columns(check) for check in history), key=lambda row: row["id"]) == [
            {name: row[name] for name in CHECK_FIELDS.values()} for row in before]
        latest = {row.key: (row.latest.id, row.previous and row.previous.id) for row in store.latest_checks()}
        assert latest == {key: tuple(latest_before[ids[key]][-1:-3:-1]) for key in ids}
        assert latest == {row.key: (row.latest.id, row.previous and row.previous.id)
                          for row in store.latest_checks(run_id=6)}
        listed = sorted(LISTED_FIELDS - {"id", "run_id"})
        assert store.latest_checks(fields=listed) == store.latest_checks(run_id=6, fields=listed)
        assert {row.key: row.latest.status for row in store.latest_checks(fields=("status",))} == {
            "github.com/o/same": Status.OK, "github.com/o/changes": Status.OK, "github.com/o/gone": Status.MISSING}
        assert store.status_counts() == {run: {Status.OK: 3} for run in (1, 2, 3)} | {
            run: {Status.OK: 2, Status.MISSING: 1} for run in (4, 5, 6)}
        rows = stored_rows(store)
        repeats = {name: [row.same_as_id is not None for row in rows if row.repository_id == ids[name]] for name in ids}
        assert repeats == {"github.com/o/same": [False] + [True] * 5,
                           "github.com/o/changes": [False, True, False, True, False, True],
                           "github.com/o/gone": [False, True, True, False, True, True]}

        # The digests the migration wrote are the writer's: an unchanged check after it is an observation too.
        run = store.start_run(["arxiv"])
        store.record_check(run, ok_facts("github.com/o/same", T0 + timedelta(days=9)), RESULTS, health="healthy",
                           repro_score=60)
        (newest,) = [row for row in stored_rows(store) if row.run_id == run]
        assert newest.same_as_id == [row.id for row in rows if row.repository_id == ids["github.com/o/same"]][0]
        same = store.history("github.com/o/same")
        assert same[-1]._replace(id=0, run_id=0, checked_at=T0) == same[0]._replace(id=0, run_id=0, checked_at=T0)

        # Downgrading copies every observation's facts back: the rows are the previous release's again.
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection), PREVIOUS_RELEASE)
            connection.execute(text("DELETE FROM repository_checks WHERE run_id = :run"), {"run": run})
    assert _rows_as_stored(store_url) == before
    engine = make_engine(store_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(_previous_release_checks())).scalar_one() == 18
    engine.dispose()
