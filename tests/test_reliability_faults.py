"""Network faults never make a live repository `missing`, and what could not be checked is checked next run.

Each fault is the stand-in's (or a closed port's) real misbehaviour on a real
socket: a connection reset mid-answer, an answer slower than the timeout, a
server that accepts and never answers, a 5xx burst, a rate limit that runs out
half-way, git routed to a port nobody listens on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    World,
    build_world_git,
    checked_rows,
    clear_faults,
    open_world,
    rows,
    run_cli,
    world_names,
)

from gitrepos import closed_port_url, minimal_repo, route_git
from standin_github import Fault

NAMES = world_names(6)
GITLAB = "gitlab.com/lab/tool"
RESET, SLOW, HANG, BURST = (f"/repos/{name.removeprefix('github.com/')}" for name in NAMES[:4])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fault-world")
    build_world_git(root, NAMES)
    minimal_repo(root, GITLAB)
    return root


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: Path) -> Iterator[World]:
    for opened in open_world(tmp_path, monkeypatch, template, NAMES, f"sqlite:///{tmp_path / 't.db'}", max_hold=3):
        monkeypatch.setenv("REPRO_TRACKER_HTTP_TIMEOUT", "0.4")
        yield opened


def test_faults_of_every_kind_leave_nothing_missing_and_the_next_run_checks_them_ok(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    papers = world.papers.read_text() + f'{{"id": "paper:gl", "title": "GitLab paper", "abstract": "https://{GITLAB}"}}\n'
    world.papers.write_text(papers)
    assert run_cli("ingest", str(world.papers), "--db", world.db_url).returncode == 0
    for fault in (Fault("reset", times=None, path=RESET), Fault("slow", times=None, path=SLOW, seconds=2.0),
                  Fault("hang", times=None, path=HANG), Fault("status", times=None, path=BURST, status=502)):
        world.standin.inject(fault)
    git_closed = NAMES[5]  # the API answers for it; only git cannot reach it
    route_git(monkeypatch, tmp_path, tmp_path / "remote",
              routes={"https://gitlab.com/": closed_port_url(), f"https://{git_closed}": closed_port_url()})

    first = checked_rows(run_cli("check", "--all", "--json", "--db", world.db_url, timeout=60))
    faulted = {name.lower() for name in NAMES[:4]} | {GITLAB}
    assert "missing" not in first.values()
    assert {key: first[key] for key in faulted} == dict.fromkeys(faulted, "unreachable")
    assert {first[name.lower()] for name in NAMES[4:]} == {"ok"}
    (detail,) = rows(world.db_url, "SELECT c.detail FROM repository_checks c JOIN repositories r "
                                   f"ON r.id = c.repository_id WHERE r.key = '{git_closed.lower()}'")[0]
    assert "could not be read" in detail  # live by the API's word, its content unknown: said, not hidden

    clear_faults(world.standin)
    route_git(monkeypatch, tmp_path, tmp_path / "remote")
    second = checked_rows(run_cli("check", "--all", "--max-age", "24", "--json", "--db", world.db_url))
    # Unreachable is not a finished check: the next run takes those again, and only those.
    assert second == dict.fromkeys(faulted, "ok")


def test_a_rate_limit_that_runs_out_half_way_leaves_the_rest_to_git_and_the_next_run_fills_them_in(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every due repository now, the ones past the budget through git (the plan's default would leave them).
    monkeypatch.setenv("REPRO_TRACKER_PAST_BUDGET", "git")
    assert run_cli("ingest", str(world.papers), "--db", world.db_url).returncode == 0
    world.standin.rate_limit = world.standin.rate_remaining = 9  # ~3 requests per repository: half the world

    first = checked_rows(run_cli("check", "--all", "--concurrency", "1", "--json", "--db", world.db_url))
    assert first == {name.lower(): "ok" for name in NAMES}  # none not_checked: git answered for the rest
    by_git = {key for (key,) in rows(world.db_url, "SELECT r.key FROM repository_checks c JOIN repositories r "
                                                   "ON r.id = c.repository_id WHERE c.detail LIKE '%git alone%' "
                                                   "AND c.stars IS NULL")}
    assert 0 < len(by_git) < len(NAMES)
    assert rows(world.db_url, "SELECT status FROM tracking_runs") == [("completed",)]

    world.standin.exhaust_rate_limit(reset_at=time.time() - 1)  # the window has passed: a fresh budget
    second = checked_rows(run_cli("check", "--all", "--json", "--db", world.db_url))
    assert second == {name.lower(): "ok" for name in NAMES}
    (unknown,) = rows(world.db_url, "SELECT count(*) FROM repository_checks WHERE run_id = 2 AND stars IS NULL")[0]
    assert unknown == 0  # the run with budget read what only the API knows


@pytest.fixture
def graphql_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: Path) -> Iterator[World]:
    for opened in open_world(tmp_path, monkeypatch, template, NAMES, f"sqlite:///{tmp_path / 't.db'}",
                             graphql=True, max_hold=3):
        monkeypatch.setenv("REPRO_TRACKER_HTTP_TIMEOUT", "0.4")
        yield opened


def test_with_graphql_no_fault_of_the_batched_way_makes_a_live_repository_missing(graphql_world: World) -> None:
    """Every fault of a look, a tree or a read sends the repository the REST and git way, which reads it."""
    world = graphql_world
    assert run_cli("ingest", str(world.papers), "--db", world.db_url).returncode == 0
    trees = [f"/repos/{name.removeprefix('github.com/')}/git/trees" for name in NAMES[:4]]
    for fault in (Fault("reset", times=None, path=trees[0]), Fault("hang", times=None, path=trees[1]),
                  Fault("status", times=None, path=trees[2], status=502),
                  Fault("malformed", times=None, path=trees[3])):
        world.standin.inject(fault)
    faulted_trees = checked_rows(run_cli("check", "--all", "--json", "--db", world.db_url, timeout=60))
    assert faulted_trees == {name.lower(): "ok" for name in NAMES}
    (looked,) = rows(world.db_url, "SELECT count(*) FROM repository_checks WHERE detail LIKE '%GraphQL%'")[0]
    assert looked == len(NAMES)  # the look still spoke for all; only the content came from git

    clear_faults(world.standin)
    world.standin.inject(Fault("hang", times=None, path="/graphql"))
    hung_looks = checked_rows(run_cli("check", "--all", "--max-age", "0", "--json", "--db", world.db_url, timeout=60))
    assert hung_looks == {name.lower(): "ok" for name in NAMES}

    clear_faults(world.standin)
    world.standin.graphql_rate_limit = world.standin.graphql_rate_remaining = 1  # the look, then nothing
    cache = Path(os.environ["REPRO_TRACKER_HOME"])
    readings = list(cache.rglob("*.api-reading.json"))
    assert len(readings) == len(NAMES) - 4  # the four whose trees failed were read by git
    for reading in readings:  # forgotten: every head must be read again, and the read is refused
        reading.unlink()
    spent = checked_rows(run_cli("check", "--all", "--max-age", "0", "--json", "--db", world.db_url, timeout=60))
    assert spent == {name.lower(): "ok" for name in NAMES}
    assert not list(cache.rglob("*.api-reading.json"))
