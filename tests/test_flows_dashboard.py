"""What the flow publishes to the Prefect UI, built from report data without Prefect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tracker.dashboard import MAX_TABLE_ROWS, RunView, run_summary_text, run_title, status_rows
from tracker.records import Status
from tracker.report.model import ReportData, RepoEntry

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def entry(i: int, status: Status = Status.OK, **fields: object) -> RepoEntry:
    return RepoEntry(key=f"github.com/lab/r{i}", canonical=f"github.com/lab/r{i}", host="github.com",
                     status=status, **fields)


def test_status_rows_put_the_worst_first_and_say_what_changed() -> None:
    data = ReportData(repositories=(
        entry(1, license_spdx="MIT", last_commit_at=datetime(2024, 1, 15, tzinfo=UTC), repro_score=89.0,
              previous_status=Status.OK, previous_license_spdx="MIT"),
        entry(2, Status.MISSING, previous_status=Status.OK),
        entry(3, Status.ARCHIVED),
        entry(4, license_spdx="GPL-3.0-only", previous_status=Status.OK, previous_license_spdx="MIT"),
    ))
    rows = status_rows(data)
    assert [row["link"] for row in rows][0] == "github.com/lab/r2"
    by_name = {row["link"]: row for row in rows}
    assert by_name["github.com/lab/r2"]["change"] == "ok → missing"
    assert by_name["github.com/lab/r3"]["change"] == "new"
    assert by_name["github.com/lab/r4"]["change"] == "license MIT → GPL-3.0-only"  # the report's own words
    assert by_name["github.com/lab/r1"] == {
        "link": "github.com/lab/r1", "kind": "repository", "status": "ok", "license": "MIT", "last commit": "2024-01-15",
        "score": "89", "archive": "", "change": ""}
    # A bare "-" would be a list bullet in the UI's Markdown cells.
    assert (by_name["github.com/lab/r2"]["license"], by_name["github.com/lab/r2"]["score"]) == ("unknown", "")


def test_pages_dois_and_short_links_sit_beside_repositories_by_kind_with_only_their_own_cells() -> None:
    page = RepoEntry(key="https://lab.example.org/p", canonical="https://lab.example.org/p", host="lab.example.org",
                     status=Status.MISSING, kind="page", previous_status=Status.OK)
    doi = RepoEntry(key="https://doi.org/10.1/x", canonical="https://doi.org/10.1/x", host="doi.org",
                    status=Status.OK, kind="doi")
    rows = status_rows(ReportData(repositories=(entry(1, license_spdx="MIT"),), artifacts=(page, doi)))
    assert [(row["link"], row["kind"]) for row in rows] == [
        ("https://lab.example.org/p", "page"), ("github.com/lab/r1", "repository"), ("https://doi.org/10.1/x", "doi")]
    by_name = {row["link"]: row for row in rows}
    assert by_name["https://lab.example.org/p"]["change"] == "ok → missing"
    # A page has no license: an empty cell, never "none" or "unknown".
    assert (by_name["https://doi.org/10.1/x"]["license"], by_name["https://doi.org/10.1/x"]["archive"]) == ("", "")
    assert by_name["github.com/lab/r1"]["license"] == "MIT"


def test_big_runs_are_capped_in_the_table_not_in_the_title() -> None:
    data = ReportData(repositories=tuple(entry(i) for i in range(MAX_TABLE_ROWS + 20)))
    assert len(status_rows(data)) == MAX_TABLE_ROWS
    assert run_title(data, NOW) == f"track 2026-11-27: 0 papers, {MAX_TABLE_ROWS + 20} repositories"


def test_an_offline_run_summary_says_unreachable_is_not_missing() -> None:
    view = RunView(title="track 2026-11-27: 7 papers, 7 repositories", status_rows=[], status_caption="",
                   summary_markdown="")
    text = run_summary_text(view, {"unreachable": 7}, Path("reports/2026-11-27"), flow_run_link="run 1 in the store")
    assert text.splitlines() == [
        "track 2026-11-27: 7 papers, 7 repositories",
        "checked this run: 7 unreachable",
        "unreachable means the host did not answer (no network?), not that the code is gone",
        "report: reports/2026-11-27/report.html",
        "run 1 in the store",
    ]
    assert "nothing due" in run_summary_text(view, {}, None)
