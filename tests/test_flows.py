"""The `track` flow under a real Prefect server, against the GitHub stand-in and local git repositories."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest

from tracker.store import open_store

# The session's one Prefect server and the world fixture, registered once for every flow test module.
pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World

def run_track(world: World, **options: Any) -> Any:
    from flows.track import track

    return track(sources=[str(world.source)], database_url=world.database_url,
                 report_dir=str(world.report_dir), return_state=True, **options)


def table_rows(artifact: Any) -> list[dict[str, Any]]:
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else data


def test_track_records_the_run_its_checks_and_both_artifacts(world: World, read_artifacts: Any) -> None:
    state = run_track(world)
    assert state.is_completed(), state.message
    flow_run_id = state.state_details.flow_run_id
    summary = state.result()
    assert summary.splitlines()[0].endswith(": 4 papers, 3 repositories")
    assert "1 missing" in summary and "2 ok" in summary
    assert "run 1 in the store, " in summary and str(flow_run_id) in summary  # the CLI's way into the UI

    store = open_store(world.database_url)
    [run] = store.runs()
    assert (run.status, run.flow_run_id, run.repositories_checked) == ("completed", str(flow_run_id), 3)
    statuses = {check.canonical: str(check.latest.status) for check in store.latest_checks()}
    assert statuses == {"github.com/acme/seeing": "ok", "github.com/acme/bare-bones": "ok",
                        "github.com/lab/gone": "missing"}

    [status_table] = read_artifacts(flow_run_id, "repro-status")
    rows = {row["link"]: row for row in table_rows(status_table)}
    assert rows["github.com/lab/gone"]["status"] == "missing"
    assert rows["github.com/acme/seeing"]["license"] == "MIT"
    assert rows["github.com/acme/seeing"]["change"] == "new"
    assert rows["github.com/acme/seeing"]["score"] not in ("", "?")
    [summary_artifact] = read_artifacts(flow_run_id, "repro-summary")
    assert "Tiny Experts" in summary_artifact.data  # promised code, never linked
    # The whole Markdown report, readable in the UI (a file:// link is not), without the images beside the file.
    [report] = read_artifacts(flow_run_id, "repro-report")
    assert report.data.startswith("# ") and "github.com/lab/gone" in report.data and "![" not in report.data

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        assert client.read_flow_run(flow_run_id).name == summary.splitlines()[0]

    # The next run is a new version of the same artifacts, and the table says what changed.
    world.github.delete("acme/bare-bones")
    second = run_track(world)
    rows = {row["link"]: row for row in table_rows(read_artifacts(second.state_details.flow_run_id,
                                                                   "repro-status")[0])}
    assert rows["github.com/acme/bare-bones"]["change"] == "ok → missing"
    # It was live last time, so its 404 was asked again (after the batches, REPRO_TRACKER_CONFIRM_GONE_AFTER=0).
    assert "confirmed: the same answer" in (store.history("github.com/acme/bare-bones")[-1].detail or "")
    assert rows["github.com/acme/seeing"]["change"] == ""
    assert [r.flow_run_id for r in store.runs()] == [str(flow_run_id), str(second.state_details.flow_run_id)]


def test_a_spent_budget_leaves_github_for_the_next_run_and_says_so(world: World, prefect_server: str) -> None:
    """The plan reads the spent budget before checking: GitHub's repositories wait, nothing is recorded for them."""
    world.github.exhaust_rate_limit(reset_at=time.time() + 3600)
    limited = run_track(world, max_age_hours=24)
    assert limited.is_completed() and limited.name == "RateLimited", limited.name
    assert "3 due" in limited.result() and "next run continues" in limited.result()
    store = open_store(world.database_url)
    [run] = store.runs()
    assert run.status == "rate_limited" and "3 left; next run continues" in (run.note or "")
    assert store.latest_checks() == []


def test_a_spent_rate_limit_leaves_github_to_git_and_the_run_completes(world: World, prefect_server: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRO_TRACKER_MAX_RATE_WAIT", "0")
    monkeypatch.setenv("REPRO_TRACKER_PAST_BUDGET", "git")  # every due repository, through git past the budget
    world.github.exhaust_rate_limit(reset_at=time.time() + 3600)
    limited = run_track(world, max_age_hours=24)
    assert limited.is_completed() and limited.name == "Completed", limited.name
    assert "2 ok, 1 missing" in limited.result() or "1 missing, 2 ok" in limited.result()
    store = open_store(world.database_url)
    assert [run.status for run in store.runs()] == ["completed"]
    gone = store.history("github.com/lab/gone")[-1]
    assert gone is not None and "checked through git alone" in (gone.detail or "")  # git's word: not found
    # Within --max-age nothing is due again.
    idle = run_track(world, max_age_hours=24)
    assert "nothing due" in idle.result()
    assert [run.repositories_checked for run in store.runs()] == [3, 0]


def test_a_run_that_fails_while_checking_is_recorded_as_interrupted(world: World, prefect_server: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The checking tasks read their settings where they run; a bad one fails them, and no retry can help.
    monkeypatch.setenv("REPRO_TRACKER_CONCURRENCY", "many")
    state = run_track(world)
    assert state.is_failed()
    assert "REPRO_TRACKER_CONCURRENCY='many' is not a number" in state.message
    store = open_store(world.database_url)
    [run] = store.runs()
    assert (str(run.status), run.note) == ("interrupted", "interrupted: ValueError")
    assert run.finished_at is not None and run.papers == 0
    assert world.github.total == 0  # failed before asking GitHub anything, and was not retried


def test_a_crashed_run_is_recorded_as_interrupted_by_the_crash_hook(world: World, prefect_server: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupt in the flow's own body crashes the flow run; `on_crashed` closes the store's run row."""
    import flows.track

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(flows.track, "repositories_due", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_track(world)
    store = open_store(world.database_url)
    [run] = store.runs()
    assert (str(run.status), run.note) == ("interrupted", "interrupted by the user")
    assert run.finished_at is not None
    from tracker.run_lifecycle import OPEN_RUNS

    assert OPEN_RUNS == {}


def _events(api_url: str, prefix: str, since: str) -> list[dict[str, Any]]:
    """Every event since `since` the server holds whose name starts with `prefix`, read back through its REST API."""
    import httpx
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all()  # what this process still holds is sent now
    body = {"filter": {"event": {"prefix": [prefix]}, "occurred": {"since": since}}, "limit": 50}
    deadline = time.monotonic() + 60
    while True:  # the server stores what it received a moment later
        found = httpx.post(f"{api_url}/events/filter", json=body, timeout=10).raise_for_status().json()["events"]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_each_status_change_is_a_prefect_event_and_progress_reaches_100(
        world: World, prefect_server: str, read_artifacts: Any) -> None:
    first = run_track(world)
    assert first.is_completed(), first.message
    [progress] = read_artifacts(first.state_details.flow_run_id, "repro-progress")
    assert progress.type == "progress" and float(progress.data) == 100.0
    assert progress.description == "checked 3/3 repositories"

    from datetime import UTC, datetime

    since = datetime.now(UTC).isoformat()  # the server is the session's: other tests' runs emitted events before
    world.github.delete("acme/bare-bones")
    second = run_track(world)
    assert second.is_completed(), second.message
    [summary] = read_artifacts(second.state_details.flow_run_id, "repro-summary")
    assert "- **github.com/acme/bare-bones**: ok → missing" in summary.data  # names the repository
    assert "github.com/lab/gone" not in summary.data.split("## Changes since the previous run")[1].split("##")[0]

    [event] = _events(prefect_server, "repro-tracker.repository.", since)
    assert event["event"] == "repro-tracker.repository.missing"
    assert event["resource"]["prefect.resource.id"] == "repro-tracker.repository.github.com/acme/bare-bones"
    assert event["payload"]["from"] == "ok" and event["payload"]["to"] == "missing"
