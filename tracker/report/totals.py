"""A report's figures and the rows its files show, folded from its rows one at a time.

`report` at 300,000 repositories must not hold 300,000 `RepoEntry`s. Every
figure is a running tally (`analysis`, `survival`); what the files list is
bounded and kept as the rows pass: the worst `TABLE_ROWS` repositories for the
table, the oldest `TABLE_ROWS` papers with code for the papers table (and the
repositories their cells name), the keys of the repositories that get a
section of their own (`DETAIL_SECTIONS`). What grows with the store is one
number or two per repository (scores, lifetimes) and the lists the report
prints whole (changes, promises).

Papers are added before repositories: the papers table names the
repositories whose status it shows, which are kept as they pass.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tracker.records import Status
from tracker.report.analysis import (
    ArchiveTally,
    ChangesTally,
    CompletenessTally,
    CoverageTally,
    HeadlineTally,
    KindMixTally,
    LicenseTally,
    MonthTally,
    PromisesTally,
    change_summary,
)
from tracker.report.listing import row_order
from tracker.report.model import PaperEntry, RepoEntry, ReportData, RunInfo
from tracker.report.survival import ArtifactDates, LifetimeTally

# Rows of the report's repository and paper tables, at most: worst first, the rest in repositories.csv/.json.
# A browser lays out and sorts 2,000 rows at once; 100,000 made a page that took minutes to open.
TABLE_ROWS = 2_000
# Repositories a report gives a section of their own, at most: past this, only those a reader has a reason to
# open (changed, gone, unreachable, archived, empty), worst first. 100,000 sections made a 400 MB page that no
# browser opens; every repository's row is in repositories.csv and repositories.json beside it.
DETAIL_SECTIONS = 1_000

T = TypeVar("T")


class _Kept(Generic[T]):
    """An item in `Smallest`'s heap, which is a max-heap: the greatest rank is on top, the first to go."""

    __slots__ = ("item", "rank")

    def __init__(self, rank: tuple[Any, ...], item: T) -> None:
        self.rank = rank
        self.item = item

    def __lt__(self, other: _Kept[T]) -> bool:
        return other.rank < self.rank


class Smallest(Generic[T]):
    """The `limit` items of smallest rank seen so far, as `heapq.nsmallest` over all of them gives them.

    Equal ranks keep the order the items were added in.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._heap: list[_Kept[T]] = []
        self._added = 0

    def add(self, item: T, rank: tuple[Any, ...]) -> None:
        self._added += 1
        if self.limit <= 0:
            return
        kept = _Kept((*rank, self._added), item)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, kept)
        elif kept.rank < self._heap[0].rank:
            heapq.heapreplace(self._heap, kept)

    def result(self) -> list[T]:
        """The items kept, smallest rank first."""
        return [kept.item for kept in sorted(self._heap, key=lambda kept: kept.rank)]


class SectionPicker:
    """`detail.section_keys`, a repository at a time: every key while there are at most `limit`, else the
    `limit` worst of those a reader has a reason to look at (changed, or not plainly `ok`)."""

    def __init__(self, limit: int = DETAIL_SECTIONS) -> None:
        self.limit = limit
        self.count = 0
        self._first: list[str] = []
        self._noteworthy: Smallest[str] = Smallest(limit)
        self._order = row_order()

    def add(self, repo: RepoEntry) -> None:
        self.count += 1
        if len(self._first) <= self.limit:
            self._first.append(repo.key)
        if repo.status is not Status.OK or change_summary(repo):
            self._noteworthy.add(repo.key, self._order(repo))

    def keys(self) -> list[str]:
        return self._first if self.count <= self.limit else self._noteworthy.result()


def paper_rank(paper: PaperEntry, place: Any) -> tuple[Any, ...]:
    """Where a paper with code stands in the papers table: oldest publication first, undated last, then title,
    then its place in the report's order of papers."""
    return (paper.published is None, paper.published, paper.title, place)


@dataclass(frozen=True, slots=True)
class ReportStream:
    """A report's rows as they are read, for `ReportTotals` to fold.

    `papers` are (place, paper) pairs, `place` being the paper's place in the
    report's order (oldest first), since they may be read in another;
    `details(section_keys)` gives the repositories to show in full.
    """

    runs: tuple[RunInfo, ...] = ()
    papers: Iterable[tuple[Any, PaperEntry]] = ()
    repositories: Iterable[RepoEntry] = ()
    artifacts: Iterable[RepoEntry] = ()
    save_requests: Mapping[str, int] = field(default_factory=dict)
    details: Callable[[Sequence[str]], Mapping[str, Any]] = lambda _keys: {}


def stream_of(data: ReportData) -> ReportStream:
    """The rows of a `ReportData` as a stream; its `details` are the report's sections, whatever keys."""
    return ReportStream(runs=data.runs, papers=enumerate(data.papers), repositories=data.repositories,
                        artifacts=data.artifacts, save_requests=data.save_requests,
                        details=lambda _keys: data.details)


class ReportTotals:
    """Everything the report files show, but the repositories' own rows, folded a row at a time."""

    def __init__(self, runs: Sequence[RunInfo] = (), save_requests: Mapping[str, int] | None = None, *,
                 table_rows: int = TABLE_ROWS, sections: int = DETAIL_SECTIONS) -> None:
        self.runs = tuple(runs)
        self.save_requests = dict(save_requests or {})
        self.details: Mapping[str, Any] = {}  # the repositories shown in full (`RepoDetail`), by key
        self.head = HeadlineTally()
        self.changes = ChangesTally()
        self.licenses = LicenseTally()
        self.coverage = CoverageTally()
        self.completeness = CompletenessTally()
        self.months = MonthTally()
        self.archive = ArchiveTally()
        self.kinds = KindMixTally()
        self.promises = PromisesTally()
        self.lives = LifetimeTally()
        self.artifact_lives = LifetimeTally()
        self.artifact_dates = ArtifactDates()
        self.sections = SectionPicker(sections)
        self.rows: Smallest[RepoEntry] = Smallest(table_rows)
        self.paper_lines: Smallest[PaperEntry] = Smallest(table_rows)
        self.papers_with_code = self.papers_without_links = self.artifacts = 0
        self.check_names: set[str] = set()
        self._order = row_order()
        self._shown_papers: list[PaperEntry] | None = None
        self._named: dict[str, RepoEntry | None] = {}  # the repositories the papers table names, by key
        self._tallies = (self.head, self.changes, self.licenses, self.coverage, self.completeness, self.months,
                         self.archive, self.kinds, self.lives, self.sections)

    @classmethod
    def of(cls, stream: ReportStream, **limits: int) -> ReportTotals:
        """Every row of `stream` folded, then the details of the repositories that get a section."""
        totals = cls(stream.runs, stream.save_requests, **limits)
        totals.add_papers(stream.papers)
        for repo in stream.repositories:
            totals.add_repository(repo)
        totals.add_artifacts(stream.artifacts)
        totals.details = stream.details(totals.sections.keys())
        return totals

    def add_papers(self, papers: Iterable[tuple[Any, PaperEntry]]) -> None:
        for place, paper in papers:
            self.add_paper(paper, place)

    def add_artifacts(self, entries: Iterable[RepoEntry]) -> None:
        for entry in entries:
            self.add_artifact(entry)

    def add_paper(self, paper: PaperEntry, place: Any) -> None:
        if self._shown_papers is not None:
            raise RuntimeError("papers are added before repositories")
        self.head.add_paper(paper)
        self.promises.add(paper, place)
        self.artifact_dates.add(paper)
        if paper.repo_keys:
            self.papers_with_code += 1
            self.paper_lines.add(paper, paper_rank(paper, place))
        else:
            self.papers_without_links += 1

    def _papers_shown(self) -> list[PaperEntry]:
        if self._shown_papers is None:
            self._shown_papers = self.paper_lines.result()
            self._named = dict.fromkeys(key for paper in self._shown_papers for key in paper.repo_keys)
        return self._shown_papers

    def add_repository(self, repo: RepoEntry) -> None:
        self._papers_shown()
        for tally in self._tallies:
            tally.add(repo)
        self.rows.add(repo, self._order(repo))
        self.check_names.update(repo.outcomes)
        if repo.key in self._named:
            self._named[repo.key] = repo

    def add_artifact(self, entry: RepoEntry) -> None:
        """A web page, DOI or short link: in the kind mix and the survival of every link, not in the figures
        about code."""
        self.artifacts += 1
        self.kinds.add(entry)
        self.artifact_lives.add(self.artifact_dates.dated(entry))

    def shown_papers(self) -> list[tuple[PaperEntry, list[RepoEntry | None]]]:
        """The papers table: each paper with the repositories it links, None for one never checked."""
        return [(paper, [self._named.get(key) for key in paper.repo_keys]) for paper in self._papers_shown()]


def totals_of(data: ReportData) -> ReportTotals:
    """`data` folded as a report folds the store's rows."""
    return ReportTotals.of(stream_of(data))
