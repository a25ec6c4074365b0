"""The contenders `bench/run.py` times, each run in its own process so its peak memory is its own.

Run: .venv/bin/python bench/contenders.py naive <names-file> <api-url>
     .venv/bin/python bench/contenders.py flow <papers-file> <database-url>

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


def main() -> None:
    kind, first, second = sys.argv[1:4]
    if kind == "naive":
        naive(Path(first), second)
    elif kind == "flow":
        flow(Path(first), second)
    else:
        raise SystemExit(f"unknown contender {kind!r}; use naive or flow")


if __name__ == "__main__":
    main()
