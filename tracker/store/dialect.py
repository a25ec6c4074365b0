"""The one dialect-specific statement the store needs: INSERT .. ON CONFLICT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection


def insert_for(connection: Connection, model: Any) -> Any:
    """An INSERT with `on_conflict_do_nothing`/`on_conflict_do_update` for this connection.

    Both dialects spell the upsert the same way in SQLAlchemy, so callers
    write it once; `Any` because the two statement classes share no base
    that declares those methods. Each dialect's module is imported only when a
    connection of that dialect writes: reading SQLite never loads PostgreSQL's.
    """
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(model)
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {connection.dialect.name}")
