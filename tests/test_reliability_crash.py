"""Crash safety: SIGKILL a real `repro-tracker` process mid-ingest, mid-check and mid-report.

Afterwards the database opens, holds whole batches (of papers, of checks) only (no
paper without its links, no check twice), and the next run finishes the work.
The kill moment is found by watching the stand-in's request log or the database,
with a bounded deadline; the stand-in's latency keeps the run long enough to
be caught in the middle, so nobody sleeps for a fixed time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    World,
    build_world_git,
    database_url,
    duplicate_checks,
    kill_hard,
    open_world,
    rows,
    run_cli,
    scalar,
    start_cli,
    wait_until,
    world_names,
)
from store_support import pg_database  # noqa: F401  (fixture)

from tracker.store import RunStatus, open_store
from tracker.tracking.recording import RECORD_BATCH

NAMES = world_names(RECORD_BATCH + 12)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash-world")
    build_world_git(root, NAMES)
    return root


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          template: Path) -> Iterator[World]:
    url = database_url(request.param, tmp_path, request)
    yield from open_world(tmp_path, monkeypatch, template, NAMES, url, latency=0.03)


def test_killed_in_the_middle_of_checks_keeps_whole_batches_and_the_next_run_finishes(world: World) -> None:
    assert run_cli("ingest", str(world.papers), "--db", world.db_url).returncode == 0
    process = start_cli("check", "--all", "--concurrency", "2", "--db", world.db_url)
    # Kill once some checks are committed and others are in flight (the stand-in's log says so).
    wait_until(lambda: world.standin.total >= 16
               and scalar(world.db_url, "SELECT count(*) FROM repository_checks") >= 1, process)
    kill_hard(process)

    with open_store(world.db_url) as store:  # opens (and recovers) without help
        committed = {row.latest.canonical.lower() for row in store.latest_checks()}
        assert all(str(row.latest.status) == "ok" and row.latest.results() for row in store.latest_checks())
        # Its process is gone: it reads as interrupted while the table still says running.
        assert [run.status for run in store.runs()] == [RunStatus.INTERRUPTED]
    assert 0 < len(committed) < len(NAMES)
    assert len(committed) % RECORD_BATCH == 0  # whole batches of checks, never part of one
    assert rows(world.db_url, "SELECT status FROM tracking_runs") == [("running",)]
    assert duplicate_checks(world.db_url) == 0

    finished = run_cli("check", "--all", "--max-age", "24", "--json", "--db", world.db_url)
    assert finished.returncode == 0, finished.stderr
    second = [json.loads(line) for line in finished.stdout.splitlines()]
    # The next run checks exactly what the killed one had not committed.
    assert {row["repository"].lower() for row in second} == {name.lower() for name in NAMES} - committed
    assert {row["status"] for row in second} == {"ok"}
    # The next run marked the killed one in the table too.
    assert rows(world.db_url, "SELECT status FROM tracking_runs ORDER BY id") == [("interrupted",), ("completed",)]
    assert scalar(world.db_url, "SELECT count(*) FROM repository_checks") == len(NAMES)
    assert duplicate_checks(world.db_url) == 0


def test_killed_during_a_large_ingest_keeps_whole_batches_and_the_next_ingest_completes(
        world: World, tmp_path: Path) -> None:
    count = 6000
    lines = [json.dumps({"id": f"gen:{index}", "title": f"Generated paper {index}",
                         "abstract": f"Code: https://github.com/gen{index % 50}/repo{index}"}) + "\n"
             for index in range(count)]
    big = tmp_path / "big.jsonl"
    big.write_text("".join(lines), encoding="utf-8")
    assert run_cli("ingest", str(world.papers), "--db", world.db_url).returncode == 0
    before = scalar(world.db_url, "SELECT count(*) FROM papers")

    # The input arrives through a pipe whose writer stops halfway and stays open: the ingest has committed
    # whole batches and is waiting for the rest when it is killed, however fast or slow the machine is.
    halfway = tmp_path / "halfway.jsonl"
    os.mkfifo(halfway)
    process = start_cli("ingest", str(halfway), "--db", world.db_url)
    with halfway.open("w", encoding="utf-8") as writer:
        writer.write("".join(lines[: count // 2 + 7]))
        writer.flush()
        wait_until(lambda: scalar(world.db_url, "SELECT count(*) FROM papers") > before, process)
        kill_hard(process)

    stored = scalar(world.db_url, "SELECT count(*) FROM papers") - before
    assert 0 < stored < count
    # Every stored paper came with its link: batches commit whole or not at all.
    assert scalar(world.db_url, "SELECT count(*) FROM papers p WHERE p.id LIKE 'gen:%' AND NOT EXISTS "
                                "(SELECT 1 FROM paper_links l WHERE l.paper_id = p.id)") == 0
    again = run_cli("ingest", str(big), "--json", "--db", world.db_url)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["papers"], summary["new_papers"]) == (count, count - stored)
    assert scalar(world.db_url, "SELECT count(*) FROM papers") == before + count
    assert scalar(world.db_url, "SELECT count(*) FROM paper_links") == before + count


def test_killed_while_writing_the_report_leaves_the_database_whole(world: World, tmp_path: Path) -> None:
    assert run_cli("ingest", str(world.papers), "--db", world.db_url).returncode == 0
    assert run_cli("check", "--all", "--db", world.db_url).returncode == 0
    out_dir = tmp_path / "reports"
    process = start_cli("report", "--out", str(out_dir), "--db", world.db_url)
    wait_until(lambda: out_dir.exists() and any(out_dir.rglob("*")), process)
    kill_hard(process)

    with open_store(world.db_url) as store:
        assert len(store.latest_checks()) == len(NAMES)
        assert [run.status for run in store.runs()] == ["completed"]
    again = run_cli("report", "--out", str(out_dir), "--db", world.db_url)
    assert again.returncode == 0, again.stderr
    (day,) = out_dir.iterdir()
    assert {"report.md", "report.html", "repositories.json", "repositories.csv"} <= {p.name for p in day.iterdir()}
    assert len(json.loads((day / "repositories.json").read_text())) == len(NAMES)
