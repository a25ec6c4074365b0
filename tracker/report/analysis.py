"""Figures a report shows, as pure functions over `ReportData`.

Each figure over many rows is a tally that takes one row at a time (`add`)
and gives the figure at the end (`result`), so a report of any size folds its
rows as they are read and holds none of them (`totals.ReportTotals`); the
functions over a whole `ReportData` fold its rows through the same tallies.

Changes compare a repository's latest check with its previous one. Only
authoritative answers count: a repository we could not reach is neither
"missing" nor, when it answers again, "revived" -- a network fault is not
evidence about the repository.
"""

from __future__ import annotations

import enum
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from tracker.records import Outcome, Status
from tracker.report.licenses import LicenseGroup, license_group
from tracker.report.model import ALIVE, DEAD, STATUS_ORDER, PaperEntry, RepoEntry, ReportData, RunInfo

STALE_AFTER = timedelta(days=365)


class Tally(Protocol):
    def add(self, item: Any, /) -> None: ...


T = TypeVar("T", bound=Tally)


def fold(tally: T, *groups: Iterable[Any]) -> T:
    """`tally` after adding every item of `groups`, in order."""
    for group in groups:
        for item in group:
            tally.add(item)
    return tally


class ChangeKind(enum.StrEnum):
    MISSING = "missing"
    BLOCKED = "blocked"
    MOVED = "moved"
    ARCHIVED = "archived"
    LICENSE = "license changed"
    REVIVED = "revived"
    STALE = "gone stale"


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one repository since its previous check."""

    kind: ChangeKind
    key: str
    canonical: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Changes:
    """Every change since the previous run, by kind, in repository order."""

    missing: tuple[Change, ...] = ()
    blocked: tuple[Change, ...] = ()
    moved: tuple[Change, ...] = ()
    archived: tuple[Change, ...] = ()
    license_changed: tuple[Change, ...] = ()
    revived: tuple[Change, ...] = ()
    gone_stale: tuple[Change, ...] = ()

    @property
    def all(self) -> tuple[Change, ...]:
        return (
            self.missing + self.blocked + self.moved + self.archived
            + self.license_changed + self.revived + self.gone_stale
        )

    def __len__(self) -> int:
        return len(self.all)


def _is_stale(last_commit_at: datetime | None, at: datetime | None) -> bool:
    return last_commit_at is not None and at is not None and at - last_commit_at > STALE_AFTER


def repo_changes(repo: RepoEntry) -> list[Change]:
    """What changed for one repository between its previous and latest check."""
    before, now = repo.previous_status, repo.status
    if before is None:
        return []

    def change(kind: ChangeKind, old: str | None, new: str | None) -> Change:
        return Change(kind=kind, key=repo.key, canonical=repo.canonical, before=old, after=new)

    found: list[Change] = []
    if now == Status.MISSING and before != Status.MISSING:
        found.append(change(ChangeKind.MISSING, before, now))
    if now in DEAD - {Status.MISSING} and before not in DEAD - {Status.MISSING}:
        found.append(change(ChangeKind.BLOCKED, before, now))
    if now == Status.MOVED and (before != Status.MOVED or repo.previous_moved_to != repo.moved_to):
        old_name = repo.previous_moved_to if before == Status.MOVED else repo.canonical
        found.append(change(ChangeKind.MOVED, old_name, repo.moved_to))
    if now == Status.ARCHIVED and before != Status.ARCHIVED:
        found.append(change(ChangeKind.ARCHIVED, before, now))
    # A license is only known for a repository that answered both times.
    if now in ALIVE and before in ALIVE and (repo.license_spdx or "") != (repo.previous_license_spdx or ""):
        found.append(change(ChangeKind.LICENSE, repo.previous_license_spdx, repo.license_spdx))
    if now in ALIVE and before in DEAD:
        found.append(change(ChangeKind.REVIVED, before, now))
    previous_commit = repo.previous_last_commit_at or repo.last_commit_at
    if (
        now in ALIVE
        and _is_stale(repo.last_commit_at, repo.checked_at)
        and not _is_stale(previous_commit, repo.previous_checked_at)
    ):
        last = repo.last_commit_at.date().isoformat() if repo.last_commit_at else None
        found.append(change(ChangeKind.STALE, None, last))
    return found


_FIELD = {
    ChangeKind.MISSING: "missing",
    ChangeKind.BLOCKED: "blocked",
    ChangeKind.MOVED: "moved",
    ChangeKind.ARCHIVED: "archived",
    ChangeKind.LICENSE: "license_changed",
    ChangeKind.REVIVED: "revived",
    ChangeKind.STALE: "gone_stale",
}


class ChangesTally:
    """`changes`, a repository at a time."""

    def __init__(self) -> None:
        self._grouped: dict[str, list[Change]] = {name: [] for name in _FIELD.values()}

    def add(self, repo: RepoEntry) -> None:
        for item in repo_changes(repo):
            self._grouped[_FIELD[item.kind]].append(item)

    def result(self) -> Changes:
        return Changes(**{name: tuple(items) for name, items in self._grouped.items()})


def changes(data: ReportData) -> Changes:
    """Every repository's changes since its previous check, grouped by kind."""
    return fold(ChangesTally(), data.repositories).result()


def describe_change(item: Change) -> str:
    """One short phrase for a table cell: ``ok → missing``, ``MIT → GPL-3.0``."""
    if item.kind == ChangeKind.STALE:
        return f"gone stale (last commit {item.after or 'unknown'})"
    if item.kind == ChangeKind.MOVED:
        return f"moved to {item.after}" if item.after else "moved (new name unknown)"
    if item.kind == ChangeKind.LICENSE:
        return f"license {item.before or 'none'} → {item.after or 'none'}"
    return f"{item.before} → {item.after}"


def change_summary(repo: RepoEntry) -> str:
    """Everything that changed for `repo`, for one table cell; '' when nothing did.

    Besides the changes `changes` reports, any other status change
    (``ok → unreachable``) is shown, since a person reading the table should
    see it -- it is just not counted as news.
    """
    found = repo_changes(repo)
    parts = [describe_change(item) for item in found]
    status_told = any(item.kind not in (ChangeKind.LICENSE, ChangeKind.STALE) for item in found)
    if repo.previous_status is not None and repo.previous_status != repo.status and not status_told:
        parts.insert(0, f"{repo.previous_status} → {repo.status}")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Headline:
    """The figures at the top of a report."""

    papers: int
    papers_with_code: int
    promised_without_link: int
    repositories: int
    by_status: dict[Status, int]
    without_license_share: float | None
    median_score: float | None


class HeadlineTally:
    """`headline`, a repository (`add`) or a paper (`add_paper`) at a time.

    The scores are kept, one number each (the median needs them all); every
    other figure is a count.
    """

    def __init__(self) -> None:
        self.by_status: Counter[Status] = Counter()
        self.existing = self.unlicensed = 0
        self.scores: list[float] = []
        self.papers = self.papers_with_code = self.promised_without_link = 0

    def add(self, repo: RepoEntry) -> None:
        self.by_status[repo.status] += 1
        if repo.status in ALIVE:
            self.existing += 1
            self.unlicensed += repo.license_spdx is None
        if repo.repro_score is not None:
            self.scores.append(repo.repro_score)

    def add_paper(self, paper: PaperEntry) -> None:
        self.papers += 1
        self.papers_with_code += bool(paper.repo_keys)
        self.promised_without_link += _promised_without_link(paper)

    def result(self) -> Headline:
        return Headline(
            papers=self.papers,
            papers_with_code=self.papers_with_code,
            promised_without_link=self.promised_without_link,
            repositories=sum(self.by_status.values()),
            by_status={status: self.by_status[status] for status in STATUS_ORDER if self.by_status[status]},
            without_license_share=self.unlicensed / self.existing if self.existing else None,
            median_score=statistics.median(self.scores) if self.scores else None,
        )


def headline(data: ReportData) -> Headline:
    """Headline figures.

    The share without a license is over repositories that exist (only those
    have a known license); the median score over repositories that have one.
    """
    tally = fold(HeadlineTally(), data.repositories)
    for paper in data.papers:
        tally.add_paper(paper)
    return tally.result()


def _promised_without_link(paper: PaperEntry) -> bool:
    return paper.code_promised and not paper.repo_keys


def promised_without_link(papers: Iterable[PaperEntry]) -> list[PaperEntry]:
    """Papers that say code will be released but link no repository."""
    return [paper for paper in papers if _promised_without_link(paper)]


@dataclass(slots=True)
class LicenseTally:
    """`license_distribution`, a repository at a time."""

    counts: Counter[LicenseGroup] = field(default_factory=Counter)

    def add(self, repo: RepoEntry) -> None:
        if repo.status in ALIVE:
            self.counts[license_group(repo.license_spdx)] += 1

    def result(self) -> dict[LicenseGroup, int]:
        return {group: self.counts[group] for group in LicenseGroup}


def license_distribution(repositories: Iterable[RepoEntry]) -> dict[LicenseGroup, int]:
    """How many existing repositories fall in each license group, every group present."""
    return fold(LicenseTally(), repositories).result()


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many repositories pass, fail, or could not be judged on one check."""

    check: str
    passed: int
    failed: int
    unknown: int

    @property
    def judged(self) -> int:
        return self.passed + self.failed


@dataclass(slots=True)
class CoverageTally:
    """`checklist_coverage`, a repository at a time: a count per check and outcome."""

    counts: Counter[tuple[str, Outcome]] = field(default_factory=Counter)

    def add(self, repo: RepoEntry) -> None:
        self.counts.update(repo.outcomes.items())

    def result(self) -> list[Coverage]:
        tallies: dict[str, Counter[Outcome]] = {}
        for (name, outcome), count in self.counts.items():
            tallies.setdefault(name, Counter())[Outcome(outcome)] += count
        return [
            Coverage(check=name, passed=tally[Outcome.PASS], failed=tally[Outcome.FAIL],
                     unknown=tally[Outcome.UNKNOWN])
            for name, tally in sorted(tallies.items())
        ]


def checklist_coverage(repositories: Iterable[RepoEntry]) -> list[Coverage]:
    """Per check item, in name order: how many repositories pass it."""
    return fold(CoverageTally(), repositories).result()


def status_mix(runs: Sequence[RunInfo]) -> list[tuple[RunInfo, dict[Status, int]]]:
    """Each run, oldest first, with its count per status in `STATUS_ORDER`."""
    ordered = sorted(runs, key=lambda run: run.started_at)
    return [(run, {status: run.status_counts.get(status, 0) for status in STATUS_ORDER}) for run in ordered]


@dataclass(frozen=True, slots=True)
class ArchiveShare:
    """How much of the checked code Software Heritage holds, beside Escamilla et al.'s 68%.

    Shares are over the repositories the archive was asked about (`asked`);
    `unknown` ones (a fault, a spent budget) count in neither direction.
    """

    asked: int
    archived: int
    behind: int
    not_archived: int
    unknown: int
    gone_but_held: tuple[RepoEntry, ...]
    save_requests: dict[str, int]
    reference_share: float

    def share(self, count: int) -> float | None:
        judged = self.asked - self.unknown
        return count / judged if judged else None

    @property
    def held_share(self) -> float | None:
        """Archived at HEAD or behind it: what Escamilla et al. counted as "in Software Heritage"."""
        return self.share(self.archived + self.behind)


@dataclass(slots=True)
class ArchiveTally:
    """`archive_share`, a repository at a time: counts by archive state, and the gone repositories it holds."""

    counts: Counter[str] = field(default_factory=Counter)
    gone_but_held: list[RepoEntry] = field(default_factory=list)

    def add(self, repo: RepoEntry) -> None:
        if repo.archive is None:
            return
        self.counts[repo.archive.state] += 1
        if repo.status in DEAD and repo.archive.held:
            self.gone_but_held.append(repo)

    def result(self, save_requests: Mapping[str, int]) -> ArchiveShare:
        from tracker.archive.state import ESCAMILLA_ARCHIVED_SHARE

        counts = self.counts
        return ArchiveShare(asked=sum(counts.values()), archived=counts["archived"], behind=counts["behind"],
                            not_archived=counts["not_archived"], unknown=counts["unknown"],
                            gone_but_held=tuple(self.gone_but_held), save_requests=dict(save_requests),
                            reference_share=ESCAMILLA_ARCHIVED_SHARE)


def archive_share(data: ReportData) -> ArchiveShare:
    return fold(ArchiveTally(), data.repositories).result(data.save_requests)


# The five items of the ML Code Completeness Checklist, as the checks name them.
CHECKLIST = ("dependencies", "training_code", "evaluation_code", "pretrained_models", "results")
# Share of the NeurIPS 2019 repositories sampled for the checklist that had all five items
# (Stojnic et al., "ML Code Completeness Checklist", Papers with Code, 2020).
NEURIPS_2019_ALL_FIVE = 0.09


@dataclass(slots=True)
class CompletenessTally:
    """`checklist_completeness`, a repository at a time."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(CHECKLIST) + 1))

    def add(self, repo: RepoEntry) -> None:
        if repo.status not in ALIVE:
            return
        known = [repo.outcomes.get(name) for name in CHECKLIST]
        if any(outcome in (Outcome.PASS, Outcome.FAIL) for outcome in known):
            self.counts[sum(1 for outcome in known if outcome == Outcome.PASS)] += 1


def checklist_completeness(repositories: Iterable[RepoEntry]) -> list[int]:
    """How many existing repositories pass 0, 1, ... 5 of the checklist's items (index = items passed).

    Only repositories whose content was judged on at least one item count:
    one we could not read says nothing about its completeness.
    """
    return fold(CompletenessTally(), repositories).counts


@dataclass(frozen=True, slots=True)
class MonthShare:
    """Repositories of papers published in one month: how many still exist, how many are gone."""

    month: str  # YYYY-MM
    alive: int
    gone: int

    @property
    def share(self) -> float:
        return self.alive / (self.alive + self.gone)


@dataclass(slots=True)
class MonthTally:
    """`alive_by_month`, a repository at a time: [alive, gone] per month of publication."""

    months: dict[str, list[int]] = field(default_factory=dict)

    def add(self, repo: RepoEntry) -> None:
        if repo.published is None or repo.status not in ALIVE | DEAD:
            return
        counts = self.months.setdefault(f"{repo.published:%Y-%m}", [0, 0])
        counts[0 if repo.status in ALIVE else 1] += 1

    def result(self) -> list[MonthShare]:
        return [MonthShare(month, alive, gone) for month, (alive, gone) in sorted(self.months.items())]


def alive_by_month(repositories: Iterable[RepoEntry]) -> list[MonthShare]:
    """Per month of publication, oldest first: repositories alive and gone (unknown ones left out)."""
    return fold(MonthTally(), repositories).result()


def runs_to_chart(runs: Sequence[RunInfo]) -> tuple[list[RunInfo], int]:
    """The runs a status-per-run chart shows, oldest first, and how many were left out.

    A `check --repo` of one repository is a run too; a bar for it beside runs
    of hundreds says nothing. A run is shown when it checked at least half as
    many repositories as the largest run did.
    """
    totals = {run.id: sum(run.status_counts.values()) for run in runs}
    largest = max(totals.values(), default=0)
    kept = [run for run in sorted(runs, key=lambda run: run.started_at)
            if totals[run.id] and totals[run.id] * 2 >= largest]
    return kept, len(runs) - len(kept)


# Windows, in days after publication, within which a promise counts as kept.
PROMISE_WINDOWS = (30, 90, 365)


@dataclass(frozen=True, slots=True)
class PromisesKept:
    """Papers that promised code without a link: how many got one later, and how soon after publication.

    `within[d]` counts the promises kept within `d` days of publication (of
    first sight when the publication date is unknown); `open` are the papers
    still without a repository.
    """

    promised: int
    kept: int
    within: Mapping[int, int]
    open: tuple[PaperEntry, ...]


class PromisesTally:
    """`promises_kept` and `promised_without_link`, a paper at a time.

    `add`'s `place` is the paper's place in the report's order of papers
    (oldest first); the lists come out in that order whatever order the papers
    were added in.
    """

    def __init__(self) -> None:
        self.promised = self.kept = 0
        self.within = dict.fromkeys(PROMISE_WINDOWS, 0)
        self._open: list[tuple[Any, PaperEntry]] = []
        self._without_link: list[tuple[Any, PaperEntry]] = []

    def add(self, paper: PaperEntry, place: Any = None) -> None:
        if not paper.code_promised:
            return
        self.promised += 1
        if not paper.repo_keys:
            self._without_link.append((place, paper))
        if paper.found_later:
            self.kept += 1
            found = min(when for _key, when in paper.found_later)
            start = paper.published or (paper.first_seen.date() if paper.first_seen else found.date())
            days = (found.date() - start).days
            for window in PROMISE_WINDOWS:
                if days <= window:
                    self.within[window] += 1
        elif not paper.repo_keys:
            self._open.append((place, paper))

    @staticmethod
    def _in_order(placed: list[tuple[Any, PaperEntry]]) -> list[PaperEntry]:
        return [paper for _place, paper in sorted(placed, key=lambda item: item[0])]

    def result(self) -> PromisesKept:
        return PromisesKept(self.promised, self.kept, dict(self.within), tuple(self._in_order(self._open)))

    def without_link(self) -> list[PaperEntry]:
        return self._in_order(self._without_link)


def promises_kept(papers: Iterable[PaperEntry]) -> PromisesKept:
    tally = PromisesTally()
    for place, paper in enumerate(papers):
        tally.add(paper, place)
    return tally.result()


@dataclass(slots=True)
class KindMixTally:
    """`kind_mix`, a row at a time."""

    mix: dict[str, Counter[Status]] = field(default_factory=dict)

    def add(self, entry: RepoEntry) -> None:
        self.mix.setdefault(entry.kind, Counter())[entry.status] += 1

    def result(self) -> dict[str, dict[Status, int]]:
        return {kind: dict(counts) for kind, counts in sorted(self.mix.items())}


def kind_mix(*entries: Iterable[RepoEntry]) -> dict[str, dict[Status, int]]:
    """Per kind of link (repository, model, ..., short_link): how many rows are in each status, every row counted."""
    return fold(KindMixTally(), *entries).result()
