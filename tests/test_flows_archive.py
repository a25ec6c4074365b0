"""The flow's archive and preserve stages under a real Prefect server, against the Software Heritage stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from standin_swh import swh_standin

from tracker.store import open_store

pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World


def test_the_flow_asks_the_archive_after_the_checks_and_saves_what_is_at_risk(
        world: World, read_artifacts: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.track import track

    with swh_standin() as swh:
        seeing = world.source.parent / "repos" / "github.com" / "acme" / "seeing"
        swh.archive_git("https://github.com/acme/seeing", seeing, date=datetime(2025, 3, 1, tzinfo=UTC))
        monkeypatch.setenv("SWH_API_URL", swh.api)
        state = track(sources=[str(world.source)], database_url=world.database_url,
                      report_dir=None, return_state=True, archive=True, preserve=True)
        assert state.is_completed(), state.message
        posts = [asked.path for asked in swh.asked if asked.method == "POST"]
    assert posts == ["/api/1/origin/save/git/url/https://github.com/acme/bare-bones/"]
    store = open_store(world.database_url)
    [run] = store.runs()
    states = {key: str(check.state) for key, check in store.archive.latest().items()}
    assert states == {"github.com/acme/seeing": "archived", "github.com/acme/bare-bones": "not_archived",
                      "github.com/lab/gone": "not_archived"}
    assert {check.run_id for check in store.archive.latest().values()} == {run.id}
    [request] = store.archive.save_requests()
    assert (request.canonical, request.save_request_status) == ("github.com/acme/bare-bones", "accepted")
    [table] = read_artifacts(state.state_details.flow_run_id, "repro-status")
    data = table.data
    rows = {row["link"]: row for row in (json.loads(data) if isinstance(data, str) else data)}
    assert rows["github.com/acme/seeing"]["archive"] == "archived"
    assert rows["github.com/acme/bare-bones"]["archive"] == "not archived"
