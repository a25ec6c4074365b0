"""A live repository's "not found" is asked again later in the same run before it is recorded `missing`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clocks import SetClock
from gitrepos import ml_repo, route_git
from standin_github import Fault, StandinGitHub

from tracker.hosts.git import GitHost
from tracker.hosts.github import GitHubHost
from tracker.records import RepoRef, Status
from tracker.settings import Settings
from tracker.store import Store, open_store
from tracker.tracking.checker import RepositoryChecker
from tracker.tracking.recording import check_and_record

FLAKY, GONE, STEADY = (RepoRef("github.com", "lab", name) for name in ("flaky", "gone", "steady"))


START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StandinGitHub, Store, GitHost]]:
    remote = tmp_path / "remote"
    for ref in (FLAKY, GONE, STEADY):
        ml_repo(remote, ref.canonical)
    route_git(monkeypatch, tmp_path, remote)
    with StandinGitHub() as github, open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        for ref in (FLAKY, GONE, STEADY):
            github.add_repo(ref.full_name)
        store.add_repositories([FLAKY, GONE, STEADY])
        yield github, store, GitHost(tmp_path / "cache")


def _run(github: StandinGitHub, store: Store, git: GitHost, clock: SetClock, *, after: float | None = 60.0,
         order: list[str] | None = None) -> dict[str, object]:
    # No real waiting anywhere: retries of a 5xx back off through a sleep that returns at once.
    checker = RepositoryChecker(GitHubHost(api_url=github.api_url, sleep=lambda _: None), git, clock=clock)
    run_id = store.start_run(sources=["test"])
    seen = order if order is not None else []
    sleep = clock.sleep

    def sleeping(seconds: float) -> None:
        seen.append(f"sleep {seconds:g}")
        sleep(seconds)

    tally = check_and_record(store, run_id, checker, [FLAKY, GONE, STEADY], workers=2, confirm_gone_after=after,
                             on_checked=lambda checked: seen.append(checked.facts.ref.name), sleep=sleeping)
    store.finish_run(run_id, tally.run_status)
    return {row.canonical.rsplit("/", 1)[1]: row.latest for row in store.latest_checks()} | {"tally": tally}


def _asked(github: StandinGitHub, name: str) -> int:
    return github.paths().count(f"/repos/lab/{name}")


def test_a_404_after_ok_is_asked_again_and_a_live_second_answer_wins(world) -> None:
    github, store, git = world
    clock = SetClock(START)
    _run(github, store, git, clock)
    github.delete(GONE.full_name)
    github.inject(Fault("status", times=1, path="/repos/lab/flaky", status=404))
    github.clear_log()
    clock.now += timedelta(days=1)
    order: list[str] = []
    latest = _run(github, store, git, clock, order=order)

    assert latest["flaky"].status is Status.OK  # type: ignore[attr-defined]
    assert latest["gone"].status is Status.MISSING  # type: ignore[attr-defined]
    assert "confirmed: the same answer 60 s after the first" in latest["gone"].detail  # type: ignore[attr-defined]
    assert (_asked(github, "flaky"), _asked(github, "gone"), _asked(github, "steady")) == (2, 2, 1)
    # The others were recorded first; the wait was a minute of the (injected) clock, once for both.
    assert order[0] == "steady" and order[1] == "sleep 60" and sorted(order[2:]) == ["flaky", "gone"]
    assert [check.status for check in store.history(FLAKY.key)] == [Status.OK, Status.OK]  # one check per run
    assert latest["tally"].by_status == {"ok": 2, "missing": 1}  # type: ignore[attr-defined]


def test_a_first_check_that_is_404_is_taken_at_its_word(world) -> None:
    github, store, git = world
    github.delete(GONE.full_name)
    clock = SetClock(START)
    latest = _run(github, store, git, clock)
    assert latest["gone"].status is Status.MISSING  # type: ignore[attr-defined]
    assert _asked(github, "gone") == 1 and clock.slept == []
    github.clear_log()
    _run(github, store, git, clock)  # missing before: nothing to confirm
    assert _asked(github, "gone") == 1 and clock.slept == []


def test_the_wait_is_only_what_is_left_of_it_and_zero_means_at_once(world) -> None:
    github, store, git = world
    clock = SetClock(START)
    _run(github, store, git, clock)
    github.delete(GONE.full_name)
    github.clear_log()
    _run(github, store, git, clock, after=0)
    assert clock.slept == [] and _asked(github, "gone") == 2
    assert store.history(GONE.key)[-1].status is Status.MISSING


def test_a_live_repository_that_was_unreachable_last_time_is_still_confirmed(world) -> None:
    github, store, git = world
    clock = SetClock(START)
    _run(github, store, git, clock)
    github.inject(Fault("status", times=None, path="/repos/lab/gone", status=503))
    _run(github, store, git, clock, after=0)
    assert store.history(GONE.key)[-1].status is Status.UNREACHABLE
    github._faults.clear()
    github.delete(GONE.full_name)
    github.clear_log()
    _run(github, store, git, clock, after=0)
    assert _asked(github, "gone") == 2  # the last conclusive answer was ok


def test_the_setting_defaults_to_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPRO_TRACKER_CONFIRM_GONE_AFTER")
    assert Settings.from_env().confirm_gone_after == 60.0
    monkeypatch.setenv("REPRO_TRACKER_CONFIRM_GONE_AFTER", "5")
    assert Settings.from_env().confirm_gone_after == 5.0
