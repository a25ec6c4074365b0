"""Papers: ingest (`paper_merge` joins what several sources say of one), listings, harvest places, promises.

Ingest commits every `INGEST_BATCH` papers, so an interrupted ingest keeps
whole batches and the next one adds the rest; nothing is ever added twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Row, Select, exists, select, update

from tracker.artifacts.kinds import artifact_kind
from tracker.ingest.identity import title_hash
from tracker.records import (
    FROM_THE_PAPER,
    Artifact,
    ArtifactKind,
    PaperLinks,
    Promise,
    PromiseKind,
    Provenance,
    RepoRef,
)
from tracker.store import paper_merge
from tracker.store.artifacts import note_found_link
from tracker.store.checks import CheckRecords
from tracker.store.dialect import insert_for
from tracker.store.models import (
    ArtifactRecord,
    HarvestState,
    LinkProvenance,
    Paper,
    PaperLink,
    PaperSource,
    Repository,
)
from tracker.store.repositories import IN_CHUNK, chunks, ensure_repositories
from tracker.store.retry import run_read, run_write
from tracker.store.rows import IngestSummary, LinkingPaper, ListedLink, ListedPaper, PaperRow, PromiseDue

if TYPE_CHECKING:
    from tracker.sources.state import HarvestPlace

# A crash loses at most one open batch; memory holds at most one batch.
INGEST_BATCH = 500


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


class PaperRecords:
    """The `papers`, `paper_links`, `paper_sources`, `link_provenance` and `harvest_state` tables."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], checks: CheckRecords) -> None:
        self._engine = engine
        self._clock = clock
        self._checks = checks  # for the latest status of each listed repository

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
        new_repositories, repository_ids = ensure_repositories(connection, refs.values(), now)
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
        for chunk in chunks(ids, IN_CHUNK):
            found.update(connection.execute(select(Paper.c.id).where(Paper.c.id.in_(chunk))).scalars())
        return found

    # -- harvest state (tracker.sources.read.HarvestState) ---------------------

    def harvest_place(self, source: str) -> HarvestPlace | None:
        """Where the OAI-PMH harvest of `source` (its spec) stands; None before its first page."""
        statement = select(HarvestState).where(HarvestState.c.source == source)
        row = run_read(self._engine, lambda connection: connection.execute(statement).first())
        if row is None:
            return None
        from tracker.sources.state import HarvestPlace

        return HarvestPlace(row.datestamp, row.resumption_token, row.seen_datestamp)

    def save_harvest_place(self, source: str, place: HarvestPlace) -> None:
        values = {"datestamp": place.datestamp, "resumption_token": place.token, "seen_datestamp": place.seen,
                  "updated_at": self._clock()}

        def work(connection: Connection) -> None:
            statement = insert_for(connection, HarvestState).values(source=source, **values)
            connection.execute(statement.on_conflict_do_update(index_elements=["source"], set_=values))

        run_write(self._engine, work)


    def papers_with_links(self) -> list[PaperRow]:
        """Every paper with its repositories (keys) and artifacts, oldest first."""
        papers_query = _PAPERS.order_by(Paper.c.first_seen_at, Paper.c.id)

        def read(connection: Connection) -> tuple[list[Row[Any]], list[Row[Any]]]:
            return list(connection.execute(papers_query)), list(connection.execute(_LINKS.order_by(PaperLink.c.id)))

        return _paper_rows(*run_read(self._engine, read))

    def iter_papers_with_links(self, *, page: int = 5_000) -> Iterator[PaperRow]:
        """`papers_with_links` a page at a time, in id order (not oldest first): for a report of any size.

        Keyset pagination by id (the primary key), each page one short read
        transaction of its papers and their links, so at most `page` papers
        are held; a caller that needs the oldest-first order sorts by
        (`first_seen_at`, `id`).
        """
        after: str | None = None
        while True:
            papers_query = _PAPERS.order_by(Paper.c.id).limit(page)
            if after is not None:
                papers_query = papers_query.where(Paper.c.id > after)

            def read(connection: Connection, query: Select[Any] = papers_query,
                     after: str | None = after) -> tuple[list[Row[Any]], ...]:
                papers = list(connection.execute(query))
                if not papers:
                    return papers, []
                # The page's links by the same range of ids, compared by the database as the page was: one query.
                in_page = PaperLink.c.paper_id <= papers[-1].id
                if after is not None:
                    in_page = in_page & (PaperLink.c.paper_id > after)
                return papers, list(connection.execute(_LINKS.where(in_page).order_by(PaperLink.c.id)))

            papers, links = run_read(self._engine, read)
            yield from _paper_rows(papers, links)
            if len(papers) < page:
                return
            after = papers[-1].id

    def papers_linking(self, keys: Sequence[str]) -> list[PaperRow]:
        """The papers that link any of the repositories `keys`, with every link of theirs, oldest first.

        What `papers_with_links` holds of them, read for a page of repositories
        (a report's rows, its sections) rather than for every paper.
        """
        def read(connection: Connection) -> tuple[list[Row[Any]], list[Row[Any]]]:
            papers: dict[str, Row[Any]] = {}
            links: dict[tuple[Any, ...], Row[Any]] = {}  # a paper that links two chunks' keys comes twice
            for chunk in chunks(sorted(set(keys)), IN_CHUNK):
                linked = (select(PaperLink.c.paper_id).join(Repository, Repository.c.id == PaperLink.c.repository_id)
                          .where(Repository.c.key.in_(chunk)))
                papers.update((paper.id, paper) for paper in connection.execute(_PAPERS.where(Paper.c.id.in_(linked))))
                links.update((tuple(link), link) for link in connection.execute(  # type: ignore[misc]
                    _LINKS.where(PaperLink.c.paper_id.in_(linked))))
            return (sorted(papers.values(), key=lambda paper: (paper.first_seen_at, paper.id)),
                    sorted(links.values(), key=lambda link: link.id))

        return _paper_rows(*run_read(self._engine, read))

    def papers_of(self, keys: Sequence[str]) -> dict[str, list[LinkingPaper]]:
        """Per repository of `keys`, the papers that link it (title and dates), oldest first.

        What a report row shows of its papers, read for a page of repositories
        as `iter_latest_checks` gives them: `keys` in the store's key order,
        read as the one range from the first to the last (one query, compared
        by the database as the page was), the keys between them that are not
        asked for left out. `papers_linking` reads the papers whole.
        """
        if not keys:
            return {}
        wanted = set(keys)
        statement = (
            select(Repository.c.key, Paper.c.title, Paper.c.published, Paper.c.first_seen_at)
            .join(PaperLink, PaperLink.c.repository_id == Repository.c.id)
            .join(Paper, Paper.c.id == PaperLink.c.paper_id)
            .where(Repository.c.key >= keys[0], Repository.c.key <= keys[-1])
            .order_by(Paper.c.first_seen_at, Paper.c.id)
        )

        def read(connection: Connection) -> dict[str, list[LinkingPaper]]:
            found: dict[str, list[LinkingPaper]] = {}
            for key, title, published, first_seen_at in connection.execute(statement):
                if key in wanted:
                    found.setdefault(key, []).append(LinkingPaper(title, published, first_seen_at))
            return found

        return run_read(self._engine, read)

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
        statuses = {row.key: str(row.latest.status) for row in self._checks.latest_checks(fields=("status",))}
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

    def paper_titles(self, keys: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        """Per repository key (of `keys`, default every one), the titles of the papers that link it, oldest first.

        What a status listing shows of papers, in one narrow query instead of
        every paper with its links (`papers_with_links`).
        """
        statement = (
            select(Repository.c.key, Paper.c.title)
            .join(PaperLink, PaperLink.c.repository_id == Repository.c.id)
            .join(Paper, Paper.c.id == PaperLink.c.paper_id)
            .order_by(Paper.c.first_seen_at, Paper.c.id)
        )
        if keys is not None:
            statement = statement.where(Repository.c.key.in_(sorted(set(keys))))
        titles: dict[str, list[str]] = {}
        for key, title in run_read(self._engine, lambda connection: connection.execute(statement).all()):
            titles.setdefault(key, []).append(title)
        return {key: tuple(found) for key, found in titles.items()}


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
            _, ids = ensure_repositories(connection, [found], now)
            return note_found_link(connection, [paper_id], ids[found.key], raw_text=where or found.canonical,
                                   provenance=Provenance.FOUND_LATER, found_at=now)

        return run_write(self._engine, work)



# Abstracts are most of a paper's bytes and no PaperRow carries one.
_PAPERS = select(*(c for c in Paper.c if c.name != "abstract"))
_LINKS = (
    select(PaperLink.c.id, PaperLink.c.paper_id, Repository.c.key, PaperLink.c.artifact_url, PaperLink.c.artifact_kind,
           LinkProvenance.c.found_at)
    .outerjoin(Repository, Repository.c.id == PaperLink.c.repository_id)
    .outerjoin(LinkProvenance, (LinkProvenance.c.link_id == PaperLink.c.id)
               & (LinkProvenance.c.provenance == Provenance.FOUND_LATER.value))
)


def _paper_rows(papers: Iterable[Row[Any]], links: Iterable[Row[Any]]) -> list[PaperRow]:
    """`PaperRow`s of `papers` (in their order) with their `links` (in link order)."""
    keys: dict[str, list[str]] = {}
    artifacts: dict[str, list[Artifact]] = {}
    found_later: dict[str, list[tuple[str, datetime]]] = {}
    for link in links:
        if link.key is not None:
            keys.setdefault(link.paper_id, []).append(link.key)
            if link.found_at is not None:
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


def _promise(kind: str | None, sentence: str | None) -> Promise | None:
    """The stored promise; a kind this version does not know (a newer writer's) reads as not recorded."""
    if kind is None or sentence is None or kind not in set(PromiseKind):
        return None
    return Promise(kind=PromiseKind(kind), sentence=sentence)
