"""Two tracking runs at once on one database: both finish, nothing lost or doubled, no lock error shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    World,
    build_world_git,
    database_url,
    duplicate_checks,
    open_world,
    rows,
    run_cli,
    scalar,
    start_cli,
    world_names,
)
from store_support import pg_database  # noqa: F401  (fixture)

NAMES = world_names(8)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("concurrency-world")
    build_world_git(root, NAMES)
    return root


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          template: Path) -> Iterator[World]:
    yield from open_world(tmp_path, monkeypatch, template, NAMES, database_url(request.param, tmp_path, request))


def test_two_ingests_and_two_check_runs_at_once_both_finish_with_every_row_once(world: World) -> None:
    ingests = [start_cli("ingest", str(world.papers), "--json", "--db", world.db_url) for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in ingests]
    assert [process.returncode for process in ingests] == [0, 0], outputs
    summaries = [json.loads(stdout) for stdout, _ in outputs]
    # Whoever came first added the papers; the other found them there: none twice.
    assert sum(summary["new_papers"] for summary in summaries) == len(NAMES)
    assert scalar(world.db_url, "SELECT count(*) FROM papers") == len(NAMES)
    assert scalar(world.db_url, "SELECT count(*) FROM repositories") == len(NAMES)

    checks = [start_cli("check", "--all", "--json", "--concurrency", "4", "--db", world.db_url) for _ in range(2)]
    results = [process.communicate(timeout=90) for process in checks]
    for process, (stdout, stderr) in zip(checks, results, strict=True):
        assert process.returncode == 0, stderr
        assert "locked" not in stderr.lower() and "traceback" not in stderr.lower()
        assert sorted(json.loads(line)["status"] for line in stdout.splitlines()) == ["ok"] * len(NAMES)
    assert rows(world.db_url, "SELECT status, count(*) FROM tracking_runs GROUP BY status") == [("completed", 2)]
    per_run = rows(world.db_url, "SELECT run_id, count(*) FROM repository_checks GROUP BY run_id ORDER BY run_id")
    assert [count for _, count in per_run] == [len(NAMES), len(NAMES)]
    assert duplicate_checks(world.db_url) == 0
