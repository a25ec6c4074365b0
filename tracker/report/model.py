"""The report's own input: plain values, independent of how they were stored.

Everything in `tracker.report` is built from a `ReportData`, so reports can be
tested with hand-built data and the store can change its tables without
touching a template. `tracker.report.load` maps the store's rows onto these.

Timestamps are timezone-aware UTC datetimes; dates (`published`) are plain
calendar dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from tracker.records import AUTHORITATIVE_GONE, Artifact, Outcome, Status

if TYPE_CHECKING:
    from tracker.report.detail import RepoDetail

# A repository that answered as existing, whatever state it is in.
ALIVE = frozenset({Status.OK, Status.MOVED, Status.ARCHIVED, Status.EMPTY})
# A repository the host authoritatively said is gone.
DEAD = AUTHORITATIVE_GONE

# Worst first: the order a person wants to read a status table in.
STATUS_ORDER: tuple[Status, ...] = (
    Status.MISSING,
    Status.BLOCKED,
    Status.DISABLED,
    Status.MOVED,
    Status.ARCHIVED,
    Status.EMPTY,
    Status.UNREACHABLE,
    Status.NOT_CHECKED,
    Status.OK,
)


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One run of the tracker and the status mix it observed."""

    id: str
    started_at: datetime
    status_counts: Mapping[Status, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """What Software Heritage held of a repository at its latest look (`tracker.archive`).

    `state` is an `ArchiveState` value: archived, behind, not_archived, unknown.
    The SWHIDs and `browse_url` point a reader at the archived copy.
    """

    state: str
    checked_at: datetime
    detail: str = ""
    visit_date: datetime | None = None
    days_behind: int | None = None
    snapshot_swhid: str | None = None
    revision_swhid: str | None = None
    browse_url: str | None = None
    save_request: str | None = None  # the latest save request's outcome, if one was sent

    @property
    def held(self) -> bool:
        """The archive holds a copy (at HEAD or behind it)."""
        return self.state in ("archived", "behind") and self.visit_date is not None

    @property
    def label(self) -> str:
        """A table cell: ``archived``, ``behind 40d``, ``not archived``, ``unknown``."""
        if self.state == "behind":
            return f"behind {self.days_behind}d" if self.days_behind else "behind"
        return self.state.replace("_", " ")


@dataclass(frozen=True, slots=True)
class RepoEntry:
    """One repository: its latest check and what the check before said.

    `previous_status is None` means there was no previous check, and then every
    other `previous_*` field is meaningless. `license_spdx is None` means no
    license was found; ``"NOASSERTION"`` means a license file exists but matched
    nothing known. `gone_since` is the first check of the current streak that
    saw the repository gone (an upper bound on when it went away).
    """

    key: str
    canonical: str
    host: str
    status: Status
    checked_at: datetime | None = None
    detail: str = ""
    health: str | None = None
    license_spdx: str | None = None
    last_commit_at: datetime | None = None
    stars: int | None = None
    repro_score: float | None = None
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)
    moved_to: str | None = None
    first_seen: datetime | None = None
    published: date | None = None
    gone_since: datetime | None = None
    paper_titles: tuple[str, ...] = ()
    previous_status: Status | None = None
    previous_checked_at: datetime | None = None
    previous_license_spdx: str | None = None
    previous_repro_score: float | None = None
    previous_last_commit_at: datetime | None = None
    previous_moved_to: str | None = None
    archive: ArchiveEntry | None = None
    # What the row is (tracker.artifacts.kinds.LinkKind): repository, model, dataset, space, page, doi, short_link.
    kind: str = "repository"

    @property
    def has_previous(self) -> bool:
        return self.previous_status is not None

    @property
    def archive_label(self) -> str:
        """The archive cell; a gone repository the archive holds says where its code still is."""
        if self.archive is None:
            return "-"
        if self.status in DEAD and self.archive.held and self.archive.visit_date is not None:
            return f"gone from {self.host}, archived on {self.archive.visit_date:%Y-%m-%d}"
        return self.archive.label

    @property
    def status_label(self) -> str:
        """The status as a table shows it: a moved repository names where it went (``moved → host/owner/name``)."""
        if self.status is Status.MOVED and self.moved_to:
            return f"moved → {self.moved_to}"
        return str(self.status)

    @property
    def license_label(self) -> str:
        """The license as a table shows it: ``-`` where the content could not be seen.

        A repository that is gone or could not be reached has an unknown
        license, which must not read as "none" (no license).
        """
        if self.status not in ALIVE:
            return "-"
        return self.license_spdx or "none"


@dataclass(frozen=True, slots=True)
class PaperEntry:
    """One paper and the repositories and other artifacts it links."""

    id: str
    title: str
    repo_keys: tuple[str, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    code_promised: bool = False
    published: date | None = None
    url: str | None = None
    first_seen: datetime | None = None
    # Repositories found after the paper promised code without a link: (key, when found).
    found_later: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class CheckEntry:
    """One stored check of one repository, for its history timeline."""

    checked_at: datetime
    status: Status
    detail: str = ""
    license_spdx: str | None = None
    repro_score: float | None = None
    last_commit_at: datetime | None = None
    moved_to: str | None = None
    run_id: int | None = None
    archive: ArchiveEntry | None = None  # the archive look made in the same run, if any
    # False for a GitHub repository checked through git alone (API budget spent): GitHub's license
    # detection is unknown then, so a license compares with it by the files alone (`license_from_files`).
    api_asked: bool = True
    license_from_files: str | None = None


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, as of one moment."""

    runs: tuple[RunInfo, ...] = ()
    repositories: tuple[RepoEntry, ...] = ()
    papers: tuple[PaperEntry, ...] = ()
    save_requests: Mapping[str, int] = field(default_factory=dict)  # outcome -> how many save requests
    # Each repository in full (what `show` prints), by key; empty where a caller did not load them.
    details: Mapping[str, RepoDetail] = field(default_factory=dict)
    # Web pages, DOIs and short links, in the repositories' shape (status: gone is `missing`), kept apart so
    # that survival, licenses and checklist figures stay about code.
    artifacts: tuple[RepoEntry, ...] = ()
