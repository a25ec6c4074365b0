"""The store: every paper, repository and check, kept over time.

`Store` is a facade over rooms, one per concern, each on the same engine and
clock: `papers` (ingest, listings, harvest places, promises), `repositories`,
`runs` (and their liveness), `checks` (repository checks), `artifacts`
(artifact checks), `archive` (Software Heritage) and the answer cache. Each
write is one short transaction, retried when another process holds the
database (`tracker.store.retry`), so a run killed at any moment keeps every
check it finished and loses nothing else. Reads return frozen rows
(`tracker.store.rows`) so callers never hold a session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tracker.clock import utc_now
from tracker.records import CheckResult, PaperLinks, RepoFacts, RepoRef, Status
from tracker.store.archive import ArchiveRecords
from tracker.store.artifacts import ArtifactChecks
from tracker.store.cache import SqlAnswerCache
from tracker.store.checks import CheckRecords, CheckToRecord
from tracker.store.engine import StoreError, database_url, is_memory_sqlite, make_engine, mask_url
from tracker.store.listing import StatusListing
from tracker.store.migrate import upgrade
from tracker.store.papers import PaperRecords
from tracker.store.repositories import RepositoryRecords
from tracker.store.rows import (
    ArtifactCheckRow,
    ArtifactRow,
    CheckRow,
    Forgotten,
    IngestSummary,
    LinkingPaper,
    ListedPaper,
    PaperRow,
    PromiseDue,
    RunRow,
    StoredCheck,
)
from tracker.store.runs import Machine, RunRecords

if TYPE_CHECKING:
    from tracker.artifacts.check import ArtifactCheck, ArtifactTarget
    from tracker.planning import DueCounts, DueRecord, RunCost
    from tracker.sources.state import HarvestPlace

__all__ = [
    "Machine",
    "NoDatabaseError",
    "Store",
    "open_existing_store",
    "open_store",
]


def open_store(
    url: str | None = None, *, clock: Callable[[], datetime] = utc_now, machine: Machine | None = None
) -> Store:
    """Open the database at `url` (see `database_url`), creating or upgrading it to the newest schema.

    Raises StoreError, with any password masked, when the database cannot be
    reached or was written by a newer version.
    """
    chosen = database_url(url)
    engine = make_engine(chosen)
    try:
        upgrade(engine)
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().replace(engine.url.password or "\0", "***")
        raise StoreError(f"cannot open the database {mask_url(chosen)}: {mask_url(reason)}") from None
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, clock=clock, machine=machine)


class NoDatabaseError(StoreError):
    """Where a read-only command looked there is no repro-tracker database (nothing was created there)."""


# The first 16 bytes of every SQLite 3 database file (https://www.sqlite.org/fileformat.html).
_SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every repro-tracker database has had since its first release (migration 0001).
_OUR_TABLES = ("alembic_version", "repositories", "repository_checks")


def open_existing_store(
    url: str | None = None, *, clock: Callable[[], datetime] = utc_now, machine: Machine | None = None
) -> Store:
    """Open a repro-tracker database that already exists, for commands that only read.

    Unlike `open_store`, nothing is created: a path with no file, a file that
    is not SQLite (an empty text file, a report) or a SQLite/PostgreSQL
    database without our tables raises NoDatabaseError, and the file system
    and server are left as they were. A typo in `--db` must fail a CI job,
    never pass it on an empty database made on the spot. A database of ours
    at an older schema is upgraded as `open_store` does.
    """
    chosen = database_url(url)
    parsed = make_url(chosen)
    where = mask_url(chosen)
    if parsed.get_backend_name() == "sqlite":
        if is_memory_sqlite(parsed):
            raise NoDatabaseError(f"no repro-tracker database at {where} (an in-memory database is always empty)")
        where = str(parsed.database)
        _check_sqlite_file(Path(where))
    else:
        _check_server_database(chosen, where)
    return open_store(chosen, clock=clock, machine=machine)


def _check_sqlite_file(path: Path) -> None:
    """Raise NoDatabaseError unless `path` is a SQLite file holding our tables; read-only, creates nothing."""
    import sqlite3

    if not path.is_file():
        raise NoDatabaseError(f"no repro-tracker database at {path}")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if header != _SQLITE_HEADER:
        raise NoDatabaseError(f"no repro-tracker database at {path}: the file is not a SQLite database")
    try:
        # mode=ro: opening must not create, convert (WAL) or lock anything.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise NoDatabaseError(f"no repro-tracker database at {path}: {exc}") from None
    if not set(_OUR_TABLES) <= names:
        raise NoDatabaseError(f"no repro-tracker database at {path}: a SQLite database without repro-tracker's tables")


def _check_server_database(url: str, where: str) -> None:
    """Raise NoDatabaseError unless the server's database exists and holds our tables; creates nothing."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection)
            present = all(tables.has_table(name) for name in _OUR_TABLES)
    except DBAPIError as exc:
        reason = mask_url(str(exc.orig).strip().replace(engine.url.password or "\0", "***"))
        if "does not exist" in reason:  # PostgreSQL: FATAL: database "x" does not exist
            raise NoDatabaseError(f"no repro-tracker database at {where}: {reason}") from None
        raise StoreError(f"cannot open the database {where}: {reason}") from None
    finally:
        engine.dispose()
    if not present:
        raise NoDatabaseError(f"no repro-tracker database at {where}: the database has no repro-tracker tables")



class Store:
    """Papers, repositories, runs and checks in SQL. Make one with `open_store`.

    Each method hands over to the room that owns its tables; the rooms' docstrings say what it does.
    """

    def __init__(
        self, engine: Engine, *, clock: Callable[[], datetime] = utc_now, machine: Machine | None = None
    ) -> None:
        self._engine = engine
        self._answer_cache = SqlAnswerCache(engine, clock)
        self._archive = ArchiveRecords(engine, clock)
        self._listing = StatusListing(engine)
        self._repositories = RepositoryRecords(engine, clock)
        self._runs = RunRecords(engine, clock, machine or Machine())
        self._checks = CheckRecords(engine, clock)
        self._artifacts = ArtifactChecks(engine, clock)
        self._papers = PaperRecords(engine, clock, self._checks)

    def __repr__(self) -> str:
        return f"Store({mask_url(self._engine.url)!r})"

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def answer_cache(self) -> SqlAnswerCache:
        """ETags and bodies of earlier answers (`tracker.http.ConditionalCache`), kept across runs."""
        return self._answer_cache

    @property
    def archive(self) -> ArchiveRecords:
        """What Software Heritage holds of each repository, and the save requests sent (`tracker.store.archive`)."""
        return self._archive

    @property
    def listing(self) -> StatusListing:
        """A status listing's counts and first rows in SQL (`tracker.store.listing`)."""
        return self._listing

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- papers (tracker.store.papers) -----------------------------------------

    def add_papers(self, found: Iterable[PaperLinks], *, batch_size: int | None = None) -> IngestSummary:
        return self._papers.add_papers(found, batch_size=batch_size)

    def papers_with_links(self) -> list[PaperRow]:
        return self._papers.papers_with_links()

    def iter_papers_with_links(self, *, page: int = 5_000) -> Iterator[PaperRow]:
        return self._papers.iter_papers_with_links(page=page)

    def papers_linking(self, keys: Sequence[str]) -> list[PaperRow]:
        return self._papers.papers_linking(keys)

    def papers_of(self, keys: Sequence[str]) -> dict[str, list[LinkingPaper]]:
        return self._papers.papers_of(keys)

    def listed_papers(self, *, source: str | None = None, since: date | None = None) -> list[ListedPaper]:
        return self._papers.listed_papers(source=source, since=since)

    def paper_titles(self, keys: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        return self._papers.paper_titles(keys)

    def harvest_place(self, source: str) -> HarvestPlace | None:
        return self._papers.harvest_place(source)

    def save_harvest_place(self, source: str, place: HarvestPlace) -> None:
        self._papers.save_harvest_place(source, place)

    def promises_due(self, *, every: timedelta = timedelta(days=1)) -> list[PromiseDue]:
        return self._papers.promises_due(every=every)

    def record_promise_look(self, paper_id: str, *, found: RepoRef | None = None, where: str = "") -> bool:
        return self._papers.record_promise_look(paper_id, found=found, where=where)

    # -- repositories (tracker.store.repositories) -----------------------------

    def add_repositories(self, refs: Iterable[RepoRef]) -> int:
        return self._repositories.add_repositories(refs)

    def forget_repository(self, key: str) -> Forgotten | None:
        return self._repositories.forget_repository(key)

    def repositories_due(
        self, *, keys: Iterable[str] | None = None, max_age_hours: float | None = None, run_id: int | None = None
    ) -> list[RepoRef]:
        return self._repositories.repositories_due(keys=keys, max_age_hours=max_age_hours, run_id=run_id)

    def iter_repositories_due(
        self, *, max_age_hours: float | None = None, run_id: int | None = None
    ) -> Iterator[RepoRef]:
        return self._repositories.iter_repositories_due(max_age_hours=max_age_hours, run_id=run_id)

    def count_repositories_due(self, *, max_age_hours: float | None = None, run_id: int | None = None) -> int:
        return self._repositories.count_repositories_due(max_age_hours=max_age_hours, run_id=run_id)
    def due_counts(self, *, max_age_hours: float | None = None) -> DueCounts:
        return self._repositories.due_counts(max_age_hours=max_age_hours)

    def due_records(self, *, max_age_hours: float | None = None) -> Iterator[DueRecord]:
        return self._repositories.due_records(max_age_hours=max_age_hours)

    def github_run_costs(self, *, runs: int = 5) -> list[RunCost]:
        return self._repositories.github_run_costs(runs=runs)

    # -- runs (tracker.store.runs) ---------------------------------------------

    def start_run(self, sources: list[str], flow_run_id: str | None = None) -> int:
        return self._runs.start_run(sources, flow_run_id)

    def finish_run(
        self, run_id: int, status: str, *, requests_made: int = 0, requests_rate_limited: int = 0,
        note: str | None = None,
    ) -> None:
        self._runs.finish_run(run_id, status, requests_made=requests_made,
                              requests_rate_limited=requests_rate_limited, note=note)

    def runs(self) -> list[RunRow]:
        return self._runs.runs()

    # -- repository checks (tracker.store.checks) ------------------------------

    def record_check(
        self, run_id: int, facts: RepoFacts, results: Sequence[CheckResult], *, health: str, repro_score: int | None
    ) -> None:
        self._checks.record_check(run_id, facts, results, health=health, repro_score=repro_score)

    def record_checks(self, run_id: int, checks: Sequence[CheckToRecord]) -> None:
        self._checks.record_checks(run_id, checks)

    def history(self, key: str) -> list[StoredCheck]:
        return self._checks.history(key)

    def all_checks(self, fields: Iterable[str]) -> list[StoredCheck]:
        return self._checks.all_checks(fields)

    def latest_checks(self, run_id: int | None = None, *, fields: Iterable[str] | None = None) -> list[CheckRow]:
        return self._checks.latest_checks(run_id, fields=fields)

    def iter_latest_checks(self, run_id: int | None = None, *, fields: Iterable[str] | None = None,
                           page: int = 5_000) -> Iterator[CheckRow]:
        return self._checks.iter_latest_checks(run_id, fields=fields, page=page)

    def gone_since(self) -> dict[str, datetime]:
        return self._checks.gone_since()

    def status_counts(self) -> dict[int, dict[Status, int]]:
        return self._checks.status_counts()

    # -- artifact checks (tracker.store.artifacts) -----------------------------

    def artifacts_due(
        self, *, max_age_hours: float | None = None, run_id: int | None = None, kinds: Iterable[str] | None = None
    ) -> list[ArtifactTarget]:
        return self._artifacts.artifacts_due(max_age_hours=max_age_hours, run_id=run_id, kinds=kinds)

    def record_artifact_check(self, run_id: int, check: ArtifactCheck) -> RepoRef | None:
        return self._artifacts.record_artifact_check(run_id, check)

    def latest_artifact_checks(self) -> list[ArtifactRow]:
        return self._artifacts.latest_artifact_checks()

    def artifact_history(self, url: str) -> list[ArtifactCheckRow]:
        return self._artifacts.artifact_history(url)
