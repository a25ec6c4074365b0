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

from tracker.records import AUTHORITATIVE_GONE, Artifact, Outcome, Status

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
    # What the row is (tracker.artifacts.kinds.LinkKind): repository, model, dataset, space, page, doi, short_link.
    kind: str = "repository"

    @property
    def has_previous(self) -> bool:
        return self.previous_status is not None

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
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, as of one moment."""

    runs: tuple[RunInfo, ...] = ()
    repositories: tuple[RepoEntry, ...] = ()
    papers: tuple[PaperEntry, ...] = ()
    # Web pages, DOIs and short links, in the repositories' shape (status: gone is `missing`), kept apart so
    # that survival, licenses and checklist figures stay about code.
    artifacts: tuple[RepoEntry, ...] = ()
