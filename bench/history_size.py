"""What history costs: bytes per repository of a re-check that changed nothing, and of one that changed.

For SQLite and, with --url, PostgreSQL: N repositories are checked through
the Store API (papers, then run 1: every check a full row), then re-checked
with the same facts 6 hours later (run 2: unchanged), again with a tenth of
them changed (run 3), and once more a day later with run 3's facts (run 4:
unchanged, but whatever the checks' texts say about time turns into a change). Each run's
growth of the database, divided by N, is its cost per repository. The same
is measured with compaction off (every digest unique: every check a full
row, as before migration 0011) for the ratio. The size at 100,000
repositories x 30 runs is extrapolated from these per-check figures.

SQLite: (page_count - freelist_count) x page_size after a WAL checkpoint,
i.e. the pages in use. PostgreSQL: pg_total_relation_size (heap, TOAST and
indexes) of repository_checks and latest_checks after a VACUUM.

    .venv/bin/python bench/history_size.py [--repositories 2000] [--url postgresql+psycopg://.../DB]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

import tracker.store.checks as checks_module
from tracker.checks import run_checks
from tracker.checks.score import health, repro_score
from tracker.records import Activity, FoundLink, LicenseFinding, Metadata, Paper, PaperLinks, RepoFacts, RepoRef, Status
from tracker.store import Store, open_store

FIRST_RUN = datetime(2026, 10, 1, tzinfo=UTC)
RUN_OFFSETS = (timedelta(0), timedelta(hours=6), timedelta(hours=12), timedelta(days=1, hours=12))
PAPER_ROWS = ("papers", "paper_links", "paper_sources", "link_provenance", "repositories", "artifacts")


def facts_for(index: int, checked_at: datetime, changed: bool) -> RepoFacts:
    """A plausible live repository, as `bench/status_speed.py` makes them; `changed` gains it a star and a commit."""
    ref = RepoRef("github.com", f"lab{index % 500}", f"model-{index}")
    pushed = FIRST_RUN - timedelta(days=index % 400, hours=1)
    return RepoFacts(
        ref=ref, status=Status.OK, detail=f"GitHub answered 200 for /repos/{ref.full_name}", checked_at=checked_at,
        http_status=200,
        metadata=Metadata(stars=index % 997 + changed, forks=3, description="Code for the paper.",
                          license_spdx="MIT", pushed_at=pushed, topics=("deep-learning",), language="Python"),
        activity=Activity(head_commit=f"{index + changed:040x}", last_commit_at=pushed, commits_90d=index % 7,
                          commits_365d=index % 40, contributors=1 + index % 5),
        licenses=(LicenseFinding("MIT", 1.0, "api"), LicenseFinding("MIT", 0.98, "file", path="LICENSE")),
    )


def used_bytes(store: Store, tables: tuple[str, ...]) -> dict[str, int]:
    engine: Engine = store.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            pages, free, size = (connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                                 for name in ("page_count", "freelist_count", "page_size"))
        return {"file": (pages - free) * size}
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM")
        return {table: connection.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]
                for table in tables}


def measure(url: str, repositories: int) -> list[int]:
    """Bytes per repository added by each run of RUN_OFFSETS (run 3: a tenth changed)."""
    tables = ("repository_checks", "latest_checks")
    with open_store(url) as store:
        store.add_papers(PaperLinks(
            paper=Paper(id=f"arxiv:2601.{index:05d}", title=f"Paper {index}", abstract="", source="bench"),
            links=(FoundLink(raw=ref.https_url, repo=ref),), code_promised=True)
            for index in range(repositories) for ref in (facts_for(index, FIRST_RUN, False).ref,))
        sizes = [sum(used_bytes(store, tables).values())]
        for run, offset in enumerate(RUN_OFFSETS):
            run_id = store.start_run(["bench"])
            for index in range(repositories):
                facts = facts_for(index, FIRST_RUN + offset + timedelta(seconds=index), run >= 2 and index % 10 == 0)
                results = tuple(run_checks(facts, facts.checked_at))
                store.record_check(run_id, facts, results, health=health(facts, results),
                                   repro_score=repro_score(results))
            store.finish_run(run_id, "completed")
            sizes.append(sum(used_bytes(store, tables).values()))
        with store.engine.connect() as connection:
            full = connection.execute(text("SELECT run_id, count(*) FROM repository_checks WHERE same_as_id IS NULL "
                                           "GROUP BY run_id ORDER BY run_id")).all()
        print(f"    full rows per run: {dict(full)}")
    return [(after - before) // repositories for before, after in itertools.pairwise(sizes)]


@contextmanager
def compaction_off() -> Iterator[None]:
    counter = itertools.count()
    original = checks_module.content_digest
    checks_module.content_digest = lambda values: f"unique-{next(counter)}"
    try:
        yield
    finally:
        checks_module.content_digest = original


def reset_pg(url: str) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--url", help="Also measure this PostgreSQL database (its public schema is emptied!).")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="history-size-"))
    targets = [("sqlite", lambda name: f"sqlite:///{folder / name}.db")]
    if options.url:
        targets.append(("postgresql", lambda _name: options.url))
    n = options.repositories
    for dialect, url_of in targets:
        results = {}
        for label, off in (("compacted", False), ("every row full", True)):
            url = url_of(label.replace(" ", "-"))
            if dialect == "postgresql":
                reset_pg(url)
            print(f"{dialect}, {label}, {n} repositories:")
            if off:
                with compaction_off():
                    results[label] = measure(url, n)
            else:
                results[label] = measure(url, n)
            first, unchanged, tenth, a_day_later = results[label]
            print(f"    bytes per repository: first check {first}, unchanged re-check {unchanged}, "
                  f"re-check with a tenth changed {tenth}, unchanged re-check a day later {a_day_later}")
        first, unchanged, tenth, _ = results["compacted"]
        for label, per_run in (("all unchanged", unchanged), ("a tenth changed per run", tenth)):
            size = 100_000 * (first + 29 * per_run)
            print(f"    {dialect}: checks at 100,000 repositories x 30 runs, {label}: {size / 1e6:,.0f} MB "
                  f"(every row full: {100_000 * 30 * results['every row full'][0] / 1e6:,.0f} MB)")


if __name__ == "__main__":
    main()
