"""Read-only commands never make a database: where there is none they exit 2 and leave everything as it was."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from store_support import PG_ADMIN, empty_pg_schema, pg_database  # noqa: F401  (fixture)
from typer.testing import CliRunner

from tracker.cli import app
from tracker.store import NoDatabaseError, open_existing_store, open_store

runner = CliRunner()

READ_ONLY = {
    "status": ["status"],
    "status --fail-on": ["status", "--fail-on", "missing"],
    "status --json": ["status", "--json"],
    "history": ["history", "github.com/acme/seeing"],
    "runs": ["runs"],
    "report": ["report"],
}


def _tree(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


@pytest.mark.parametrize("command", READ_ONLY.values(), ids=READ_ONLY.keys())
def test_a_path_with_no_database_exits_2_and_creates_nothing(command: list[str], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # `report` would write ./reports
    db = tmp_path / "typo" / "tracker.db"
    result = runner.invoke(app, [*command, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert f"no repro-tracker database at {db}" in " ".join(result.stderr.split())
    assert _tree(tmp_path) == []


def test_the_default_database_is_not_made_by_status(tmp_path: Path) -> None:
    home = Path(__import__("os").environ["REPRO_TRACKER_HOME"])
    result = runner.invoke(app, ["status", "--fail-on", "missing"])
    assert result.exit_code == 2
    assert not home.exists()


@pytest.mark.parametrize("content", [b"", b"papers I want to track\n", secrets.token_bytes(4096),
                                     b"SQLite format 2\x00" + b"\x00" * 100],
                         ids=["empty", "text", "random", "sqlite-lookalike"])
def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_was(content: bytes, tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(content)
    for command in READ_ONLY.values():
        result = runner.invoke(app, [*command, "--db", str(db)])
        assert result.exit_code == 2, (command, result.output)
        assert "no repro-tracker database at" in " ".join(result.stderr.split())
    assert db.read_bytes() == content
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.db"]


def test_another_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('mine')")
    connection.close()
    before = db.read_bytes()
    result = runner.invoke(app, ["status", "--fail-on", "missing", "--db", str(db)])
    assert result.exit_code == 2
    assert "without repro-tracker's tables" in " ".join(result.stderr.split())
    assert db.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal, no -shm


def test_a_real_database_is_read_and_writing_commands_still_create_one(tmp_path: Path) -> None:
    db = tmp_path / "new" / "tracker.db"
    source = tmp_path / "papers.jsonl"
    source.write_text('{"title": "A Paper", "abstract": "Code: https://github.com/acme/seeing"}\n', encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(source), "--db", str(db)]).exit_code == 0
    assert db.is_file()
    result = runner.invoke(app, ["status", "--json", "--fail-on", "missing", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"  # stored, not yet checked
    assert runner.invoke(app, ["runs", "--db", str(db)]).exit_code == 0


def test_open_existing_store_opens_what_open_store_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(NoDatabaseError):
        open_existing_store(url)
    open_store(url).close()
    with open_existing_store(url) as store:
        assert store.runs() == []
    with pytest.raises(NoDatabaseError, match="in-memory"):
        open_existing_store("sqlite://")


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:  # noqa: F811
    empty_pg_schema(pg_database)
    yield pg_database


def _pg_tables(url: str) -> list[str]:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return sorted(row[0] for row in rows)


def test_a_postgresql_database_without_our_tables_is_no_database_and_gets_none(pg_url: str) -> None:
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    result = runner.invoke(app, ["status", "--fail-on", "missing", "--db", pg_url])
    assert result.exit_code == 2, result.output
    assert "no repro-tracker database at postgresql" in " ".join(result.stderr.split())
    assert _pg_tables(pg_url) == ["notes"]
    open_store(pg_url).close()
    assert runner.invoke(app, ["status", "--fail-on", "missing", "--db", pg_url]).exit_code == 0


def test_a_postgresql_database_that_does_not_exist_is_no_database(pg_url: str) -> None:
    absent = f"postgresql://postgres@127.0.0.1:5432/repro_absent_{secrets.token_hex(4)}"
    result = runner.invoke(app, ["runs", "--db", absent])
    assert result.exit_code == 2, result.output
    assert "no repro-tracker database at" in " ".join(result.stderr.split())
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        names = [row[0] for row in admin.execute("SELECT datname FROM pg_database").fetchall()]
    assert absent.rsplit("/", 1)[1] not in names
