"""The conditional-request cache on SQL, so ETags outlive the process.

A 304 Not Modified costs nothing against GitHub's rate limit, but only if the
validators and body of the previous answer are still at hand in the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from tracker.hosts.cache import CachedAnswer
from tracker.store.dialect import insert_for
from tracker.store.models import HttpCacheEntry
from tracker.store.retry import run_read, run_write


class SqlAnswerCache:
    """A `tracker.hosts.cache.AnswerCache` on the table ``http_cache``."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def get(self, key: str) -> CachedAnswer | None:
        statement = select(HttpCacheEntry.c.etag, HttpCacheEntry.c.last_modified, HttpCacheEntry.c.body).where(
            HttpCacheEntry.c.key == key
        )
        row = run_read(self._engine, lambda connection: connection.execute(statement).one_or_none())
        if row is None:
            return None
        return CachedAnswer(etag=row.etag, last_modified=row.last_modified, body=row.body)

    def put(self, key: str, answer: CachedAnswer) -> None:
        values = {
            "etag": answer.etag,
            "last_modified": answer.last_modified,
            "body": answer.body,
            "stored_at": self._clock(),
        }

        def work(connection: Connection) -> None:
            statement = insert_for(connection, HttpCacheEntry).values(key=key, **values)
            connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))

        run_write(self._engine, work)
