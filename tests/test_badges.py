"""shields.io endpoint badges: one JSON file per repository, status and score, under the report folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tracker.records import Status
from tracker.report import RepoEntry, ReportData, write_report
from tracker.report.badges import badge, badge_filename


def entry(key: str, status: Status, score: float | None = None) -> RepoEntry:
    return RepoEntry(key=key.lower(), canonical=key, host=key.split("/")[0], status=status, repro_score=score)


def test_a_badge_says_status_and_score_in_shields_endpoint_form() -> None:
    assert badge(entry("github.com/lab/a", Status.OK, 72)) == {
        "schemaVersion": 1, "label": "code", "message": "ok · score 72/100", "color": "brightgreen"}
    assert badge(entry("github.com/lab/b", Status.OK, 45))["color"] == "yellow"
    assert badge(entry("github.com/lab/c", Status.MISSING)) == {
        "schemaVersion": 1, "label": "code", "message": "missing", "color": "red"}
    assert badge(entry("github.com/lab/d", Status.NOT_CHECKED))["message"] == "not checked"
    assert badge(entry("github.com/lab/d", Status.UNREACHABLE))["color"] == "lightgrey"


def test_report_writes_one_badge_per_repository_and_none_outside_its_folder(tmp_path: Path) -> None:
    data = ReportData(repositories=(entry("github.com/Lab/Seeing", Status.OK, 89),
                                    entry("github.com/../escape", Status.MISSING)))
    target = write_report(data, tmp_path, datetime(2026, 12, 3, tzinfo=UTC))
    assert sorted(path.name for path in (target / "badges").iterdir()) == [
        "github.com--..--escape.json", "github.com--lab--seeing.json"]
    assert json.loads((target / "badges" / "github.com--lab--seeing.json").read_text())["message"] == \
        "ok · score 89/100"
    assert badge_filename("gitlab.com/a/b c/d") == "gitlab.com--a--b_c--d.json"
    assert not any(path.suffix == ".json" for path in tmp_path.iterdir())
