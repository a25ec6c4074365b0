"""Support for the reliability tests: a small local world, the real CLI in a subprocess, row counts.

The world is a handful of complete ML repositories served twice, as the program
sees them: by the GitHub stand-in (API) and as real git repositories routed
through ``url.<base>.insteadOf``. Everything reaches the program through the
environment, as a user would set it up; nothing in `tracker/` knows a test runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import installed_cli
from gitrepos import CommitSpec, ml_repo, route_git
from sqlalchemy import create_engine, text
from standin_github import StandinGitHub
from store_support import empty_pg_schema

REPO_ROOT = Path(__file__).resolve().parents[1]
CLI = installed_cli()
RECENT_PUSH = "2026-10-01T10:00:00Z"


GRAPHQL_TOKEN = "ghp_ReliabilityWorldToken0123456789abcdef"


def world_names(count: int) -> list[str]:
    return [f"github.com/lab{index % 3}/model-{index:02d}" for index in range(count)]


def build_world_git(root: Path, names: list[str]) -> None:
    for name in names:
        ml_repo(root, name, license="MIT", commits=[CommitSpec(when=datetime(2026, 10, 1, tzinfo=UTC), message="initial")])


def papers_file(path: Path, names: list[str]) -> Path:
    """A JSON-lines paper list: one paper per repository."""
    import json

    path = path.with_suffix(".jsonl")
    path.write_text("".join(json.dumps({"id": f"paper:{index}", "title": f"Paper number {index}",
                                        "abstract": f"We release code at https://{name} for everyone."}) + "\n"
                            for index, name in enumerate(names)), encoding="utf-8")
    return path


@dataclass
class World:
    standin: StandinGitHub
    names: list[str]
    papers: Path
    db_url: str


def open_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: Path, names: list[str],
               db_url: str, *, graphql: bool = False, **standin_options: object) -> Iterator[World]:
    """`graphql`: the stand-in also serves GraphQL and git trees, and the client has the token GraphQL needs."""
    import shutil

    root = tmp_path / "remote"
    shutil.copytree(template, root, symlinks=True)
    if graphql:
        standin_options = {**standin_options, "git_root": root, "token": GRAPHQL_TOKEN}
        monkeypatch.setenv("GITHUB_TOKEN", GRAPHQL_TOKEN)
    with StandinGitHub(**standin_options) as standin:  # type: ignore[arg-type]
        for name in names:
            full_name = name.removeprefix("github.com/")
            standin.add_repo(full_name, license="MIT", pushed_at=RECENT_PUSH, updated_at=RECENT_PUSH)
        monkeypatch.setenv("GITHUB_API_URL", standin.api_url)
        monkeypatch.setenv("REPRO_TRACKER_MAX_RATE_WAIT", "0")
        monkeypatch.setenv("REPRO_TRACKER_HTTP_TIMEOUT", "2")
        monkeypatch.setenv("REPRO_TRACKER_GIT_TIMEOUT", "20")
        route_git(monkeypatch, tmp_path, root)
        yield World(standin, names, papers_file(tmp_path / "papers.txt", names), db_url)


def database_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    url: str = request.getfixturevalue("pg_database")
    empty_pg_schema(url)
    return url


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed `repro-tracker`, with this process's (sealed, routed) environment."""
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def start_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([str(CLI), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str] | None = None,
               deadline: float = 30.0) -> None:
    """Poll `condition` until true; fail when the deadline passes or the process ends first."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before the moment to kill it: "
                                 f"{process.stderr.read() if process.stderr else ''}")
        time.sleep(0.005)  # a poll interval, not a wait for the program
    raise AssertionError(f"condition not met within {deadline} s")


def kill_hard(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def scalar(db_url: str, sql: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def rows(db_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def duplicate_checks(db_url: str) -> int:
    return scalar(db_url, "SELECT count(*) FROM (SELECT run_id, repository_id FROM repository_checks "
                          "GROUP BY run_id, repository_id HAVING count(*) > 1) AS doubled")


def clear_faults(standin: StandinGitHub) -> None:
    """The network recovers: drop every scripted fault (the stand-in offers only `inject`)."""
    with standin._lock:
        standin._faults.clear()


def checked_rows(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """`check --json` output as {repository (lowercase): status}."""
    import json

    assert result.returncode == 0, result.stderr
    return {row["repository"].lower(): row["status"] for row in map(json.loads, result.stdout.splitlines())}
