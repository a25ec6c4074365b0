"""Bring a database to the schema this code expects, safely from many processes.

Alembic runs programmatically with the migration scripts shipped inside the
package, on a connection we own: that works for any URL (even in-memory
SQLite) and lets us hold a lock for the whole upgrade, so two processes
opening a new database at once queue up instead of both failing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from tracker.store.engine import StoreError, mask_url
from tracker.store.retry import run_read, run_write

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Any fixed 64-bit number; it names the lock among the server's advisory locks.
_PG_MIGRATION_LOCK = 0x7265_7072_6F5F_7472  # "repro_tr"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, f"no migrations in {MIGRATIONS_DIR}"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    return run_read(engine, lambda connection: MigrationContext.configure(connection).get_current_revision())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision`; a database already there is left untouched.

    Raises StoreError when the database was made by a newer repro-tracker.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return  # the common case, without taking any write lock

    def work(connection: Connection) -> None:
        # SQLite: the write transaction (BEGIN IMMEDIATE) is already the lock.
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), revision)

    try:
        run_write(engine, work)
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate {mask_url(engine.url)}: {exc}. A database written by a newer "
            "repro-tracker needs that version (pip install -U repro-tracker)"
        ) from None
