"""Alembic environment: migrates the connection `tracker.store.migrate` hands over.

`open_store` passes its own connection, already inside a locked transaction,
through ``config.attributes["connection"]``; that is what lets an in-memory
database or a team's PostgreSQL be migrated the same way. Run by hand
(``alembic -c tracker/store/migrations/alembic.ini ...``) it opens the
database `tracker.store.engine.database_url` chooses.
"""

from __future__ import annotations

from alembic import context

from tracker.store.engine import database_url, make_engine
from tracker.store.models import metadata

config = context.config


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    try:
        # One transaction for all steps: SQLite's DDL is transactional too.
        with engine.connect() as own_connection, own_connection.begin():
            context.configure(connection=own_connection, target_metadata=metadata)
            context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
