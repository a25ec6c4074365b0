"""Repository checks: recorded one per transaction, read back per repository, per run, or newest per repository.

Reads return `StoredCheck` rows built straight from result rows; which
columns fill which fields is `tracker.store.check_row`'s to say.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Select, bindparam, exists, func, null, select, update

from tracker.records import AUTHORITATIVE_GONE, INCONCLUSIVE, CheckResult, RepoFacts, Status
from tracker.store.check_row import (
    CHECK_FIELDS,
    IDENTITY_FIELDS,
    LISTED_FIELDS,
    STATUSES,
    STORED_FIELDS,
    check_column,
    check_values,
    content_digest,
    full_row_of,
    listed_column,
)
from tracker.store.dialect import insert_for
from tracker.store.latest import latest_facts, note_check
from tracker.store.models import LatestCheck, Repository, RepositoryCheck
from tracker.store.repositories import ensure_repositories
from tracker.store.retry import run_read, run_write
from tracker.store.rows import CheckRow, StoredCheck
from tracker.store.runs import require_run

# The row holding a check's facts: the check's own, or the full row an observation repeats.
_FULL = RepositoryCheck.alias("facts")
_REPOSITORY_ID = select(Repository.c.id).where(Repository.c.key == bindparam("key"))
_CHECK_COLUMNS = tuple(check_column(RepositoryCheck, _FULL, field) for field in CHECK_FIELDS)


class CheckToRecord(NamedTuple):
    """One repository's check as the store records it: the facts, the verdicts and the two figures judged of them."""

    facts: RepoFacts
    results: Sequence[CheckResult]
    health: str
    repro_score: int | None


class CheckRecords:
    """The `repository_checks` table."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock
        self._known_runs: set[int] = set()

    def record_check(
        self,
        run_id: int,
        facts: RepoFacts,
        results: Sequence[CheckResult],
        *,
        health: str,
        repro_score: int | None,
    ) -> None:
        """Store one repository's check in its own transaction (`record_checks` of one)."""
        self.record_checks(run_id, [CheckToRecord(facts, tuple(results), health, repro_score)])

    def record_checks(self, run_id: int, checks: Sequence[CheckToRecord]) -> None:
        """Store a batch of checks in one transaction: all of them or, if it fails, none.

        One transaction per batch rather than per check: a commit is the largest
        part of recording an unchanged re-check (SQLite's WAL sync, PostgreSQL's
        round trip), and a crash then loses at most the batch in flight, which
        the next run checks again as due.

        Idempotent per (run, repository): a second call for the same pair
        changes nothing. A check that says what the repository's latest check
        said (same digest) is stored as an observation of that check's full
        row (see `models.RepositoryCheck`); `latest_checks` is kept in step.
        A "moved" check also records the new identity and points the old
        repository at it.
        """
        if not checks:
            return
        prepared = []
        for check in checks:
            values = check_values(check.facts, check.results, health=check.health, repro_score=check.repro_score)
            prepared.append((check.facts, values, content_digest(values)))

        def work(connection: Connection) -> None:
            # Runs are never deleted: once seen, a run need not be looked up for each of its checks.
            if run_id not in self._known_runs:
                require_run(connection, run_id)
            for facts, values, digest in prepared:
                self._record_one(connection, run_id, facts, values, digest)

        run_write(self._engine, work)
        self._known_runs.add(run_id)

    def _record_one(self, connection: Connection, run_id: int, facts: RepoFacts, values: dict[str, Any],
                    digest: str) -> None:
        targets = [facts.ref] + ([facts.moved_to] if facts.moved_to is not None else [])
        # A repository checked is nearly always stored already: one indexed read, and the upsert only if not.
        known = connection.execute(_REPOSITORY_ID, {"key": facts.ref.key}).scalar() if len(targets) == 1 else None
        if known is not None:
            ids = {facts.ref.key: known}
        else:
            _, ids = ensure_repositories(connection, targets, self._clock())
        repository_id = ids[facts.ref.key]
        before = latest_facts(connection, repository_id)
        row: dict[str, Any] = {"run_id": run_id, "repository_id": repository_id}
        if before is not None and before.digest == digest:
            # Nothing changed: an observation of the full row, the identity and nothing else.
            row |= {"checked_at": values["checked_at"], "status": values["status"], "same_as_id": before.id}
        else:
            row |= values | {"digest": digest}
        # Values as parameters, not in the statement: its compiled form is then
        # cached across checks instead of coercing ~30 literals each time.
        inserted = connection.execute(
            insert_for(connection, RepositoryCheck).on_conflict_do_nothing().returning(RepositoryCheck.c.id), row
        ).first()
        if inserted is None:
            return
        note_check(connection, repository_id, inserted.id, run_id, values)
        if facts.status is not Status.MOVED or facts.moved_to is None:
            return
        new_id = ids[facts.moved_to.key]
        if new_id != repository_id:
            connection.execute(update(Repository).where(Repository.c.id == repository_id).values(moved_to_id=new_id))

    def history(self, key: str) -> list[StoredCheck]:
        """Every check of one repository (any case of its key), oldest run first."""
        statement = _checks_query().where(Repository.c.key == key.lower())
        statement = statement.order_by(RepositoryCheck.c.run_id)
        return self._read_checks(statement)

    def all_checks(self, fields: Iterable[str]) -> list[StoredCheck]:
        """Every check of every repository, by repository key then oldest run first; only `fields` are read.

        For timelines over all repositories at once (a report's per-repository
        history), where `history` per repository would be one query each.
        """
        wanted = set(fields) | set(IDENTITY_FIELDS)
        if unknown := wanted - STORED_FIELDS - {"key", "canonical"}:
            raise ValueError(f"no such StoredCheck fields: {', '.join(sorted(unknown))}")
        columns = [check_column(RepositoryCheck, _FULL, name) for name in CHECK_FIELDS if name in wanted]
        statement = _checks_query(columns).order_by(Repository.c.key, RepositoryCheck.c.run_id)
        return self._read_checks(statement)

    def gone_since(self) -> dict[str, datetime]:
        """Per repository key whose latest conclusive check saw it gone: the first check of that streak.

        Where the survival curve's events are: the first authoritative `missing`,
        `blocked` or `disabled` after the last check that found it alive.
        Inconclusive checks (`unreachable`, `not_checked`) neither end nor start a streak.
        """
        dead = [status.value for status in AUTHORITATIVE_GONE]
        inconclusive = [status.value for status in INCONCLUSIVE]
        later = RepositoryCheck.alias("later")
        alive_after = (
            exists()
            .where(later.c.repository_id == RepositoryCheck.c.repository_id, later.c.run_id > RepositoryCheck.c.run_id,
                   later.c.status.not_in(dead + inconclusive))
        )
        statement = (
            select(Repository.c.key, func.min(RepositoryCheck.c.checked_at))
            .join(Repository, Repository.c.id == RepositoryCheck.c.repository_id)
            .where(RepositoryCheck.c.status.in_(dead), ~alive_after)
            .group_by(Repository.c.key)
        )
        return dict(run_read(self._engine, lambda connection: connection.execute(statement).all()))

    def status_counts(self) -> dict[int, dict[Status, int]]:
        """Per run id: how many checks it recorded with each status."""
        statement = select(RepositoryCheck.c.run_id, RepositoryCheck.c.status, func.count()).group_by(
            RepositoryCheck.c.run_id, RepositoryCheck.c.status
        )
        counts: dict[int, dict[Status, int]] = {}
        for run_id, status, count in run_read(self._engine, lambda connection: connection.execute(statement).all()):
            counts.setdefault(run_id, {})[STATUSES[status]] = count
        return counts

    def _read_checks(self, statement: Select[Any]) -> list[StoredCheck]:
        def read(connection: Connection) -> list[StoredCheck]:
            result = connection.execute(statement)
            names = tuple(result.keys())
            status_at = names.index("status")
            checks = []
            for row in result:
                values = list(row)
                values[status_at] = STATUSES[values[status_at]]
                checks.append(StoredCheck(**dict(zip(names, values, strict=True))))
            return checks

        return run_read(self._engine, read)

    def iter_latest_checks(
        self, run_id: int | None = None, *, fields: Iterable[str] | None = None, page: int = 5_000
    ) -> Iterator[CheckRow]:
        """`latest_checks`, as an iterator that holds at most `page` rows: for listings of any size.

        Keyset pagination by repository key (the unique index): each page is
        one short read transaction of `latest_checks(after=<last key>, limit=page)`,
        with its retries, so nothing holds a transaction open while the caller
        writes its output. Rows come in key order, like `latest_checks`; a
        check recorded while the pages are read may show in a later page.
        """
        after: str | None = None
        while True:
            rows = self.latest_checks(run_id, fields=fields, after=after, limit=page)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1].key

    def latest_checks(self, run_id: int | None = None, *, fields: Iterable[str] | None = None,
                      after: str | None = None, limit: int | None = None) -> list[CheckRow]:
        """Per checked repository: its check in the newest run up to `run_id` (default: any) and the one before.

        "Newest" is by run: run ids grow with start time, and a run is the
        unit a report compares. Ordered by repository key. `fields` names the
        `StoredCheck` fields to read (default: all); the others stay None,
        because a status table of 10,000 repositories needs a third of them
        and reading every column took about half its time. `after` and
        `limit` give one page of the key order (`iter_latest_checks`).
        """
        statement, read = latest_rows_query(run_id, fields, after=after, limit=limit)
        # A page is a range of the key index; with a run given, `_latest_picks` ranges its seeks the same way,
        # so that SQLite does not run the picks of every repository for each page.
        statement = statement.order_by(Repository.c.key).limit(limit)
        return run_read(self._engine, lambda connection: read(connection.execute(statement)))


def latest_rows_query(run_id: int | None, fields: Iterable[str] | None, *, after: str | None = None,
                      limit: int | None = None) -> tuple[Select[Any], Callable[[Iterable[Any]], list[CheckRow]]]:
    """`latest_checks`' statement, unordered, and what turns its result rows into `CheckRow`s.

    Apart so that a listing (`tracker.store.listing`) can add its own filter, order and limit to the same rows.
    `after` and `limit` range the picks up to an earlier run (`_latest_picks`); the caller orders and limits.
    """
    wanted = set(STORED_FIELDS)
    if fields is not None:
        wanted = set(fields) | set(IDENTITY_FIELDS)
        if unknown := wanted - STORED_FIELDS:
            raise ValueError(f"no such StoredCheck fields: {', '.join(sorted(unknown))}")

    columns: list[Any] = [Repository.c.key, Repository.c.canonical, Repository.c.host, null().label("unread"),
                          Repository.c.kind]
    identity, unread_at = {"key": 0, "canonical": 1}, 3

    def take(column_of: Callable[[str], Any]) -> operator.itemgetter[Any]:
        """Adds a check's wanted columns (`column_of`) to `columns`; picks its fields, in order, from a row."""
        positions = []
        for name in StoredCheck._fields:
            if name in identity:
                positions.append(identity[name])
            elif name in wanted:
                positions.append(len(columns))
                columns.append(column_of(name))
            else:
                positions.append(unread_at)
        return operator.itemgetter(*positions)

    if run_id is None and wanted <= LISTED_FIELDS:
        # What a listing shows: all in `latest_checks`, one row per repository, no check row read.
        take_latest = take(lambda name: listed_column("latest", name))
        take_previous = take(lambda name: listed_column("previous", name))
        statement = select(*columns).join_from(LatestCheck, Repository,
                                               Repository.c.id == LatestCheck.c.repository_id)
    else:
        latest, previous = RepositoryCheck.alias("latest"), RepositoryCheck.alias("previous")
        latest_full, previous_full = RepositoryCheck.alias("latest_full"), RepositoryCheck.alias("previous_full")
        resolve = bool(wanted - set(IDENTITY_FIELDS))
        take_latest = take(lambda name: check_column(latest, latest_full if resolve else latest, name,
                                                     f"latest_{name}"))
        take_previous = take(lambda name: check_column(previous, previous_full if resolve else previous, name,
                                                       f"previous_{name}"))
        picks = _latest_picks(run_id, after=after, limit=limit)
        # One row per repository, both checks side by side: a join on `id IN
        # (latest, previous)` gave two rows each and made SQLite run the picks
        # again to order them, 2.5x the time at 10,000 repositories. Only the
        # wanted columns are read; every other field takes the one NULL.
        statement = (
            select(*columns)
            .join_from(picks, Repository, Repository.c.id == picks.c.repository_id)
            .join(latest, latest.c.id == picks.c.latest_id)
            .outerjoin(previous, previous.c.id == picks.c.previous_id)
        )
        if resolve:
            statement = statement.join(latest_full, full_row_of(latest, latest_full)).outerjoin(
                previous_full, full_row_of(previous, previous_full)
            )
    if after is not None:
        statement = statement.where(Repository.c.key > after)
    status_at, id_at = StoredCheck._fields.index("status"), StoredCheck._fields.index("id")

    def check(values: Sequence[Any]) -> StoredCheck:
        fields = list(values)
        fields[status_at] = STATUSES[fields[status_at]]
        return StoredCheck._make(fields)

    def read(result: Iterable[Any]) -> list[CheckRow]:
        rows = []
        for row in result:
            before = take_previous(row)
            rows.append(
                CheckRow(
                    key=row[0],
                    canonical=row[1],
                    host=row[2],
                    latest=check(take_latest(row)),
                    previous=None if before[id_at] is None else check(before),
                    kind=row[4],
                )
            )
        return rows

    return statement, read


def _latest_picks(run_id: int | None, *, after: str | None = None, limit: int | None = None) -> Any:
    """Per checked repository: (repository_id, latest_id, previous_id), its newest two checks up to `run_id`.

    Up to the newest run they are the `latest_checks` table. Up to an earlier
    run, two seeks per repository in (repository_id, run_id) pick them:
    ~0.15 s of SQL on SQLite at 10,000 repositories x 30 runs, where a window
    function over every check took 0.6 s.
    """
    if run_id is None:
        return select(LatestCheck.c.repository_id, LatestCheck.c.latest_id, LatestCheck.c.previous_id).subquery()

    def newest(offset: int) -> Any:
        candidate = RepositoryCheck.alias()
        pick = select(candidate.c.id).where(candidate.c.repository_id == Repository.c.id, candidate.c.run_id <= run_id)
        return pick.order_by(candidate.c.run_id.desc()).limit(1).offset(offset).scalar_subquery()

    # A repository without a check up to `run_id` picks NULL, which the join on the latest check drops.
    picks = select(Repository.c.id.label("repository_id"), newest(0).label("latest_id"),
                   newest(1).label("previous_id"))
    if after is not None or limit is not None:
        # Only repositories checked up to `run_id`, so that a page holds `limit` rows while any are left.
        checked = exists().where(RepositoryCheck.c.repository_id == Repository.c.id, RepositoryCheck.c.run_id <= run_id)
        picks = picks.where(checked).order_by(Repository.c.key).limit(limit)
        if after is not None:
            picks = picks.where(Repository.c.key > after)
    return picks.subquery()


def _checks_query(columns: Sequence[Any] = _CHECK_COLUMNS) -> Select[Any]:
    """Checks with their repository's identity; observations read their facts from the full row they repeat."""
    statement = select(*columns, Repository.c.key, Repository.c.canonical).join(
        Repository, Repository.c.id == RepositoryCheck.c.repository_id
    )
    if any(column.name not in IDENTITY_FIELDS for column in columns):
        statement = statement.join(_FULL, full_row_of(RepositoryCheck, _FULL))
    return statement
