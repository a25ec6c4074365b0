"""Is a repository's code in Software Heritage: the judge, pure over what the archive answered.

The client (`tracker.archive.swh`) asks and hands over `ArchiveAnswers`; this
module decides the state and its evidence, and which repositories are worth
asking at all. The one rule of the project holds here too: only a real
`NotFoundExc` 404 from the archive makes a repository `not_archived`; a fault,
a refused or spent budget, an answer we do not understand is `unknown`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

# Escamilla et al. (2024): of 253,590 code-host links in arXiv and PubMed Central
# papers, 68% were in Software Heritage.
ESCAMILLA_ARCHIVED_SHARE = 0.68


class ArchiveState(enum.StrEnum):
    ARCHIVED = "archived"  # the HEAD we saw is in the archive
    BEHIND = "behind"  # archived, but not at the HEAD we saw
    NOT_ARCHIVED = "not_archived"  # the archive authoritatively does not know the origin
    UNKNOWN = "unknown"  # we could not find out (a fault, a spent budget)


class Lookup(enum.StrEnum):
    """What one question to the archive came back with."""

    FOUND = "found"  # 200 with the JSON we expected
    NOT_FOUND = "not_found"  # 404 whose body is the archive's `NotFoundExc`
    FAULT = "fault"  # anything else: never evidence of absence
    NOT_ASKED = "not_asked"  # not asked (not needed, or no budget left)


@dataclass(frozen=True, slots=True)
class Visit:
    """The latest visit of an origin that produced a snapshot."""

    date: datetime
    status: str  # "full" or "partial"
    snapshot: str | None  # hex id of the snapshot
    head_revision: str | None = None  # what the snapshot's HEAD branch points at, when asked


@dataclass(frozen=True, slots=True)
class ArchiveAnswers:
    """Everything the archive said about one origin in one look."""

    origin_url: str
    visit: Lookup
    latest_visit: Visit | None = None
    origin: Lookup = Lookup.NOT_ASKED  # asked only when there is no visit with a snapshot
    head: str | None = None  # the HEAD commit we saw on the host, if any
    revision: Lookup = Lookup.NOT_ASKED  # is `head` a revision of the archive
    fault: str | None = None  # the first fault, in words


@dataclass(frozen=True, slots=True)
class ArchiveVerdict:
    """One repository's archive state and its evidence, as recorded."""

    state: ArchiveState
    detail: str
    origin_url: str
    head_commit: str | None = None
    visit_date: datetime | None = None
    visit_status: str | None = None
    snapshot: str | None = None
    revision: str | None = None  # the archived revision we can point at (HEAD, or the snapshot's HEAD)
    days_behind: int | None = None


def judge(answers: ArchiveAnswers, *, last_commit_at: datetime | None = None) -> ArchiveVerdict:
    """The state the answers support; `last_commit_at` (the HEAD's date) says how far behind a visit is."""
    url = answers.origin_url
    if answers.visit is Lookup.FAULT or answers.origin is Lookup.FAULT or answers.revision is Lookup.FAULT:
        return ArchiveVerdict(ArchiveState.UNKNOWN, f"Software Heritage could not be asked: {answers.fault}", url,
                              head_commit=answers.head)
    if answers.visit is Lookup.NOT_ASKED:
        return ArchiveVerdict(ArchiveState.UNKNOWN, answers.fault or "not asked", url, head_commit=answers.head)
    if answers.visit is Lookup.NOT_FOUND:
        if answers.origin is Lookup.NOT_FOUND:
            return ArchiveVerdict(ArchiveState.NOT_ARCHIVED,
                                  f"Software Heritage does not know {url} (404 NotFoundExc).",
                                  url, head_commit=answers.head)
        if answers.origin is Lookup.FOUND:
            return ArchiveVerdict(ArchiveState.NOT_ARCHIVED,
                                  f"Software Heritage knows {url} but holds no visit with a snapshot.", url,
                                  head_commit=answers.head)
        return ArchiveVerdict(ArchiveState.UNKNOWN, answers.fault or "the origin was not asked", url,
                              head_commit=answers.head)
    visit = answers.latest_visit
    if visit is None:  # FOUND without a visit cannot be built by the client; kept total for the type checker
        return ArchiveVerdict(ArchiveState.UNKNOWN, "no visit in the answer", url, head_commit=answers.head)
    on = f"{visit.date:%Y-%m-%d}"

    def seen(state: ArchiveState, detail: str, revision: str | None, days_behind: int | None = None) -> ArchiveVerdict:
        return ArchiveVerdict(state, detail, url, head_commit=answers.head, visit_date=visit.date,
                              visit_status=visit.status, snapshot=visit.snapshot, revision=revision,
                              days_behind=days_behind)

    if answers.head is None:
        return seen(ArchiveState.ARCHIVED, f"Visited on {on} ({visit.status}); no HEAD of ours to compare.",
                    visit.head_revision)
    if answers.revision is Lookup.FOUND:
        return seen(ArchiveState.ARCHIVED, f"HEAD {answers.head[:12]} is in the archive (last visit {on}).",
                    answers.head)
    if answers.revision is Lookup.NOT_FOUND:
        behind = _days_behind(visit.date, last_commit_at)
        after = f", {behind} days after it" if behind is not None else ""
        return seen(ArchiveState.BEHIND, f"HEAD {answers.head[:12]} is not in the archive; last visit {on}{after}.",
                    visit.head_revision, behind)
    return seen(ArchiveState.UNKNOWN, answers.fault or "HEAD was not asked", None)


def _days_behind(visit_date: datetime, last_commit_at: datetime | None) -> int | None:
    if last_commit_at is None:
        return None
    return max(0, (last_commit_at - visit_date).days)


@dataclass(frozen=True, slots=True)
class Known:
    """What the store knows of a repository before asking: its HEAD and the last archive verdict."""

    key: str
    canonical: str
    gone: bool  # the host said missing, blocked or disabled
    head_commit: str | None
    last_state: ArchiveState | None = None
    last_head: str | None = None  # the HEAD the last verdict was judged against
    last_revision: str | None = None


def needs_asking(known: Known) -> bool:
    """Whether the archive is worth a question: not when what we last asked about has not moved.

    A HEAD found archived stays archived (the archive keeps everything), so it
    is asked about again only when HEAD moves. A gone repository whose copy
    was found keeps pointing at it: its HEAD cannot move any more.
    """
    if known.last_state is ArchiveState.ARCHIVED:
        if known.gone:
            return False
        return known.head_commit != known.last_head
    return True


def ask_order(candidates: list[Known]) -> list[Known]:
    """Gone repositories first (their copy is the answer a reviewer needs), then never asked, then the rest."""
    def rank(known: Known) -> tuple[int, int]:
        return (0 if known.gone else 1, 0 if known.last_state is None else 1)

    return sorted(candidates, key=rank)


def snapshot_swhid(snapshot: str | None) -> str | None:
    return f"swh:1:snp:{snapshot}" if snapshot else None


def revision_swhid(revision: str | None, origin_url: str) -> str | None:
    """A revision's SWHID with its origin qualifier (SWHID syntax: `;origin=` takes the URL as is)."""
    return f"swh:1:rev:{revision};origin={origin_url}" if revision else None


def browse_url(archive_root: str, origin_url: str, snapshot: str | None = None) -> str:
    """The archive's page of an origin (at a snapshot when known), for a person."""
    url = f"{archive_root.rstrip('/')}/browse/origin/directory/?origin_url={quote(origin_url, safe=':/')}"
    return f"{url}&snapshot={snapshot}" if snapshot else url


def archive_root(api_url: str) -> str:
    """The archive's web root from its API URL (`.../api/1/` -> `...`)."""
    root = api_url.rstrip("/")
    for suffix in ("/api/1", "/api"):
        if root.endswith(suffix):
            return root[: -len(suffix)]
    return root
