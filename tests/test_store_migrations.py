"""Migrations: a first-release database upgrades in place, and models never drift from migrations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, insert, inspect, table, text
from store_support import RESULTS, T0, ok_facts, pg_database, store_url  # noqa: F401  (fixtures)

from tracker.records import Outcome, Status
from tracker.store import StoreError, open_store
from tracker.store.engine import make_engine
from tracker.store.migrate import alembic_config, current_revision, head_revision, upgrade
from tracker.store.models import JSONType, UTCDateTime, metadata

FIRST_RELEASE = "0001"


def test_a_first_release_database_upgrades_in_place_and_keeps_its_rows(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine, FIRST_RELEASE)
    seen = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    with engine.begin() as connection:
        # Written as the first release wrote them: raw SQL against its schema only.
        connection.execute(
            text(
                "INSERT INTO papers (id, title, abstract, source, url, published, authors, code_promised, "
                "first_seen_at) VALUES ('arxiv:2401.1', 'Old paper', 'Abstract.', 'arxiv', NULL, NULL, "
                "'[\"A. Author\"]', :yes, :seen)"
            ),
            {"yes": True, "seen": seen},
        )
        repository_id = connection.execute(
            text(
                "INSERT INTO repositories (host, owner, name, kind, canonical, key, moved_to_id, first_seen_at) "
                "VALUES ('github.com', 'Old', 'Repo', 'code', 'github.com/Old/Repo', 'github.com/old/repo', "
                "NULL, :seen) RETURNING id"
            ),
            {"seen": seen},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO paper_links (paper_id, repository_id, artifact_url, artifact_kind, raw_text) "
                "VALUES ('arxiv:2401.1', :repository, NULL, NULL, 'https://github.com/Old/Repo')"
            ),
            {"repository": repository_id},
        )
        run_id = connection.execute(
            text(
                "INSERT INTO tracking_runs (started_at, finished_at, status, flow_run_id, sources, papers, "
                "repositories_checked, requests_made, requests_rate_limited, note) "
                "VALUES (:seen, :seen, 'completed', NULL, '[\"arxiv\"]', 1, 1, 3, 0, NULL) RETURNING id"
            ),
            {"seen": seen},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO repository_checks (run_id, repository_id, checked_at, status) "
                "VALUES (:run, :repository, :seen, 'ok')"
            ),
            {"run": run_id, "repository": repository_id, "seen": seen},
        )
    assert current_revision(engine) == FIRST_RELEASE
    engine.dispose()

    with open_store(store_url) as store:
        assert current_revision(store.engine) == head_revision() != FIRST_RELEASE
        (old,) = store.history("github.com/old/repo")
        assert (old.status, old.checked_at, old.canonical) == (Status.OK, seen, "github.com/Old/Repo")
        assert old.run_id == run_id
        # Columns the first release did not have read as "not recorded".
        assert (old.stars, old.last_commit_at, old.health, old.results()) == (None, None, None, ())
        assert (old.outcomes_json, old.outcomes()) == (None, {})
        assert old.licenses() == ()
        (paper,) = store.papers_with_links()
        assert (paper.id, paper.repositories) == ("arxiv:2401.1", ("github.com/old/repo",))
        assert paper.authors == ("A. Author",)
        (run,) = store.runs()
        assert (run.id, run.requests_made, run.sources) == (run_id, 3, ("arxiv",))

        # The upgraded database takes new checks next to the old ones.
        new_run = store.start_run(["arxiv"])
        store.record_check(new_run, ok_facts("github.com/Old/Repo"), RESULTS, health="healthy", repro_score=70)
        (row,) = store.latest_checks()
        assert (row.latest.run_id, row.latest.stars, row.previous and row.previous.run_id) == (new_run, 7, run_id)


def test_checks_stored_before_migration_3_get_their_outcomes_from_their_verdicts(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine, "0002")
    verdicts = [{"name": r.name, "outcome": r.outcome.value, "score": r.score, "reason": r.reason,
                 "evidence": list(r.evidence)} for r in RESULTS]
    # The columns of 0002 only; JSONType writes JSON on SQLite and JSONB on PostgreSQL, as 0002 did.
    checks = table("repository_checks", column("run_id"), column("repository_id"), column("checked_at", UTCDateTime()),
                   column("status"), column("results", JSONType()))
    with engine.begin() as connection:
        repository_id = connection.execute(
            text("INSERT INTO repositories (host, owner, name, kind, canonical, key, first_seen_at) "
                 "VALUES ('github.com', 'a', 'b', 'code', 'github.com/a/b', 'github.com/a/b', :at) RETURNING id"),
            {"at": T0},
        ).scalar_one()
        run_id = connection.execute(
            text("INSERT INTO tracking_runs (started_at, status, sources, papers, repositories_checked, "
                 "requests_made, requests_rate_limited) VALUES (:at, 'completed', '[]', 0, 0, 0, 0) RETURNING id"),
            {"at": T0},
        ).scalar_one()
        connection.execute(insert(checks), [
            {"run_id": run_id, "repository_id": repository_id, "checked_at": T0, "status": "ok", "results": verdicts},
        ])
    engine.dispose()

    with open_store(store_url) as store:
        (check,) = store.history("github.com/a/b")
        assert check.outcomes_json is not None
        assert check.outcomes() == {"license": Outcome.PASS, "environment": Outcome.UNKNOWN}
        (row,) = store.latest_checks(fields=("outcomes_json",))
        assert row.latest.results_json is None and row.latest.outcomes() == check.outcomes()


def test_models_and_migrations_describe_the_same_schema(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_the_first_release_and_back(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        store.answer_cache.get("/warm")
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection), FIRST_RELEASE)
        assert current_revision(store.engine) == FIRST_RELEASE
        columns = {column["name"] for column in inspect(store.engine).get_columns("repository_checks")}
        assert columns == {"id", "run_id", "repository_id", "checked_at", "status"}
        assert "http_cache" not in inspect(store.engine).get_table_names()
    with open_store(url) as store:
        assert current_revision(store.engine) == head_revision()
        assert store.answer_cache.get("/warm") is None


def test_a_database_from_a_newer_version_is_refused_with_advice(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="9999.*newer repro-tracker"):
        open_store(url)
