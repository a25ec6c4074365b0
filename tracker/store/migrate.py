"""Bring a database to the schema this code expects, safely from many processes.

Alembic runs programmatically with the migration scripts shipped inside the
package, on a connection we own: that works for any URL (even in-memory
SQLite) and lets us hold a lock for the whole upgrade, so two processes
opening a new database at once queue up instead of both failing.

Alembic is imported only when a database needs migrating: it costs about a
quarter of a second, which every `repro-tracker status` would otherwise pay
to learn that the database is already current.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from tracker.store.engine import StoreError, mask_url
from tracker.store.retry import run_read, run_write

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"

# Any fixed 64-bit number; it names the lock among the server's advisory locks.
_PG_MIGRATION_LOCK = 0x7265_7072_6F5F_7472  # "repro_tr"

# The identifiers alembic's script template writes at the top of each migration.
_REVISION = re.compile(r"""^revision\b[^=\n]*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision\b[^=\n]*=\s*(?:["']([^"']+)["']|None)\s*$""", re.MULTILINE)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the shipped migrations.

    Read from the scripts' ``revision``/``down_revision`` lines when they form
    one plain chain (a millisecond); anything else (a merge, a branch) is left
    to alembic to work out.
    """
    return _chain_head() or _alembic_head()


def _chain_head() -> str | None:
    parents: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down_revision = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down_revision is None:
            return None
        parents[revision.group(1)] = down_revision.group(1)
    heads = set(parents) - set(parents.values())
    return heads.pop() if len(heads) == 1 else None


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, f"no migrations in {MIGRATIONS_DIR}"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one_or_none()

    return run_read(engine, read)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision`; a database already there is left untouched.

    Raises StoreError when the database was made by a newer repro-tracker.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return  # the common case, without taking any write lock or importing alembic
    from alembic import command
    from alembic.util import CommandError

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
