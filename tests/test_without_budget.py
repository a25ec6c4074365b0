"""GitHub's REST budget spent (no token: 60 an hour): GitHub repositories are checked through git alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitrepos import ml_repo, route_git
from standin_github import StandinGitHub

from tracker.hosts.git import GitHost
from tracker.hosts.github import GitHubHost
from tracker.records import RepoRef, Status
from tracker.report import render_history
from tracker.report.load import history, status_entries
from tracker.store import Store, open_store
from tracker.tracking.checker import RepositoryChecker
from tracker.tracking.recording import check_and_record
from tracker.tracking.tally import RunTally

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LIVE = [RepoRef("github.com", "lab", f"model-{number}") for number in range(8)]
DELETED = RepoRef("github.com", "lab", "deleted")  # deleted on GitHub, so git does not find it either
ARCHIVED = LIVE[0]
UNFILED = LIVE[2]  # no LICENSE file; GitHub's detection says MIT (from somewhere git's reading does not look)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StandinGitHub, Store, GitHost]]:
    remote = tmp_path / "remote"
    for ref in LIVE:
        ml_repo(remote, ref.canonical, license=None if ref == UNFILED else "MIT")
    route_git(monkeypatch, tmp_path, remote)
    # A budget of 5 requests: less than the corpus needs (at least 2 each).
    with StandinGitHub(rate_limit=5) as github, open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        for ref in LIVE:
            github.add_repo(ref.full_name, stars=42)
        github.update(ARCHIVED.full_name, archived=True)
        store.add_repositories([*LIVE, DELETED])
        yield github, store, GitHost(tmp_path / "cache")


def _run(github: StandinGitHub, store: Store, git: GitHost) -> RunTally:
    host = GitHubHost(api_url=github.api_url, max_rate_wait=0, sleep=lambda _: None)
    checker = RepositoryChecker(host, git, clock=lambda: NOW)
    run_id = store.start_run(sources=["test"])
    # One at a time, in order, so the deleted repository comes after the budget is spent.
    tally = check_and_record(store, run_id, checker, [*LIVE, DELETED], workers=1, confirm_gone_after=0)
    store.finish_run(run_id, tally.run_status)
    return tally


def test_a_spent_budget_leaves_nothing_not_checked_and_git_decides_missing(world) -> None:
    github, store, git = world
    tally = _run(github, store, git)
    latest = {row.canonical: row.latest for row in store.latest_checks()}
    assert Status.NOT_CHECKED not in {check.status for check in latest.values()}
    assert tally.run_status == "completed"
    gone = latest[DELETED.canonical]
    assert gone.status is Status.MISSING
    assert "checked through git alone" in (gone.detail or "") and gone.stars is None
    read_by_git = [check for canonical, check in latest.items() if "git alone" in (check.detail or "")]
    assert len(read_by_git) >= 5  # most of the corpus came after the budget
    for check in read_by_git:
        assert check.stars is None and check.license_api is None  # unknown, not zero or none
        if check.status is Status.OK and check.key != UNFILED.key:
            assert check.license_file == "MIT" and check.last_commit_at is not None
    assert {str(check.status) for check in latest.values()} <= {"ok", "archived", "missing"}


def test_the_next_run_with_budget_fills_in_what_only_the_api_knows_and_history_shows_no_change(world) -> None:
    github, store, git = world
    github.rate_remaining = github.rate_limit = 5000
    _run(github, store, git)  # with budget: everything through the API
    github.rate_limit, github.rate_remaining, github.rate_reset = 5, 0, int(time.time()) + 3600
    _run(github, store, git)  # none: everything through git
    archived = store.history(ARCHIVED.key)[-1]
    assert archived is not None and archived.status is Status.ARCHIVED and archived.stars is None
    assert "archived at the last check that asked GitHub's API" in (archived.detail or "")
    github.rate_limit = github.rate_remaining = 5000
    _run(github, store, git)
    assert [check.stars for check in store.history(LIVE[1].key)] == [42, None, 42]

    for ref in (ARCHIVED, LIVE[1]):
        entries = history(store, ref.key)
        assert len({(entry.status, entry.license_spdx) for entry in entries}) == 1, entries
    rows = {row.canonical: row for row in status_entries(store)}
    assert rows[ARCHIVED.canonical].previous_status is Status.ARCHIVED
    from rich.console import Console

    console = Console(record=True, width=200)
    render_history(console, history(store, LIVE[1].key))
    assert "●" not in console.export_text(), console.export_text()  # no change marked
    console = Console(record=True, width=200)
    render_history(console, history(store, UNFILED.key))
    # The license GitHub detected where git does not look is unknown in the middle check, not "MIT → none"
    # (the license check, which weighs GitHub's answer, still scores the two checks differently).
    assert "license MIT → none" not in console.export_text(), console.export_text()
    # GitHub's MIT, unknown in the middle check, is no "license MIT → none" in status either.
    github.rate_limit, github.rate_remaining, github.rate_reset = 5, 0, int(time.time()) + 3600
    _run(github, store, git)
    from tracker.report.analysis import change_summary

    unfiled = {row.canonical: row for row in status_entries(store)}[UNFILED.canonical]
    assert unfiled.license_spdx is None and change_summary(unfiled) == ""
