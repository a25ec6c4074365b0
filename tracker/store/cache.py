"""The conditional-request cache on SQL, so validators outlive the process.

A 304 Not Modified costs nothing against GitHub's rate limit, and tells a link
checker that a page is as it was, but only if the validators (and, where the
caller needs it, the body) of the previous answer are still at hand in the next
run. Every client of `tracker.http.ConditionalCache` shares this one table;
keys cannot collide, since GitHub's are API paths and the rest are absolute
URLs. Bodies are text (JSON, the start of a page): stored as UTF-8.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select

from tracker.store.dialect import insert_for
from tracker.store.models import HttpCacheEntry
from tracker.store.retry import run_read, run_write

if TYPE_CHECKING:
    from tracker.http import Validators


class SqlAnswerCache:
    """A `tracker.http.ConditionalCache` on the table ``http_cache``."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def get(self, key: str) -> Validators | None:
        statement = select(HttpCacheEntry.c.etag, HttpCacheEntry.c.last_modified, HttpCacheEntry.c.body).where(
            HttpCacheEntry.c.key == key
        )
        row = run_read(self._engine, lambda connection: connection.execute(statement).one_or_none())
        if row is None:
            return None
        # Imported here: the HTTP client (httpx) is ~35 ms of every store's opening, and `status` sends no request.
        from tracker.http import Validators

        return Validators(etag=row.etag, last_modified=row.last_modified, content=row.body.encode())

    def put(self, key: str, validators: Validators) -> None:
        values = {
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "body": validators.content.decode("utf-8", errors="replace"),
            "stored_at": self._clock(),
        }

        def work(connection: Connection) -> None:
            statement = insert_for(connection, HttpCacheEntry).values(key=key, **values)
            connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))

        run_write(self._engine, work)
