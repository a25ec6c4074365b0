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
from typing import NoReturn, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

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


def _conflict(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and is_transient(error)


def _backoff(state: RetryCallState) -> float:
    """Doubling from FIRST_DELAY_S up to MAX_DELAY_S; jitter keeps two waiting processes from colliding in step."""
    delay = min(FIRST_DELAY_S * 2 ** (state.attempt_number - 1), MAX_DELAY_S)
    return delay * random.uniform(0.5, 1.5)


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
    def attempt() -> T:
        with writer_lock(engine) if write else nullcontext(), engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: write})
            with connection.begin():
                return work(connection)

    def busy(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        orig = error.orig if isinstance(error, DBAPIError) else error
        log.debug("database busy (attempt %d/%d), retrying: %s", state.attempt_number, attempts, orig)

    def exhausted(state: RetryCallState) -> NoReturn:
        error = state.outcome.exception() if state.outcome is not None else None
        raise StoreError(
            f"the database {mask_url(engine.url)} stayed busy through {attempts} attempts; "
            "another process is holding it (a long run or an open SQL shell?): "
            "wait for it to finish and run the command again"
        ) from error

    retrying = Retrying(
        retry=retry_if_exception(_conflict),
        stop=stop_after_attempt(attempts),
        wait=_backoff,
        sleep=sleep,
        before_sleep=busy,
        retry_error_callback=exhausted,
        reraise=True,
    )
    return retrying(attempt)
