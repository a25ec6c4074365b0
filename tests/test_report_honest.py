"""What status, history and reports say about an empty and a moved repository."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from store_support import RESULTS, T0, bare_facts, ok_facts

from tracker.dashboard import status_rows, store_figures
from tracker.records import Activity, RepoFiles, RepoRef, Status
from tracker.report import render_history, render_status
from tracker.report.load import history, report_stream, status_entries
from tracker.store import open_store


def _text(render, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    console = Console(record=True, width=250)
    render(console, *args, **kwargs)
    return console.export_text()


def test_an_empty_repository_was_never_committed_to_and_a_moved_one_says_where_it_went(tmp_path: Path) -> None:
    live = ok_facts("github.com/lab/soon")
    # GitHub gives an empty repository a "pushed_at": the moment it was created.
    empty = dataclasses.replace(live, status=Status.EMPTY, activity=Activity(), files=RepoFiles())
    moved = bare_facts("github.com/lab/old-name", Status.MOVED, http_status=301,
                       moved_to=RepoRef.parse("github.com/newlab/new-name"))
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        run_id = store.start_run(["test"])
        for facts in (empty, moved):
            store.record_check(run_id, facts, RESULTS, health="empty", repro_score=None)
        rows = {row.canonical: row for row in status_entries(store)}
        assert rows["github.com/lab/soon"].last_commit_at is None  # not its creation date
        table = _text(render_status, list(rows.values()), now=T0 + timedelta(days=1))
        assert "never" in table and "moved → github.com/newlab/new-name" in table
        timeline = _text(render_history, history(store, "github.com/lab/old-name"))
        assert "moved → github.com/newlab/new-name" in timeline
        ui = {row["link"]: row for row in status_rows(store_figures(report_stream(store)))}
        assert ui["github.com/lab/soon"]["last commit"] == "never"
        assert ui["github.com/lab/old-name"]["status"] == "moved → github.com/newlab/new-name"
        from tracker.dashboard import write_report_files

        folder = write_report_files(store, tmp_path / "reports", T0)
        markdown = (folder / "report.md").read_text(encoding="utf-8")
        assert "moved → github.com/newlab/new-name" in markdown and "| never |" in markdown
        assert "moved → github.com/newlab/new-name" in (folder / "report.html").read_text(encoding="utf-8")
