"""Every link a paper gives in the report: one survival curve over repositories and artifacts, a line per kind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.records import Artifact, ArtifactKind, Status
from tracker.report import PaperEntry, RepoEntry, ReportData, write_report
from tracker.report.chart_slots import MIN_SURVIVAL_SUBJECTS, build_charts
from tracker.report.survival import ALL_LINKS, dated_artifacts, survival_basis, survival_by_kind

CHECKED = datetime(2026, 6, 1, tzinfo=UTC)
GONE = datetime(2025, 7, 1, tzinfo=UTC)


def repository(i: int, status: Status = Status.OK) -> RepoEntry:
    return RepoEntry(key=f"github.com/lab/r{i}", canonical=f"github.com/lab/r{i}", host="github.com", status=status,
                     checked_at=CHECKED, published=date(2025, 1, 1), gone_since=GONE if status is Status.MISSING
                     else None)


def artifact(url: str, kind: str, status: Status = Status.OK) -> RepoEntry:
    """As `load.artifact_entry` makes them: no dates of their own (`gone` is `missing`)."""
    return RepoEntry(key=url, canonical=url, host="lab.example.org", status=status, checked_at=CHECKED,
                     gone_since=GONE if status is Status.MISSING else None, kind=kind)


PAGES = [f"https://lab.example.org/p{i}" for i in range(6)]
DOIS = ["https://doi.org/10.1/a", "https://doi.org/10.1/b"]


def world() -> ReportData:
    repositories = tuple(repository(i, Status.MISSING if i == 0 else Status.OK) for i in range(6))
    artifacts = (
        *(artifact(url, "page", Status.MISSING if i < 2 else Status.OK) for i, url in enumerate(PAGES)),
        *(artifact(url, "doi") for url in DOIS),
        artifact("https://lab.example.org/down", "page", Status.UNREACHABLE),  # says nothing of survival
    )
    papers = (
        PaperEntry(id="arxiv:1", title="One", published=date(2025, 1, 1),
                   artifacts=tuple(Artifact(url, ArtifactKind.PROJECT_PAGE) for url in PAGES[:3])),
        # A later paper linking the same page does not move its clock: the earliest publication counts.
        PaperEntry(id="arxiv:2", title="Two", published=date(2025, 3, 1),
                   artifacts=tuple(Artifact(url, ArtifactKind.PROJECT_PAGE) for url in PAGES)
                   + tuple(Artifact(url, ArtifactKind.DOI) for url in DOIS)),
    )
    return ReportData(repositories=repositories, artifacts=artifacts, papers=papers)


def test_artifacts_take_the_earliest_publication_of_the_papers_that_link_them() -> None:
    data = world()
    dated = {entry.key: entry.published for entry in dated_artifacts(data.artifacts, data.papers)}
    assert dated[PAGES[0]] == date(2025, 1, 1)
    assert dated[PAGES[5]] == dated[DOIS[0]] == date(2025, 3, 1)
    assert dated["https://lab.example.org/down"] is None  # linked by no paper here


def test_one_curve_over_every_link_and_a_line_for_each_kind_with_enough_links() -> None:
    data = world()
    entries = [*data.repositories, *dated_artifacts(data.artifacts, data.papers)]
    basis = survival_basis(entries)
    assert basis.origin == "published"
    curves = {curve.kind: curve for curve in survival_by_kind(entries, basis.origin, MIN_SURVIVAL_SUBJECTS)}
    # 6 repositories, 6 pages, 2 DOIs; the unreachable page is left out. Too few DOIs for a line of their own.
    assert {kind: curve.subjects for kind, curve in curves.items()} == {ALL_LINKS: 14, "repository": 6, "page": 6}
    assert sum(point.events for point in curves[ALL_LINKS].points) == 3  # one repository and two pages gone
    assert curves["page"].points[-1].survival == pytest.approx(4 / 6)
    assert curves["repository"].points[-1].survival == pytest.approx(5 / 6)


def test_the_report_draws_it_beside_the_repositories_curve_and_says_why_when_it_cannot(tmp_path: Path) -> None:
    slots = {slot.name: slot for slot in build_charts(world())}
    drawn = slots["link_survival"]
    assert drawn.chart is not None and drawn.chart.svg.startswith("<svg")
    assert "One line per kind with 5 links or more: page, repository." in drawn.note
    folder = write_report(world(), tmp_path, datetime(2026, 6, 2, tzinfo=UTC))
    assert (folder / "link_survival.png").is_file()
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert "link_survival.png" in markdown
    assert "| page | 2 missing, 4 ok, 1 unreachable |" in markdown  # the status mix per kind
    assert 'id="chart-link_survival"' in (folder / "report.html").read_text(encoding="utf-8")

    thin = ReportData(repositories=(repository(1),), artifacts=(artifact(PAGES[0], "page"),))
    sentence = {slot.name: slot for slot in build_charts(thin)}["link_survival"]
    assert sentence.chart is None and sentence.note.startswith("No survival curve of every link yet: 1 link followed")
    assert "1 of 2 links' papers have no publication date" in sentence.note  # the page: linked by no paper here
    # Without artifacts the repositories' own curve says it all: no second chart.
    assert "link_survival" not in {slot.name for slot in build_charts(ReportData(repositories=(repository(1),)))}
