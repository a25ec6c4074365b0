"""Short write transactions that survive other writers.

SQLite allows one writer at a time and PostgreSQL may abort a transaction to
break a deadlock or a serialization conflict. Both are transient: the same
transaction succeeds when tried again. Every write in the store therefore is
one small function run in its own transaction and retried with backoff, so
"database is locked" never reaches the user; reads go the same way.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from tracker.store.engine import WRITE_OPTION, StoreError, mask_url, writer_lock

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 8
FIRST_DELAY_S = 0.05
MAX_DELAY_S = 2.0

_SQLITE_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)
_PG_RETRY_STATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def is_transient(error: BaseException) -> bool:
    """True when the same transaction may succeed if simply tried again."""
    orig = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_BUSY_CODES
        return "locked" in str(orig) or "busy" in str(orig)
    return getattr(orig, "sqlstate", None) in _PG_RETRY_STATES


def run_write(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work` in one write transaction, retrying transient conflicts.

    `work` must be safe to repeat: a failed attempt is rolled back whole.
    """
    return _run(engine, work, write=True, attempts=attempts, sleep=sleep)


def run_read(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work` in one read transaction, retrying transient conflicts.

    Reads rarely conflict, but they do while SQLite creates a new database
    (switching it to WAL) or recovers one after a crash.
    """
    return _run(engine, work, write=False, attempts=ATTEMPTS, sleep=time.sleep)


def _run(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    write: bool,
    attempts: int,
    sleep: Callable[[float], None],
) -> T:
    delay = FIRST_DELAY_S
    for attempt in range(1, attempts + 1):
        try:
            with writer_lock(engine) if write else nullcontext(), engine.connect() as connection:
                connection.execution_options(**{WRITE_OPTION: write})
                with connection.begin():
                    return work(connection)
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            if attempt == attempts:
                raise StoreError(
                    f"the database {mask_url(engine.url)} stayed busy through {attempts} attempts; "
                    "another process is holding it (a long run or an open SQL shell?): "
                    "wait for it to finish and run the command again"
                ) from exc
            log.debug("database busy (attempt %d/%d), retrying: %s", attempt, attempts, exc.orig)
            # Jitter keeps two waiting processes from colliding again in step.
            sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, MAX_DELAY_S)
    raise AssertionError("unreachable")  # pragma: no cover
