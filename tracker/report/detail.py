"""One repository in full: what `show`, the report's per-repository section and the badges read.

A reviewer who sees "missing" or a score of 40 asks why. Every check already
stores its reason and evidence; this module puts them, the license findings,
the papers that link the repository and a brief history into one plain value,
built by a pure function from the store's rows (`repo_detail`), so the
terminal, the JSON, the HTML report and the badges show the same thing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from tracker.output import utc_iso
from tracker.records import CheckResult, LicenseFinding, Outcome, Status
from tracker.report.analysis import CHECKLIST
from tracker.report.listing import archive_dict
from tracker.report.load import check_entries, repo_license
from tracker.report.model import ALIVE, DEAD, ArchiveEntry, CheckEntry
from tracker.report.terminal import archive_lines, differences
from tracker.report.totals import DETAIL_SECTIONS, SectionPicker
from tracker.store.rows import CheckRow, PaperRow, StoredCheck

# History in brief: the changes, at most this many of the newest.
HISTORY_CHANGES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class PaperCite:
    """A paper that links the repository, as a reviewer identifies it."""

    id: str
    title: str
    url: str | None
    published: date | None


@dataclass(frozen=True, slots=True)
class HistoryChange:
    """One check at which something changed, and what."""

    checked_at: datetime
    run_id: int | None
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HistoryBrief:
    """How long the repository has been watched and what changed meanwhile."""

    checks: int
    first_checked_at: datetime
    last_checked_at: datetime
    changes: tuple[HistoryChange, ...]  # newest last; at most HISTORY_CHANGES_SHOWN
    changes_left_out: int = 0


@dataclass(frozen=True, slots=True)
class RepoDetail:
    """Everything known about one repository as of its latest check.

    `detail` is the evidence for `status` (the host's answer, in a sentence);
    `license` the one license a table shows (`repo_license`), `licenses` every
    finding behind it, and `license_disagreement` a sentence when GitHub's
    detection and the license file name different licenses.
    """

    key: str
    canonical: str
    status: Status
    detail: str
    http_status: int | None
    checked_at: datetime
    moved_to: str | None
    health: str | None
    repro_score: int | None
    license: str | None
    license_label: str
    licenses: tuple[LicenseFinding, ...]
    license_disagreement: str | None
    stars: int | None
    description: str | None
    last_commit_at: datetime | None
    latest_release: str | None
    checks: tuple[CheckResult, ...]
    papers: tuple[PaperCite, ...]
    history: HistoryBrief
    archive: ArchiveEntry | None = None  # the latest look at Software Heritage, where one was made

    @property
    def archive_lines(self) -> list[str]:
        """Where the code is kept; for a gone repository, "gone from github.com, archived on ..."."""
        if self.archive is None:
            return []
        gone_from = self.canonical.split("/", 1)[0] if self.status in DEAD else None
        return archive_lines(self.archive, gone_from=gone_from)

    @property
    def checklist_items(self) -> int:
        """How many of the ML Code Completeness Checklist's five items pass."""
        return sum(1 for check in self.checks if check.name in CHECKLIST and check.outcome == Outcome.PASS)




def history_brief(entries: Sequence[CheckEntry], shown: int = HISTORY_CHANGES_SHOWN) -> HistoryBrief:
    """The timeline reduced to its changes; `entries` must not be empty."""
    ordered = sorted(entries, key=lambda entry: entry.checked_at)
    found: list[HistoryChange] = []
    for before, after in itertools.pairwise(ordered):
        phrases = differences(before, after)
        if phrases:
            found.append(HistoryChange(checked_at=after.checked_at, run_id=after.run_id, changes=tuple(phrases)))
    kept = found[-shown:] if shown else []
    return HistoryBrief(
        checks=len(ordered),
        first_checked_at=ordered[0].checked_at,
        last_checked_at=ordered[-1].checked_at,
        changes=tuple(kept),
        changes_left_out=len(found) - len(kept),
    )


def _disagreement(findings: Iterable[LicenseFinding]) -> str | None:
    by_source: dict[str, set[str]] = {}
    for finding in findings:
        if finding.spdx and finding.spdx.upper() not in ("NOASSERTION", "OTHER"):
            by_source.setdefault(finding.source, set()).add(finding.spdx)
    api, files = by_source.get("api", set()), by_source.get("file", set())
    if api and files and not api & files:
        return f"GitHub says {', '.join(sorted(api))}; the license file says {', '.join(sorted(files))}"
    return None


def repo_detail(
    checks: Sequence[StoredCheck], papers: Iterable[PaperRow] = (), *, latest: StoredCheck | None = None
) -> RepoDetail | None:
    """One repository's detail from all its stored checks (any order) and the papers linking it.

    None when it was never checked. Only the papers whose links include the
    repository's key are kept, so callers may pass every paper. `latest`, when
    given, is the newest check read in full, and `checks` need only carry what
    a timeline reads (`load.HISTORY_FIELDS`).
    """
    if not checks:
        return None
    latest = latest or max(checks, key=lambda check: (check.checked_at, check.run_id))
    license_spdx = repo_license(latest)
    findings = latest.licenses()
    linking = [paper for paper in papers if latest.key in paper.repositories]
    return RepoDetail(
        key=latest.key,
        canonical=latest.canonical,
        status=latest.status,
        detail=latest.detail or "",
        http_status=latest.http_status,
        checked_at=latest.checked_at,
        moved_to=latest.moved_to,
        health=latest.health,
        repro_score=latest.repro_score,
        license=license_spdx,
        license_label=(license_spdx or "none") if latest.status in ALIVE else "unknown",
        licenses=findings,
        license_disagreement=_disagreement(findings),
        stars=latest.stars,
        description=latest.description,
        last_commit_at=latest.last_commit_at or latest.pushed_at,
        latest_release=latest.latest_release,
        checks=latest.results(),
        papers=tuple(
            PaperCite(id=paper.id, title=paper.title, url=paper.url, published=paper.published)
            for paper in sorted(linking, key=lambda paper: (paper.first_seen_at, paper.id))
        ),
        history=history_brief(check_entries(checks)),
    )


def find_papers(papers: Iterable[PaperRow], text: str) -> list[PaperRow]:
    """The papers `text` names: by id, else by whole title, else by a part of the title (case-insensitive)."""
    wanted = text.strip().casefold()
    rows = list(papers)
    for matches in (
        [paper for paper in rows if paper.id.casefold() == wanted],
        [paper for paper in rows if paper.title.casefold() == wanted],
        [paper for paper in rows if wanted and wanted in paper.title.casefold()],
    ):
        if matches:
            return matches
    return []


def detail_json(detail: RepoDetail) -> dict[str, Any]:
    """The JSON shape of `show --json`: every field, dates as ISO text."""
    data = asdict(detail)
    data["status"] = str(detail.status)
    data["checks"] = [{**asdict(check), "outcome": str(check.outcome)} for check in detail.checks]
    data["checklist_items"] = detail.checklist_items
    data.pop("archive", None)
    data.update(archive_dict(detail.archive))
    return _plain(data)


def paper_json(paper: PaperRow, details: Sequence[RepoDetail]) -> dict[str, Any]:
    """The JSON shape of `show PAPER --json`: the paper and each repository it links, in full."""
    return _plain({
        "paper": {"id": paper.id, "title": paper.title, "url": paper.url, "published": paper.published,
                  "code_promised": paper.code_promised, "repositories": list(paper.repositories)},
        "repositories": [detail_json(detail) for detail in details],
    })


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return utc_iso(value)
    return value


def repo_details(
    rows: Iterable[CheckRow], timeline: Iterable[StoredCheck], papers: Sequence[PaperRow]
) -> dict[str, RepoDetail]:
    """Every repository in full, by key: its latest check (`rows`, read in full) and every check (`timeline`)."""
    by_key: dict[str, list[StoredCheck]] = {}
    for check in timeline:
        by_key.setdefault(check.key, []).append(check)
    linking: dict[str, list[PaperRow]] = {}
    for paper in papers:
        for key in paper.repositories:
            linking.setdefault(key, []).append(paper)
    found: dict[str, RepoDetail] = {}
    for row in rows:
        detail = repo_detail(by_key.get(row.key) or [row.latest], linking.get(row.key, ()), latest=row.latest)
        if detail is not None:
            found[row.key] = detail
    return found


def section_keys(repositories: Iterable[Any], limit: int = DETAIL_SECTIONS) -> list[str]:
    """The keys of the repositories (`RepoEntry`) with a section: all of them up to `limit`, else the ones a
    reader has a reason to look at -- changed since the previous check, or not plainly `ok` -- worst first."""
    picker = SectionPicker(limit)
    for repo in repositories:
        picker.add(repo)
    return picker.keys()
