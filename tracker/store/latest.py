"""Each repository's newest check and the one before it, kept in the `latest_checks` table.

Kept in step inside the transaction that records a check, so it is never
behind the checks, whatever process wrote them: a reader of "the latest
check per repository" (`status`, the report) reads one row per repository,
with the columns a listing shows copied in, instead of seeking the newest
two of its checks and reading a page for each (bench/results.md, fifth session).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, case, or_, select

from tracker.store.check_row import full_row_of
from tracker.store.dialect import insert_for
from tracker.store.models import LISTED_COLUMNS, LatestCheck, RepositoryCheck


class LatestFacts(NamedTuple):
    """The full row holding what a repository's latest check says, and its digest."""

    id: int
    digest: str | None


def _latest_facts_query() -> Any:
    latest, full = RepositoryCheck.alias("latest"), RepositoryCheck.alias("full")
    return (
        select(full.c.id, full.c.digest)
        .select_from(LatestCheck)
        .join(latest, latest.c.id == LatestCheck.c.latest_id)
        .join(full, full_row_of(latest, full))
        .where(LatestCheck.c.repository_id == bindparam("repository_id"))
    )


# Built once: making the aliases and the upsert's forty CASEs for every check was most of a re-run's CPU
# (0.4 of its 0.9 ms per repository at N=200, bench/results.md); the values go in as parameters.
_LATEST_FACTS = _latest_facts_query()
_NOTE_CHECK: dict[str, Any] = {}


def latest_facts(connection: Connection, repository_id: int) -> LatestFacts | None:
    """What the repository's newest check (by run) says, as the full row holding it; None before its first check."""
    row = connection.execute(_LATEST_FACTS, {"repository_id": repository_id}).first()
    return None if row is None else LatestFacts(row.id, row.digest)


def _note_check_statement(connection: Connection) -> Any:
    statement = insert_for(connection, LatestCheck)
    kept, new = LatestCheck.c, statement.excluded
    newest = new.latest_run_id > kept.latest_run_id
    second = or_(kept.previous_run_id.is_(None), new.latest_run_id > kept.previous_run_id)
    moves: dict[str, Any] = {}
    for name in ("id", "run_id", *LISTED_COLUMNS):
        latest, previous = f"latest_{name}", f"previous_{name}"
        moves[latest] = case((newest, new[latest]), else_=kept[latest])
        moves[previous] = case((newest, kept[latest]), (second, new[latest]), else_=kept[previous])
    return statement.on_conflict_do_update(index_elements=[kept.repository_id], set_=moves)


def note_check(
    connection: Connection, repository_id: int, check_id: int, run_id: int, values: Mapping[str, Any]
) -> None:
    """Take a newly recorded check (`values`: its columns, as `check_values` made them) into the latest two, by run.

    One INSERT .. ON CONFLICT DO UPDATE whose SET reads the row as it was:
    atomic on both dialects (PostgreSQL locks the row; SQLite has one writer),
    so two processes recording checks of one repository cannot lose either.
    A check of a run older than both kept ones (recorded late) changes nothing.
    """
    dialect = connection.dialect.name
    if dialect not in _NOTE_CHECK:
        _NOTE_CHECK[dialect] = _note_check_statement(connection)
    connection.execute(_NOTE_CHECK[dialect], {
        "repository_id": repository_id, "latest_id": check_id, "latest_run_id": run_id,
        **{f"latest_{name}": values.get(name) for name in LISTED_COLUMNS},
    })
