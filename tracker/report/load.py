"""From the store's rows to the report's model.

The only module of `tracker.report` that knows the store's shapes: the
mapping from `tracker.store.rows` is pure (rows in, `ReportData` out) so it is
tested without a database; `report_data(store)` fetches the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from urllib.parse import urlsplit

from tracker.artifacts.kinds import repository_kind
from tracker.collector import cycle_collection_paused
from tracker.records import Status
from tracker.report.model import DEAD, CheckEntry, PaperEntry, RepoEntry, ReportData, RunInfo
from tracker.store.rows import ArtifactRow, CheckRow, PaperRow, RunRow, StoredCheck
from tracker.store.store import Store

# What GitHub answers for a license file it found but could not name.
_UNNAMED = frozenset({"noassertion", "other", ""})
# Which source binds when several name a license: the file is the grant itself.
_SOURCE_RANK = {"file": 0, "api": 1, "readme": 2}


def repo_license(check: StoredCheck) -> str | None:
    """The license a check found: a recognised SPDX id, ``NOASSERTION``, or None (none found).

    A license file outranks the API's detection, which outranks a README
    sentence. Something found but recognised by nobody is ``NOASSERTION``, so
    the report counts it as unrecognised rather than as no license.
    """
    for spdx in (check.license_file, check.license_api):
        if spdx is not None and spdx.strip().lower() not in _UNNAMED:
            return spdx.strip()
    # Decoded only now: most checks name their license in a column already.
    stored = check.licenses()
    for finding in sorted(stored, key=lambda finding: _SOURCE_RANK.get(finding.source, len(_SOURCE_RANK))):
        if finding.spdx is not None and finding.spdx.strip().lower() not in _UNNAMED:
            return finding.spdx.strip()
    if stored or check.license_file is not None or check.license_api is not None:
        return "NOASSERTION"
    return None


def repo_entry(row: CheckRow, papers: Sequence[PaperRow] = ()) -> RepoEntry:
    """One repository's row; `papers` are the papers that link it."""
    published = [paper.published for paper in papers if paper.published is not None]
    first_seen = [paper.first_seen_at for paper in papers]
    return _repo_entry(
        row,
        tuple(paper.title for paper in papers),
        first_seen=min(first_seen) if first_seen else None,
        published=min(published) if published else None,
    )


def status_entry(row: CheckRow, paper_titles: tuple[str, ...] = ()) -> RepoEntry:
    """One repository's row as `status` lists it: like `repo_entry`, from the titles of its papers alone.

    `first_seen` and `published` stay None: only a report's survival curve
    reads them, and a listing should not read every paper to fill them.
    `status_entries` does not read the check's `detail` either.
    """
    return _repo_entry(row, paper_titles, first_seen=None, published=None)


def _repo_entry(
    row: CheckRow, paper_titles: tuple[str, ...], *, first_seen: datetime | None, published: date | None
) -> RepoEntry:
    latest, previous = row.latest, row.previous
    gone_since: datetime | None = None
    if latest.status in DEAD:
        # The earliest check we hold that saw it gone; only two are at hand.
        gone_since = previous.checked_at if previous is not None and previous.status in DEAD else latest.checked_at
    return RepoEntry(
        key=row.key,
        canonical=row.canonical,
        host=row.host,
        status=latest.status,
        checked_at=latest.checked_at,
        detail=latest.detail or "",
        health=latest.health,
        license_spdx=repo_license(latest),
        last_commit_at=latest.last_commit_at or latest.pushed_at,
        stars=latest.stars,
        repro_score=latest.repro_score,
        outcomes=latest.outcomes(),
        moved_to=latest.moved_to,
        first_seen=first_seen,
        published=published,
        gone_since=gone_since,
        paper_titles=paper_titles,
        previous_status=previous.status if previous is not None else None,
        previous_checked_at=previous.checked_at if previous is not None else None,
        previous_license_spdx=repo_license(previous) if previous is not None else None,
        previous_repro_score=previous.repro_score if previous is not None else None,
        previous_last_commit_at=(previous.last_commit_at or previous.pushed_at) if previous is not None else None,
        previous_moved_to=previous.moved_to if previous is not None else None,
        kind=repository_kind(row.kind).value,
    )


# An artifact's state in the repositories' vocabulary, so one listing sorts, filters and fails on both:
# `gone` (an authoritative answer) is `missing`; a gated model or page exists.
_STATE_STATUS = {
    "ok": Status.OK,
    "moved": Status.MOVED,
    "gated": Status.OK,
    "gone": Status.MISSING,
    "unreachable": Status.UNREACHABLE,
    "not_checked": Status.NOT_CHECKED,
}


def artifact_entry(row: ArtifactRow) -> RepoEntry:
    """One web page, DOI or short link as a listing row: its address as its name, its reason as its detail."""
    latest, previous = row.latest, row.previous
    status = _STATE_STATUS[latest.state]
    gone_since = None
    if status in DEAD:
        gone_since = previous.checked_at if previous is not None and _STATE_STATUS[previous.state] in DEAD \
            else latest.checked_at
    return RepoEntry(
        key=row.url,
        canonical=row.url,
        host=(urlsplit(row.url).hostname or "").lower(),
        status=status,
        checked_at=latest.checked_at,
        detail=latest.reason,
        moved_to=latest.final_url if latest.state == "moved" else None,
        gone_since=gone_since,
        paper_titles=row.paper_titles,
        previous_status=_STATE_STATUS[previous.state] if previous is not None else None,
        previous_checked_at=previous.checked_at if previous is not None else None,
        previous_moved_to=(previous.final_url if previous.state == "moved" else None) if previous else None,
        kind=row.kind,
    )


def paper_entry(paper: PaperRow) -> PaperEntry:
    return PaperEntry(
        id=paper.id,
        title=paper.title,
        repo_keys=paper.repositories,
        artifacts=paper.artifacts,
        code_promised=paper.code_promised,
        published=paper.published,
        url=paper.url,
        first_seen=paper.first_seen_at,
        found_later=paper.found_later,
    )


def run_info(run: RunRow, status_counts: Mapping[Status, int] | None = None) -> RunInfo:
    return RunInfo(id=str(run.id), started_at=run.started_at, status_counts=dict(status_counts or {}))


def report_data_from_rows(
    checks: Iterable[CheckRow],
    runs: Iterable[RunRow],
    papers: Iterable[PaperRow],
    status_counts: Mapping[int, Mapping[Status, int]] | None = None,
    artifacts: Iterable[ArtifactRow] = (),
) -> ReportData:
    """`ReportData` from the store's rows; `status_counts` is each run's status mix by run id."""
    paper_rows = list(papers)
    linking: dict[str, list[PaperRow]] = {}
    for paper in paper_rows:
        for key in paper.repositories:
            linking.setdefault(key, []).append(paper)
    counts = status_counts or {}
    return ReportData(
        runs=tuple(run_info(run, counts.get(run.id)) for run in sorted(runs, key=lambda run: run.started_at)),
        repositories=tuple(repo_entry(row, linking.get(row.key, ())) for row in checks),
        papers=tuple(paper_entry(paper) for paper in paper_rows),
        artifacts=tuple(artifact_entry(row) for row in artifacts),
    )


def check_entries(checks: Iterable[StoredCheck]) -> list[CheckEntry]:
    """One repository's stored checks as the timeline `render_history` prints, oldest first."""
    return [
        CheckEntry(
            checked_at=check.checked_at,
            status=check.status,
            detail=check.detail or "",
            license_spdx=repo_license(check),
            repro_score=check.repro_score,
            last_commit_at=check.last_commit_at or check.pushed_at,
            moved_to=check.moved_to,
            run_id=str(check.run_id),
        )
        for check in sorted(checks, key=lambda check: check.checked_at)
    ]


# The `StoredCheck` fields `repo_entry` reads; the store leaves the rest unread.
REPO_ENTRY_FIELDS = (
    "checked_at", "status", "detail", "health", "license_file", "license_api", "licenses_json",
    "last_commit_at", "pushed_at", "stars", "repro_score", "outcomes_json", "moved_to",
)
# What a `status` row shows: no detail, and the outcomes only for `--json`.
STATUS_FIELDS = tuple(name for name in REPO_ENTRY_FIELDS if name not in ("detail", "outcomes_json"))


def report_data(store: Store) -> ReportData:
    """Everything a report shows, read from `store`: latest checks, runs, papers, status mix."""
    with cycle_collection_paused():
        return report_data_from_rows(
            store.latest_checks(fields=REPO_ENTRY_FIELDS), store.runs(), store.papers_with_links(),
            store.status_counts(), store.latest_artifact_checks(),
        )


def status_entries(store: Store, *, outcomes: bool = True) -> list[RepoEntry]:
    """Every checked repository, then every checked artifact, as `status` lists them, each ordered by key.

    Reads only what a listing shows: no runs, no paper records beyond their
    titles, no check details, and each check's outcomes only when `outcomes`
    (the table has no column for them; ``--json`` prints them).
    """
    fields = STATUS_FIELDS + (("outcomes_json",) if outcomes else ())
    titles = store.paper_titles()
    with cycle_collection_paused():
        entries = [status_entry(row, titles.get(row.key, ())) for row in store.latest_checks(fields=fields)]
        return entries + [artifact_entry(row) for row in store.latest_artifact_checks()]


def history(store: Store, key: str) -> list[CheckEntry]:
    """Every check of one repository, for `render_history`."""
    return check_entries(store.history(key))
