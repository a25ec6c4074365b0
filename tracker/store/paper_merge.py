"""One paper, many sources: the parts of an ingest batch that join what several sources say of one paper.

The arXiv id is a paper's identity when known (`papers.id` is ``arxiv:<id>``);
a paper known only by its title (``title:<hash>``) is the arXiv paper whose
normalised title hashes the same (`papers.title_key`), whichever arrives
first: a title-only paper arriving later takes the arXiv paper's id, and an
arXiv paper arriving later absorbs the title-only row (its links, provenance
and sources move over; the row goes). Each source may fill in what the stored
row lacks (an abstract, a url, a date); the publication date of arXiv itself
(API or OAI-PMH: the first version's date) replaces any other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, select, update

from tracker.ingest.identity import title_hash
from tracker.records import PaperLinks
from tracker.store.dialect import insert_for
from tracker.store.models import LinkProvenance, Paper, PaperLink, PaperSource

# Source kinds whose date is arXiv's own first-version date.
DATE_AUTHORITIES = frozenset({"arxiv", "arxiv-list"})
_IN_CHUNK = 500


def _title_id(key: str) -> str:
    return f"title:{key}"


def with_arxiv_identity(connection: Connection, batch: Sequence[PaperLinks]) -> list[PaperLinks]:
    """`batch` with every title-only paper matching an arXiv paper's title (stored or in the batch) renamed to it."""
    keys = {item.paper.id.removeprefix("title:") for item in batch if item.paper.id.startswith("title:")}
    if not keys:
        return list(batch)
    arxiv_by_key: dict[str, str] = {}
    for item in batch:
        if item.paper.id.startswith("arxiv:"):
            arxiv_by_key.setdefault(title_hash(item.paper.title), item.paper.id)
    wanted = sorted(keys - arxiv_by_key.keys())
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = connection.execute(
            select(Paper.c.title_key, Paper.c.id)
            .where(Paper.c.title_key.in_(wanted[start:start + _IN_CHUNK]), Paper.c.id.like("arxiv:%"))
            .order_by(Paper.c.id)
        ).all()
        for row in rows:
            arxiv_by_key.setdefault(row.title_key, row.id)
    renamed: list[PaperLinks] = []
    for item in batch:
        target = arxiv_by_key.get(item.paper.id.removeprefix("title:")) if item.paper.id.startswith("title:") else None
        if target is None:
            renamed.append(item)
        else:
            renamed.append(dataclasses.replace(item, paper=dataclasses.replace(item.paper, id=target)))
    return renamed


def absorb_title_papers(connection: Connection, new_arxiv: Iterable[tuple[str, str]]) -> None:
    """Move the stored title-only papers matching new arXiv papers (id, title key) into them."""
    by_old_id = {_title_id(key): arxiv_id for arxiv_id, key in new_arxiv}
    candidates = sorted(by_old_id)
    found: list[Any] = []
    for start in range(0, len(candidates), _IN_CHUNK):
        found += connection.execute(select(Paper.c.id, Paper.c.first_seen_at)
                                    .where(Paper.c.id.in_(candidates[start:start + _IN_CHUNK]))).all()
    for old in found:
        old_id, arxiv_id = old.id, by_old_id[old.id]
        _move_links(connection, old_id, arxiv_id)
        for row in connection.execute(select(PaperSource.c.source, PaperSource.c.first_seen_at)
                                      .where(PaperSource.c.paper_id == old_id)).all():
            connection.execute(insert_for(connection, PaperSource).on_conflict_do_nothing(),
                               {"paper_id": arxiv_id, "source": row.source, "first_seen_at": row.first_seen_at})
        connection.execute(delete(PaperSource).where(PaperSource.c.paper_id == old_id))
        # The paper was first seen when its title-only copy was.
        connection.execute(update(Paper).where(Paper.c.id == arxiv_id, Paper.c.first_seen_at > old.first_seen_at)
                           .values(first_seen_at=old.first_seen_at))
        connection.execute(delete(Paper).where(Paper.c.id == old_id))


def _move_links(connection: Connection, old_id: str, new_id: str) -> None:
    links = connection.execute(select(PaperLink).where(PaperLink.c.paper_id == old_id)).all()
    for link in links:
        same = PaperLink.c.repository_id == link.repository_id if link.repository_id is not None \
            else PaperLink.c.artifact_url == link.artifact_url
        existing = connection.execute(select(PaperLink.c.id).where(PaperLink.c.paper_id == new_id, same)).scalar()
        if existing is None:
            connection.execute(update(PaperLink).where(PaperLink.c.id == link.id).values(paper_id=new_id))
            continue
        for provenance, found_at in connection.execute(
                select(LinkProvenance.c.provenance, LinkProvenance.c.found_at)
                .where(LinkProvenance.c.link_id == link.id)).all():
            connection.execute(insert_for(connection, LinkProvenance).on_conflict_do_nothing(),
                               {"link_id": existing, "provenance": provenance, "found_at": found_at})
        connection.execute(delete(LinkProvenance).where(LinkProvenance.c.link_id == link.id))
        connection.execute(delete(PaperLink).where(PaperLink.c.id == link.id))


def fill_in(connection: Connection, papers: Iterable[PaperLinks]) -> None:
    """What copies of stored papers add to their rows: an abstract or url they lack, a date (arXiv's wins)."""
    from tracker.sources.spec import source_kind  # at use: the store opens without the sources' imports
    abstracts: list[dict[str, Any]] = []
    urls: list[dict[str, Any]] = []
    dates: list[dict[str, Any]] = []
    authoritative: list[dict[str, Any]] = []
    for item in papers:
        paper = item.paper
        if paper.abstract:
            abstracts.append({"paper_id": paper.id, "value": paper.abstract})
        if paper.url:
            urls.append({"paper_id": paper.id, "value": paper.url})
        if paper.published is not None:
            target = authoritative if source_kind(paper.source) in DATE_AUTHORITIES else dates
            target.append({"paper_id": paper.id, "value": paper.published})
    by_id = Paper.c.id == bindparam("paper_id")
    statements: list[tuple[Any, list[dict[str, Any]]]] = [
        (update(Paper).where(by_id, Paper.c.abstract == "").values(abstract=bindparam("value")), abstracts),
        (update(Paper).where(by_id, Paper.c.url.is_(None)).values(url=bindparam("value")), urls),
        (update(Paper).where(by_id, Paper.c.published.is_(None)).values(published=bindparam("value")), dates),
        (update(Paper).where(by_id, or_(Paper.c.published.is_(None), Paper.c.published != bindparam("value")))
         .values(published=bindparam("value")), authoritative),
    ]
    for statement, rows in statements:
        if rows:
            connection.execute(statement.execution_options(synchronize_session=False), rows)


def record_sources(connection: Connection, papers: Iterable[PaperLinks], now: datetime) -> None:
    from tracker.sources.spec import source_kind
    rows = {(item.paper.id, source_kind(item.paper.source)) for item in papers}
    if rows:
        connection.execute(insert_for(connection, PaperSource).on_conflict_do_nothing(),
                           [{"paper_id": paper, "source": kind, "first_seen_at": now} for paper, kind in sorted(rows)])


def record_provenance(connection: Connection, batch: Sequence[PaperLinks], repository_ids: dict[str, int]) -> None:
    """One `link_provenance` row per (link, provenance) the batch names; links are stored already."""
    wanted: set[tuple[str, str, str]] = set()  # (paper id, "repo:<id>" or "url:<url>", provenance)
    for item in batch:
        for link in item.links:
            if link.repo is not None:
                wanted.add((item.paper.id, f"repo:{repository_ids[link.repo.key]}", link.provenance.value))
            elif link.artifact is not None:
                wanted.add((item.paper.id, f"url:{link.artifact.url}", link.provenance.value))
    if not wanted:
        return
    paper_ids = sorted({paper for paper, _, _ in wanted})
    link_ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(paper_ids), _IN_CHUNK):
        for row in connection.execute(
            select(PaperLink.c.id, PaperLink.c.paper_id, PaperLink.c.repository_id, PaperLink.c.artifact_url)
            .where(PaperLink.c.paper_id.in_(paper_ids[start:start + _IN_CHUNK]))
        ):
            target = f"repo:{row.repository_id}" if row.repository_id is not None else f"url:{row.artifact_url}"
            link_ids[(row.paper_id, target)] = row.id
    rows = [{"link_id": link_ids[(paper, target)], "provenance": provenance}
            for paper, target, provenance in sorted(wanted) if (paper, target) in link_ids]
    if rows:
        connection.execute(insert_for(connection, LinkProvenance).on_conflict_do_nothing(), rows)

