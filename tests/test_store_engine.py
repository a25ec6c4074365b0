"""Choosing the database, masking passwords, and retrying a busy SQLite."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

import tracker.store.engine as engine_module
from tracker.store import StoreError, database_url, mask_url, open_store
from tracker.store.engine import make_engine
from tracker.store.retry import run_write

SECRET = "s3cret-Pa55"


def test_explicit_url_beats_environment_beats_default_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPRO_TRACKER_HOME", str(tmp_path / "home"))
    assert database_url() == f"sqlite:///{tmp_path}/home/repro-tracker.db"
    monkeypatch.setenv("REPRO_TRACKER_DATABASE_URL", "postgresql://team@db.example.org/tracker")
    assert database_url() == "postgresql+psycopg://team@db.example.org/tracker"
    assert database_url(str(tmp_path / "mine.db")) == f"sqlite:///{tmp_path}/mine.db"


def test_default_home_follows_xdg_then_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REPRO_TRACKER_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert database_url() == f"sqlite:///{tmp_path}/xdg/repro-tracker/repro-tracker.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert database_url() == f"sqlite:///{tmp_path}/me/.local/share/repro-tracker/repro-tracker.db"


def test_urls_and_paths_are_normalised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url("relative/store.db") == f"sqlite:///{tmp_path}/relative/store.db"
    assert database_url("postgres://u@h:5433/d") == "postgresql+psycopg://u@h:5433/d"
    assert database_url("sqlite://") == "sqlite://"
    assert database_url(f"postgresql://u:{SECRET}@h/d") == f"postgresql+psycopg://u:{SECRET}@h/d"


def test_the_default_file_and_its_folder_are_created(tmp_path: Path) -> None:
    with open_store() as store:
        store.start_run(["test"])
    assert Path(database_url()[len("sqlite:///"):]).is_file()


def test_mask_url_hides_passwords_in_the_netloc_and_query() -> None:
    assert mask_url(f"postgresql+psycopg://alice:{SECRET}@db:5432/x") == "postgresql+psycopg://alice:***@db:5432/x"
    assert mask_url(f"postgresql://db/x?user=a&password={SECRET}") == "postgresql://db/x?user=a&password=***"
    assert mask_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_a_password_never_reaches_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # Port 1 on loopback refuses at once: the connection fails, with the password in the URL.
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://alice:{SECRET}@127.0.0.1:1/tracker")
    message = str(caught.value)
    assert "alice:***@127.0.0.1:1/tracker" in message
    assert "refused" in message.lower() or "connect" in message.lower()
    assert SECRET not in message and SECRET not in caplog.text

    with pytest.raises(ValueError) as bad:
        database_url(f"postgresql://alice:{SECRET}@host:notaport/x")
    assert SECRET not in str(bad.value) and "alice:***@" in str(bad.value)


def test_a_write_waits_for_another_writer_instead_of_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 0)  # fail fast, so the retry is what waits
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waits: list[float] = []

    def other_writer_finishes(seconds: float) -> None:
        waits.append(seconds)
        holder.execute("COMMIT")

    def write(connection: Connection) -> int:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        return connection.execute(text("SELECT count(*) FROM t")).scalar_one()

    assert run_write(engine, write, sleep=other_writer_finishes) == 1
    assert len(waits) == 1 and 0 < waits[0] < 1


def test_a_database_busy_for_too_long_gives_an_actionable_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 0)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waits: list[float] = []
    try:
        with pytest.raises(StoreError, match="stayed busy through 3 attempts.*run the command again"):
            run_write(engine, lambda c: c.execute(text("INSERT INTO t VALUES (1)")), attempts=3, sleep=waits.append)
    finally:
        holder.execute("ROLLBACK")
    assert len(waits) == 2 and waits[1] > waits[0] * 0.5  # backed off between attempts


def test_an_error_that_is_no_conflict_is_raised_at_once_and_untouched(tmp_path: Path) -> None:
    """Only busy/locked (and PostgreSQL's serialization and deadlock states) are retried; the rest is the caller's."""
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    waits: list[float] = []
    with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
        run_write(engine, lambda c: c.execute(text("INSERT INTO t VALUES (1)")), sleep=waits.append)

    def not_there(connection: Connection) -> None:
        raise LookupError("no such thing")

    with pytest.raises(LookupError, match="no such thing"):
        run_write(engine, not_there, sleep=waits.append)
    assert waits == []
    engine.dispose()
