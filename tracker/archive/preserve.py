"""`repro-tracker preserve`: ask Software Heritage to save the repositories most at risk.

`at_risk` is pure: which repositories to ask for, in what order, and why.
`preserve` follows the requests sent before (each is followed until it ends,
and never sent again while the archive may still act on it), then sends new
ones within the save budget, which is small (about 10 an hour without an
account): it stops one short of the limit and says what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.archive.state import ArchiveState
from tracker.archive.swh import BudgetSpent, SaveFault, SoftwareHeritage
from tracker.records import RepoRef, Status
from tracker.store import Store
from tracker.store.archive import StoredSaveRequest

# Repositories that exist and hold code to save (an empty one has none).
SAVABLE = frozenset({Status.OK, Status.MOVED, Status.ARCHIVED})
AT_RISK = frozenset({ArchiveState.NOT_ARCHIVED, ArchiveState.BEHIND})
FEW_CONTRIBUTORS = 2  # at most this many: one person leaving can take the code with them


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """What decides whether and how urgently a repository is asked for."""

    key: str
    canonical: str
    status: Status
    archive_state: ArchiveState | None
    days_behind: int | None = None
    license_spdx: str | None = None
    health: str | None = None
    contributors: int | None = None
    blocked_by_request: str | None = None  # why an earlier save request stops a new one (pending, rejected)


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str
    canonical: str
    origin_url: str
    archive_state: ArchiveState
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"repository": self.canonical, "origin_url": self.origin_url, "archive": str(self.archive_state),
                "reason": self.reason}


def at_risk(items: list[RiskFacts]) -> list[Candidate]:
    """Alive repositories not archived or behind, most at risk first.

    Not archived at all comes first; then no license (nobody may copy it, so
    nobody else will keep a copy), stale, few contributors; then the longest
    behind. A repository with a save request still pending is left out.
    """
    chosen = [item for item in items if item.status in SAVABLE and item.archive_state in AT_RISK
              and item.blocked_by_request is None]

    def rank(item: RiskFacts) -> tuple[Any, ...]:
        return (item.archive_state is not ArchiveState.NOT_ARCHIVED, item.license_spdx is not None,
                item.health != "stale", item.contributors if item.contributors is not None else FEW_CONTRIBUTORS,
                -(item.days_behind or 0), item.key)

    return [Candidate(item.key, item.canonical, RepoRef.parse(item.canonical).https_url,
                      item.archive_state, _reason(item))  # type: ignore[arg-type]
            for item in sorted(chosen, key=rank)]


def _reason(item: RiskFacts) -> str:
    parts = ["not in Software Heritage" if item.archive_state is ArchiveState.NOT_ARCHIVED
             else f"archived copy behind HEAD{f' by {item.days_behind} days' if item.days_behind else ''}"]
    if item.license_spdx is None:
        parts.append("no license")
    if item.health == "stale":
        parts.append("stale")
    if item.contributors is not None and item.contributors <= FEW_CONTRIBUTORS:
        parts.append(f"{item.contributors} contributor{'' if item.contributors == 1 else 's'}")
    return "; ".join(parts)


def _blocking(request: StoredSaveRequest | None, archive_checked_at: Any) -> str | None:
    if request is None:
        return None
    if request.pending:
        return f"save request {request.outcome}"
    if request.save_request_status == "rejected":
        return "save request rejected"
    if request.save_task_status == "succeeded" and (
            archive_checked_at is None or archive_checked_at < request.updated_at):
        return "saved; waiting for the next archive check"
    return None


def risk_facts(store: Store) -> list[RiskFacts]:
    """Every checked repository's `RiskFacts`, from the store."""
    from tracker.report.load import repo_license

    fields = ("status", "health", "license_file", "license_api", "licenses_json", "contributors")
    archived = store.archive.latest()
    requests = store.archive.latest_save_requests()
    facts = []
    for row in store.latest_checks(fields=fields):
        archive = archived.get(row.key)
        facts.append(RiskFacts(
            key=row.key, canonical=row.canonical, status=row.latest.status,
            archive_state=archive.state if archive else None, days_behind=archive.days_behind if archive else None,
            license_spdx=repo_license(row.latest), health=row.latest.health, contributors=row.latest.contributors,
            blocked_by_request=_blocking(requests.get(row.key), archive.checked_at if archive else None),
        ))
    return facts


@dataclass
class PreserveResult:
    """What `preserve` did, or with `dry_run` would do."""

    dry_run: bool
    candidates: list[Candidate] = field(default_factory=list)  # at risk, in order (capped by --limit)
    sent: list[dict[str, Any]] = field(default_factory=list)
    followed: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)  # faults: not recorded, asked again next time
    left: list[str] = field(default_factory=list)  # not sent: the save budget stops first
    budget: str = ""

    def as_dict(self) -> dict[str, Any]:
        key = "would_ask" if self.dry_run else "candidates"
        return {"dry_run": self.dry_run, key: [candidate.as_dict() for candidate in self.candidates],
                "sent": self.sent, "followed": self.followed, "failed": self.failed, "left": self.left,
                "budget": self.budget}


def follow_requests(store: Store, swh: SoftwareHeritage, result: PreserveResult) -> None:
    """Ask how each pending save request fares and record it; stop when the save budget does."""
    for request in store.archive.latest_save_requests().values():
        if not request.pending:
            continue
        try:
            answer = swh.save_status(request.origin_url, request.request_id)
        except BudgetSpent:
            result.left.append(request.canonical)
            return
        except SaveFault as fault:
            result.failed.append({"repository": request.canonical, "followed": True, "reason": fault.reason})
            continue
        if answer is None:
            store.archive.update_save_request(
                request.id, save_request_status="lost", save_task_status=None, visit_date=None, visit_status=None,
                snapshot_swhid=None, note="the archive has no save request for this origin any more")
            result.followed.append({"repository": request.canonical, "outcome": "lost"})
            continue
        store.archive.update_save_request(
            request.id, save_request_status=answer.save_request_status, save_task_status=answer.save_task_status,
            visit_date=answer.visit_date, visit_status=answer.visit_status, snapshot_swhid=answer.snapshot_swhid,
            note=answer.note)
        result.followed.append({"repository": request.canonical, "save_request_status": answer.save_request_status,
                                "save_task_status": answer.save_task_status, "snapshot_swhid": answer.snapshot_swhid})


def preserve(store: Store, swh: SoftwareHeritage | None, *, dry_run: bool = False,
             limit: int | None = None) -> PreserveResult:
    """Follow earlier requests, then ask the archive to save the repositories most at risk.

    With `dry_run` nothing is sent (`swh` may be None): the candidates are
    what the store knows now, each with why it is at risk.
    """
    result = PreserveResult(dry_run=dry_run)
    if not dry_run and swh is not None:
        follow_requests(store, swh, result)
    candidates = at_risk(risk_facts(store))
    result.candidates = candidates[:limit] if limit is not None else candidates
    if dry_run or swh is None:
        return result
    for position, candidate in enumerate(result.candidates):
        try:
            answer = swh.save(candidate.origin_url)
        except BudgetSpent:
            result.left.extend(item.canonical for item in result.candidates[position:])
            break
        except SaveFault as fault:
            result.failed.append({"repository": candidate.canonical, "reason": fault.reason})
            continue
        store.archive.record_save_request(
            candidate.key, candidate.origin_url, candidate.reason, request_id=answer.request_id,
            save_request_status=answer.save_request_status, save_task_status=answer.save_task_status,
            visit_date=answer.visit_date, visit_status=answer.visit_status, snapshot_swhid=answer.snapshot_swhid,
            note=answer.note)
        result.sent.append({"repository": candidate.canonical, "reason": candidate.reason,
                            "save_request_status": answer.save_request_status,
                            "save_task_status": answer.save_task_status, "request_id": answer.request_id})
    result.budget = swh.saves.describe()
    return result
