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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Interval, Text, case, cast, false, func, literal, or_, select, true

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


class ListingTally(NamedTuple):
    """A listing's counts, and the rows whose change the caller must judge, each with how many rows it stands for."""

    counts: list[TallyRow]
    to_judge: list[tuple[CheckRow, int]]


# Ids of the rows to judge, per query.
_JUDGED_PAGE = 500


class StatusListing:
    """Reads of `latest_checks` for a listing's summary and its first rows."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def tally(self, where: ListingWhere, *, stale_after: timedelta, fields: Iterable[str]) -> ListingTally:
        """Repositories by latest status and kind, how many changed status, and those of the same status that may
        have changed, to judge: whose moved-to name or last commit's age (crossing `stale_after`, give or take a
        day) differ, one by one; whose license columns alone differ, one of each group alike in everything a
        license is judged by (host, kind, status, both checks' license columns and whether they have stars, i.e.
        asked GitHub's API), so that 10,000 repositories relicensed alike are one row to judge, not 10,000.
        A repository checked once cannot have changed."""
        changed = func.sum(case((_status_changed(), 1), else_=0))
        counts = _where(_from_latest(latest("status"), Repository.c.kind, func.count(), changed), where).group_by(
            latest("status"), Repository.c.kind)
        one_by_one = self._moved_or_staled(stale_after)
        # JSON as text: hashable, and the same text for the same findings (they are written by one encoder).
        inputs = [column(name) for column in (latest, previous) for name in ("license_file", "license_api")]
        inputs += [cast(column("licenses"), Text) for column in (latest, previous)]
        inputs += [column("stars").is_(None) for column in (latest, previous)]
        candidates = _where(_from_latest(LatestCheck.c.repository_id, one_by_one, latest("status"), Repository.c.host,
                                         Repository.c.kind, *inputs), where).where(
            LatestCheck.c.previous_id.is_not(None), ~_status_changed(), one_by_one | _licenses_differ())

        def read(connection: Connection) -> tuple[list[Any], list[Any]]:
            return list(connection.execute(counts)), list(connection.execute(candidates))

        counted, possible = run_read(self._engine, read)
        sizes = {row[0]: 1 for row in possible if row[1]}
        alike: dict[tuple[Any, ...], list[int]] = {}
        for row in possible:
            if not row[1]:
                alike.setdefault(tuple(row[2:]), []).append(row[0])
        sizes.update((min(ids), len(ids)) for ids in alike.values())
        tallied = [TallyRow(str(status), str(kind), int(rows), int(moved or 0))
                   for status, kind, rows, moved in counted]
        return ListingTally(tallied, self._judged_rows(sizes, fields))

    def _judged_rows(self, sizes: dict[int, int], fields: Iterable[str]) -> list[tuple[CheckRow, int]]:
        statement, read = _listed_query(fields)
        statement = statement.add_columns(LatestCheck.c.repository_id)
        ids = sorted(sizes)
        found: list[tuple[CheckRow, int]] = []
        for start in range(0, len(ids), _JUDGED_PAGE):
            page = statement.where(LatestCheck.c.repository_id.in_(ids[start:start + _JUDGED_PAGE]))
            result = run_read(self._engine, _all_rows(page))
            found += zip(read(result), (sizes[row[-1]] for row in result), strict=True)
        return found

    def rows(self, where: ListingWhere, *, order: str, status_order: Sequence[str], fields: Iterable[str],
             limit: int | None, changes: timedelta | None = None) -> list[CheckRow]:
        """The first `limit` (None: all) repositories in `order` (one of `ORDERS`; "status" ranks them by
        `status_order`), ties by key. With `changes` (the staleness threshold), only those whose status changed
        and those of the same status that `tally` has judged: what a listing of the changed ones narrows further."""
        ordering = self._order(order, status_order)
        statement, read = _listed_query(fields)
        picked = _where(_from_latest(LatestCheck.c.repository_id) if limit is not None else statement, where)
        if changes is not None:
            picked = picked.where(_status_changed() | (~_status_changed() & self._may_have_changed(changes)))
        if limit is not None:
            # The first ids alone, then their rows: ordering every row's columns took 4x the time on PostgreSQL.
            picked = statement.where(LatestCheck.c.repository_id.in_(picked.order_by(*ordering).limit(limit)))
        ordered = picked.order_by(*ordering)
        return run_read(self._engine, lambda connection: read(connection.execute(ordered)))

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
        """The moved-to name or a license column differs, or the last commit crossed `stale_after` (a day's margin
        each way: the caller judges exactly)."""
        return self._moved_or_staled(stale_after) | _licenses_differ()

    def _moved_or_staled(self, stale_after: timedelta) -> Any:
        """The moved-to name differs, or the last commit went from under `stale_after` old at the previous check to
        over it at the latest, with a day's margin each way, a time SQL cannot read counted as crossing."""
        last = func.coalesce(latest("last_commit_at"), latest("pushed_at"))
        before = func.coalesce(previous("last_commit_at"), previous("pushed_at"), last)
        stale_now = func.coalesce(last < self._days_before(latest("checked_at"), stale_after.days - 1),
                                  last.is_not(None))
        fresh_before = func.coalesce(before >= self._days_before(previous("checked_at"), stale_after.days + 1),
                                     true())
        return latest("moved_to").is_distinct_from(previous("moved_to")) | (stale_now & fresh_before)

    def _days_before(self, at: Any, days: int) -> Any:
        if self._engine.dialect.name == "sqlite":
            # The stored text, as `UTCDateTime` writes it (naive UTC, "YYYY-MM-DD HH:MM:SS.ffffff"), compares as text.
            return func.datetime(at, f"-{days} days")
        return at - literal(timedelta(days=days), Interval())


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


def _licenses_differ() -> Any:
    # JSON as stored: text on SQLite, JSONB on PostgreSQL, which compares without printing it as text.
    return or_(*(latest(name).is_distinct_from(previous(name)) for name in ("license_file", "license_api", "licenses")))


def _from_latest(*columns: Any) -> Any:
    return select(*columns).join_from(LatestCheck, Repository, Repository.c.id == LatestCheck.c.repository_id)


def _all_rows(statement: Any) -> Callable[[Connection], list[Any]]:
    return lambda connection: list(connection.execute(statement))


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
