"""Measure what Prefect's orchestration costs a run of many repositories.

Checks N repositories against the GitHub stand-in twice: once with the plain
`tracking.check_and_record` (no Prefect), once through the `track` flow (batches
of `--batch-size`); the difference is orchestration. Run it as

    PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 .venv/bin/python scripts/flow_overhead.py --repos 1000

Nothing leaves 127.0.0.1: git is routed to a closed port, so each repository is
one API call plus one failing `git ls-remote`, i.e. about as cheap as a check gets
(the worst case for the share of orchestration).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the stand-in waits per answer")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flow-overhead-"))
    os.environ.update(PREFECT_HOME=str(work / "prefect"), REPRO_TRACKER_HOME=str(work / "home"),
                      PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", GIT_CONFIG_NOSYSTEM="1",
                      GIT_TERMINAL_PROMPT="0", PREFECT_LOGGING_LEVEL="WARNING")
    os.environ.pop("GITHUB_TOKEN", None)
    git_config = work / "gitconfig"
    subprocess.run(["git", "config", "-f", str(git_config), "url.http://127.0.0.1:9/.insteadOf", "https://github.com/"],
                   check=True)
    os.environ["GIT_CONFIG_GLOBAL"] = str(git_config)

    from standin_github import StandinGitHub

    with StandinGitHub(latency=args.latency) as github:
        os.environ["GITHUB_API_URL"] = github.api_url
        source = work / "papers.jsonl"
        with source.open("w") as out:
            for i in range(args.repos):
                github.add_repo(f"lab{i}/model{i}")
                out.write(json.dumps({"id": f"p{i}", "title": f"Paper {i}",
                                      "abstract": f"Code: https://github.com/lab{i}/model{i}"}) + "\n")
        plain = _plain(source, f"sqlite:///{work / 'plain.db'}")
        from flows.runners import PARALLEL_BATCHES
        from flows.track import track

        started = time.perf_counter()
        track(sources=[str(source)], database_url=f"sqlite:///{work / 'flow.db'}", report_dir=None,
              batch_size=args.batch_size)
        flowed = time.perf_counter() - started
    print(json.dumps({"repositories": args.repos, "batch_size": args.batch_size, "parallel_batches": PARALLEL_BATCHES,
                      "latency_s": args.latency, "plain_s": round(plain, 2), "flow_s": round(flowed, 2),
                      "orchestration_s": round(flowed - plain, 2)}))


def _plain(source: Path, url: str) -> float:
    """The same work without Prefect, with as many repositories in flight as the flow allows."""
    from flows.runners import PARALLEL_BATCHES
    from tracker.settings import Settings
    from tracker.store import open_store
    from tracker.tracking.checker import RepositoryChecker
    from tracker.tracking.papers import ingest
    from tracker.tracking.recording import check_and_record

    started = time.perf_counter()
    store = open_store(url)
    ingest(store, [source])
    settings = Settings.from_env(database_url=url)
    checker = RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    run_id = store.start_run([str(source)])
    tally = check_and_record(store, run_id, checker, store.repositories_due(run_id=run_id),
                                      workers=settings.concurrency * PARALLEL_BATCHES)
    store.finish_run(run_id, tally.run_status)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
