"""How long migration 0011 takes to collapse a history in place, and what it gives back.

A database at revision 0010 is filled as that release's `record_check` wrote
it (every check a full row: the columns `check_row.check_values` makes for
realistic facts and the checks' real results), N repositories x R runs with a
tenth of them changed per run; then the upgrade to head is timed, with this
process's peak memory, and the database's size before, after and (SQLite)
after VACUUM.

    .venv/bin/python bench/migrate_speed.py [--repositories 2000] [--runs 30] [--url postgresql+psycopg://.../DB]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import resource
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from history_size import FIRST_RUN, facts_for
from sqlalchemy import column, insert, table, text

from tracker.checks import run_checks
from tracker.checks.score import health, repro_score
from tracker.store.check_row import check_values
from tracker.store.engine import make_engine
from tracker.store.migrate import upgrade
from tracker.store.models import RepositoryCheck


def size(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return int(connection.exec_driver_sql("PRAGMA page_count").scalar_one()
                       * connection.exec_driver_sql("PRAGMA page_size").scalar_one())
        return int(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())


@functools.cache
def said(index: int, changes: int) -> dict[str, Any]:
    """The columns of a check of repository `index` after `changes` changes (a star and a commit each)."""
    facts = facts_for(index, FIRST_RUN, changed=False)
    assert facts.metadata is not None
    more = dataclasses.replace(facts.metadata, stars=facts.metadata.stars + changes)
    facts = dataclasses.replace(facts, metadata=more)
    results = tuple(run_checks(facts, FIRST_RUN))
    return check_values(facts, results, health=health(facts, results), repro_score=repro_score(results))


def fill(url: str, repositories: int, runs: int) -> None:
    engine = make_engine(url)
    upgrade(engine, "0010")
    checks = table("repository_checks", *(column(c.name, c.type) for c in RepositoryCheck.c
                                          if c.name not in ("same_as_id", "digest")))
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO repositories (id, host, owner, name, kind, canonical, key, first_seen_at) "
            "VALUES (:id, 'github.com', 'o', :name, 'code', :key, :key, :at)"),
            [{"id": index + 1, "name": f"r{index}", "key": f"github.com/o/r{index}", "at": FIRST_RUN}
             for index in range(repositories)])
        for run in range(runs):
            run_id = connection.execute(text(
                "INSERT INTO tracking_runs (started_at, status, sources, papers, repositories_checked, requests_made, "
                "requests_rate_limited) VALUES (:at, 'completed', '[]', 0, 0, 0, 0) RETURNING id"),
                {"at": FIRST_RUN + timedelta(hours=6 * run)}).scalar_one()
            rows = []
            for index in range(repositories):
                changes = sum(1 for earlier in range(1, run + 1) if index % 10 == earlier % 10)
                values = dict(said(index, changes))
                values["checked_at"] = FIRST_RUN + timedelta(hours=6 * run, seconds=index)
                rows.append({"run_id": run_id, "repository_id": index + 1, **values})
            connection.execute(insert(checks), rows)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", help="A PostgreSQL database instead of SQLite (its public schema is emptied!).")
    options = parser.parse_args()
    url = options.url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='migrate-speed-')) / 'store.db'}"
    if options.url:
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
    started = time.perf_counter()
    fill(url, options.repositories, options.runs)
    checks = options.repositories * options.runs
    print(f"filled {options.repositories} x {options.runs} = {checks} checks at 0010 in "
          f"{time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    before = size(engine)
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, started_cpu = time.perf_counter(), time.process_time()
    upgrade(engine)
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    after = size(engine)
    print(f"upgrade 0010 -> head: {wall:.1f} s wall, {cpu:.1f} s CPU of this process "
          f"({checks / wall:,.0f} checks/s wall); peak RSS {peak / 1024:.0f} MB (before the upgrade "
          f"{memory_before / 1024:.0f} MB)")
    print(f"database: {before / 1e6:.1f} MB before, {after / 1e6:.1f} MB after")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        vacuum = sqlite3.connect(str(engine.url.database), isolation_level=None)
        vacuum.execute("VACUUM")
        vacuum.close()
        print(f"  after VACUUM: {size(engine) / 1e6:.1f} MB")
    else:
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("VACUUM FULL repository_checks")
        print(f"  after VACUUM FULL repository_checks: {size(engine) / 1e6:.1f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
