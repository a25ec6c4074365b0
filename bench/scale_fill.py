"""Stores of 100,000 and 300,000 repositories for the status, report and memory benches, in minutes.

Filling through the Store API costs ~4.5 ms per check (one transaction each):
300,000 repositories x 2 runs would take most of an hour. So a base of
`BASE` repositories is filled through the API (`status_speed.fill`, the real
write path), then copied in SQL as many times as needed, each copy with its
own keys, paper ids and row ids (`multiply`). Every copy holds the same mix of
statuses, licenses and changes as the base, which is what the readers care
about; the SQL is SQLAlchemy Core, so it runs on SQLite and PostgreSQL alike.

    .venv/bin/python bench/scale_fill.py --repositories 100000 --db sqlite:////tmp/x/status-speed.db
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from sqlalchemy import Table, func, insert, literal, select, text

from tracker.store import open_store
from tracker.store.models import (
    LinkProvenance,
    Paper,
    PaperLink,
    PaperSource,
    Repository,
    RepositoryCheck,
)

BASE = 10_000


def multiply(url: str, factor: int) -> None:
    """Make `factor` copies of what the store holds (the original is copy 0)."""
    with open_store(url) as store:
        engine = store.engine
    with engine.begin() as connection:
        top = {table.name: connection.execute(select(func.max(table.c.id))).scalar_one()
               for table in (PaperSource, Repository, PaperLink, LinkProvenance, RepositoryCheck)}
        for copy in range(1, factor):
            suffix = f"-c{copy}"
            off = {name: copy * value for name, value in top.items()}
            original = select(Paper).where(Paper.c.id.not_like("%-c%")).subquery()
            _copy_select(connection, Paper, original, {
                "id": original.c.id + literal(suffix),
                "title": original.c.title + literal(suffix),
                "title_key": original.c.title_key + literal(suffix),
            })
            sources = select(PaperSource).where(PaperSource.c.id <= top["paper_sources"]).subquery()
            _copy_select(connection, PaperSource, sources, {
                "id": sources.c.id + off["paper_sources"], "paper_id": sources.c.paper_id + literal(suffix)})
            repositories = select(Repository).where(Repository.c.id <= top["repositories"]).subquery()
            _copy_select(connection, Repository, repositories, {
                "id": repositories.c.id + off["repositories"],
                "name": repositories.c.name + literal(suffix),
                "canonical": repositories.c.canonical + literal(suffix),
                "key": repositories.c.key + literal(suffix),
                "moved_to_id": repositories.c.moved_to_id + off["repositories"],
            })
            links = select(PaperLink).where(PaperLink.c.id <= top["paper_links"]).subquery()
            _copy_select(connection, PaperLink, links, {
                "id": links.c.id + off["paper_links"], "paper_id": links.c.paper_id + literal(suffix),
                "repository_id": links.c.repository_id + off["repositories"]})
            if top["link_provenance"]:
                provenance = select(LinkProvenance).where(LinkProvenance.c.id <= top["link_provenance"]).subquery()
                _copy_select(connection, LinkProvenance, provenance, {
                    "id": provenance.c.id + off["link_provenance"],
                    "link_id": provenance.c.link_id + off["paper_links"]})
            checks = select(RepositoryCheck).where(RepositoryCheck.c.id <= top["repository_checks"]).subquery()
            _copy_select(connection, RepositoryCheck, checks, {
                "id": checks.c.id + off["repository_checks"],
                "repository_id": checks.c.repository_id + off["repositories"]})
        if connection.dialect.name == "postgresql":
            for table in (PaperSource, Repository, PaperLink, LinkProvenance, RepositoryCheck):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _copy_select(connection: Any, table: Table, source: Any, change: dict[str, Any]) -> None:
    columns = [column.name for column in table.columns]
    values = [change.get(name, source.c[name]) for name in columns]
    connection.execute(insert(table).from_select(columns, select(*values)))


def fill_scaled(url: str, repositories: int) -> float:
    """A store of `repositories` x 2 runs: `BASE` through the Store API, the rest copied."""
    from status_speed import fill  # type: ignore[import-not-found]

    started = time.perf_counter()
    base = min(BASE, repositories)
    if repositories % base:
        raise SystemExit(f"--repositories must be a multiple of {base}")
    fill(url, base)
    multiply(url, repositories // base)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=100_000)
    parser.add_argument("--db", required=True)
    options = parser.parse_args()
    print(f"filled {options.repositories} x 2 runs in {fill_scaled(options.db, options.repositories):.1f} s")


if __name__ == "__main__":
    main()

