"""`status` on a terminal reads its summary and first rows in SQL (`tracker.report.status_top`): the same summary,
rows and output as streaming every row through `render_status`, on SQLite and PostgreSQL, for every filter and order."""

from __future__ import annotations

import dataclasses
import heapq
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from store_support import RESULTS, T0, bare_facts, ok_facts, paper_links, pg_database, store, store_url  # noqa: F401
from typer.testing import CliRunner

import tracker.cli.status as status_command
import tracker.report.status_top as status_top_module
import tracker.store.listing as listing
from tracker.archive.state import ArchiveState, ArchiveVerdict
from tracker.artifacts.check import ArtifactCheck
from tracker.artifacts.kinds import LinkKind
from tracker.artifacts.verdict import LinkState, LinkVerdict
from tracker.cli import app
from tracker.records import Activity, LicenseFinding, RepoFacts, RepoKind, RepoRef, Status
from tracker.report.listing import SortKey, row_filter, row_order
from tracker.report.load import iter_status_entries
from tracker.report.status_top import status_top
from tracker.report.terminal import StatusTally, render_status, render_status_shown
from tracker.store import Store

LATER = T0 + timedelta(days=30)
PAGE = "https://example.org/project"


def relicensed(facts: RepoFacts, spdx: str) -> RepoFacts:
    assert facts.metadata is not None
    return dataclasses.replace(facts, metadata=dataclasses.replace(facts.metadata, license_spdx=spdx),
                               licenses=(LicenseFinding(spdx=spdx, confidence=1.0, source="api"),))


def committed(facts: RepoFacts, days_before: int) -> RepoFacts:
    """`facts` whose last commit (and push) was `days_before` days before T0."""
    assert facts.activity is not None and facts.metadata is not None
    at = T0 - timedelta(days=days_before)
    return dataclasses.replace(facts, activity=dataclasses.replace(facts.activity, last_commit_at=at),
                               metadata=dataclasses.replace(facts.metadata, pushed_at=at))


def fill(store: Store) -> None:  # noqa: F811
    """Every kind of row: unchanged, gone, relicensed (two alike), license columns that differ for the same license,
    moved on, gone stale, stale all along, first checked, other hosts and kinds, a paper's titles, an archive look,
    and a web page that went from unreachable to gone."""
    model = RepoRef("huggingface.co", "org", "weights", kind=RepoKind.MODEL)
    store.add_papers([paper_links("arxiv:2501.00001", "github.com/lab/Calm", "github.com/lab/gone", PAGE),
                      paper_links("arxiv:2501.00002", "github.com/lab/gone", "gitlab.com/team/tool")])
    first: dict[str, RepoFacts] = {
        "github.com/lab/Calm": ok_facts("github.com/lab/Calm", T0, stars=3),
        "github.com/lab/calm2": ok_facts("github.com/lab/calm2", T0, stars=3),
        "github.com/lab/gone": ok_facts("github.com/lab/gone", T0, stars=9),
        "github.com/lab/relicensed": ok_facts("github.com/lab/relicensed", T0, stars=1),
        "github.com/lab/relicensed2": ok_facts("github.com/lab/relicensed2", T0, stars=2),
        "github.com/lab/git-read": ok_facts("github.com/lab/git-read", T0, stars=4),
        "github.com/lab/mover": bare_facts("github.com/lab/mover", Status.MOVED, T0,
                                           moved_to=RepoRef.parse("github.com/new/mover")),
        "github.com/lab/staling": committed(ok_facts("github.com/lab/staling", T0), 340),
        "github.com/lab/stale": committed(ok_facts("github.com/lab/stale", T0), 500),
        "github.com/lab/flaky": bare_facts("github.com/lab/flaky", Status.UNREACHABLE, T0),
        "github.com/lab/blocked": bare_facts("github.com/lab/blocked", Status.OK, T0),
        "github.com/lab/empty": bare_facts("github.com/lab/empty", Status.EMPTY, T0),
        "gitlab.com/team/tool": ok_facts("gitlab.com/team/tool", T0, stars=5),
        model.canonical: dataclasses.replace(ok_facts(model.canonical, T0), ref=model),
    }
    second = {
        **{name: dataclasses.replace(facts, checked_at=LATER) for name, facts in first.items()},
        "github.com/lab/gone": bare_facts("github.com/lab/gone", Status.MISSING, LATER),
        "github.com/lab/relicensed": relicensed(ok_facts("github.com/lab/relicensed", LATER, stars=1), "Apache-2.0"),
        "github.com/lab/relicensed2": relicensed(ok_facts("github.com/lab/relicensed2", LATER, stars=2), "Apache-2.0"),
        # Read by git alone: no stars, and the license file's finding only; the same license, so no change.
        "github.com/lab/git-read": dataclasses.replace(
            ok_facts("github.com/lab/git-read", LATER, stars=None),  # type: ignore[arg-type]
            licenses=(LicenseFinding(spdx="MIT", confidence=0.98, source="file", path="LICENSE"),)),
        "github.com/lab/mover": bare_facts("github.com/lab/mover", Status.MOVED, LATER,
                                           moved_to=RepoRef.parse("github.com/newer/mover")),
        "github.com/lab/blocked": bare_facts("github.com/lab/blocked", Status.BLOCKED, LATER),
        "github.com/lab/new": ok_facts("github.com/lab/new", LATER, stars=None),  # type: ignore[arg-type]
        "gitlab.com/team/tool": dataclasses.replace(ok_facts("gitlab.com/team/tool", LATER, stars=5),
                                                    activity=Activity(head_commit="b" * 40)),
    }
    for at, checks, page in ((T0, first, LinkState.UNREACHABLE), (LATER, second, LinkState.GONE)):
        run = store.start_run(["test"])
        for index, facts in enumerate(checks.values()):
            score = None if index == 3 else 10 * (index % 4)  # ties, and one without a score
            store.record_check(run, facts, RESULTS, health="healthy", repro_score=score)
        store.record_artifact_check(run, ArtifactCheck(PAGE, LinkKind.PAGE, at, LinkVerdict(page, "no answer", ())))
        store.finish_run(run, "completed")
    store.archive.record_check("github.com/lab/gone", ArchiveVerdict(
        ArchiveState.ARCHIVED, "HEAD in the archive", "https://github.com/lab/gone", head_commit="c" * 40,
        visit_date=T0, revision="c" * 40), checked_at=LATER)


FILTERS: list[dict[str, Any]] = [
    {}, {"status": ["ok"]}, {"status": ["missing", "moved"]}, {"host": "GitLab.com"}, {"kind": ["model"]},
    {"kind": ["page"]}, {"kind": ["repository", "page"]}, {"changed": True}, {"changed": True, "status": ["ok"]},
    {"changed": True, "host": "github.com"},
]


def streamed(store: Store, limit: int, sort: SortKey, **filters: Any) -> tuple[StatusTally, list[Any]]:  # noqa: F811
    """What `render_status` counts and keeps of every row streamed: the way the SQL's answer is checked."""
    keep = row_filter(**filters)
    tally = StatusTally()
    rows = tally.counting(row for row in iter_status_entries(store, outcomes=False) if keep(row))
    return tally, heapq.nsmallest(limit, rows, key=row_order(sort))


@pytest.mark.parametrize("sort", [SortKey.STATUS, SortKey.NAME, SortKey.SCORE, SortKey.STARS])
def test_the_sql_summary_and_first_rows_are_the_streamed_ones(
    store: Store, sort: SortKey, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    fill(store)
    monkeypatch.setattr(listing, "_JUDGED_PAGE", 2)  # the rows to judge are read in pages
    for filters in FILTERS:
        for limit in (3, 200):
            top = status_top(store, limit=limit, sort=sort, **filters)
            assert top is not None
            assert (top.tally, top.rows) == streamed(store, limit, sort, **filters), (filters, limit)
    everything = status_top(store, limit=200, sort=sort)
    assert everything is not None
    assert everything.tally.rows == 16 and everything.tally.changed == 7 and not everything.tally.only_repositories
    assert everything.tally.counts[Status.MISSING] == 2  # the repository and the page
    assert {row.key: row.paper_titles for row in everything.rows}["github.com/lab/gone"] == (
        "Title of arxiv:2501.00001", "Title of arxiv:2501.00002")
    assert {row.key: row.archive for row in everything.rows}["github.com/lab/gone"] is not None


def test_filters_and_orders_without_sql_here_are_left_to_the_stream(store: Store) -> None:  # noqa: F811
    fill(store)
    assert status_top(store, limit=3, paper="title") is None
    assert status_top(store, limit=3, sort=SortKey.LAST_COMMIT) is None
    assert status_top(store, limit=3, host="ÿ.example") is None


def test_the_terminal_prints_the_same_whichever_way_the_rows_were_read(store: Store) -> None:  # noqa: F811
    fill(store)

    def printed(draw: Any) -> str:
        console = Console(record=True, width=200, color_system="truecolor", force_terminal=True)
        draw(console)
        return console.export_text(styles=True)

    top = status_top(store, limit=4)
    assert top is not None
    rows = iter_status_entries(store, outcomes=False)
    assert printed(lambda console: render_status_shown(console, top.tally, top.rows, now=LATER)) == printed(
        lambda console: render_status(console, rows, now=LATER, limit=4, order=row_order(SortKey.STATUS)))


def test_status_on_a_terminal_takes_the_sql_way_and_prints_what_the_stream_prints(
    store_url: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    from tracker.store import open_store

    with open_store(store_url) as opened:
        fill(opened)
    runner = CliRunner()
    terminal = {"TTY_COMPATIBLE": "1", "COLUMNS": "200"}
    outputs = {}
    for args in (["--limit", "5"], ["--changed"], ["--sort", "stars", "--status", "ok,missing"], ["--kind", "model"]):
        fast = runner.invoke(app, ["status", "--db", store_url, *args], env=terminal)
        with monkeypatch.context() as patched:
            patched.setattr(status_top_module, "status_top", lambda *_args, **_kwargs: None)
            slow = runner.invoke(app, ["status", "--db", store_url, *args], env=terminal)
        assert fast.exit_code == slow.exit_code == 0, fast.output
        assert fast.stdout == slow.stdout, args
        outputs[args[0]] = fast.stdout
    assert outputs["--limit"].splitlines()[0] == (
        "16 links: 2 missing, 1 blocked, 1 moved, 1 empty, 1 unreachable, 10 ok; 7 changed since the previous check")
    assert "11 more rows not shown" in outputs["--limit"] and status_command.DEFAULT_STATUS_ROWS == 200
