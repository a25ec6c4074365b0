"""A status listing's summary and first rows, in SQL over `latest_checks`, however many repositories there are.

`status` on a terminal shows counts of every row and the first 200 in order;
reading every latest check to show 200 was ~4 s at 100,000 repositories
(bench/results.md, fifth and seventh sessions). Here the counts are GROUP BYs,
the rows an ORDER BY .. LIMIT, and the changes, which need the report's
judgement (`tracker.report.analysis.change_summary`), are narrowed in SQL to
the rows that may have one: a status that differs is a change for sure; with
the same status only a row whose moved-to name, license columns or staleness
differ can have one, and those few are judged by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, Integer, Text, case, cast, false, func, or_, select

from tracker.store.check_row import LISTED_FIELDS
from tracker.store.checks import latest_rows_query
from tracker.store.models import LatestCheck, Repository
from tracker.store.retry import run_read
from tracker.store.rows import CheckRow

# The orders a listing can be read in, each by a column of `latest_checks`; ties by repository key.
ORDERS = ("status", "key", "repro_score", "stars")


@dataclass(frozen=True)
class ListingWhere:
    """Which repositories a listing holds: any of `statuses` (all when empty), on `host` (ASCII, any case),
    of any of `kinds` (`repositories.kind` values; None: every kind)."""

    statuses: frozenset[str] = field(default_factory=frozenset)
    host: str | None = None
    kinds: frozenset[str] | None = None


class TallyRow(NamedTuple):
    """How many listed repositories have this latest status and kind, and how many of them changed status."""

    status: str
    kind: str
    rows: int
    status_changed: int


class StatusListing:
    """Reads of `latest_checks` for a listing's summary and its first rows."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def tally(self, where: ListingWhere) -> list[TallyRow]:
        """Repositories by latest status and kind, with how many of each had another status the check before."""
        changed = func.sum(case((_status_changed(), 1), else_=0))
        statement = _where(
            select(LatestCheck.c.latest_status, Repository.c.kind, func.count(), cast(changed, Integer))
            .join_from(LatestCheck, Repository, Repository.c.id == LatestCheck.c.repository_id), where
        ).group_by(LatestCheck.c.latest_status, Repository.c.kind)
        rows = run_read(self._engine, lambda connection: connection.execute(statement).all())
        return [TallyRow(str(status), str(kind), int(count), int(moved or 0)) for status, kind, count, moved in rows]

    def possible_changes(self, where: ListingWhere, *, stale_after: timedelta,
                         fields: Iterable[str]) -> list[CheckRow]:
        """The repositories whose status did not change but whose moved-to name, license columns or last commit's
        age (crossing `stale_after`, give or take a day) did: the only ones of the same status that may have changed."""
        statement, read = _listed_query(fields)
        statement = _where(statement, where).where(~_status_changed(), self._may_have_changed(stale_after))
        return run_read(self._engine, lambda connection: read(connection.execute(statement)))

    def rows(self, where: ListingWhere, *, order: str, status_order: Sequence[str], fields: Iterable[str],
             limit: int | None, changes: timedelta | None = None) -> list[CheckRow]:
        """The first `limit` (None: all) repositories in `order` (one of `ORDERS`; "status" ranks them by
        `status_order`), ties by key. With `changes` (the staleness threshold), only those whose status changed
        and those that `possible_changes` reads: what a listing of the changed ones narrows further."""
        statement, read = _listed_query(fields)
        statement = _where(statement, where)
        if changes is not None:
            statement = statement.where(_status_changed() | (~_status_changed() & self._may_have_changed(changes)))
        statement = statement.order_by(*self._order(order, status_order)).limit(limit)
        return run_read(self._engine, lambda connection: read(connection.execute(statement)))

    def _order(self, order: str, status_order: Sequence[str]) -> list[Any]:
        # In code point order, as Python compares the keys: PostgreSQL's default collation may not be.
        key = Repository.c.key.collate("C") if self._engine.dialect.name == "postgresql" else Repository.c.key
        if order == "status":
            rank = case({status: rank for rank, status in enumerate(status_order)}, value=latest("status"),
                        else_=len(status_order))
            return [rank, key]
        if order == "key":
            return [key]
        if order in ("repro_score", "stars"):
            column = latest(order)
            return [case((column.is_(None), 1), else_=0), column.desc(), key]
        raise ValueError(f"no such listing order {order!r}; one of {', '.join(ORDERS)}")

    def _may_have_changed(self, stale_after: timedelta) -> Any:
        """The moved-to name or a license column differs, or the last commit went from under `stale_after` old
        at the previous check to over it at the latest (a day's margin each way: the caller judges exactly)."""
        differs = [latest(name).is_distinct_from(previous(name))
                   for name in ("moved_to", "license_file", "license_api")]
        differs.append(cast(latest("licenses"), Text).is_distinct_from(cast(previous("licenses"), Text)))
        last = func.coalesce(latest("last_commit_at"), latest("pushed_at"))
        before = func.coalesce(previous("last_commit_at"), previous("pushed_at"), last)
        days = stale_after.total_seconds() / 86_400
        went_stale = (last.is_not(None) & (self._days(latest("checked_at"), last) > days - 1)
                      & (before.is_(None) | previous("checked_at").is_(None)
                         | (self._days(previous("checked_at"), before) <= days + 1)))
        return or_(*differs, went_stale)

    def _days(self, later: Any, earlier: Any) -> Any:
        if self._engine.dialect.name == "sqlite":
            return func.julianday(later) - func.julianday(earlier)
        return func.extract("epoch", later - earlier) / 86_400


def latest(name: str) -> Any:
    return LatestCheck.c[f"latest_{name}"]


def previous(name: str) -> Any:
    return LatestCheck.c[f"previous_{name}"]


def _listed_query(fields: Iterable[str]) -> tuple[Any, Any]:
    """`latest_rows_query` of `latest_checks` alone, which the listing's conditions and orders name."""
    wanted = tuple(fields)
    if not set(wanted) <= LISTED_FIELDS:
        unlisted = ", ".join(sorted(set(wanted) - LISTED_FIELDS))
        raise ValueError(f"a listing reads only the fields `latest_checks` holds, not {unlisted}")
    return latest_rows_query(None, wanted)


def _status_changed() -> Any:
    return LatestCheck.c.previous_id.is_not(None) & (latest("status") != previous("status"))


def _where(statement: Any, where: ListingWhere) -> Any:
    if where.statuses:
        statement = statement.where(latest("status").in_(sorted(where.statuses)))
    if where.host is not None:
        statement = statement.where(func.lower(Repository.c.host) == where.host.lower())
    if where.kinds is not None:
        statement = statement.where(Repository.c.kind.in_(sorted(where.kinds)) if where.kinds else false())
    return statement
