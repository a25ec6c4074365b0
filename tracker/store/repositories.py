"""Repositories as the store knows them: one row per identity, added, forgotten, and picked for checking.

Every room that meets a repository (ingest, checks, artifacts leading to one,
promises kept) gets or creates its row through `ensure_repositories`, so the
spelling first seen stays the canonical one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select, and_, case, delete, distinct, exists, func, select, update

from tracker.planning import DueCounts, DueRecord, RunCost
from tracker.records import INCONCLUSIVE, RepoKind, RepoRef
from tracker.store.dialect import insert_for
from tracker.store.models import LatestCheck, Paper, PaperLink, Repository, RepositoryCheck, TrackingRun
from tracker.store.retry import run_read, run_write
from tracker.store.rows import Forgotten

T = TypeVar("T")

# A repository whose checks in this many days disagree on its status is at risk: checked first among its day's.
AT_RISK_DAYS = 30
# Rows fetched at a time when the plan streams the due repositories.
STREAM_ROWS = 5_000
_INCONCLUSIVE_VALUES = sorted(status.value for status in INCONCLUSIVE)

# Bound on values in one IN (...): SQLite allows 32766 parameters per statement.
IN_CHUNK = 500
# Repositories read at a time by `iter_repositories_due`: a few batches' worth, a few hundred KB.
DUE_CHUNK = 1_000


def _not_conclusive_since(cutoff: datetime) -> Any:
    """What makes a repository due: no conclusive check at or after `cutoff` (the one definition the due
    lists, counts and streams share)."""
    return ~exists().where(
        RepositoryCheck.c.repository_id == Repository.c.id,
        RepositoryCheck.c.checked_at >= cutoff,
        RepositoryCheck.c.status.not_in(_INCONCLUSIVE_VALUES),
    )


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_repositories(
    connection: Connection, refs: Iterable[RepoRef], now: datetime
) -> tuple[int, dict[str, int]]:
    """Get or create one row per identity; returns (rows created, id by key)."""
    values = [
        {
            "host": ref.host,
            "owner": ref.owner,
            "name": ref.name,
            "kind": ref.kind.value,
            "canonical": ref.canonical,
            "key": ref.key,
            "first_seen_at": now,
        }
        for ref in refs
    ]
    if not values:
        return 0, {}
    statement = insert_for(connection, Repository).on_conflict_do_nothing().returning(Repository.c.id)
    created = len(connection.execute(statement, values).all())
    ids: dict[str, int] = {}
    for chunk in chunks([value["key"] for value in values], IN_CHUNK):
        rows = connection.execute(select(Repository.c.key, Repository.c.id).where(Repository.c.key.in_(chunk)))
        ids.update({row.key: row.id for row in rows})
    return created, ids



class RepositoryRecords:
    """The `repositories` table: what is tracked, and what is due for a check."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def add_repositories(self, refs: Iterable[RepoRef]) -> int:
        """Add repositories named directly (not through a paper); returns how many were new.

        Idempotent, like `add_papers`: a repository already stored, in any
        case, is left as first written.
        """
        unique: dict[str, RepoRef] = {}
        for ref in refs:
            unique.setdefault(ref.key, ref)
        now = self._clock()
        created, _ = run_write(self._engine, lambda c: ensure_repositories(c, unique.values(), now))
        return created

    def forget_repository(self, key: str) -> Forgotten | None:
        """Remove the repository whose identity is `key`, with its checks; None when none is stored.

        Papers that linked it keep their links' raw text with the repository
        cleared: the paper did write that link, and a row dropped instead would
        make it look as if the paper named no code. Repositories recorded as
        moved to it lose that pointer (their checks keep the name they moved to).
        """

        def work(connection: Connection) -> Forgotten | None:
            row = connection.execute(
                select(Repository.c.id, Repository.c.canonical).where(Repository.c.key == key)
            ).first()
            if row is None:
                return None
            connection.execute(delete(LatestCheck).where(LatestCheck.c.repository_id == row.id))
            checks = connection.execute(delete(RepositoryCheck).where(RepositoryCheck.c.repository_id == row.id))
            links = connection.execute(
                update(PaperLink).where(PaperLink.c.repository_id == row.id).values(repository_id=None)
            )
            connection.execute(
                update(Repository).where(Repository.c.moved_to_id == row.id).values(moved_to_id=None)
            )
            connection.execute(delete(Repository).where(Repository.c.id == row.id))
            return Forgotten(canonical=row.canonical, checks=checks.rowcount, paper_links=links.rowcount)

        return run_write(self._engine, work)


    def repositories_due(
        self,
        *,
        keys: Iterable[str] | None = None,
        max_age_hours: float | None = None,
        run_id: int | None = None,
    ) -> list[RepoRef]:
        """Repositories to check, in order of first sight.

        All of them (or those with `keys`, any case), minus those with a
        conclusive check younger than `max_age_hours` and those already
        checked in `run_id`. Moves are not followed: a moved repository is
        checked under its old identity.
        """
        base = select(*_DUE_COLUMNS).where(*self._due_conditions(max_age_hours, run_id))
        wanted = None if keys is None else sorted({key.lower() for key in keys})

        def read(connection: Connection) -> list[Any]:
            if wanted is None:
                return list(connection.execute(base))
            return [
                row
                for chunk in chunks(wanted, IN_CHUNK)
                for row in connection.execute(base.where(Repository.c.key.in_(chunk)))
            ]

        rows = run_read(self._engine, read)
        rows.sort(key=lambda row: row.id)
        return [_due_ref(row) for row in rows]

    def iter_repositories_due(
        self, *, max_age_hours: float | None = None, run_id: int | None = None, chunk: int = DUE_CHUNK
    ) -> Iterator[RepoRef]:
        """Every repository `repositories_due` would list, in its order, read `chunk` at a time.

        Why beside it: at 300,000 repositories the list and the rows it is
        built from hold some 130 MB, and a run needs only the next few hundred.
        Each chunk is one short read after the last id seen (no transaction is
        held open while checks are written); the age cutoff is fixed when the
        iteration starts, so a repository checked meanwhile is not read again.
        """
        conditions = self._due_conditions(max_age_hours, run_id)
        last = 0
        while True:
            page = select(*_DUE_COLUMNS).where(*conditions, Repository.c.id > last)
            page = page.order_by(Repository.c.id).limit(chunk)
            rows = run_read(self._engine, functools.partial(_rows, page))
            yield from (_due_ref(row) for row in rows)
            if len(rows) < chunk:
                return
            last = rows[-1].id

    def count_repositories_due(self, *, max_age_hours: float | None = None, run_id: int | None = None) -> int:
        """How many `iter_repositories_due` will yield (as of now): a progress bar's total."""
        query = select(func.count()).select_from(Repository).where(*self._due_conditions(max_age_hours, run_id))
        return int(run_read(self._engine, lambda connection: connection.execute(query).scalar_one()))

    def _due_conditions(self, max_age_hours: float | None, run_id: int | None) -> list[Any]:
        """Not checked conclusively within `max_age_hours`, nor at all in `run_id`."""
        conditions = []
        if max_age_hours is not None:
            conditions.append(_not_conclusive_since(self._clock() - timedelta(hours=max_age_hours)))
        if run_id is not None:
            conditions.append(
                ~exists().where(RepositoryCheck.c.repository_id == Repository.c.id, RepositoryCheck.c.run_id == run_id)
            )
        return conditions


    def due_counts(self, *, max_age_hours: float | None = None) -> DueCounts:
        """How many repositories are due (as `due_records` streams them), on GitHub, and never checked there."""
        due = self._due_select(max_age_hours).subquery()
        github = and_(due.c.host == "github.com", due.c.kind == RepoKind.CODE.value)
        statement = select(
            func.count(),
            func.coalesce(func.sum(case((github, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(github, due.c.last_checked_at.is_(None)), 1), else_=0)), 0),
        ).select_from(due)
        row = run_read(self._engine, lambda connection: connection.execute(statement).one())
        return DueCounts(int(row[0]), int(row[1]), int(row[2]))

    def due_records(self, *, max_age_hours: float | None = None) -> Iterator[DueRecord]:
        """Every repository due (no conclusive check within `max_age_hours`), streamed in id order as plain
        records for `tracker.planning.plan`: what it needs to order them, nothing more.

        Streamed in chunks of `STREAM_ROWS` on one connection, so 300,000 due
        repositories never sit in memory at once; the plan keeps only the ones
        the budget covers.
        """
        statement = self._due_select(max_age_hours).order_by(Repository.c.id)
        with self._engine.connect() as connection:
            result = connection.execution_options(yield_per=STREAM_ROWS).execute(statement)
            # Unpacked, not read by name: at 300,000 rows a named read per field was most of the time.
            for id_, host, owner, name, kind, last, conclusive, changing, promised in result:
                yield DueRecord(id_, host, owner, name, kind, last, conclusive, bool(changing or promised))

    def _due_select(self, max_age_hours: float | None) -> Select[Any]:
        """Repositories with their last check, last conclusive check, and whether they are at risk.

        At risk: checks of the last `AT_RISK_DAYS` days that disagree on a
        conclusive status (it changed, or flaps), or a paper that promised code
        links to it (an empty repository now may be filled any day).
        """
        now = self._clock()
        recent = now - timedelta(days=AT_RISK_DAYS)
        conclusive = RepositoryCheck.c.status.not_in(_INCONCLUSIVE_VALUES)
        checks = (
            select(
                RepositoryCheck.c.repository_id,
                func.max(RepositoryCheck.c.checked_at).label("last_checked_at"),
                func.max(case((conclusive, RepositoryCheck.c.checked_at))).label("last_conclusive_at"),
                func.count(distinct(case((and_(conclusive, RepositoryCheck.c.checked_at >= recent),
                                          RepositoryCheck.c.status)))).label("statuses"),
            )
            .group_by(RepositoryCheck.c.repository_id)
            .subquery()
        )
        promised = exists().where(PaperLink.c.repository_id == Repository.c.id, PaperLink.c.paper_id == Paper.c.id,
                                  Paper.c.code_promised.is_(True))
        statement = select(
            Repository.c.id, Repository.c.host, Repository.c.owner, Repository.c.name, Repository.c.kind,
            checks.c.last_checked_at, checks.c.last_conclusive_at,
            (func.coalesce(checks.c.statuses, 0) > 1).label("changing"), promised.label("promised"),
        ).select_from(Repository.outerjoin(checks, checks.c.repository_id == Repository.c.id))
        if max_age_hours is not None:
            statement = statement.where(_not_conclusive_since(now - timedelta(hours=max_age_hours)))
        return statement

    def github_run_costs(self, *, runs: int = 5) -> list[RunCost]:
        """What the last finished `runs` that checked GitHub repositories checked there (first checks and
        re-checks) and what they spent, for `tracker.planning.learn_costs`."""

        def read(connection: Connection) -> list[RunCost]:
            recent = connection.execute(
                select(TrackingRun.c.id, TrackingRun.c.requests_rate_limited)
                .where(TrackingRun.c.finished_at.is_not(None), TrackingRun.c.requests_rate_limited > 0)
                .order_by(TrackingRun.c.id.desc()).limit(runs)
            ).all()
            if not recent:
                return []
            earlier = RepositoryCheck.alias("earlier")
            first = ~exists().where(earlier.c.repository_id == RepositoryCheck.c.repository_id,
                                    earlier.c.run_id < RepositoryCheck.c.run_id)
            rows = connection.execute(
                select(RepositoryCheck.c.run_id, func.sum(case((first, 1), else_=0)), func.count())
                .select_from(RepositoryCheck.join(Repository, Repository.c.id == RepositoryCheck.c.repository_id))
                .where(RepositoryCheck.c.run_id.in_([run.id for run in recent]),
                       Repository.c.host == "github.com")
                .group_by(RepositoryCheck.c.run_id)
            ).all()
            counted = {run.id: run.requests_rate_limited for run in recent}
            return [RunCost(int(firsts), int(total) - int(firsts), counted[run_id]) for run_id, firsts, total in rows]

        return run_read(self._engine, read)


_DUE_COLUMNS = (Repository.c.host, Repository.c.owner, Repository.c.name, Repository.c.kind, Repository.c.id)


def _rows(query: Any, connection: Connection) -> list[Any]:
    return list(connection.execute(query))


def _due_ref(row: Any) -> RepoRef:
    return RepoRef(host=row.host, owner=row.owner, name=row.name, kind=RepoKind(row.kind))
