"""How fast `repro-tracker status` answers at 10,000 repositories x 2 runs (SQLite).

The store is filled through the Store API (papers, two runs, one check per
repository per run, a tenth of them changed in the second run), then
`status` and `status --json` run as a user runs them: a fresh process each,
so the timing includes Python's start and the imports. The target is well
under a second. Past 10,000 repositories the store is filled by `scale_fill.py`;
`memory.py` adds CPU and peak memory.

    .venv/bin/python bench/status_speed.py [--repositories 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
        size = len(done.stdout)
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="Keep the database in this folder.")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="status-speed-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "status-speed.db"
    url = f"sqlite:///{database}"
    if not database.exists():
        print(f"filling {options.repositories} repositories x 2 runs ...", flush=True)
        if options.repositories > 10_000:  # the Store API's pace would take most of an hour: copy in SQL
            from scale_fill import fill_scaled

            print(f"  filled in {fill_scaled(url, options.repositories):.1f} s")
        else:
            print(f"  filled in {fill(url, options.repositories):.1f} s")
    env = {**os.environ, "COLUMNS": "160", "REPRO_TRACKER_HOME": str(folder)}
    command = [sys.executable, "-m", "tracker.cli", "status", "--db", url]
    baseline, _ = timed([sys.executable, "-c", "pass"], env)
    imports, _ = timed([sys.executable, "-c", "import tracker.cli"], env)
    print(f"python start {baseline:.3f} s; import tracker.cli {imports:.3f} s")
    for label, extra in (("status", []), ("status --json", ["--json"]), ("status --changed", ["--changed"])):
        seconds, size = timed(command + extra, env)
        print(f"{label:>18}: {seconds:.3f} s (best of 3, whole process), {size / 1e6:.1f} MB of output")


if __name__ == "__main__":
    main()
