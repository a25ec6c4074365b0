"""Runs: started, finished, and told apart from the dead.

A run is recorded with the machine and process that started it, so a run
left marked running by a process that is gone reads as interrupted (and is
marked so when the next run starts). Whether a process lives is asked of
psutil; on another machine only silence for `STALE_RUN_AFTER` can tell.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, Select, func, select, update

from tracker.store.dialect import insert_for
from tracker.store.models import PaperLink, RepositoryCheck, TrackingRun
from tracker.store.retry import run_read, run_write
from tracker.store.rows import RunRow, RunStatus

# A run still marked running whose process cannot be looked at (it ran on
# another machine, or was recorded before migration 4) counts as interrupted
# once nothing was recorded for this long: far longer than a live run stays
# quiet (a rate-limit wait is 3 minutes by default, a git timeout 2).
STALE_RUN_AFTER = timedelta(hours=1)

# A process's start time is known to the clock tick, the run's start is taken a moment after it.
_START_SLACK = timedelta(seconds=2)


def process_alive(pid: int, started_by: datetime | None = None) -> bool:
    """Whether process `pid` of this machine still runs.

    A zombie (killed, not yet reaped by its parent) does not run. With
    `started_by` (when the run it should be running began), a process that
    started later is another one that was given the same id: the run's own
    process has ended. A process of another user that cannot be looked at
    closer exists, and so counts as running.
    """
    import psutil  # ~7 ms, paid only when a run's liveness is asked

    if not psutil.pid_exists(pid):
        return False
    try:
        process = psutil.Process(pid)
        if process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return False
        started = datetime.fromtimestamp(process.create_time(), UTC)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True
    return started_by is None or started <= started_by + _START_SLACK


@dataclass(frozen=True, slots=True)
class Machine:
    """The machine this store runs on: recorded with every run it starts, and asked whether a run's process lives.

    Known by host name, so the machines sharing one database need distinct
    ones. Tests inject another one to stand for a second machine. `alive`
    may answer None where it cannot tell; the run is then judged by silence.
    """

    host: str = field(default_factory=socket.gethostname)
    alive: Callable[[int, datetime], bool | None] = process_alive


def require_run(connection: Connection, run_id: int) -> None:
    """Raise LookupError unless run `run_id` is stored: every check belongs to a run `start_run` made."""
    if connection.execute(select(TrackingRun.c.id).where(TrackingRun.c.id == run_id)).first() is None:
        raise LookupError(f"no run {run_id} in the store: use the id start_run returned")


class RunRecords:
    """The `tracking_runs` table."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], machine: Machine) -> None:
        self._engine = engine
        self._clock = clock
        self._machine = machine

    def start_run(self, sources: list[str], flow_run_id: str | None = None) -> int:
        """Record that a run began; returns its id for `record_check` and `finish_run`.

        Runs left marked running by a process that is gone (see `runs`) are
        marked interrupted on the way, so the table itself tells the truth.
        """
        values = {
            "started_at": self._clock(),
            "status": RunStatus.RUNNING.value,
            "flow_run_id": flow_run_id,
            "sources": list(sources),
            "papers": 0,
            "repositories_checked": 0,
            "requests_made": 0,
            "requests_rate_limited": 0,
            "host": self._machine.host,
            "pid": os.getpid(),
        }

        def work(connection: Connection) -> int:
            run_id: int = connection.execute(
                insert_for(connection, TrackingRun).values(**values).returning(TrackingRun.c.id)
            ).scalar_one()
            for run in connection.execute(_unfinished_runs().where(TrackingRun.c.id != run_id)).all():
                stopped = self._stopped(connection, run)
                if stopped is None:
                    continue
                last_sign, reason = stopped
                papers, checked = _run_counts(connection, run.id)
                connection.execute(
                    update(TrackingRun)
                    .where(TrackingRun.c.id == run.id, TrackingRun.c.status == RunStatus.RUNNING.value)
                    .values(
                        status=RunStatus.INTERRUPTED.value,
                        finished_at=last_sign,
                        papers=papers,
                        repositories_checked=checked,
                        note=f"{reason}; marked interrupted when run {run_id} started",
                    )
                )
            return run_id

        return run_write(self._engine, work)

    def _stopped(self, connection: Connection, run: Row[Any]) -> tuple[datetime, str] | None:
        """For a run still marked running: (its last sign of life, why it has stopped), or None while it may be going.

        On the machine that started it, its process answers: gone means
        stopped, alive means going however quiet. Elsewhere (or for a run
        recorded before its process was) only its last recorded check, or its
        start, can: silence for `STALE_RUN_AFTER` means stopped. So two live
        runs are never taken for dead, whether on one machine or several. A
        process id given to a newer process is told apart by its start time.
        """
        last_check = connection.execute(
            select(func.max(RepositoryCheck.c.checked_at)).where(RepositoryCheck.c.run_id == run.id)
        ).scalar_one()
        last_sign = max(run.started_at, last_check) if last_check is not None else run.started_at
        if run.host == self._machine.host and run.pid is not None:
            started_at = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=UTC)
            alive = self._machine.alive(run.pid, started_at)
            if alive is False:
                return last_sign, f"its process {run.pid} on {run.host} ended without finishing it"
            if alive:
                return None
        if self._clock() - last_sign >= STALE_RUN_AFTER:
            return last_sign, f"nothing recorded since {last_sign:%Y-%m-%d %H:%M} UTC"
        return None

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        requests_made: int = 0,
        requests_rate_limited: int = 0,
        note: str | None = None,
    ) -> None:
        """Close a run with how it ended; counts what it checked from the stored checks."""
        try:
            final = RunStatus(status)
        except ValueError:
            final = RunStatus.RUNNING
        if final is RunStatus.RUNNING:
            allowed = ", ".join(s.value for s in RunStatus if s is not RunStatus.RUNNING)
            raise ValueError(f"a run ends as one of {allowed}, not {status!r}")

        def work(connection: Connection) -> None:
            papers, checked = _run_counts(connection, run_id)
            updated = connection.execute(
                update(TrackingRun)
                .where(TrackingRun.c.id == run_id)
                .values(
                    finished_at=self._clock(),
                    status=final.value,
                    papers=papers,
                    repositories_checked=checked,
                    requests_made=requests_made,
                    requests_rate_limited=requests_rate_limited,
                    note=note,
                )
            )
            if updated.rowcount == 0:
                raise LookupError(f"no run {run_id} in the store: use the id start_run returned")

        run_write(self._engine, work)

    def runs(self) -> list[RunRow]:
        """Every run, oldest first; a run still going (or killed) shows its counts so far.

        A run marked running whose process is gone (see `_stopped`) reads as
        interrupted, with the reason as its note, before any new run marks it so.
        """

        def read(connection: Connection) -> list[RunRow]:
            result = []
            for run in connection.execute(select(*TrackingRun.c).order_by(TrackingRun.c.id)).all():
                papers, checked = run.papers, run.repositories_checked
                status, note = RunStatus(run.status), run.note
                if run.finished_at is None:
                    papers, checked = _run_counts(connection, run.id)
                    if status is RunStatus.RUNNING and (stopped := self._stopped(connection, run)) is not None:
                        status, note = RunStatus.INTERRUPTED, stopped[1]
                result.append(
                    RunRow(
                        id=run.id,
                        started_at=run.started_at,
                        finished_at=run.finished_at,
                        status=status,
                        flow_run_id=run.flow_run_id,
                        sources=tuple(run.sources),
                        papers=papers,
                        repositories_checked=checked,
                        requests_made=run.requests_made,
                        requests_rate_limited=run.requests_rate_limited,
                        note=note,
                        host=run.host,
                        pid=run.pid,
                    )
                )
            return result

        return run_read(self._engine, read)



def _unfinished_runs() -> Select[Any]:
    columns = (TrackingRun.c.id, TrackingRun.c.started_at, TrackingRun.c.host, TrackingRun.c.pid)
    return select(*columns).where(
        TrackingRun.c.status == RunStatus.RUNNING.value, TrackingRun.c.finished_at.is_(None)
    )


def _run_counts(connection: Connection, run_id: int) -> tuple[int, int]:
    """(distinct papers linked to the run's checked repositories, repositories checked)."""
    checked = select(RepositoryCheck.c.repository_id).where(RepositoryCheck.c.run_id == run_id)
    papers = connection.execute(
        select(func.count(func.distinct(PaperLink.c.paper_id))).where(PaperLink.c.repository_id.in_(checked))
    ).scalar_one()
    repositories = connection.execute(
        select(func.count()).select_from(RepositoryCheck).where(RepositoryCheck.c.run_id == run_id)
    ).scalar_one()
    return papers, repositories
