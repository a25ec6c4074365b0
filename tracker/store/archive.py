"""What Software Heritage holds of each repository, and the save requests sent to it, over time.

The tables `archive_checks` and `save_requests` (migration 0009), reached as
`Store.archive`. One short transaction per write, like every other write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from tracker.archive.state import ArchiveState, ArchiveVerdict
from tracker.store.models import ArchiveCheck, Repository, SaveRequest
from tracker.store.retry import run_read, run_write

_STATES = {state.value: state for state in ArchiveState}
# A save request the archive may still act on: never sent again while one is.
PENDING_REQUEST = frozenset({"accepted", "pending"})
FINAL_TASK = frozenset({"succeeded", "failed"})


@dataclass(frozen=True, slots=True)
class StoredArchiveCheck:
    """One look at the archive for one repository."""

    id: int
    key: str
    canonical: str
    run_id: int | None
    checked_at: datetime
    state: ArchiveState
    detail: str
    origin_url: str
    head_commit: str | None
    visit_date: datetime | None
    visit_status: str | None
    snapshot: str | None
    revision: str | None
    days_behind: int | None


@dataclass(frozen=True, slots=True)
class StoredSaveRequest:
    """One save request we sent, as the archive last described it."""

    id: int
    key: str
    canonical: str
    origin_url: str
    requested_at: datetime
    reason: str
    request_id: int | None
    save_request_status: str
    save_task_status: str | None
    visit_date: datetime | None
    visit_status: str | None
    snapshot_swhid: str | None
    note: str | None
    updated_at: datetime

    @property
    def pending(self) -> bool:
        """The archive accepted (or holds for review) the request and its task has not ended."""
        return self.save_request_status in PENDING_REQUEST and (self.save_task_status or "") not in FINAL_TASK

    @property
    def outcome(self) -> str:
        """One word: succeeded, failed, rejected, or the task's status while pending."""
        if self.save_request_status == "rejected":
            return "rejected"
        return self.save_task_status or self.save_request_status


class ArchiveRecords:
    """Reads and writes of the archive tables; one per store."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def record_check(self, key: str, verdict: ArchiveVerdict, *, run_id: int | None = None,
                     checked_at: datetime | None = None) -> None:
        values = {
            "run_id": run_id,
            "checked_at": checked_at or self._clock(),
            "state": verdict.state.value,
            "detail": verdict.detail,
            "origin_url": verdict.origin_url,
            "head_commit": verdict.head_commit,
            "visit_date": verdict.visit_date,
            "visit_status": verdict.visit_status,
            "snapshot": verdict.snapshot,
            "revision": verdict.revision,
            "days_behind": verdict.days_behind,
        }

        def work(connection: Connection) -> None:
            connection.execute(ArchiveCheck.insert().values(repository_id=_repository_id(connection, key), **values))

        run_write(self._engine, work)

    def latest(self, keys: Iterable[str] | None = None) -> dict[str, StoredArchiveCheck]:
        """Each repository's newest archive check, by key."""
        newest = select(func.max(ArchiveCheck.c.id)).group_by(ArchiveCheck.c.repository_id)
        statement = _checks()
        if keys is not None:
            wanted = sorted({key.lower() for key in keys})
            statement = statement.where(Repository.c.key.in_(wanted))
            # Only those repositories' looks are grouped (an index range each): the report asks a page of 5,000
            # keys at a time, and grouping the whole table for each page grew with the square of the store.
            newest = newest.where(ArchiveCheck.c.repository_id.in_(
                select(Repository.c.id).where(Repository.c.key.in_(wanted))))
        return {check.key: check for check in self._read_checks(statement.where(ArchiveCheck.c.id.in_(newest)))}

    def history(self, key: str) -> list[StoredArchiveCheck]:
        statement = _checks().where(Repository.c.key == key.lower()).order_by(ArchiveCheck.c.id)
        return self._read_checks(statement)

    def _read_checks(self, statement: Any) -> list[StoredArchiveCheck]:
        def read(connection: Connection) -> list[StoredArchiveCheck]:
            checks = []
            for row in connection.execute(statement).mappings():
                values = dict(row)
                values["state"] = _STATES[values["state"]]
                checks.append(StoredArchiveCheck(**values))
            return checks

        return run_read(self._engine, read)

    # -- save requests ---------------------------------------------------------

    def record_save_request(self, key: str, origin_url: str, reason: str, *, request_id: int | None,
                            save_request_status: str, save_task_status: str | None,
                            visit_date: datetime | None = None, visit_status: str | None = None,
                            snapshot_swhid: str | None = None, note: str | None = None) -> int:
        now = self._clock()

        def work(connection: Connection) -> int:
            inserted = connection.execute(SaveRequest.insert().values(
                repository_id=_repository_id(connection, key), origin_url=origin_url, requested_at=now,
                reason=reason, request_id=request_id, save_request_status=save_request_status,
                save_task_status=save_task_status, visit_date=visit_date, visit_status=visit_status,
                snapshot_swhid=snapshot_swhid, note=note, updated_at=now,
            ).returning(SaveRequest.c.id)).scalar_one()
            return int(inserted)

        return run_write(self._engine, work)

    def update_save_request(self, row_id: int, *, save_request_status: str, save_task_status: str | None,
                            visit_date: datetime | None, visit_status: str | None, snapshot_swhid: str | None,
                            note: str | None) -> None:
        values = {
            "save_request_status": save_request_status, "save_task_status": save_task_status,
            "visit_date": visit_date, "visit_status": visit_status, "snapshot_swhid": snapshot_swhid,
            "note": note, "updated_at": self._clock(),
        }
        run_write(self._engine, lambda connection: connection.execute(
            update(SaveRequest).where(SaveRequest.c.id == row_id).values(**values)))

    def save_requests(self, key: str | None = None) -> list[StoredSaveRequest]:
        """Every save request (of one repository), oldest first."""
        statement = select(*_SAVE_COLUMNS, Repository.c.key, Repository.c.canonical).join(
            Repository, Repository.c.id == SaveRequest.c.repository_id).order_by(SaveRequest.c.id)
        if key is not None:
            statement = statement.where(Repository.c.key == key.lower())

        def read(connection: Connection) -> list[StoredSaveRequest]:
            return [StoredSaveRequest(**dict(row)) for row in connection.execute(statement).mappings()]

        return run_read(self._engine, read)

    def latest_save_requests(self) -> dict[str, StoredSaveRequest]:
        """Each repository's newest save request, by key."""
        return {request.key: request for request in self.save_requests()}


_SAVE_COLUMNS = tuple(column for column in SaveRequest.c if column.name != "repository_id")


def _checks() -> Any:
    columns = [column for column in ArchiveCheck.c if column.name != "repository_id"]
    return select(*columns, Repository.c.key, Repository.c.canonical).join(
        Repository, Repository.c.id == ArchiveCheck.c.repository_id)


def _repository_id(connection: Connection, key: str) -> int:
    found = connection.execute(select(Repository.c.id).where(Repository.c.key == key.lower())).scalar_one_or_none()
    if found is None:
        raise LookupError(f"no repository {key} in the store")
    return int(found)
