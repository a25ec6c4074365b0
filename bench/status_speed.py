"""How fast `repro-tracker status` answers at 10,000 (or 100,000) repositories x 2 runs, SQLite or PostgreSQL.

The store is filled through the Store API (papers, two runs, one check per
repository per run, a tenth of them changed in the second run), then
`status` (on a terminal, whose table shows 200 rows, and piped, every row)
and `status --json` run as a user runs them: a fresh process each, so the
timing includes Python's start and the imports. The target is well
under a second. The SQL part is timed apart, in this process: the store
reads `status` makes (`latest_checks` of the listed fields, the papers'
titles) and those `report` makes, then `repro-tracker report` whole.

    .venv/bin/python bench/status_speed.py [--repositories 10000] [--keep DIR]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/DB]  (an existing, empty or filled, database)
        [--commands-only]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.checks import run_checks
from tracker.checks.score import health, repro_score
from tracker.records import (
    Activity,
    FoundLink,
    LicenseFinding,
    Metadata,
    Paper,
    PaperLinks,
    RepoFacts,
    RepoFiles,
    RepoRef,
    Status,
)
from tracker.store import open_store

FIRST_RUN = datetime(2026, 10, 1, tzinfo=UTC)


def facts_for(index: int, run: int) -> RepoFacts:
    """A plausible live repository; in the second run every tenth one is gone or relicensed."""
    ref = RepoRef("github.com", f"lab{index % 500}", f"model-{index}")
    checked_at = FIRST_RUN + timedelta(days=30 * run, seconds=index)
    if run == 1 and index % 10 == 0:
        return RepoFacts(ref=ref, status=Status.MISSING, detail=f"GitHub answered 404 for /repos/{ref.full_name}",
                         checked_at=checked_at, http_status=404)
    spdx = "Apache-2.0" if run == 1 and index % 10 == 5 else "MIT"
    return RepoFacts(
        ref=ref, status=Status.OK, detail=f"GitHub answered 200 for /repos/{ref.full_name}", checked_at=checked_at,
        http_status=200,
        metadata=Metadata(stars=index % 997, forks=3, description="Code for the paper.", license_spdx=spdx,
                          pushed_at=checked_at - timedelta(days=index % 400)),
        activity=Activity(head_commit=f"{index:040x}", last_commit_at=checked_at - timedelta(days=index % 400),
                          commits_90d=index % 7, commits_365d=index % 40, contributors=1 + index % 5),
        files=RepoFiles(paths=("README.md", "LICENSE", "train.py", "requirements.txt"),
                        texts={"README.md": "# model\n\n```\npython train.py\n```\n"}),
        licenses=(LicenseFinding(spdx, 1.0, "api"),),
    )


def fill(url: str, repositories: int) -> float:
    started = time.perf_counter()
    with open_store(url) as store:
        found = []
        for index in range(repositories):
            paper = Paper(id=f"arxiv:2601.{index:05d}", title=f"Paper number {index}", abstract="", source="bench")
            ref = facts_for(index, 0).ref
            found.append(PaperLinks(paper=paper, links=(FoundLink(raw=ref.https_url, repo=ref),), code_promised=True))
        store.add_papers(found)
        for run in range(2):
            run_id = store.start_run(sources=["bench"])
            for index in range(repositories):
                facts = facts_for(index, run)
                results = tuple(run_checks(facts, facts.checked_at))
                store.record_check(run_id, facts, results, health=health(facts, results),
                                   repro_score=repro_score(results))
            store.finish_run(run_id, "completed")
    return time.perf_counter() - started


def timed(args: list[str], env: dict[str, str], times: int = 3) -> tuple[float, float, int]:
    """Best wall time and best CPU time (user + system of the child) of `times` fresh processes, and output size.

    The CPU time does not depend on what else the shared machine runs; the wall time does.
    """
    best, best_cpu, size = float("inf"), float("inf"), 0
    for _ in range(times):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        size = len(done.stdout)
    return best, best_cpu, size


def replicate(url: str, base: int, repositories: int) -> None:
    """Copies of the `base` repositories filled through the API (papers, links, both runs' checks) up to `repositories`.

    Each copy renames its repositories and papers (`-<copy>`) and keeps their
    checks row for row: the rows `record_check` wrote, at the cost of one
    statement per table per copy instead of two transactions per repository,
    which on the shared machine would have taken hours at 100,000.
    `latest_checks` is then filled as `record_check` keeps it.
    """
    from sqlalchemy import insert, null, select

    from tracker.store.models import Paper, PaperLink, PaperSource, Repository, RepositoryCheck

    last_paper = f"arxiv:2601.{base - 1:05d}"
    with open_store(url) as store, store.engine.begin() as connection:
        for number in range(1, -(-repositories // base)):
            suffix, shift = f"-{number}", number * base
            count = min(base, repositories - shift)
            renamed: list[tuple[Any, dict[str, Any], Any]] = [
                (Repository, {"id": Repository.c.id + shift, **{name: Repository.c[name] + suffix
                                                               for name in ("name", "canonical", "key")}},
                 Repository.c.id <= count),
                (Paper, {"id": Paper.c.id + suffix}, Paper.c.id <= f"arxiv:2601.{count - 1:05d}"),
                (PaperSource, {"paper_id": PaperSource.c.paper_id + suffix},
                 PaperSource.c.paper_id <= f"arxiv:2601.{count - 1:05d}"),
                (PaperLink, {"paper_id": PaperLink.c.paper_id + suffix,
                             "repository_id": PaperLink.c.repository_id + shift}, PaperLink.c.repository_id <= count),
                (RepositoryCheck, {"repository_id": RepositoryCheck.c.repository_id + shift, "same_as_id": null()},
                 RepositoryCheck.c.repository_id <= count),
            ]
            for table, changed, originals in renamed:
                names = [column.name for column in table.c if column.name != "id" or "id" in changed]
                columns = [changed[name].label(name) if name in changed else table.c[name] for name in names]
                # Only the first copy's rows: those the API wrote (ids up to `base`, paper ids without a suffix).
                within = originals if table is not Paper and table is not PaperSource else (
                    originals & (table.c[names[0] if table is Paper else "paper_id"] <= last_paper)
                    & ~table.c[names[0] if table is Paper else "paper_id"].contains("-"))
                connection.execute(insert(table).from_select(names, select(*columns).where(within)))
        fill_latest_checks(connection)


def fill_latest_checks(connection: Any) -> None:
    """`latest_checks` as `record_check` keeps it, for a store of two runs (1 and 2) written in SQL."""
    from sqlalchemy import delete, insert, select

    from tracker.store.models import LISTED_COLUMNS, LatestCheck, RepositoryCheck

    latest, previous = RepositoryCheck.alias("latest"), RepositoryCheck.alias("previous")
    names = ["repository_id", "latest_id", "latest_run_id", "previous_id", "previous_run_id"]
    copied = [latest.c.repository_id, latest.c.id, latest.c.run_id, previous.c.id, previous.c.run_id]
    for which, check in (("latest", latest), ("previous", previous)):
        names += [f"{which}_{name}" for name in LISTED_COLUMNS]
        copied += [check.c[name] for name in LISTED_COLUMNS]
    connection.execute(delete(LatestCheck))
    connection.execute(insert(LatestCheck).from_select(names, select(*copied).outerjoin(
        previous, (previous.c.repository_id == latest.c.repository_id) & (previous.c.run_id == 1)
    ).where(latest.c.run_id == 2)))


def add_unchanged_runs(url: str, runs: int) -> None:
    """Runs 3.. `runs`: every repository re-checked unchanged, written in SQL as `record_check` writes them.

    An observation of the full row its latest check holds (run, repository,
    time, status, `same_as_id`), and `latest_checks` moved along: one
    statement per run instead of 100,000 transactions, so 100,000 x 30 can be
    measured at all. The rows are the ones the store writes (tests/test_store_history.py).
    """
    from sqlalchemy import func, insert, literal, select, update

    from tracker.store.models import LISTED_COLUMNS, LatestCheck, RepositoryCheck, UTCDateTime

    with open_store(url) as store:
        done = len(store.runs())
        for run in range(done, runs):
            run_id = store.start_run(sources=["bench"])
            at = FIRST_RUN + timedelta(days=30 * run)
            latest = RepositoryCheck.alias("latest")
            observed = select(literal(run_id), latest.c.repository_id, literal(at, UTCDateTime()), latest.c.status,
                              func.coalesce(latest.c.same_as_id, latest.c.id)).join(
                LatestCheck, LatestCheck.c.latest_id == latest.c.id)
            new_id = select(RepositoryCheck.c.id).where(RepositoryCheck.c.run_id == run_id,
                                                        RepositoryCheck.c.repository_id == LatestCheck.c.repository_id)
            with store.engine.begin() as connection:
                connection.execute(insert(RepositoryCheck).from_select(
                    ["run_id", "repository_id", "checked_at", "status", "same_as_id"], observed))
                moved = {f"previous_{name}": LatestCheck.c[f"latest_{name}"]
                         for name in ("id", "run_id", *LISTED_COLUMNS)}
                connection.execute(update(LatestCheck).values(
                    **moved, latest_id=new_id.scalar_subquery(), latest_run_id=run_id, latest_checked_at=at))
            store.finish_run(run_id, "completed")


def database_bytes(url: str) -> int:
    with open_store(url) as store, store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            pages, free, size = (connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                                 for name in ("page_count", "freelist_count", "page_size"))
            return int((pages - free) * size)
        return int(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())


def best_of(times: int, work: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and best CPU time of this process (the client's; PostgreSQL's server CPU is not in it)."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        best, best_cpu = min(best, time.perf_counter() - started), min(best_cpu, time.process_time() - started_cpu)
    return best, best_cpu


def sql_part(url: str) -> None:
    """The store reads of `status` and of `report`, timed in this process (no Python start, no rendering)."""
    from tracker.report.load import HISTORY_FIELDS, REPO_ENTRY_FIELDS, STATUS_FIELDS

    with open_store(url) as store:
        status_fields = (*STATUS_FIELDS, "outcomes_json")
        reads: dict[str, Callable[[], object]] = {
            "latest_checks (status --json fields)": lambda: store.latest_checks(fields=status_fields),
            "latest_checks (report fields)": lambda: store.latest_checks(fields=REPO_ENTRY_FIELDS),
            "latest_checks (every field)": lambda: store.latest_checks(),
            "latest_checks (as of run 1)": lambda: store.latest_checks(run_id=1, fields=status_fields),
            "paper_titles": store.paper_titles,
            "status_counts": store.status_counts,
            "gone_since": store.gone_since,
            "all_checks (timeline fields)": lambda: store.all_checks(HISTORY_FIELDS),
        }
        for label, read in reads.items():
            wall, cpu = best_of(3, read)
            print(f"  SQL {label:>38}: {wall:.3f} s wall, {cpu:.3f} s CPU (best of 3, in process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="Keep the database in this folder.")
    parser.add_argument("--url", help="A PostgreSQL database to fill (if it has no runs) and time, instead of SQLite.")
    parser.add_argument("--base", type=int, default=None,
                        help="Fill only this many through the API and copy them in SQL up to --repositories.")
    parser.add_argument("--runs", type=int, default=2,
                        help="Add runs up to this many, each an unchanged re-check of every repository (in SQL).")
    parser.add_argument("--report", action="store_true", help="Also time `repro-tracker report` (once).")
    parser.add_argument("--commands-only", action="store_true",
                        help="Time the commands alone, not the store's reads in this process.")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="status-speed-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "status-speed.db"
    url = options.url or f"sqlite:///{database}"
    with open_store(url) as store:
        empty = not store.runs()
    if empty:
        print(f"filling {options.repositories} repositories x 2 runs ...", flush=True)
        through_api = options.base or options.repositories
        print(f"  filled {through_api} through the API in {fill(url, through_api):.1f} s")
        if through_api < options.repositories:
            started = time.perf_counter()
            replicate(url, through_api, options.repositories)
            print(f"  copied up to {options.repositories} in SQL in {time.perf_counter() - started:.1f} s")
    if options.runs > 2:
        started = time.perf_counter()
        add_unchanged_runs(url, options.runs)
        print(f"  runs 3-{options.runs} added as unchanged re-checks in {time.perf_counter() - started:.1f} s")
    print(f"database: {database_bytes(url) / 1e6:,.1f} MB in use")
    env = {**os.environ, "COLUMNS": "160", "REPRO_TRACKER_HOME": str(folder)}
    command = [sys.executable, "-m", "tracker.cli", "status", "--db", url]
    baseline, baseline_cpu, _ = timed([sys.executable, "-c", "pass"], env)
    imports, imports_cpu, _ = timed([sys.executable, "-c", "import tracker.cli"], env)
    print(f"python start {baseline:.3f} s ({baseline_cpu:.3f} s CPU); "
          f"import tracker.cli {imports:.3f} s ({imports_cpu:.3f} s CPU)")
    if not options.commands_only:
        sql_part(url)
    # Captured output is piped (every row); TTY_COMPATIBLE=1 makes rich draw the terminal's table (200 rows).
    terminal = {**env, "TTY_COMPATIBLE": "1"}
    for label, extra, where in (("status (terminal)", [], terminal), ("status --changed (terminal)", ["--changed"],
                                terminal), ("status --limit 1000 --sort score", ["--limit", "1000", "--sort", "score"],
                                env), ("status (piped)", [], env), ("status --json", ["--json"], env),
                                ("status --changed (piped)", ["--changed"], env)):
        seconds, cpu, size = timed(command + extra, where)
        print(f"{label:>33}: {seconds:.3f} s wall, {cpu:.3f} s CPU (best of 3, whole process), "
              f"{size / 1e6:.1f} MB of output")
    if options.report:
        report = [sys.executable, "-m", "tracker.cli", "report", "--db", url, "--out", str(folder / "reports")]
        seconds, cpu, _ = timed(report, env, times=1)
        print(f"{'report':>18}: {seconds:.3f} s wall, {cpu:.3f} s CPU (once, whole process)")


if __name__ == "__main__":
    main()
