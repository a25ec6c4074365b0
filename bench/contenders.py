"""The contenders `bench/run.py` times, each run in its own process so its peak memory is its own.

Run: .venv/bin/python bench/contenders.py naive <names-file> <api-url>
     .venv/bin/python bench/contenders.py flow <papers-file> <database-url>
     .venv/bin/python bench/contenders.py flow-dask <papers-file> <database-url> [<threads-per-worker>]
     .venv/bin/python bench/contenders.py sources <database-url> <report-dir> <source>...

The tracker's CLI contender needs no code here: `run.py` calls
``repro-tracker check --all`` itself, exactly as a user would.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def naive(names_file: Path, api_url: str) -> None:
    """What a script written without care does: three calls per repository, in turn, no cache."""
    from github import Auth, Github, GithubException

    # PyGithub's default pacing (0.25 s between requests) is turned off: the
    # baseline should lose on its design, not on a sleep (see bench/results.md).
    client = Github(base_url=api_url, auth=Auth.Token(os.environ["GITHUB_TOKEN"]), retry=None,
                    seconds_between_requests=None)
    since = datetime.now(UTC) - timedelta(days=365)
    counts = {"ok": 0, "missing": 0, "no_license": 0, "commits": 0}
    for full_name in names_file.read_text().split():
        try:
            repo = client.get_repo(full_name)
        except GithubException:
            counts["missing"] += 1
            continue
        counts["ok"] += 1
        try:
            repo.get_license()
        except GithubException:
            # The stand-in has no /license route: the 404 still costs one request, as at GitHub.
            counts["no_license"] += 1
        counts["commits"] += sum(1 for _ in repo.get_commits(since=since))
    print(counts)


def flow(papers_file: Path, database_url: str) -> None:
    from flows.track import track

    print(track(sources=[str(papers_file)], database_url=database_url, report_dir=None))


def flow_dask(papers_file: Path, database_url: str, threads_per_worker: int) -> None:
    """`flow` with its check batches on a local cluster of two worker processes (the flow's `dask_address`).

    Before the cluster closes, each worker says its own peak memory and CPU
    (with the git processes it waited for): the parent's ``ru_maxrss`` is the
    largest single process, not what the workers used.
    """
    import json

    from distributed import Client, LocalCluster

    from flows.track import track

    def usage() -> dict[str, float]:
        import resource

        me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"peak_mb": me.ru_maxrss / 1024,
                "cpu_s": me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime}

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=threads_per_worker, dashboard_address=None,
                      host="127.0.0.1") as cluster, Client(cluster) as client:
        print(track(sources=[str(papers_file)], database_url=database_url, report_dir=None,
                    dask_address=cluster.scheduler_address))
        print("dask-workers " + json.dumps(list(client.run(usage).values())), flush=True)


def main() -> None:
    kind, first, second = sys.argv[1:4]
    if kind == "naive":
        naive(Path(first), second)
    elif kind == "flow":
        flow(Path(first), second)
    elif kind == "sources":
        from flows.track import track

        print(track(sources=sys.argv[4:], database_url=first, report_dir=second))
    elif kind == "flow-dask":
        flow_dask(Path(first), second, int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    else:
        raise SystemExit(f"unknown contender {kind!r}; use naive, flow, flow-dask or sources")


if __name__ == "__main__":
    main()
