"""What the store hands out: frozen plain values, never ORM objects.

Report and check code receive these and stay pure: no session to keep open,
no lazy loading, nothing that touches the database after the query returned.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from tracker.records import (
    Artifact,
    CheckResult,
    LicenseFinding,
    Outcome,
    Promise,
    RepoRef,
    Status,
)

# Dictionary lookups, because enum construction by value is slow and
# `Store.latest_checks` builds tens of thousands of these.
_OUTCOMES = {outcome.value: outcome for outcome in Outcome}


def _decode(text: str | None, empty: Any) -> Any:
    return empty if text is None else json.loads(text)


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    RATE_LIMITED = "rate_limited"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What one `Store.add_papers` call saw and what it added."""

    papers: int = 0  # distinct papers in the input
    new_papers: int = 0
    links: int = 0  # distinct links (repositories and artifacts) in the input
    new_links: int = 0
    repositories: int = 0  # distinct repositories in the input
    new_repositories: int = 0


class StoredCheck(NamedTuple):
    """One row of ``repository_checks`` with its repository's identity.

    Columns added by migration 2 are None on checks the first release
    recorded.

    The fields are what readers read (listings, `history`, `show`, the
    report), not every column: the store keeps every fact a host gave (the
    columns are derived from `records.Metadata` and `records.Activity` in
    `check_row`, and the digest that tells a repetition covers them all), and
    a reader that comes to need one adds it here by the column's name.

    JSON columns stay JSON text (`*_json`) until asked for through a method
    (`results()`, `outcomes()`, `licenses()`): a report
    over 10,000 repositories reads 20,000 checks, and decoding every verdict
    up front would dominate its time.

    A named tuple rather than a frozen dataclass, unlike the other rows: it is
    as immutable, and the store builds it straight from a result row
    (`_make`), where a frozen dataclass's one attribute assignment per field
    cost a 10,000-repository `status` about 0.15 s.
    """

    id: int
    run_id: int
    key: str
    canonical: str
    checked_at: datetime
    status: Status
    http_status: int | None = None
    detail: str | None = None
    moved_to: str | None = None
    stars: int | None = None
    description: str | None = None
    pushed_at: datetime | None = None
    license_api: str | None = None
    license_file: str | None = None
    license_confidence: float | None = None
    licenses_json: str | None = None
    latest_release: str | None = None
    head_commit: str | None = None
    last_commit_at: datetime | None = None
    contributors: int | None = None
    health: str | None = None
    repro_score: int | None = None
    results_json: str | None = None
    outcomes_json: str | None = None  # migration 3 onwards: {check name: outcome}, the verdicts without reasons

    @property
    def ref(self) -> RepoRef:
        return RepoRef.parse(self.canonical)

    def results(self) -> tuple[CheckResult, ...]:
        """The checks' verdicts as recorded; empty for first-release checks."""
        return tuple(
            CheckResult(
                name=item["name"],
                outcome=_OUTCOMES[item["outcome"]],
                score=item["score"],
                reason=item["reason"],
                evidence=tuple(item.get("evidence", ())),
            )
            for item in _decode(self.results_json, [])
        )

    def outcomes(self) -> dict[str, Outcome]:
        """Each check's outcome by name: what a status row needs, without its reasons and evidence.

        Read from `outcomes_json` when it was read (a tenth of the size of the
        verdicts, and ~8x cheaper to decode), else from `results_json`.
        """
        if self.outcomes_json is not None:
            return {name: _OUTCOMES[outcome] for name, outcome in json.loads(self.outcomes_json).items()}
        return {item["name"]: _OUTCOMES[item["outcome"]] for item in _decode(self.results_json, [])}

    def licenses(self) -> tuple[LicenseFinding, ...]:
        """Every license finding of the check (API, files, README)."""
        return tuple(LicenseFinding(**item) for item in _decode(self.licenses_json, []))


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One repository's newest check and the one before it (for "what changed")."""

    key: str
    canonical: str
    host: str  # as stored with the identity, so readers need not parse `canonical`
    latest: StoredCheck
    previous: StoredCheck | None
    kind: str = "code"  # a RepoKind value: code, model, dataset, space


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    flow_run_id: str | None
    sources: tuple[str, ...]
    papers: int  # distinct papers linked to the repositories this run checked
    repositories_checked: int
    requests_made: int
    requests_rate_limited: int  # requests that counted against the rate limit
    note: str | None
    host: str | None = None  # where its process ran; None for runs recorded before migration 4
    pid: int | None = None


@dataclass(frozen=True, slots=True)
class PaperRow:
    id: str
    title: str
    source: str
    url: str | None
    published: date | None
    authors: tuple[str, ...]
    code_promised: bool
    first_seen_at: datetime
    repositories: tuple[str, ...]  # repository keys, in order of first mention
    artifacts: tuple[Artifact, ...]
    promise: Promise | None = None  # None also for papers stored before promises were kept
    # Repositories found after the paper promised code without a link: (key, when found).
    found_later: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class LinkingPaper:
    """A paper as a repository's row in a report shows it: its title, and the dates its survival clock reads."""

    title: str
    published: date | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ArtifactCheckRow:
    """One stored check of one artifact (a web page, DOI or short link)."""

    run_id: int
    checked_at: datetime
    state: str  # a tracker.artifacts.verdict.LinkState value
    reason: str
    evidence: tuple[str, ...]
    final_url: str | None
    redirects: tuple[str, ...]
    facts: dict[str, Any]
    dns_failing_since: datetime | None


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    """One artifact's newest check and the one before, with the titles of the papers that link it."""

    url: str
    kind: str  # a tracker.artifacts.kinds.LinkKind value
    latest: ArtifactCheckRow
    previous: ArtifactCheckRow | None
    paper_titles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PromiseDue:
    """A paper that promised code without linking it, due for another look."""

    paper_id: str
    published: date | None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What `Store.forget_repository` removed: the repository, its checks, and how many paper links it cleared."""

    canonical: str
    checks: int
    paper_links: int


@dataclass(frozen=True, slots=True)
class ListedLink:
    """One link of a listed paper: a repository (with its latest status) or an artifact, and where it was found."""

    repository: str | None  # canonical form
    artifact_url: str | None
    artifact_kind: str | None
    provenance: tuple[str, ...]  # `tracker.records.Provenance` values, sorted
    status: str | None  # the repository's latest check; None before its first
    aggregator_only: bool  # no provenance is the paper's own word (abstract, comments, mentioned in the paper)


@dataclass(frozen=True, slots=True)
class ListedPaper:
    """One paper as `repro-tracker papers` lists it."""

    id: str
    arxiv_id: str | None
    title: str
    published: date | None
    first_seen_at: datetime
    sources: tuple[str, ...]  # source kinds, in order of first sight
    links: tuple[ListedLink, ...]
