"""Benchmark: a first run over 300,000 repositories that plans one hour of GitHub's budget, and the run after it.

Run: .venv/bin/python bench/budget_plan.py [--n 300000] [--limit 5000] [--runs 2] [--token ghp_...]
     .venv/bin/python bench/budget_plan.py --due-query [--n 300000 | --db URL]  (the due query's cost alone)

The stand-in GitHub (`tests/standin_github.py`) answers every ``bench-lab/model-NNNNNN``
from one template repository (`StandinGitHub.add_synthetic`), with GitHub's rate
limit set as given (5,000: a personal token; 15,000: a GitHub App's installation
token on Enterprise Cloud). 300,000 repositories are stored in bulk through the
Store API (`Store.add_repositories`), then `repro-tracker check --all` runs in a
child process, as a user runs it. Between runs the stand-in's window is passed
(`refill_rate_limits`): its reset time is data, nobody waits an hour.

What is measured: how many repositories one window's budget checks, the ETA the
run prints, the requests it spent against the limit and the reserve (counted by
the stand-in), and that the next run checks the next repositories (none twice
before every one was checked once). No latency is added: the figures are
requests, not seconds; wall times are given for scale only.

``--due-query`` times only what a plan asks the store (`Store.due_counts` and
the `Store.due_records` stream, which share `_due_select`), without and with
``--max-age`` (`_not_conclusive_since`), and prints SQLite's plan of the
statement; on a fresh store of ``--n`` never-checked repositories, or on an
existing one (``--db``, e.g. `bench/scale_fill.py`'s 300,000 x 2 runs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from gitrepos import ml_repo, routing_config  # noqa: E402
from run import machine, run_child  # noqa: E402
from standin_github import StandinGitHub  # noqa: E402

from tracker.hosts.github import GitHubHost  # noqa: E402
from tracker.planned_run import plan_checks  # noqa: E402
from tracker.records import RepoRef  # noqa: E402
from tracker.store import open_store  # noqa: E402

OWNER = "bench-lab"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300_000)
    parser.add_argument("--limit", type=int, default=5000, help="the stand-in's rate limit per hour (REST and GraphQL)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--token", default="bench-token-not-a-secret",
                        help="the token the stand-in accepts (ghs_...: a GitHub App's installation token)")
    parser.add_argument("--due-query", action="store_true", help="time the due query alone, then stop")
    parser.add_argument("--db", help="with --due-query: an existing store instead of a fresh one of --n")
    args = parser.parse_args(argv)
    if args.due_query and args.db:
        _due_query(args.db)
        return
    base = Path(tempfile.mkdtemp(prefix="budget-plan-"))
    remote = base / "remote"
    template = ml_repo(remote, f"github.com/{OWNER}/template")
    db = f"sqlite:///{base / 'store.db'}"
    print(f"machine: {machine()}; 2 cores shared with other engineers' work, so wall times are for scale only")
    started = time.perf_counter()
    with open_store(db) as store:
        refs = (RepoRef("github.com", OWNER, f"model-{number:06d}") for number in range(args.n))
        store.add_repositories(refs)
    print(f"stored {args.n:,} repositories in {time.perf_counter() - started:.1f} s (Store.add_repositories)")
    if args.due_query:
        _due_query(db)
        return
    home = base / "home"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "REPRO_TRACKER_", "GIT_"))}
    with StandinGitHub(git_root=remote, token=args.token, rate_limit=args.limit,
                       graphql_rate_limit=args.limit) as standin:
        standin.add_synthetic(rf"{OWNER}/model-\d+", git_template=template.path, stars=3)
        env.update({"GITHUB_API_URL": standin.api_url, "GITHUB_TOKEN": args.token,
                    "GIT_CONFIG_GLOBAL": str(routing_config(base, remote)), "GIT_CONFIG_NOSYSTEM": "1",
                    "REPRO_TRACKER_HOME": str(home), "PYTHONPATH": str(ROOT)})
        _plan_alone(db, standin, args.token)
        checked_before: set[int] = set()
        for number in range(1, args.runs + 1):
            if number > 1:
                standin.refill_rate_limits()
            _run(number, db, env, standin, base, args.limit, checked_before)


def _plan_alone(db: str, standin: StandinGitHub, token: str) -> None:
    """The plan by itself, in this process: its time and the memory it holds over 300,000 due repositories."""
    with open_store(db) as store, GitHubHost(api_url=standin.api_url, token=token) as github:
        tracemalloc.start()
        started = time.perf_counter()
        plan = plan_checks(store, github, max_age_hours=None, reserve_share=0.05)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"plan alone: {seconds:.1f} s, {peak / 2**20:.0f} MB peak Python allocations, "
          f"{len(plan.refs):,} repositories kept of {plan.due:,} due")


def _due_query(db: str) -> None:
    """Seconds for the due counts and for streaming every due record, without and with a maximum age; SQLite's plan."""
    from sqlalchemy import text

    with open_store(db) as store:
        for max_age in (None, 24.0):
            started = time.perf_counter()
            counts = store.due_counts(max_age_hours=max_age)
            counted = time.perf_counter() - started
            started = time.perf_counter()
            streamed = sum(1 for _ in store.due_records(max_age_hours=max_age))
            print(f"max_age_hours={max_age}: due_counts {counted:.2f} s ({counts.total:,} due), "
                  f"due_records {time.perf_counter() - started:.2f} s ({streamed:,} streamed)")
        statement = store._repositories._due_select(24.0)  # the one definition both read
        if store.engine.dialect.name == "sqlite":
            compiled = statement.compile(store.engine, compile_kwargs={"literal_binds": True})
            with store.engine.connect() as connection:
                for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")):
                    print(f"  plan: {row[-1]}")


def _run(number: int, db: str, env: dict[str, str], standin: StandinGitHub, base: Path, limit: int,
         checked_before: set[int]) -> None:
    before_counted, before_points = standin.rate_counted, standin.graphql_points
    log = base / f"run{number}.log"
    out = base / f"run{number}.jsonl"
    args = [str(Path(sys.executable).parent / "repro-tracker"), "check", "--all", "--db", db, "--json"]
    # Standard output (the JSON lines) to its own file; `run_child` logs standard error.
    seconds, peak_mb, cpu = run_child(["sh", "-c", f'exec "$@" > "{out}"', "sh", *args], env, log)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    checks = [line for line in lines if "repository" in line]
    summary = next((line for line in lines if "run" in line), {})
    plan_line = next((line for line in log.read_text().splitlines() if line.startswith("plan:")), "")
    counted = standin.rate_counted - before_counted
    used = limit - standin.rate_remaining
    with open_store(db) as store:
        run_id = store.runs()[-1].id
        rows = store.all_checks(["run_id"])
        keys = {row.key for row in rows if row.run_id == run_id}
        earlier = {row.key for row in rows if row.run_id != run_id}
        note = store.runs()[-1].note
        status = store.runs()[-1].status
    twice = len(keys & earlier)
    reserve = summary.get("budget_reserve")
    print(f"run {number}: {len(checks):,} checked in {seconds:.0f} s wall, {cpu:.0f} s CPU, {peak_mb:.0f} MB peak; "
          f"status {status}")
    print(f"  {plan_line}")
    print(f"  rate-counted requests (stand-in): {counted:,}; window used {used:,} of {limit:,} "
          f"(limit minus reserve: {limit - (reserve or 0):,}); GraphQL points {standin.graphql_points - before_points:,}")
    print(f"  summary line: left_for_next_run={summary.get('left_for_next_run')}, "
          f"never_checked={summary.get('never_checked')}, hours_for_all={summary.get('hours_for_all')}")
    print(f"  checked again though checked in an earlier run: {twice}; run note: {note}")
    checked_before.update(keys)


if __name__ == "__main__":
    main()
