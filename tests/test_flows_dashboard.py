"""What the flow publishes to the Prefect UI, built from report data without Prefect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from store_support import RESULTS, bare_facts, ok_facts, paper_links, pg_database, store, store_url  # noqa: F401

from tracker.dashboard import (
    MAX_TABLE_ROWS,
    RunView,
    figures_of,
    run_summary_text,
    run_title,
    run_view,
    status_rows,
    summary_markdown,
)
from tracker.records import Status
from tracker.report.load import report_data
from tracker.report.model import ReportData, RepoEntry
from tracker.store import Store

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
    rows = status_rows(figures_of(data))
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
    rows = status_rows(figures_of(ReportData(repositories=(entry(1, license_spdx="MIT"),), artifacts=(page, doi))))
    assert [(row["link"], row["kind"]) for row in rows] == [
        ("https://lab.example.org/p", "page"), ("github.com/lab/r1", "repository"), ("https://doi.org/10.1/x", "doi")]
    by_name = {row["link"]: row for row in rows}
    assert by_name["https://lab.example.org/p"]["change"] == "ok → missing"
    # A page has no license: an empty cell, never "none" or "unknown".
    assert (by_name["https://doi.org/10.1/x"]["license"], by_name["https://doi.org/10.1/x"]["archive"]) == ("", "")
    assert by_name["github.com/lab/r1"]["license"] == "MIT"


def test_big_runs_are_capped_in_the_table_not_in_the_title() -> None:
    data = ReportData(repositories=tuple(entry(i) for i in range(MAX_TABLE_ROWS + 20)))
    assert len(status_rows(figures_of(data))) == MAX_TABLE_ROWS
    assert run_title(figures_of(data), NOW) == f"track 2026-11-27: 0 papers, {MAX_TABLE_ROWS + 20} repositories"


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


def started(store: Store, run_id: int) -> datetime:
    return next(run.started_at for run in store.runs() if run.id == run_id)


def test_the_view_read_from_the_store_a_page_at_a_time_is_the_view_of_its_whole_data(store: Store) -> None:
    """`run_view` folds the store as it reads it; what it shows equals the figures of the data read whole."""
    store.add_papers([paper_links("arxiv:1", "github.com/lab/kept", "github.com/lab/gone"),
                      paper_links("arxiv:2", code_promised=True)])
    first = store.start_run(["test"])
    for canonical in ("github.com/lab/kept", "github.com/lab/gone"):
        store.record_check(first, ok_facts(canonical, started(store, first)), RESULTS, health="healthy",
                           repro_score=60)
    store.finish_run(first, "completed")
    second = store.start_run(["test"])
    # Checked as the run goes: its changes are the run's own (`events.run_changes`).
    during = started(store, second) + timedelta(seconds=1)
    store.record_check(second, ok_facts("github.com/lab/kept", during), RESULTS, health="healthy", repro_score=60)
    store.record_check(second, bare_facts("github.com/lab/gone", Status.MISSING, during, http_status=404), (),
                       health="gone", repro_score=None)
    store.finish_run(second, "completed")

    view = run_view(store, second, now=NOW)
    whole = figures_of(report_data(store))
    assert view.status_rows == status_rows(whole) and view.status_rows[0]["change"] == "ok → missing"
    assert view.title == run_title(whole, NOW) == "track 2026-11-27: 2 papers, 2 repositories"
    assert view.summary_markdown == summary_markdown(whole, NOW, view.changes)
    assert [change.canonical for change in view.changes] == ["github.com/lab/gone"]
    assert "Code promised, never linked" in view.summary_markdown
