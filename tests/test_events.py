"""Which changes a run announces as Prefect events, and how they are named: pure, without Prefect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.events import change_events, describe_run_checks, run_changes
from tracker.records import Status
from tracker.report.model import RepoEntry

START = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def entry(name: str, status: Status, before: Status, checked_at: datetime = START, **fields: object) -> RepoEntry:
    return RepoEntry(key=f"github.com/lab/{name}", canonical=f"github.com/lab/{name}", host="github.com",
                     status=status, previous_status=before, checked_at=checked_at, **fields)  # type: ignore[arg-type]


def test_each_change_of_this_run_is_one_named_event_with_the_repository_as_resource() -> None:
    repos = [
        entry("gone", Status.MISSING, Status.OK, START + timedelta(minutes=1)),
        entry("renamed", Status.MOVED, Status.OK, moved_to="github.com/lab/new-name"),
        entry("frozen", Status.ARCHIVED, Status.OK),
        entry("relicensed", Status.OK, Status.OK, license_spdx="GPL-3.0-only", previous_license_spdx="MIT"),
        entry("flaky", Status.UNREACHABLE, Status.OK),  # a fault of the network is no news
        entry("earlier", Status.MISSING, Status.OK, START - timedelta(days=1)),  # announced by an earlier run
    ]
    found = change_events(run_changes(repos, START), run_id=7)
    assert [(item.event, item.resource["prefect.resource.id"]) for item in found] == [
        ("repro-tracker.repository.missing", "repro-tracker.repository.github.com/lab/gone"),
        ("repro-tracker.repository.moved", "repro-tracker.repository.github.com/lab/renamed"),
        ("repro-tracker.repository.archived", "repro-tracker.repository.github.com/lab/frozen"),
        ("repro-tracker.repository.license-changed", "repro-tracker.repository.github.com/lab/relicensed"),
    ]
    moved = found[1].payload
    assert (moved["from"], moved["to"], moved["run_id"]) == ("github.com/lab/renamed", "github.com/lab/new-name", "7")
    assert found[3].payload["summary"] == "github.com/lab/relicensed: license MIT → GPL-3.0-only"
    assert found[0].resource["repro-tracker.host"] == "github.com"


def test_the_check_stage_log_line_says_what_happened() -> None:
    changes = run_changes([entry("a", Status.MISSING, Status.OK), entry("b", Status.MISSING, Status.OK),
                           entry("c", Status.MOVED, Status.OK)], None)
    line = describe_run_checks(437, changes, {"ok": 434, "missing": 2, "moved": 1})
    assert line == "checked 437 repositories: 2 went missing, 1 moved (2 missing, 1 moved, 434 ok)"
    assert describe_run_checks(1, [], {}) == "checked 1 repository: nothing changed"


def test_the_documented_automation_is_one_prefect_accepts_for_our_event_names() -> None:
    from pathlib import Path

    import yaml
    from prefect.events.schemas.automations import AutomationCore

    from tracker.events import EVENT_NAMES, RESOURCE_PREFIX

    document = Path(__file__).resolve().parents[1] / "docs" / "automation-missing.yaml"
    [automation] = [AutomationCore.model_validate(item) for item in yaml.safe_load(document.read_text())["automations"]]
    assert automation.trigger.expect <= set(EVENT_NAMES.values())  # type: ignore[union-attr]
    assert automation.trigger.match.root["prefect.resource.id"] == f"{RESOURCE_PREFIX}*"  # type: ignore[union-attr]
