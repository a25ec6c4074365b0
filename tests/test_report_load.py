"""From a real SQLite store, through `report_data`, to the report's changes and files."""

from __future__ import annotations

import dataclasses
import json

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.records import (
    CheckResult,
    FoundLink,
    LicenseFinding,
    Metadata,
    Outcome,
    Paper,
    PaperLinks,
    RepoFacts,
    RepoRef,
    Status,
)
from tracker.report import changes, write_report
from tracker.report.load import check_entries, report_data, repo_license, status_entries
from tracker.store.rows import StoredCheck
from tracker.store.store import Store, open_store

FIRST = datetime(2025, 5, 1, tzinfo=UTC)
SECOND = datetime(2025, 6, 1, tzinfo=UTC)
REPOS = {name: RepoRef("github.com", "lab", name) for name in ("kept", "deleted", "renamed", "archived", "relicensed")}


def facts(name: str, status: Status, at: datetime, spdx: str | None = "MIT", **fields: object) -> RepoFacts:
    return RepoFacts(
        ref=REPOS[name], status=status, detail=f"{status} at {at:%Y-%m-%d}", checked_at=at,
        metadata=Metadata(stars=3, license_spdx=spdx, pushed_at=at - timedelta(days=10)) if spdx else None,
        licenses=(LicenseFinding(spdx, 0.98, "file", "LICENSE"),) if spdx else (),
        **fields,  # type: ignore[arg-type]
    )


def _store_with_two_runs(tmp_path: Path) -> Store:
    """Five repositories of one paper, checked twice: kept, deleted, renamed, archived and relicensed."""
    clock = iter([FIRST, FIRST, SECOND, SECOND, SECOND, SECOND])
    store = open_store(str(tmp_path / "tracker.db"), clock=lambda: next(clock, SECOND))
    paper = Paper("arxiv:2501.00001", "Five repositories", "abstract", "test", published=date(2025, 1, 2))
    store.add_papers([PaperLinks(paper, tuple(FoundLink(ref.canonical, repo=ref) for ref in REPOS.values()), True)])
    results = (CheckResult("license", Outcome.PASS, 10, "MIT in LICENSE"),)

    first = store.start_run(["test"])
    for name in REPOS:
        store.record_check(first, facts(name, Status.OK, FIRST), results, health="healthy", repro_score=70)
    store.finish_run(first, "completed")
    second = store.start_run(["test"])
    store.record_check(second, facts("kept", Status.OK, SECOND), results, health="healthy", repro_score=70)
    store.record_check(second, facts("deleted", Status.MISSING, SECOND, spdx=None), (), health="gone",
                       repro_score=None)
    store.record_check(second, facts("renamed", Status.MOVED, SECOND, moved_to=RepoRef("github.com", "new", "renamed")),
                       results, health="healthy", repro_score=70)
    store.record_check(second, facts("archived", Status.ARCHIVED, SECOND), results, health="stale", repro_score=60)
    store.record_check(second, facts("relicensed", Status.OK, SECOND, spdx="GPL-3.0"), results, health="healthy",
                       repro_score=70)
    store.finish_run(second, "completed")
    return store


def test_report_data_from_a_store_with_two_runs(tmp_path: Path) -> None:
    store = _store_with_two_runs(tmp_path)
    data = report_data(store)
    found = changes(data)

    assert [(c.kind.value, c.canonical) for c in found.all] == [
        ("missing", "github.com/lab/deleted"),
        ("moved", "github.com/lab/renamed"),
        ("archived", "github.com/lab/archived"),
        ("license changed", "github.com/lab/relicensed"),
    ]
    assert found.moved[0].after == "github.com/new/renamed"
    assert [run.status_counts for run in data.runs] == [
        {Status.OK: 5},
        {Status.OK: 2, Status.MISSING: 1, Status.MOVED: 1, Status.ARCHIVED: 1},
    ]
    by_key = {repo.key: repo for repo in data.repositories}
    deleted = by_key["github.com/lab/deleted"]
    assert (deleted.published, deleted.gone_since, deleted.paper_titles) == (date(2025, 1, 2), SECOND,
                                                                             ("Five repositories",))
    assert by_key["github.com/lab/kept"].outcomes == {"license": Outcome.PASS}
    assert [(entry.status, entry.license_spdx) for entry in check_entries(store.history("github.com/lab/deleted"))] == [
        (Status.OK, "MIT"), (Status.MISSING, None)
    ]
    assert (write_report(data, tmp_path / "reports", SECOND) / "report.html").is_file()
    store.close()


def test_status_entries_are_the_report_rows_less_what_status_never_shows(tmp_path: Path) -> None:
    store = _store_with_two_runs(tmp_path)
    later = Paper("arxiv:2501.00000", "A later paper", "abstract", "test")
    store.add_papers([PaperLinks(later, (FoundLink(REPOS["kept"].canonical, repo=REPOS["kept"]),), True)])
    reported = report_data(store).repositories

    shown = status_entries(store)
    assert shown == [dataclasses.replace(entry, detail="", first_seen=None, published=None) for entry in reported]
    assert status_entries(store, outcomes=False) == [dataclasses.replace(entry, outcomes={}) for entry in shown]
    kept = next(entry for entry in shown if entry.key == "github.com/lab/kept")
    # Oldest paper first, whatever the ids say.
    assert (kept.paper_titles, kept.host) == (("Five repositories", "A later paper"), "github.com")
    store.close()


def _check(licenses: tuple[LicenseFinding, ...] = (), **fields: object) -> StoredCheck:
    if licenses:
        fields["licenses_json"] = json.dumps([dataclasses.asdict(finding) for finding in licenses])
    return StoredCheck(id=1, run_id=1, key="k", canonical="github.com/a/b", checked_at=FIRST, status=Status.OK,
                       **fields)  # type: ignore[arg-type]


def test_repo_license_prefers_the_file_and_tells_unrecognised_from_none() -> None:
    assert repo_license(_check(license_file="Apache-2.0", license_api="MIT")) == "Apache-2.0"
    assert repo_license(_check(license_api="NOASSERTION",
                               licenses=(LicenseFinding("BSD-3-Clause", 0.5, "readme"),))) == "BSD-3-Clause"
    assert repo_license(_check(licenses=(LicenseFinding(None, 0.0, "file", "LICENSE"),))) == "NOASSERTION"
    assert repo_license(_check(license_api="other")) == "NOASSERTION"
    assert repo_license(_check()) is None
