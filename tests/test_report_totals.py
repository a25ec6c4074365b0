"""The report's running totals equal the figures computed over every row at once.

`totals.ReportTotals` folds a report's rows one at a time and keeps only the
rows its files show. The oracles here compute each figure over the whole list
of rows, in the plainest way, from the per-row functions (`repo_changes`,
`lifetime`, `license_group`, `row_order`).
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import tracker.report.load as load_module
import tracker.report.ordered as ordered_module
from tracker.records import Artifact, ArtifactKind, FoundLink, Outcome, Paper, PaperLinks, RepoFacts, RepoRef, Status
from tracker.report import PaperEntry, RepoEntry, ReportData, write_report
from tracker.report.analysis import CHECKLIST, change_summary, repo_changes
from tracker.report.licenses import license_group
from tracker.report.listing import row_dict, row_order
from tracker.report.load import report_data
from tracker.report.model import ALIVE, DEAD, STATUS_ORDER, ArchiveEntry
from tracker.report.survival import ALL_LINKS, kaplan_meier, lifetime
from tracker.report.totals import ReportTotals, Smallest, stream_of
from tracker.store.store import open_store

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STATUSES = list(STATUS_ORDER)
LICENSES = [None, "MIT", "GPL-3.0", "NOASSERTION", "Apache-2.0"]
KINDS = ["repository", "repository", "model", "dataset"]


def varied_rows(count: int, seed: int = 18) -> tuple[list[RepoEntry], list[PaperEntry], list[RepoEntry]]:
    """Repositories, papers and artifacts of every kind, status, change, license, date and outcome, some ties."""
    pick = random.Random(seed)
    repositories = []
    for number in range(count):
        status = pick.choice(STATUSES)
        previous = pick.choice([None, *STATUSES])
        checked = NOW - timedelta(days=pick.randrange(0, 3))
        archive = None
        if pick.random() < 0.3:
            archive = ArchiveEntry(state=pick.choice(["archived", "behind", "not_archived", "unknown"]),
                                   checked_at=checked, visit_date=checked - timedelta(days=9))
        repositories.append(RepoEntry(
            key=f"github.com/lab{number % 7}/repo{number:04d}",
            canonical=f"github.com/Lab{number % 7}/repo{number:04d}",
            host="github.com", status=status, checked_at=checked,
            license_spdx=pick.choice(LICENSES),
            last_commit_at=NOW - timedelta(days=pick.choice([3, 200, 400, 900])) if pick.random() < 0.8 else None,
            repro_score=pick.choice([None, 10, 40, 40, 72.5, 90]),
            stars=pick.choice([None, 0, 5, 120]),
            outcomes={name: pick.choice(list(Outcome)) for name in pick.sample([*CHECKLIST, "license", "readme"], 4)},
            moved_to=f"github.com/new/repo{number}" if status is Status.MOVED else None,
            first_seen=NOW - timedelta(days=pick.randrange(1, 900)) if pick.random() < 0.9 else None,
            published=date(2024, pick.randrange(1, 13), 1) if pick.random() < 0.6 else None,
            gone_since=checked - timedelta(days=40) if status in DEAD and pick.random() < 0.5 else None,
            paper_titles=(f"Paper {number}",),
            previous_status=previous,
            previous_checked_at=checked - timedelta(days=30) if previous else None,
            previous_license_spdx=pick.choice(LICENSES),
            previous_last_commit_at=NOW - timedelta(days=pick.choice([3, 200, 900])),
            previous_moved_to=pick.choice([None, f"github.com/old/repo{number}"]),
            archive=archive,
            kind=pick.choice(KINDS),
        ))
    papers = []
    for number in range(count // 2):
        linked = tuple(repo.key for repo in pick.sample(repositories, pick.choice([0, 0, 1, 2])))
        papers.append(PaperEntry(
            id=f"arxiv:{number}", title=pick.choice(["Same title", f"Title {number}"]), repo_keys=linked,
            artifacts=(Artifact(f"https://lab.example/{number % 9}", ArtifactKind.PROJECT_PAGE),) if number % 3 else (),
            code_promised=pick.random() < 0.3, published=pick.choice([None, date(2024, 1, 1), date(2025, 3, 2)]),
            first_seen=NOW - timedelta(days=pick.randrange(1, 500)),
            found_later=((linked[0], NOW - timedelta(days=5)),) if linked and pick.random() < 0.2 else (),
        ))
    artifacts = [RepoEntry(key=f"https://lab.example/{number}", canonical=f"https://lab.example/{number}",
                           host="lab.example", status=pick.choice([Status.OK, Status.MISSING, Status.UNREACHABLE]),
                           checked_at=NOW, kind=pick.choice(["page", "doi"]))
                 for number in range(9)]
    return repositories, papers, artifacts


def curve(entries: list[RepoEntry], origin: str) -> list[object]:
    observed = [item for entry in entries if (item := lifetime(entry, origin)) is not None]
    return kaplan_meier([item.days for item in observed], [item.died for item in observed])


@pytest.fixture(scope="module")
def rows() -> tuple[list[RepoEntry], list[PaperEntry], list[RepoEntry]]:
    return varied_rows(400)


@pytest.fixture(scope="module")
def totals(rows: tuple[list[RepoEntry], list[PaperEntry], list[RepoEntry]]) -> ReportTotals:
    repositories, papers, artifacts = rows
    data = ReportData(repositories=tuple(repositories), papers=tuple(papers), artifacts=tuple(artifacts))
    return ReportTotals.of(stream_of(data), table_rows=25, sections=30)


def test_headline_and_counts_equal_the_whole_list_figures(rows: tuple, totals: ReportTotals) -> None:
    repositories, papers, artifacts = rows
    head = totals.head.result()
    existing = [repo for repo in repositories if repo.status in ALIVE]
    scores = [repo.repro_score for repo in repositories if repo.repro_score is not None]
    assert head.repositories == len(repositories)
    assert head.by_status == {status: count for status in STATUS_ORDER
                              if (count := sum(repo.status is status for repo in repositories))}
    assert head.without_license_share == sum(repo.license_spdx is None for repo in existing) / len(existing)
    assert head.median_score == statistics.median(scores)
    assert (head.papers, head.papers_with_code) == (len(papers), sum(bool(paper.repo_keys) for paper in papers))
    assert totals.licenses.result() == {group: sum(license_group(repo.license_spdx) is group for repo in existing)
                                        for group in totals.licenses.result()}
    every_outcome = Counter((name, Outcome(outcome)) for repo in repositories
                            for name, outcome in repo.outcomes.items())
    assert {(item.check, outcome): count for item in totals.coverage.result()
            for outcome, count in ((Outcome.PASS, item.passed), (Outcome.FAIL, item.failed),
                                   (Outcome.UNKNOWN, item.unknown)) if count} == dict(every_outcome)
    mix = Counter((entry.kind, entry.status) for entry in [*repositories, *artifacts])
    assert {(kind, status): count for kind, counts in totals.kinds.result().items()
            for status, count in counts.items()} == dict(mix)
    months = Counter((f"{repo.published:%Y-%m}", repo.status in ALIVE) for repo in repositories
                     if repo.published is not None and repo.status in ALIVE | DEAD)
    assert [(share.month, share.alive, share.gone) for share in totals.months.result()] == \
        [(month, months[month, True], months[month, False]) for month in sorted({month for month, _ in months})]
    looked = [repo for repo in repositories if repo.archive is not None]
    share = totals.archive.result({})
    assert (share.asked, share.archived) == (len(looked), sum(repo.archive.state == "archived" for repo in looked))
    assert share.gone_but_held == tuple(repo for repo in looked if repo.status in DEAD and repo.archive.held)


def test_changes_come_in_repository_order_grouped_by_kind(rows: tuple, totals: ReportTotals) -> None:
    repositories = rows[0]
    every = [item for repo in repositories for item in repo_changes(repo)]
    folded = totals.changes.result()
    assert sorted(folded.all, key=every.index) == every
    assert all(item.kind == group[0].kind for group in (folded.missing, folded.moved, folded.revived) for item in group)
    assert len(folded) == len(every)


def test_survival_curves_equal_kaplan_meier_over_every_lifetime(rows: tuple, totals: ReportTotals) -> None:
    repositories, papers, artifacts = rows
    for origin in ("published", "first_seen"):
        days, died = totals.lives.observed(origin)
        assert kaplan_meier(days, died) == curve(repositories, origin)
    basis = totals.lives.basis()
    known = [repo for repo in repositories if repo.status in ALIVE | DEAD]
    assert (basis.with_date, basis.without_date) == (sum(repo.published is not None for repo in known),
                                                     sum(repo.published is None for repo in known))
    every_link = totals.lives.merged(totals.artifact_lives)
    dated = [totals.artifact_dates.dated(entry) for entry in artifacts]
    curves = every_link.curves("first_seen", 5)
    assert curves[0].kind == ALL_LINKS and curves[0].points == curve([*repositories, *dated], "first_seen")
    assert {item.kind: item.points for item in curves[1:]} == {
        kind: curve([entry for entry in [*repositories, *dated] if entry.kind == kind], "first_seen")
        for kind in {entry.kind for entry in [*repositories, *dated]}
        if sum(lifetime(entry, "first_seen") is not None
               for entry in [*repositories, *dated] if entry.kind == kind) >= 5
    }


def test_only_the_rows_the_files_show_are_kept(rows: tuple, totals: ReportTotals) -> None:
    repositories, papers, _artifacts = rows
    assert totals.rows.result() == sorted(repositories, key=row_order())[:25]
    noteworthy = [repo for repo in repositories if repo.status is not Status.OK or change_summary(repo)]
    assert totals.sections.keys() == [repo.key for repo in sorted(noteworthy, key=row_order())[:30]]
    with_code = [paper for paper in papers if paper.repo_keys]
    shown = sorted(with_code, key=lambda paper: (paper.published is None, paper.published, paper.title))[:25]
    by_key = {repo.key: repo for repo in repositories}
    assert totals.shown_papers() == [(paper, [by_key.get(key) for key in paper.repo_keys]) for paper in shown]
    assert totals.check_names == {name for repo in repositories for name in repo.outcomes}


def test_papers_read_in_another_order_come_out_in_the_report_order(rows: tuple, totals: ReportTotals) -> None:
    papers = rows[1]
    shuffled = ReportTotals()
    for place, paper in sorted(enumerate(papers), key=lambda item: item[1].id[::-1]):
        shuffled.add_paper(paper, place)
    assert shuffled.promises.without_link() == [paper for paper in papers
                                                if paper.code_promised and not paper.repo_keys]
    assert shuffled.promises.result() == totals.promises.result()
    assert [paper for paper, _repos in shuffled.shown_papers()][:25] == \
        [paper for paper, _repos in totals.shown_papers()]
    shuffled.add_repository(rows[0][0])
    with pytest.raises(RuntimeError):
        shuffled.add_paper(papers[0], 0)  # the papers table is settled once repositories come


def test_smallest_keeps_the_first_of_equal_ranks() -> None:
    kept: Smallest[str] = Smallest(3)
    for item, rank in [("a", 2), ("b", 1), ("c", 2), ("d", 2), ("e", 0)]:
        kept.add(item, (rank,))
    assert kept.result() == ["e", "b", "a"]
    nothing: Smallest[str] = Smallest(0)
    nothing.add("a", (1,))
    assert nothing.result() == []


def test_the_files_list_every_row_in_order_past_the_spill(rows: tuple, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    repositories, papers, artifacts = rows
    data = ReportData(repositories=tuple(repositories), papers=tuple(papers), artifacts=tuple(artifacts))
    whole = write_report(data, tmp_path / "in-memory", NOW)
    monkeypatch.setattr(ordered_module, "SPILL_ROWS", 7)
    monkeypatch.setattr(ordered_module, "SPILL_BLOCK", 3)
    spilled = write_report(data, tmp_path / "spilled", NOW)
    listed = json.loads((spilled / "repositories.json").read_text(encoding="utf-8"))
    assert listed == [row_dict(repo) for repo in sorted(repositories, key=row_order())]
    for name in ("repositories.json", "repositories.csv", "report.md", "report.html"):
        assert (spilled / name).read_text(encoding="utf-8") == (whole / name).read_text(encoding="utf-8"), name
    assert len(list((spilled / "badges").iterdir())) == len(repositories)


def test_a_store_streamed_page_by_page_writes_the_report_read_whole(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`write_report_files` (pages of papers and repositories) against `report_data` (everything at once)."""
    from tracker.dashboard import write_report_files

    days = iter(NOW - timedelta(days=60 - day) for day in range(60))
    store = open_store(str(tmp_path / "tracker.db"), clock=lambda: next(days, NOW))
    refs = [RepoRef("github.com", f"lab{number % 3}", f"repo{number}") for number in range(9)]
    for number in range(6):
        linked = tuple(FoundLink(ref.canonical, repo=ref) for ref in refs[number:number + 3 + number % 2])
        paper = Paper(f"arxiv:2501.0000{9 - number}", f"Paper {number % 4}", "abstract", "test",
                      published=date(2025, 1, 2 + number % 2) if number % 3 else None)
        store.add_papers([PaperLinks(paper, linked, True)])
    store.add_papers([PaperLinks(Paper("arxiv:2502.00001", "Promised", "code soon", "test"), (), True)])
    for run_number, statuses in enumerate(([Status.OK] * 9, [Status.OK, Status.MISSING, Status.ARCHIVED] * 3)):
        run = store.start_run(["test"])
        for ref, status in zip(refs, statuses, strict=True):
            store.record_check(run, RepoFacts(ref=ref, status=status, detail=f"{status}", checked_at=NOW), (),
                               health="healthy", repro_score=10 * run_number)
        store.finish_run(run, "completed")
    whole = write_report(report_data(store, details=True), tmp_path / "whole", NOW)
    monkeypatch.setattr(load_module, "REPORT_PAGE", 2)
    monkeypatch.setattr(load_module, "PAPER_PAGE", 2)
    streamed = write_report_files(store, tmp_path / "streamed", NOW)
    for name in ("repositories.json", "repositories.csv", "report.md", "report.html"):
        assert (streamed / name).read_text(encoding="utf-8") == (whole / name).read_text(encoding="utf-8"), name
    assert json.loads((streamed / "repositories.json").read_text(encoding="utf-8"))[0]["papers"]
    store.close()
