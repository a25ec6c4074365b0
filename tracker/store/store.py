"""The store: every paper, repository and check, kept over time.

Each write is one short transaction, retried when another process holds the
database (`tracker.store.retry`), so a run killed at any moment keeps every
check it finished and loses nothing else. Reads return frozen rows
(`tracker.store.rows`) so callers never hold a session.
"""

from __future__ import annotations

import itertools
import operator
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    FromClause,
    Row,
    Select,
    Text,
    cast,
    delete,
    exists,
    func,
    inspect,
    null,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tracker.artifacts.kinds import LinkKind, artifact_kind
from tracker.records import (
    AUTHORITATIVE_GONE,
    FROM_THE_PAPER,
    INCONCLUSIVE,
    Artifact,
    ArtifactKind,
    CheckResult,
    LicenseFinding,
    PaperLinks,
    Promise,
    PromiseKind,
    RepoFacts,
    RepoKind,
    RepoRef,
    Status,
)
from tracker.spdx import repository_license
from tracker.store.archive import ArchiveRecords
from tracker.store.cache import SqlAnswerCache
from tracker.store.dialect import insert_for
from tracker.store.engine import StoreError, database_url, is_memory_sqlite, make_engine, mask_url
from tracker.store.migrate import upgrade
from tracker.ingest.identity import title_hash
from tracker.sources.state import HarvestPlace
from tracker.store import paper_merge
from tracker.store.models import (
    ArtifactCheckRecord,
    ArtifactRecord,
    HarvestState,
    LinkProvenance,
    Paper,
    PaperLink,
    PaperSource,
    Repository,
    RepositoryCheck,
    TrackingRun,
)
from tracker.store.retry import run_read, run_write
from tracker.store.rows import (
    ArtifactCheckRow,
    ArtifactRow,
    CheckRow,
    Forgotten,
    IngestSummary,
    ListedLink,
    ListedPaper,
    PaperRow,
    PromiseDue,
    RunRow,
    RunStatus,
    StoredCheck,
)

if TYPE_CHECKING:
    from tracker.artifacts.check import ArtifactCheck, ArtifactTarget

T = TypeVar("T")

# A crash loses at most one open batch; memory holds at most one batch.
INGEST_BATCH = 500
# Bound on values in one IN (...): SQLite allows 32766 parameters per statement.
_IN_CHUNK = 500

# Enum construction by value is slow; `latest_checks` builds thousands.
_STATUSES = {status.value: status for status in Status}
# Read as JSON text, decoded only on demand by `StoredCheck` (see there).
_JSON_TEXT_COLUMNS = ("topics", "licenses", "results", "outcomes")
# `StoredCheck` field name -> column name, in table order.
_CHECK_FIELDS = {
    f"{column.name}_json" if column.name in _JSON_TEXT_COLUMNS else column.name: column.name
    for column in RepositoryCheck.c
    if column.name != "repository_id"
}


def _check_column(table: FromClause, field: str, label: str | None = None) -> Any:
    """The column of `table` (repository_checks or an alias) that fills this `StoredCheck` field."""
    column = _CHECK_FIELDS[field]
    expression = cast(table.c[column], Text) if column in _JSON_TEXT_COLUMNS else table.c[column]
    return expression.label(label or field)


_CHECK_COLUMNS = tuple(_check_column(RepositoryCheck, field) for field in _CHECK_FIELDS)
_STORED_FIELDS = frozenset(StoredCheck._fields)
# What identifies a check; every read includes them whatever columns it asks for.
_IDENTITY_FIELDS = ("id", "run_id", "checked_at", "status")


# A run still marked running whose process cannot be looked at (it ran on
# another machine, or was recorded before migration 4) counts as interrupted
# once nothing was recorded for this long: far longer than a live run stays
# quiet (a rate-limit wait is 3 minutes by default, a git timeout 2).
STALE_RUN_AFTER = timedelta(hours=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


def process_alive(pid: int, started_by: datetime | None = None) -> bool | None:
    """Whether process `pid` of this machine still runs; None where that cannot be asked safely.

    A zombie (killed, not yet reaped by its parent) does not run. On Windows
    `os.kill` would end the process instead of probing it, hence None. With
    `started_by` (when the run it should be running began), a process that
    started later is another one that was given the same id: the run's own
    process has ended.
    """
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): signal 0 is all there is to know
    # "pid (command) state ...": the command may itself hold parentheses.
    fields = stat.rpartition(")")[2].split()
    if fields[0] in ("Z", "X"):
        return False
    started = _process_start(fields)
    if started is not None and started_by is not None and started > started_by + _START_SLACK:
        return False
    return True


# /proc gives a process's start to the clock tick and boot time to the second.
_START_SLACK = timedelta(seconds=2)


def _process_start(stat_fields: list[str]) -> datetime | None:
    """When a process started, from the fields of /proc/<pid>/stat after its command (starttime is field 22)."""
    try:
        ticks = int(stat_fields[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC)
    except (OSError, ValueError, IndexError, StopIteration):
        return None


@dataclass(frozen=True, slots=True)
class Machine:
    """The machine this store runs on: recorded with every run it starts, and asked whether a run's process lives.

    Known by host name, so the machines sharing one database need distinct
    ones. Tests inject another one to stand for a second machine.
    """

    host: str = field(default_factory=socket.gethostname)
    alive: Callable[[int, datetime], bool | None] = process_alive


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


@dataclass(slots=True)
class _IngestTally:
    papers: set[str] = field(default_factory=set)
    links: set[tuple[str, str]] = field(default_factory=set)
    repositories: set[str] = field(default_factory=set)
    new_papers: int = 0
    new_links: int = 0
    new_repositories: int = 0

    def add(self, other: _IngestTally) -> None:
        self.papers |= other.papers
        self.links |= other.links
        self.repositories |= other.repositories
        self.new_papers += other.new_papers
        self.new_links += other.new_links
        self.new_repositories += other.new_repositories

    def summary(self) -> IngestSummary:
        return IngestSummary(
            papers=len(self.papers),
            new_papers=self.new_papers,
            links=len(self.links),
            new_links=self.new_links,
            repositories=len(self.repositories),
            new_repositories=self.new_repositories,
        )


class Store:
    """Papers, repositories, runs and checks in SQL. Make one with `open_store`."""

    def __init__(
        self, engine: Engine, *, clock: Callable[[], datetime] = utc_now, machine: Machine | None = None
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._machine = machine or Machine()
        self._answer_cache = SqlAnswerCache(engine, clock)
        self._archive = ArchiveRecords(engine, clock)

    def __repr__(self) -> str:
        return f"Store({mask_url(self._engine.url)!r})"

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def answer_cache(self) -> SqlAnswerCache:
        """ETags and bodies of earlier host answers (`tracker.hosts.cache.AnswerCache`)."""
        return self._answer_cache

    @property
    def archive(self) -> ArchiveRecords:
        """What Software Heritage holds of each repository, and the save requests sent (`tracker.store.archive`)."""
        return self._archive

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- papers ---------------------------------------------------------------

    def add_papers(self, found: Iterable[PaperLinks], *, batch_size: int | None = None) -> IngestSummary:
        """Add papers, their repositories and links; what is already stored is left as is.

        Idempotent: ingesting the same source twice adds nothing. Commits every
        `batch_size` papers (default `INGEST_BATCH`), so a crash loses at most the open batch.
        """
        tally = _IngestTally()
        iterator = iter(found)
        while batch := list(itertools.islice(iterator, batch_size or INGEST_BATCH)):
            # Tallied after commit: a retried batch must not count twice.
            tally.add(run_write(self._engine, lambda connection: self._add_batch(connection, batch)))
        return tally.summary()

    def _add_batch(self, connection: Connection, batch: list[PaperLinks]) -> _IngestTally:
        now = self._clock()
        batch = paper_merge.with_arxiv_identity(connection, batch)
        papers = {item.paper.id: item for item in reversed(batch)}  # first mention wins
        stored_before = self._stored_papers(connection, list(papers))
        inserted = connection.execute(
            insert_for(connection, Paper).on_conflict_do_nothing().returning(Paper.c.id),
            [
                {
                    "id": item.paper.id,
                    "title": item.paper.title,
                    "abstract": item.paper.abstract,
                    "source": item.paper.source,
                    "url": item.paper.url,
                    "published": item.paper.published,
                    "authors": list(item.paper.authors),
                    "code_promised": item.code_promised,
                    "promise_kind": str(item.promise.kind) if item.promise else None,
                    "promise_sentence": item.promise.sentence if item.promise else None,
                    "first_seen_at": now,
                    "title_key": title_hash(item.paper.title),
                }
                for item in papers.values()
            ],
        ).all()
        new_ids = {row.id for row in inserted}
        paper_merge.absorb_title_papers(connection, [
            (paper_id, title_hash(item.paper.title)) for paper_id, item in papers.items()
            if paper_id in new_ids and paper_id.startswith("arxiv:")
        ])
        # Every copy but the one inserted may add to the row: stored before, or a later copy in this batch.
        paper_merge.fill_in(connection, [item for item in batch if item.paper.id in stored_before
                                         or item is not papers[item.paper.id] or item.paper.id not in new_ids])
        paper_merge.record_sources(connection, batch, now)
        refs: dict[str, RepoRef] = {}
        for item in batch:
            for ref in item.repos:
                refs.setdefault(ref.key, ref)  # the spelling first seen becomes canonical
        new_repositories, repository_ids = self._ensure_repositories(connection, refs.values(), now)
        repository_links: dict[tuple[str, int], dict[str, Any]] = {}
        artifact_links: dict[tuple[str, str], dict[str, Any]] = {}
        for item in batch:
            for link in item.links:
                if link.repo is not None:
                    repository_id = repository_ids[link.repo.key]
                    repository_links.setdefault(
                        (item.paper.id, repository_id),
                        {"paper_id": item.paper.id, "repository_id": repository_id, "raw_text": link.raw},
                    )
                elif link.artifact is not None:
                    artifact_links.setdefault(
                        (item.paper.id, link.artifact.url),
                        {
                            "paper_id": item.paper.id,
                            "artifact_url": link.artifact.url,
                            "artifact_kind": link.artifact.kind.value,
                            "raw_text": link.raw,
                        },
                    )
        watched: dict[str, dict[str, Any]] = {}
        for row in artifact_links.values():
            kind = artifact_kind(row["artifact_url"], row["artifact_kind"])
            if kind is not None:
                watched.setdefault(row["artifact_url"], {"url": row["artifact_url"], "kind": kind.value,
                                                         "first_seen_at": now})
        if watched:
            connection.execute(insert_for(connection, ArtifactRecord).on_conflict_do_nothing(), list(watched.values()))
        new_links = 0
        for rows in (list(repository_links.values()), list(artifact_links.values())):
            if rows:
                statement = insert_for(connection, PaperLink).on_conflict_do_nothing().returning(PaperLink.c.id)
                new_links += len(connection.execute(statement, rows).all())
        paper_merge.record_provenance(connection, batch, repository_ids)
        return _IngestTally(
            papers=set(papers),
            links={(paper, f"repo:{rid}") for paper, rid in repository_links}
            | {(paper, f"url:{url}") for paper, url in artifact_links},
            repositories=set(refs),
            new_papers=len(inserted),
            new_links=new_links,
            new_repositories=new_repositories,
        )

    @staticmethod
    def _stored_papers(connection: Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(ids, _IN_CHUNK):
            found.update(connection.execute(select(Paper.c.id).where(Paper.c.id.in_(chunk))).scalars())
        return found

    # -- harvest state (tracker.sources.read.HarvestState) ---------------------

    def harvest_place(self, source: str) -> HarvestPlace | None:
        """Where the OAI-PMH harvest of `source` (its spec) stands; None before its first page."""
        statement = select(HarvestState).where(HarvestState.c.source == source)
        row = run_read(self._engine, lambda connection: connection.execute(statement).first())
        if row is None:
            return None
        return HarvestPlace(row.datestamp, row.resumption_token, row.seen_datestamp)

    def save_harvest_place(self, source: str, place: HarvestPlace) -> None:
        values = {"datestamp": place.datestamp, "resumption_token": place.token, "seen_datestamp": place.seen,
                  "updated_at": self._clock()}

        def work(connection: Connection) -> None:
            statement = insert_for(connection, HarvestState).values(source=source, **values)
            connection.execute(statement.on_conflict_do_update(index_elements=["source"], set_=values))

        run_write(self._engine, work)

    def add_repositories(self, refs: Iterable[RepoRef]) -> int:
        """Add repositories named directly (not through a paper); returns how many were new.

        Idempotent, like `add_papers`: a repository already stored, in any
        case, is left as first written.
        """
        unique: dict[str, RepoRef] = {}
        for ref in refs:
            unique.setdefault(ref.key, ref)
        now = self._clock()
        created, _ = run_write(self._engine, lambda c: self._ensure_repositories(c, unique.values(), now))
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

    def _ensure_repositories(
        self, connection: Connection, refs: Iterable[RepoRef], now: datetime
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
        for chunk in _chunks([value["key"] for value in values], _IN_CHUNK):
            rows = connection.execute(select(Repository.c.key, Repository.c.id).where(Repository.c.key.in_(chunk)))
            ids.update({row.key: row.id for row in rows})
        return created, ids

    def papers_with_links(self) -> list[PaperRow]:
        """Every paper with its repositories (keys) and artifacts, oldest first."""
        # Abstracts are most of a paper's bytes and no PaperRow carries one.
        papers_query = select(*(c for c in Paper.c if c.name != "abstract")).order_by(
            Paper.c.first_seen_at, Paper.c.id
        )
        links_query = (
            select(PaperLink.c.paper_id, Repository.c.key, PaperLink.c.artifact_url, PaperLink.c.artifact_kind,
                   PaperLink.c.provenance, PaperLink.c.found_at)
            .outerjoin(Repository, Repository.c.id == PaperLink.c.repository_id)
            .order_by(PaperLink.c.id)
        )

        def read(connection: Connection) -> tuple[list[Row[Any]], list[Row[Any]]]:
            return list(connection.execute(papers_query)), list(connection.execute(links_query))

        papers, links = run_read(self._engine, read)
        keys: dict[str, list[str]] = {}
        artifacts: dict[str, list[Artifact]] = {}
        found_later: dict[str, list[tuple[str, datetime]]] = {}
        for link in links:
            if link.key is not None:
                keys.setdefault(link.paper_id, []).append(link.key)
                if link.provenance == FOUND_LATER and link.found_at is not None:
                    found_later.setdefault(link.paper_id, []).append((link.key, link.found_at))
            elif link.artifact_url is not None:
                artifacts.setdefault(link.paper_id, []).append(
                    Artifact(url=link.artifact_url, kind=ArtifactKind(link.artifact_kind))
                )
        return [
            PaperRow(
                id=paper.id,
                title=paper.title,
                source=paper.source,
                url=paper.url,
                published=paper.published,
                authors=tuple(paper.authors),
                code_promised=paper.code_promised,
                first_seen_at=paper.first_seen_at,
                repositories=tuple(keys.get(paper.id, ())),
                artifacts=tuple(artifacts.get(paper.id, ())),
                promise=_promise(paper.promise_kind, paper.promise_sentence),
                found_later=tuple(found_later.get(paper.id, ())),
            )
            for paper in papers
        ]

    def listed_papers(self, *, source: str | None = None, since: date | None = None) -> list[ListedPaper]:
        """Papers with their sources and links (provenance, the repository's latest status), oldest first.

        `source` keeps papers read from that kind of source (``arxiv``,
        ``hf-daily``, ``pwc-links``, ``file``, ...); `since` those published on
        or after it, or first seen on or after it when their date is unknown.
        """
        papers_query = select(Paper.c.id, Paper.c.title, Paper.c.published, Paper.c.first_seen_at)
        if source is not None:
            papers_query = papers_query.where(
                exists().where(PaperSource.c.paper_id == Paper.c.id, PaperSource.c.source == source))
        papers_query = papers_query.order_by(Paper.c.first_seen_at, Paper.c.id)
        sources_query = select(PaperSource.c.paper_id, PaperSource.c.source).order_by(
            PaperSource.c.first_seen_at, PaperSource.c.id)
        links_query = (
            select(PaperLink.c.id, PaperLink.c.paper_id, Repository.c.key, Repository.c.canonical,
                   PaperLink.c.artifact_url, PaperLink.c.artifact_kind)
            .outerjoin(Repository, Repository.c.id == PaperLink.c.repository_id)
            .order_by(PaperLink.c.id)
        )
        provenance_query = select(LinkProvenance.c.link_id, LinkProvenance.c.provenance)

        def read(connection: Connection) -> tuple[list[Any], ...]:
            queries: tuple[Select[Any], ...] = (papers_query, sources_query, links_query, provenance_query)
            return tuple(list(connection.execute(query)) for query in queries)

        papers, sources, links, provenances = run_read(self._engine, read)
        statuses = {row.key: str(row.latest.status) for row in self.latest_checks(fields=("status",))}
        by_paper_sources: dict[str, list[str]] = {}
        for row in sources:
            by_paper_sources.setdefault(row.paper_id, []).append(row.source)
        by_link: dict[int, list[str]] = {}
        for row in provenances:
            by_link.setdefault(row.link_id, []).append(row.provenance)
        own_word = {value.value for value in FROM_THE_PAPER}
        by_paper_links: dict[str, list[ListedLink]] = {}
        for row in links:
            found = tuple(sorted(by_link.get(row.id, ())))
            by_paper_links.setdefault(row.paper_id, []).append(ListedLink(
                repository=row.canonical, artifact_url=row.artifact_url, artifact_kind=row.artifact_kind,
                provenance=found, status=statuses.get(row.key) if row.key else None,
                aggregator_only=bool(found) and not own_word.intersection(found),
            ))
        listed = []
        for paper in papers:
            when = paper.published or paper.first_seen_at.date()
            if since is not None and when < since:
                continue
            listed.append(ListedPaper(
                id=paper.id, arxiv_id=paper.id.removeprefix("arxiv:") if paper.id.startswith("arxiv:") else None,
                title=paper.title, published=paper.published, first_seen_at=paper.first_seen_at,
                sources=tuple(by_paper_sources.get(paper.id, ())), links=tuple(by_paper_links.get(paper.id, ())),
            ))
        return listed

    def paper_titles(self) -> dict[str, tuple[str, ...]]:
        """Per repository key, the titles of the papers that link it, oldest paper first.

        What a status listing shows of papers, in one narrow query instead of
        every paper with its links (`papers_with_links`).
        """
        statement = (
            select(Repository.c.key, Paper.c.title)
            .join(PaperLink, PaperLink.c.repository_id == Repository.c.id)
            .join(Paper, Paper.c.id == PaperLink.c.paper_id)
            .order_by(Paper.c.first_seen_at, Paper.c.id)
        )
        titles: dict[str, list[str]] = {}
        for key, title in run_read(self._engine, lambda connection: connection.execute(statement).all()):
            titles.setdefault(key, []).append(title)
        return {key: tuple(found) for key, found in titles.items()}

    # -- runs -----------------------------------------------------------------

    def start_run(self, sources: list[str], flow_run_id: str | None = None) -> int:
        """Record that a run began; returns its id for `record_check` and `finish_run`.

        Runs left marked running by a process that is gone (see `runs`) are
        marked interrupted on the way, so the table itself tells the truth.
        """
        values = {
            "started_at": self._clock(),
            "status": RunStatus.RUNNING.value,
            "flow_run_id": flow_run_id,
            "sources": list(sources),
            "papers": 0,
            "repositories_checked": 0,
            "requests_made": 0,
            "requests_rate_limited": 0,
            "host": self._machine.host,
            "pid": os.getpid(),
        }

        def work(connection: Connection) -> int:
            run_id: int = connection.execute(
                insert_for(connection, TrackingRun).values(**values).returning(TrackingRun.c.id)
            ).scalar_one()
            for run in connection.execute(_unfinished_runs().where(TrackingRun.c.id != run_id)).all():
                stopped = self._stopped(connection, run)
                if stopped is None:
                    continue
                last_sign, reason = stopped
                papers, checked = _run_counts(connection, run.id)
                connection.execute(
                    update(TrackingRun)
                    .where(TrackingRun.c.id == run.id, TrackingRun.c.status == RunStatus.RUNNING.value)
                    .values(
                        status=RunStatus.INTERRUPTED.value,
                        finished_at=last_sign,
                        papers=papers,
                        repositories_checked=checked,
                        note=f"{reason}; marked interrupted when run {run_id} started",
                    )
                )
            return run_id

        return run_write(self._engine, work)

    def _stopped(self, connection: Connection, run: Row[Any]) -> tuple[datetime, str] | None:
        """For a run still marked running: (its last sign of life, why it has stopped), or None while it may be going.

        On the machine that started it, its process answers: gone means
        stopped, alive means going however quiet. Elsewhere (or for a run
        recorded before its process was) only its last recorded check, or its
        start, can: silence for `STALE_RUN_AFTER` means stopped. So two live
        runs are never taken for dead, whether on one machine or several. A
        process id given to a newer process is told apart by its start time.
        """
        last_check = connection.execute(
            select(func.max(RepositoryCheck.c.checked_at)).where(RepositoryCheck.c.run_id == run.id)
        ).scalar_one()
        last_sign = max(run.started_at, last_check) if last_check is not None else run.started_at
        if run.host == self._machine.host and run.pid is not None:
            started_at = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=UTC)
            alive = self._machine.alive(run.pid, started_at)
            if alive is False:
                return last_sign, f"its process {run.pid} on {run.host} ended without finishing it"
            if alive:
                return None
        if self._clock() - last_sign >= STALE_RUN_AFTER:
            return last_sign, f"nothing recorded since {last_sign:%Y-%m-%d %H:%M} UTC"
        return None

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        requests_made: int = 0,
        requests_rate_limited: int = 0,
        note: str | None = None,
    ) -> None:
        """Close a run with how it ended; counts what it checked from the stored checks."""
        try:
            final = RunStatus(status)
        except ValueError:
            final = RunStatus.RUNNING
        if final is RunStatus.RUNNING:
            allowed = ", ".join(s.value for s in RunStatus if s is not RunStatus.RUNNING)
            raise ValueError(f"a run ends as one of {allowed}, not {status!r}")

        def work(connection: Connection) -> None:
            papers, checked = _run_counts(connection, run_id)
            updated = connection.execute(
                update(TrackingRun)
                .where(TrackingRun.c.id == run_id)
                .values(
                    finished_at=self._clock(),
                    status=final.value,
                    papers=papers,
                    repositories_checked=checked,
                    requests_made=requests_made,
                    requests_rate_limited=requests_rate_limited,
                    note=note,
                )
            )
            if updated.rowcount == 0:
                raise LookupError(f"no run {run_id} in the store: use the id start_run returned")

        run_write(self._engine, work)

    def runs(self) -> list[RunRow]:
        """Every run, oldest first; a run still going (or killed) shows its counts so far.

        A run marked running whose process is gone (see `_stopped`) reads as
        interrupted, with the reason as its note, before any new run marks it so.
        """

        def read(connection: Connection) -> list[RunRow]:
            result = []
            for run in connection.execute(select(*TrackingRun.c).order_by(TrackingRun.c.id)).all():
                papers, checked = run.papers, run.repositories_checked
                status, note = RunStatus(run.status), run.note
                if run.finished_at is None:
                    papers, checked = _run_counts(connection, run.id)
                    if status is RunStatus.RUNNING and (stopped := self._stopped(connection, run)) is not None:
                        status, note = RunStatus.INTERRUPTED, stopped[1]
                result.append(
                    RunRow(
                        id=run.id,
                        started_at=run.started_at,
                        finished_at=run.finished_at,
                        status=status,
                        flow_run_id=run.flow_run_id,
                        sources=tuple(run.sources),
                        papers=papers,
                        repositories_checked=checked,
                        requests_made=run.requests_made,
                        requests_rate_limited=run.requests_rate_limited,
                        note=note,
                        host=run.host,
                        pid=run.pid,
                    )
                )
            return result

        return run_read(self._engine, read)

    # -- checks ---------------------------------------------------------------

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
        conditions = []
        if max_age_hours is not None:
            cutoff = self._clock() - timedelta(hours=max_age_hours)
            conditions.append(
                ~exists().where(
                    RepositoryCheck.c.repository_id == Repository.c.id,
                    RepositoryCheck.c.checked_at >= cutoff,
                    RepositoryCheck.c.status.not_in([status.value for status in INCONCLUSIVE]),
                )
            )
        if run_id is not None:
            conditions.append(
                ~exists().where(RepositoryCheck.c.repository_id == Repository.c.id, RepositoryCheck.c.run_id == run_id)
            )
        base = select(
            Repository.c.host, Repository.c.owner, Repository.c.name, Repository.c.kind, Repository.c.id
        ).where(*conditions)
        wanted = None if keys is None else sorted({key.lower() for key in keys})

        def read(connection: Connection) -> list[Row[Any]]:
            if wanted is None:
                return list(connection.execute(base))
            return [
                row
                for chunk in _chunks(wanted, _IN_CHUNK)
                for row in connection.execute(base.where(Repository.c.key.in_(chunk)))
            ]

        rows = run_read(self._engine, read)
        rows.sort(key=lambda row: row.id)
        return [RepoRef(host=row.host, owner=row.owner, name=row.name, kind=RepoKind(row.kind)) for row in rows]

    # -- artifacts ------------------------------------------------------------

    def artifacts_due(self, *, max_age_hours: float | None = None, run_id: int | None = None,
                      kinds: Iterable[str] | None = None) -> list[ArtifactTarget]:
        """Artifacts to check, in order of first sight, each with its current DNS streak.

        Like `repositories_due`: minus those with a conclusive check younger
        than `max_age_hours` and those already checked in `run_id`.
        """
        from tracker.artifacts.check import ArtifactTarget

        conditions = []
        if max_age_hours is not None:
            cutoff = self._clock() - timedelta(hours=max_age_hours)
            conditions.append(~exists().where(
                ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id,
                ArtifactCheckRecord.c.checked_at >= cutoff,
                ArtifactCheckRecord.c.state.not_in(["unreachable", "not_checked"]),
            ))
        if run_id is not None:
            conditions.append(~exists().where(ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id,
                                              ArtifactCheckRecord.c.run_id == run_id))
        if kinds is not None:
            conditions.append(ArtifactRecord.c.kind.in_(list(kinds)))
        newest = (
            select(ArtifactCheckRecord.c.dns_failing_since)
            .where(ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id)
            .order_by(ArtifactCheckRecord.c.run_id.desc())
            .limit(1)
            .scalar_subquery()
        )
        statement = (
            select(ArtifactRecord.c.url, ArtifactRecord.c.kind, newest.label("since"))
            .where(*conditions)
            .order_by(ArtifactRecord.c.id)
        )
        rows = run_read(self._engine, lambda connection: connection.execute(statement).all())
        return [ArtifactTarget(row.url, LinkKind(row.kind), _aware(row.since)) for row in rows]

    def record_artifact_check(self, run_id: int, check: ArtifactCheck) -> RepoRef | None:
        """Store one artifact's check in its own transaction; idempotent per (run, artifact).

        A short link that leads to a repository adds that repository and links
        it to every paper that wrote the short link, with the short link as the
        link's text and `short_link` as its provenance. Returns that
        repository when it is new to the store (so the run can check it), else None.
        """
        verdict = check.verdict
        values = {
            "run_id": run_id,
            "checked_at": check.checked_at,
            "state": verdict.state.value,
            "reason": verdict.reason,
            "evidence": list(verdict.evidence),
            "final_url": verdict.final_url,
            "redirects": list(check.redirects),
            "facts": check.facts,
            "dns_failing_since": check.dns_failing_since,
        }

        def work(connection: Connection) -> RepoRef | None:
            if connection.execute(select(TrackingRun.c.id).where(TrackingRun.c.id == run_id)).first() is None:
                raise LookupError(f"no run {run_id} in the store: use the id start_run returned")
            now = self._clock()
            connection.execute(
                insert_for(connection, ArtifactRecord).on_conflict_do_nothing(),
                {"url": check.url, "kind": check.kind.value, "first_seen_at": now},
            )
            artifact_id = connection.execute(
                select(ArtifactRecord.c.id).where(ArtifactRecord.c.url == check.url)
            ).scalar_one()
            connection.execute(
                insert_for(connection, ArtifactCheckRecord).on_conflict_do_nothing(),
                {"artifact_id": artifact_id, **values},
            )
            if check.leads_to is None:
                return None
            created, ids = self._ensure_repositories(connection, [check.leads_to], now)
            papers = connection.execute(
                select(PaperLink.c.paper_id).where(PaperLink.c.artifact_url == check.url).distinct()
            ).scalars().all()
            if papers:
                connection.execute(
                    insert_for(connection, PaperLink).on_conflict_do_nothing(),
                    [{"paper_id": paper, "repository_id": ids[check.leads_to.key], "raw_text": check.url,
                      "provenance": SHORT_LINK, "found_at": check.checked_at} for paper in papers],
                )
            return check.leads_to if created else None

        return run_write(self._engine, work)

    def latest_artifact_checks(self) -> list[ArtifactRow]:
        """Per checked artifact: its newest check and the one before, with the titles of its papers; by URL."""
        checks = (
            select(ArtifactRecord.c.url, ArtifactRecord.c.kind, *(c for c in ArtifactCheckRecord.c
                                                                 if c.name not in ("id", "artifact_id")))
            .join(ArtifactCheckRecord, ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id)
            .order_by(ArtifactRecord.c.url, ArtifactCheckRecord.c.run_id.desc())
        )
        titles = (
            select(PaperLink.c.artifact_url, Paper.c.title)
            .join(Paper, Paper.c.id == PaperLink.c.paper_id)
            .where(PaperLink.c.artifact_url.is_not(None))
            .order_by(Paper.c.first_seen_at, Paper.c.id)
        )

        def read(connection: Connection) -> tuple[list[Row[Any]], list[Row[Any]]]:
            return list(connection.execute(checks)), list(connection.execute(titles))

        check_rows, title_rows = run_read(self._engine, read)
        by_url: dict[str, list[str]] = {}
        for title_row in title_rows:
            by_url.setdefault(title_row.artifact_url, []).append(title_row.title)
        grouped: dict[str, list[Row[Any]]] = {}
        for row in check_rows:
            found = grouped.setdefault(row.url, [])
            if len(found) < 2:
                found.append(row)
        return [
            ArtifactRow(url=url, kind=found[0].kind, latest=_artifact_check(found[0]),
                        previous=_artifact_check(found[1]) if len(found) > 1 else None,
                        paper_titles=tuple(by_url.get(url, ())))
            for url, found in grouped.items()
        ]

    def artifact_history(self, url: str) -> list[ArtifactCheckRow]:
        """Every check of one artifact, oldest run first."""
        statement = (
            select(*(c for c in ArtifactCheckRecord.c if c.name not in ("id", "artifact_id")))
            .join(ArtifactRecord, ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id)
            .where(ArtifactRecord.c.url == url)
            .order_by(ArtifactCheckRecord.c.run_id)
        )
        return [_artifact_check(row) for row in run_read(self._engine, lambda c: c.execute(statement).all())]

    # -- promises -------------------------------------------------------------

    def promises_due(self, *, every: timedelta = timedelta(days=1)) -> list[PromiseDue]:
        """Papers that promised code and link no repository, not looked at within `every`; oldest first."""
        cutoff = self._clock() - every
        statement = (
            select(Paper.c.id, Paper.c.published, Paper.c.title)
            .where(
                Paper.c.code_promised.is_(True),
                (Paper.c.promise_looked_at.is_(None)) | (Paper.c.promise_looked_at <= cutoff),
                ~exists().where(PaperLink.c.paper_id == Paper.c.id, PaperLink.c.repository_id.is_not(None)),
            )
            .order_by(Paper.c.first_seen_at, Paper.c.id)
        )
        rows = run_read(self._engine, lambda connection: connection.execute(statement).all())
        return [PromiseDue(paper_id=row.id, published=row.published, title=row.title) for row in rows]

    def record_promise_look(self, paper_id: str, *, found: RepoRef | None = None, where: str = "") -> bool:
        """Note that a paper's promised code was looked for now; with `found`, link that repository to it
        (provenance `found_later`, `where` as the link's text, the date). Returns whether a link was added."""
        now = self._clock()

        def work(connection: Connection) -> bool:
            connection.execute(update(Paper).where(Paper.c.id == paper_id).values(promise_looked_at=now))
            if found is None:
                return False
            _, ids = self._ensure_repositories(connection, [found], now)
            added = connection.execute(
                insert_for(connection, PaperLink).on_conflict_do_nothing().returning(PaperLink.c.id),
                {"paper_id": paper_id, "repository_id": ids[found.key], "raw_text": where or found.canonical,
                 "provenance": FOUND_LATER, "found_at": now},
            ).first()
            return added is not None

        return run_write(self._engine, work)

    def record_check(
        self,
        run_id: int,
        facts: RepoFacts,
        results: Sequence[CheckResult],
        *,
        health: str,
        repro_score: int | None,
    ) -> None:
        """Store one repository's check in its own transaction.

        Idempotent per (run, repository): a second call for the same pair
        changes nothing. A "moved" check also records the new identity and
        points the old repository at it.
        """
        values = _check_values(facts, results, health=health, repro_score=repro_score)

        def work(connection: Connection) -> None:
            if connection.execute(select(TrackingRun.c.id).where(TrackingRun.c.id == run_id)).first() is None:
                raise LookupError(f"no run {run_id} in the store: use the id start_run returned")
            now = self._clock()
            targets = [facts.ref] + ([facts.moved_to] if facts.moved_to is not None else [])
            _, ids = self._ensure_repositories(connection, targets, now)
            repository_id = ids[facts.ref.key]
            # Values as parameters, not in the statement: its compiled form is then
            # cached across checks instead of coercing ~30 literals each time.
            inserted = connection.execute(
                insert_for(connection, RepositoryCheck).on_conflict_do_nothing().returning(RepositoryCheck.c.id),
                {"run_id": run_id, "repository_id": repository_id, **values},
            ).first()
            if inserted is None or facts.status is not Status.MOVED or facts.moved_to is None:
                return
            new_id = ids[facts.moved_to.key]
            if new_id != repository_id:
                connection.execute(
                    update(Repository).where(Repository.c.id == repository_id).values(moved_to_id=new_id)
                )

        run_write(self._engine, work)

    def last_check(self, key: str) -> StoredCheck | None:
        """The check of one repository (any case of its key) in the newest run that checked it, or None."""
        statement = _checks_query().where(Repository.c.key == key.lower())
        return next(iter(self._read_checks(statement.order_by(RepositoryCheck.c.run_id.desc()).limit(1))), None)

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
        wanted = set(fields) | set(_IDENTITY_FIELDS)
        if unknown := wanted - _STORED_FIELDS - {"key", "canonical"}:
            raise ValueError(f"no such StoredCheck fields: {', '.join(sorted(unknown))}")
        columns = [_check_column(RepositoryCheck, name) for name in _CHECK_FIELDS if name in wanted]
        statement = select(*columns, Repository.c.key, Repository.c.canonical).join(
            Repository, Repository.c.id == RepositoryCheck.c.repository_id
        ).order_by(Repository.c.key, RepositoryCheck.c.run_id)
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
            counts.setdefault(run_id, {})[_STATUSES[status]] = count
        return counts

    def _read_checks(self, statement: Select[Any]) -> list[StoredCheck]:
        def read(connection: Connection) -> list[StoredCheck]:
            result = connection.execute(statement)
            names = tuple(result.keys())
            status_at = names.index("status")
            checks = []
            for row in result:
                values = list(row)
                values[status_at] = _STATUSES[values[status_at]]
                checks.append(StoredCheck(**dict(zip(names, values, strict=True))))
            return checks

        return run_read(self._engine, read)

    def latest_checks(self, run_id: int | None = None, *, fields: Iterable[str] | None = None) -> list[CheckRow]:
        """Per checked repository: its check in the newest run up to `run_id` (default: any) and the one before.

        "Newest" is by run: run ids grow with start time, and a run is the
        unit a report compares. Ordered by repository key. `fields` names the
        `StoredCheck` fields to read (default: all); the others stay None,
        because a status table of 10,000 repositories needs a third of them
        and reading every column took about half its time.
        """
        wanted = set(_STORED_FIELDS)
        if fields is not None:
            wanted = set(fields) | set(_IDENTITY_FIELDS)
            if unknown := wanted - _STORED_FIELDS:
                raise ValueError(f"no such StoredCheck fields: {', '.join(sorted(unknown))}")

        # Per repository, two seeks in (repository_id, run_id) pick the newest
        # check ids, then one primary-key lookup each: ~0.15 s of SQL on SQLite
        # at 10,000 repositories x 30 runs, where a window function over every
        # check took 0.6 s.
        def newest(offset: int) -> Any:
            candidate = RepositoryCheck.alias()
            pick = select(candidate.c.id).where(candidate.c.repository_id == Repository.c.id)
            if run_id is not None:
                pick = pick.where(candidate.c.run_id <= run_id)
            pick = pick.order_by(candidate.c.run_id.desc()).limit(1).offset(offset)
            return pick.scalar_subquery()

        picks = select(
            Repository.c.key,
            Repository.c.canonical,
            Repository.c.host,
            Repository.c.kind,
            newest(0).label("latest_id"),
            newest(1).label("previous_id"),
        ).subquery()

        # One row per repository, both checks side by side: a join on `id IN
        # (latest, previous)` gave two rows each and made SQLite run the picks
        # again to order them, 2.5x the time at 10,000 repositories. Only the
        # wanted columns are read; every other field takes the one NULL.
        columns: list[Any] = [picks.c.key, picks.c.canonical, picks.c.host, null().label("unread"), picks.c.kind]
        identity, unread_at = {"key": 0, "canonical": 1}, 3

        def take(table: FromClause) -> operator.itemgetter[Any]:
            """Adds `table`'s wanted columns to `columns`; picks its `StoredCheck` fields, in order, from a row."""
            positions = []
            for name in StoredCheck._fields:
                if name in identity:
                    positions.append(identity[name])
                elif name in wanted:
                    positions.append(len(columns))
                    columns.append(_check_column(table, name, f"{table.name}_{name}"))
                else:
                    positions.append(unread_at)
            return operator.itemgetter(*positions)

        latest, previous = RepositoryCheck.alias("latest"), RepositoryCheck.alias("previous")
        take_latest, take_previous = take(latest), take(previous)
        statement = (
            select(*columns)
            .join_from(picks, latest, latest.c.id == picks.c.latest_id)
            .outerjoin(previous, previous.c.id == picks.c.previous_id)
            .order_by(picks.c.key)
        )
        status_at, id_at = StoredCheck._fields.index("status"), StoredCheck._fields.index("id")

        def check(values: Sequence[Any]) -> StoredCheck:
            fields = list(values)
            fields[status_at] = _STATUSES[fields[status_at]]
            return StoredCheck._make(fields)

        def read(connection: Connection) -> list[CheckRow]:
            rows = []
            for row in connection.execute(statement):
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

        return run_read(self._engine, read)


def _promise(kind: str | None, sentence: str | None) -> Promise | None:
    """The stored promise; a kind this version does not know (a newer writer's) reads as not recorded."""
    if kind is None or sentence is None or kind not in set(PromiseKind):
        return None
    return Promise(kind=PromiseKind(kind), sentence=sentence)


# `paper_links.provenance` of links the paper did not write itself.
SHORT_LINK = "short_link"
FOUND_LATER = "found_later"


def _aware(value: datetime | None) -> datetime | None:
    """A time read through a subquery, which bypasses the column type on SQLite: naive UTC there."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _artifact_check(row: Row[Any]) -> ArtifactCheckRow:
    return ArtifactCheckRow(
        run_id=row.run_id,
        checked_at=row.checked_at,
        state=row.state,
        reason=row.reason,
        evidence=tuple(row.evidence or ()),
        final_url=row.final_url,
        redirects=tuple(row.redirects or ()),
        facts=dict(row.facts or {}),
        dns_failing_since=row.dns_failing_since,
    )


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unfinished_runs() -> Select[Any]:
    columns = (TrackingRun.c.id, TrackingRun.c.started_at, TrackingRun.c.host, TrackingRun.c.pid)
    return select(*columns).where(
        TrackingRun.c.status == RunStatus.RUNNING.value, TrackingRun.c.finished_at.is_(None)
    )


def _run_counts(connection: Connection, run_id: int) -> tuple[int, int]:
    """(distinct papers linked to the run's checked repositories, repositories checked)."""
    checked = select(RepositoryCheck.c.repository_id).where(RepositoryCheck.c.run_id == run_id)
    papers = connection.execute(
        select(func.count(func.distinct(PaperLink.c.paper_id))).where(PaperLink.c.repository_id.in_(checked))
    ).scalar_one()
    repositories = connection.execute(
        select(func.count()).select_from(RepositoryCheck).where(RepositoryCheck.c.run_id == run_id)
    ).scalar_one()
    return papers, repositories


def _checks_query() -> Select[Any]:
    return select(*_CHECK_COLUMNS, Repository.c.key, Repository.c.canonical).join(
        Repository, Repository.c.id == RepositoryCheck.c.repository_id
    )


def _check_values(
    facts: RepoFacts,
    results: Sequence[CheckResult],
    *,
    health: str,
    repro_score: int | None,
) -> dict[str, Any]:
    """The columns of one check row, from plain records."""
    if repro_score is not None and not 0 <= repro_score <= 100:
        raise ValueError(f"repro_score must be 0-100, got {repro_score} for {facts.ref}")
    metadata, activity = facts.metadata, facts.activity
    from_files = [finding for finding in facts.licenses if finding.source != "api"]
    # The license files' expression; a README's declaration or an unidentified file only when no file names one.
    expression, confidence, _ = repository_license(from_files)
    best_file = max(from_files, key=lambda f: (f.spdx is not None, f.source == "file", f.confidence), default=None)
    if expression is not None:
        best_file = LicenseFinding(spdx=expression, confidence=confidence or 0.0, source="file")
    values: dict[str, Any] = {
        "checked_at": facts.checked_at,
        "status": facts.status.value,
        "http_status": facts.http_status,
        "detail": facts.detail,
        "moved_to": facts.moved_to.canonical if facts.moved_to is not None else None,
        "license_file": best_file.spdx if best_file else None,
        "license_confidence": best_file.confidence if best_file else None,
        "licenses": [
            {"spdx": f.spdx, "confidence": f.confidence, "source": f.source, "path": f.path}
            | ({"how": f.how} if f.how is not None else {}) | ({"closest": f.closest} if f.closest is not None else {})
            for f in facts.licenses
        ],
        "health": health,
        "repro_score": repro_score,
        "results": [
            {
                "name": r.name,
                "outcome": r.outcome.value,
                "score": r.score,
                "reason": r.reason,
                "evidence": list(r.evidence),
            }
            for r in results
        ],
        "outcomes": {r.name: r.outcome.value for r in results},
    }
    if metadata is not None:
        values |= {
            "stars": metadata.stars,
            "forks": metadata.forks,
            "open_issues": metadata.open_issues,
            "description": metadata.description,
            "homepage": metadata.homepage,
            "default_branch": metadata.default_branch,
            "created_at": metadata.created_at,
            "pushed_at": metadata.pushed_at,
            "fork_parent": metadata.fork_parent,
            "topics": list(metadata.topics),
            "language": metadata.language,
            "license_api": metadata.license_spdx,
            "latest_release": metadata.latest_release,
            "latest_release_at": metadata.latest_release_at,
        }
    if activity is not None:
        values |= {
            "head_commit": activity.head_commit,
            "last_commit_at": activity.last_commit_at,
            "first_commit_at": activity.first_commit_at,
            "commits_90d": activity.commits_90d,
            "commits_365d": activity.commits_365d,
            "contributors": activity.contributors,
            "tags": activity.tags,
        }
    for name, value in values.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(f"naive datetime in {name} of {facts.ref}: the store keeps timezone-aware times only")
    return values
