"""Where the database is, and how to talk to it safely.

The URL is chosen once (`database_url`) and is never shown unmasked: team
databases are PostgreSQL URLs that often carry a password. SQLite is tuned in
the engine's ``connect`` event so that every connection, from any process,
waits for writers instead of failing, and enforces foreign keys.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

ENV_URL = "REPRO_TRACKER_DATABASE_URL"
ENV_HOME = "REPRO_TRACKER_HOME"
DB_FILE_NAME = "repro-tracker.db"

# How long one SQLite statement waits for another process's write lock before
# giving up; the write retry (`tracker.store.retry`) adds attempts on top.
SQLITE_BUSY_TIMEOUT_MS = 30_000

_PASSWORD_IN_NETLOC = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_PASSWORD_IN_QUERY = re.compile(r"(?i)(\bpassword=)[^&\s]*")


class StoreError(Exception):
    """The database cannot be opened or used; the message says what to do."""


def mask_url(url: str | URL) -> str:
    """`url` with any password replaced by ``***``, for messages and logs.

    Works on text that does not parse as a URL too, because error messages
    may quote a URL the user mistyped.
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    text = _PASSWORD_IN_NETLOC.sub(r"\1***@", text)
    return _PASSWORD_IN_QUERY.sub(r"\1***", text)


def default_home() -> Path:
    """The directory of the default SQLite file (XDG base directory layout)."""
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME")
    base = Path(data_home).expanduser() if data_home else Path.home() / ".local" / "share"
    return base / "repro-tracker"


def database_url(explicit: str | None = None) -> str:
    """The database to use: `explicit` (``--db``) > $REPRO_TRACKER_DATABASE_URL > default file.

    A bare file path means SQLite; ``postgresql://`` (or ``postgres://``) means
    PostgreSQL through psycopg 3. Raises ValueError, with the password masked,
    when the text is neither a URL nor a path.
    """
    chosen = explicit or os.environ.get(ENV_URL) or str(default_home() / DB_FILE_NAME)
    if "://" not in chosen:
        return URL.create("sqlite", database=str(Path(chosen).expanduser().resolve())).render_as_string(
            hide_password=False
        )
    try:
        url = make_url(chosen)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise ValueError(f"not a database URL or file path: {mask_url(chosen)}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: str) -> Engine:
    """An engine for `url` (as returned by `database_url`), with SQLite tuned for concurrency."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    kwargs: dict[str, Any] = {}
    if is_memory_sqlite(parsed):
        # Every new connection to ":memory:" is a new, empty database: share one.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _tune_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling begins transactions lazily and never
    # with IMMEDIATE; take it over so writers can lock up front (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL itself needs a lock.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


WRITE_OPTION = "repro_tracker_write"

_sqlite_writer_locks: dict[str, threading.Lock] = {}
_sqlite_writer_locks_guard = threading.Lock()


def writer_lock(engine: Engine) -> AbstractContextManager[object]:
    """What a writing thread holds for its whole transaction: one lock per SQLite file in this process.

    SQLite has one writer at a time. A thread that finds the write lock taken
    waits in SQLite's busy handler, which sleeps in steps of up to 100 ms
    however soon the lock frees; eight checking threads and the recorder
    spent most of a run there (bench/results.md). Queued on a Python lock
    they take turns at once. Other processes still meet busy_timeout.
    PostgreSQL has row locks and needs none of this.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _sqlite_writer_locks_guard:
        return _sqlite_writer_locks.setdefault(str(engine.url), threading.Lock())


def _begin_sqlite_transaction(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails at once with
    # SQLITE_BUSY, ignoring busy_timeout, when another process wrote in
    # between; BEGIN IMMEDIATE takes the write lock first and so waits instead.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
