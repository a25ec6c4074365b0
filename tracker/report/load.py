"""From the store's rows to the report's model.

The only module of `tracker.report` that knows the store's shapes: the
mapping from `tracker.store.rows` is pure (rows in, `ReportData` out) so it is
tested without a database; `report_data(store)` fetches the rows.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from tracker.archive.state import (
    archive_root,
    browse_url,
    revision_swhid,
    snapshot_swhid,
)
from tracker.artifacts.kinds import repository_kind
from tracker.collector import cycle_collection_paused
from tracker.records import Outcome, Status
from tracker.report.model import (
    ALIVE,
    DEAD,
    ArchiveEntry,
    CheckEntry,
    PaperEntry,
    RepoEntry,
    ReportData,
    RunInfo,
)
from tracker.report.totals import ReportStream
from tracker.store.archive import StoredArchiveCheck, StoredSaveRequest
from tracker.store.rows import ArtifactRow, CheckRow, PaperRow, RunRow, StoredCheck
from tracker.store.store import Store

if TYPE_CHECKING:
    from tracker.report.detail import RepoDetail

# What GitHub answers for a license file it found but could not name.
_UNNAMED = frozenset({"noassertion", "other", ""})
# Which source binds when several name a license: the file is the grant itself.
_SOURCE_RANK = {"file": 0, "api": 1, "readme": 2}


def repo_license(check: StoredCheck, *, with_api: bool = True) -> str | None:
    """The license a check found: a recognised SPDX id, ``NOASSERTION``, or None (none found).

    A license file outranks the API's detection, which outranks a README
    sentence. Something found but recognised by nobody is ``NOASSERTION``, so
    the report counts it as unrecognised rather than as no license.
    `with_api=False` leaves GitHub's detection out, to compare a check with
    one that could not ask the API (`asked_api`).
    """
    api = check.license_api if with_api else None
    for spdx in (check.license_file, api):
        if spdx is not None and spdx.strip().lower() not in _UNNAMED:
            return spdx.strip()
    # Decoded only now: most checks name their license in a column already.
    stored = tuple(finding for finding in check.licenses() if with_api or finding.source != "api")
    for finding in sorted(stored, key=lambda finding: _SOURCE_RANK.get(finding.source, len(_SOURCE_RANK))):
        if finding.spdx is not None and finding.spdx.strip().lower() not in _UNNAMED:
            return finding.spdx.strip()
    if stored or check.license_file is not None or api is not None:
        return "NOASSERTION"
    return None


def archive_entry(check: StoredArchiveCheck, save_request: StoredSaveRequest | None = None, *,
                  api_url: str | None = None) -> ArchiveEntry:
    """An archive look as the report shows it, with the SWHIDs and the archive's page of the copy."""
    if api_url is None:
        from tracker.settings import Settings

        api_url = Settings.from_env().swh_api_url
    held = check.visit_date is not None
    return ArchiveEntry(
        state=str(check.state),
        checked_at=check.checked_at,
        detail=check.detail,
        visit_date=check.visit_date,
        days_behind=check.days_behind,
        snapshot_swhid=snapshot_swhid(check.snapshot),
        revision_swhid=revision_swhid(check.revision, check.origin_url),
        browse_url=browse_url(archive_root(api_url), check.origin_url, check.snapshot) if held else None,
        save_request=save_request.outcome if save_request is not None else None,
    )


def archive_entries(store: Store, keys: Iterable[str] | None = None) -> dict[str, ArchiveEntry]:
    """Each repository's latest archive look, by key."""
    return archive_reader(store)(keys)


def archive_reader(store: Store) -> Callable[[Iterable[str] | None], dict[str, ArchiveEntry]]:
    """`archive_entries` for one set of keys after another, the save requests and settings read once."""
    from tracker.settings import Settings

    api_url = Settings.from_env().swh_api_url
    requests = store.archive.latest_save_requests()

    def read(keys: Iterable[str] | None) -> dict[str, ArchiveEntry]:
        return {key: archive_entry(check, requests.get(key), api_url=api_url)
                for key, check in store.archive.latest(keys).items()}

    return read


def asked_api(check: StoredCheck) -> bool:
    """Whether a live GitHub repository's check had GitHub's API answer (not one read by git alone, whose
    stars are unknown); checks of other hosts, and of repositories not live, count as asked."""
    return check.stars is not None or not check.key.startswith("github.com/") or check.status not in ALIVE


def _previous_license(latest: StoredCheck, previous: StoredCheck) -> str | None:
    """The previous check's license as compared with the latest: when only one of them asked GitHub's API,
    a difference that GitHub's detection alone makes is no change (the way of reading changed, not the license)."""
    before = repo_license(previous)
    if asked_api(latest) != asked_api(previous) and \
            repo_license(latest, with_api=False) == repo_license(previous, with_api=False):
        return repo_license(latest)
    return before


def last_commit(check: StoredCheck) -> datetime | None:
    """When the last commit was made: git's (or GraphQL's) date, else the API's last push; None for an empty
    repository, whose "last push" is only the date it was created (it has never had a commit)."""
    if check.status is Status.EMPTY:
        return None
    return check.last_commit_at or check.pushed_at


class _LinkingPaper(Protocol):
    """What a repository's row reads of a paper that links it: a `PaperRow` or a `LinkingPaper`."""

    @property
    def title(self) -> str: ...
    @property
    def published(self) -> date | None: ...
    @property
    def first_seen_at(self) -> datetime: ...


def repo_entry(row: CheckRow, papers: Sequence[_LinkingPaper] = (), archive: ArchiveEntry | None = None,
               gone_since: datetime | None = None) -> RepoEntry:
    """One repository's row; `papers` are the papers that link it, oldest first.

    `gone_since`, where the store knows it, is the first check of the current
    gone streak (`Store.gone_since`); without it the two checks at hand bound it.
    The survival curve starts at the earliest publication date of the papers
    that link the repository (arXiv's first version, where a source gave it).
    """
    published = [paper.published for paper in papers if paper.published is not None]
    first_seen = [paper.first_seen_at for paper in papers]
    return _repo_entry(
        row,
        tuple(paper.title for paper in papers),
        first_seen=min(first_seen) if first_seen else None,
        published=min(published) if published else None,
        archive=archive,
        gone_since=gone_since,
    )


def status_entry(row: CheckRow, paper_titles: tuple[str, ...] = (), archive: ArchiveEntry | None = None) -> RepoEntry:
    """One repository's row as `status` lists it: like `repo_entry`, from the titles of its papers alone.

    `first_seen` and `published` stay None: only a report's survival curve
    reads them, and a listing should not read every paper to fill them.
    `status_entries` does not read the check's `detail` either.
    """
    return _repo_entry(row, paper_titles, first_seen=None, published=None, archive=archive)


def _repo_entry(
    row: CheckRow, paper_titles: tuple[str, ...], *, first_seen: datetime | None, published: date | None,
    archive: ArchiveEntry | None = None,
    gone_since: datetime | None = None,
) -> RepoEntry:
    latest, previous = row.latest, row.previous
    if latest.status not in DEAD:
        gone_since = None
    elif gone_since is None:
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
        last_commit_at=last_commit(latest),
        stars=latest.stars,
        repro_score=latest.repro_score,
        outcomes=_shared_outcomes(latest),
        moved_to=latest.moved_to,
        first_seen=first_seen,
        published=published,
        gone_since=gone_since,
        paper_titles=paper_titles,
        previous_status=previous.status if previous is not None else None,
        previous_checked_at=previous.checked_at if previous is not None else None,
        previous_license_spdx=_previous_license(latest, previous) if previous is not None else None,
        previous_repro_score=previous.repro_score if previous is not None else None,
        previous_last_commit_at=last_commit(previous) if previous is not None else None,
        previous_moved_to=previous.moved_to if previous is not None else None,
        archive=archive,
        kind=repository_kind(row.kind).value,
    )


# Outcome mappings by their stored JSON: a few hundred patterns cover 300,000 repositories, and one shared,
# never-mutated dict each keeps a report's rows at a third of their size (~1.5 KB a row with its own dict).
_OUTCOMES: dict[str, Mapping[str, Outcome]] = {}


def _shared_outcomes(check: StoredCheck) -> Mapping[str, Outcome]:
    raw = check.outcomes_json
    if raw is None:
        return check.outcomes()
    found = _OUTCOMES.get(raw)
    if found is None:
        found = check.outcomes()
        if len(_OUTCOMES) < 100_000:
            _OUTCOMES[raw] = found
    return found


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


def _linking(papers: Iterable[PaperRow]) -> dict[str, list[PaperRow]]:
    """The papers that link each repository, by key, in the order of `papers`."""
    linking: dict[str, list[PaperRow]] = {}
    for paper in papers:
        for key in paper.repositories:
            linking.setdefault(key, []).append(paper)
    return linking


def report_data_from_rows(
    checks: Iterable[CheckRow],
    runs: Iterable[RunRow],
    papers: Iterable[PaperRow],
    status_counts: Mapping[int, Mapping[Status, int]] | None = None,
    gone_since: Mapping[str, datetime] | None = None,
    archive: Mapping[str, ArchiveEntry] | None = None,
    save_requests: Mapping[str, int] | None = None,
    artifacts: Iterable[ArtifactRow] = (),
) -> ReportData:
    """`ReportData` from the store's rows; `status_counts` is each run's status mix by run id.

    `gone_since` is the first check of each gone repository's current streak,
    `archive` each repository's latest archive look by key, `save_requests`
    how many save requests ended in each outcome.
    """
    archived = archive or {}
    paper_rows = list(papers)
    linking = _linking(paper_rows)
    counts = status_counts or {}
    return ReportData(
        runs=tuple(run_info(run, counts.get(run.id)) for run in sorted(runs, key=lambda run: run.started_at)),
        repositories=tuple(repo_entry(row, linking.get(row.key, ()), archived.get(row.key),
                                      (gone_since or {}).get(row.key)) for row in checks),
        papers=tuple(paper_entry(paper) for paper in paper_rows),
        save_requests=dict(save_requests or {}),
        artifacts=tuple(artifact_entry(row) for row in artifacts),
    )


def check_entries(checks: Iterable[StoredCheck],
                  archive_by_run: Mapping[int, ArchiveEntry] | None = None) -> list[CheckEntry]:
    """One repository's stored checks as the timeline `render_history` prints, oldest first.

    `archive_by_run` is the archive look made in each run (by run id).
    """
    looks = archive_by_run or {}
    return [
        CheckEntry(
            checked_at=check.checked_at,
            status=check.status,
            detail=check.detail or "",
            license_spdx=repo_license(check),
            repro_score=check.repro_score,
            last_commit_at=last_commit(check),
            moved_to=check.moved_to,
            run_id=check.run_id,
            archive=looks.get(check.run_id),
            api_asked=asked_api(check),
            license_from_files=repo_license(check, with_api=False),
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


# What a timeline (`check_entries`) reads of every check.
HISTORY_FIELDS = (
    "checked_at", "status", "detail", "license_file", "license_api", "licenses_json", "repro_score",
    "last_commit_at", "pushed_at", "moved_to", "run_id",
)


def report_data(store: Store, *, details: bool = False) -> ReportData:
    """Everything a report shows, read from `store`: latest checks, runs, papers, status mix.

    `details` also reads the repositories the report gives a section of their
    own (`detail.section_keys`: every one in a small store; the changed and
    at-risk ones, at most `DETAIL_SECTIONS`, in a large one) in full: every
    column of the latest check and the whole timeline (`detail.repo_detail`).
    The latest checks are read a page at a time and only the report's model
    of each is kept.
    """
    from tracker.report.detail import section_keys

    with cycle_collection_paused():
        papers = store.papers_with_links()
        rows = store.iter_latest_checks(fields=REPO_ENTRY_FIELDS)
        outcomes = Counter(request.outcome for request in store.archive.save_requests())
        data = report_data_from_rows(rows, store.runs(), papers, store.status_counts(), gone_since=store.gone_since(),
                                     archive=archive_entries(store), save_requests=outcomes,
                                     artifacts=store.latest_artifact_checks())
        if not details:
            return data
        return dataclasses.replace(data, details=repo_details_of(store, section_keys(data.repositories), papers))


def repo_details_of(store: Store, keys: Sequence[str],
                    papers: Iterable[PaperRow] | None = None) -> dict[str, RepoDetail]:
    """The repositories `keys` in full (`detail.repo_detail`): their every check and the papers that link them
    (`papers`, default: read for these keys alone)."""
    from tracker.report.detail import repo_detail

    linking = _linking(store.papers_linking(keys) if papers is None else papers)
    found = {}
    for key in keys:
        detail = repo_detail(store.history(key), linking.get(key, ()))
        if detail is not None:
            found[key] = detail
    return found


# Repositories read at a time for a report: their papers and archive looks are read for each such page.
REPORT_PAGE = 5_000
# Papers read at a time for a report's figures about papers.
PAPER_PAGE = 5_000


def report_stream(store: Store) -> ReportStream:
    """What `report` folds (`totals.ReportTotals`), read as it is folded: never every repository or paper at once.

    Papers come a page at a time (in id order, each with its place in the
    oldest-first order); repositories a page of `REPORT_PAGE` latest checks at
    a time, each page with the papers that link it and its archive looks. What
    is held whole is what is small or printed whole: runs, the first check of
    each gone streak, the save requests' outcomes, the artifacts.
    """
    runs = store.runs()
    counts = store.status_counts()
    return ReportStream(
        runs=tuple(run_info(run, counts.get(run.id)) for run in sorted(runs, key=lambda run: run.started_at)),
        papers=(((paper.first_seen_at, paper.id), paper_entry(paper))
                for paper in store.iter_papers_with_links(page=PAPER_PAGE)),
        repositories=_report_entries(store),
        artifacts=[artifact_entry(row) for row in store.latest_artifact_checks()],
        save_requests=Counter(request.outcome for request in store.archive.save_requests()),
        details=lambda keys: repo_details_of(store, keys),
    )


def _report_entries(store: Store) -> Iterator[RepoEntry]:
    """Every checked repository as the report shows it, in key order, a page at a time."""
    gone_since = store.gone_since()
    archived = archive_reader(store)
    rows = store.iter_latest_checks(fields=REPO_ENTRY_FIELDS)
    while page := list(itertools.islice(rows, REPORT_PAGE)):
        keys = [row.key for row in page]
        linking = store.papers_of(keys)
        looks = archived(keys)
        for row in page:
            yield repo_entry(row, linking.get(row.key, ()), looks.get(row.key), gone_since.get(row.key))


def status_entries(store: Store, *, outcomes: bool = True) -> list[RepoEntry]:
    """`iter_status_entries`, as a list."""
    with cycle_collection_paused():
        return list(iter_status_entries(store, outcomes=outcomes))


def iter_status_entries(store: Store, *, outcomes: bool = True) -> Iterator[RepoEntry]:
    """Every checked repository, then every checked artifact, as `status` lists them, each ordered by key.

    Reads only what a listing shows: no runs, no paper records beyond their
    titles, no check details, and each check's outcomes only when `outcomes`
    (the table has no column for them; ``--json`` prints them). The checks
    are read a page at a time (`Store.iter_latest_checks`), so a listing of
    300,000 repositories never holds them all.
    """
    fields = STATUS_FIELDS + (("outcomes_json",) if outcomes else ())
    titles = store.paper_titles()
    archived = archive_entries(store)
    for row in store.iter_latest_checks(fields=fields):
        yield status_entry(row, titles.get(row.key, ()), archived.get(row.key))
    for artifact in store.latest_artifact_checks():
        yield artifact_entry(artifact)


def history(store: Store, key: str) -> list[CheckEntry]:
    """Every check of one repository, each with the archive look of its run, for `render_history`."""
    from tracker.settings import Settings

    api_url = Settings.from_env().swh_api_url
    looks = {look.run_id: archive_entry(look, api_url=api_url) for look in store.archive.history(key)
             if look.run_id is not None}
    return check_entries(store.history(key), looks)


def latest_archive(store: Store, key: str) -> ArchiveEntry | None:
    """One repository's latest archive look, whatever run (or none) it was made in."""
    return archive_entries(store, [key]).get(key.lower())
