"""One tracking run's life in the store: started, recorded, finished or interrupted.

The CLI (`check`) and the Prefect flow (`flows/track.py`) start and end runs
the same way through `TrackedRun`: the CLI as a context manager around its
checks, the flow from its tasks and its `on_failure` / `on_crashed` hooks. An
interruption records what the run found so far; the next run continues from
there, because `repositories_due` skips what this run checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from tracker.records import RepoFacts, RepoRef
from tracker.tracking.tally import RunTally

if TYPE_CHECKING:
    from tracker.store.rows import StoredCheck


class RunStore(Protocol):
    """The part of `tracker.store.Store` a run's life needs."""

    def start_run(self, sources: list[str], flow_run_id: str | None = None) -> int: ...

    def finish_run(self, run_id: int, status: str, *, requests_made: int = 0, requests_rate_limited: int = 0,
                   note: str | None = None) -> None: ...


class CheckHistory(Protocol):
    """The part of `tracker.store.Store` that says what a run recorded."""

    def history(self, key: str) -> list[StoredCheck]: ...


def interruption_note(cause: BaseException | None) -> str:
    """Why a run stopped early, as its row's note says it."""
    if isinstance(cause, KeyboardInterrupt):
        return "interrupted by the user"
    return f"interrupted: {type(cause).__name__}" if cause is not None else "interrupted"


@dataclasses.dataclass
class TrackedRun:
    """A run row in the store from `start` to `finish` (or `interrupt`); `tally` gathers what it checked."""

    store: RunStore
    id: int
    tally: RunTally = dataclasses.field(default_factory=RunTally)
    finished: bool = False

    @classmethod
    def start(cls, store: RunStore, sources: Sequence[str], flow_run_id: str | None = None) -> TrackedRun:
        return cls(store, store.start_run(sources=list(sources), flow_run_id=flow_run_id))

    def finish(self, tally: RunTally | None = None, note: str | None = None) -> None:
        """Close the run with how its checks ended (`completed` or `rate_limited`)."""
        if tally is not None:
            self.tally = tally
        self._close(self.tally, note)

    def interrupt(self, cause: BaseException | None = None, note: str | None = None) -> None:
        """Close the run as `interrupted`, keeping the counts of what it checked; once, whoever calls first."""
        if not self.finished:
            self._close(self.tally.interrupted(), note or interruption_note(cause))

    def _close(self, tally: RunTally, note: str | None) -> None:
        self.store.finish_run(self.id, tally.run_status, requests_made=tally.requests_made,
                              requests_rate_limited=tally.requests_rate_limited, note=note)
        self.finished = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, cause: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if cause is not None:
            self.interrupt(cause)


# The runs this process has started and not finished, by the flow run that holds them: Prefect's failure and
# crash hooks get only the flow run, and close what they find here. A dict in this module rather than in
# `flows/`, because Dask pickles the flow's functions with the globals they use, and a store does not pickle.
OPEN_RUNS: dict[str, TrackedRun] = {}


def recorded_tally(store: CheckHistory, run_id: int, canonicals: Iterable[str]) -> RunTally:
    """What run `run_id` recorded of these repositories, by status, read back from the store.

    For a check batch whose own tally is lost: the attempt that a Prefect retry (or Dask, after a worker
    died) followed, or a batch that failed for good. The requests they made are not stored, so not counted.
    """
    tally = RunTally()
    for canonical in canonicals:
        for check in store.history(RepoRef.parse(canonical).key):
            if check.run_id == run_id:
                tally.count_facts(RepoFacts(ref=check.ref, status=check.status, detail=check.detail or "",
                                            checked_at=check.checked_at))
    return tally


def earlier_attempts(store: CheckHistory, run_id: int, canonicals: Iterable[str], due: Iterable[RepoRef]) -> RunTally:
    """What earlier attempts at a batch recorded: its repositories that this run no longer has `due`."""
    left = {ref.key.lower() for ref in due}
    return recorded_tally(store, run_id, [name for name in canonicals if RepoRef.parse(name).key.lower() not in left])


def failed_batch(store: CheckHistory, run_id: int, canonicals: Sequence[str]) -> RunTally:
    """A check batch that failed for good: what it recorded first, and the rest `unfinished` (due next run)."""
    tally = recorded_tally(store, run_id, canonicals)
    tally.unfinished = len(canonicals) - tally.checked
    return tally


def failed_batches_note(tally: RunTally, causes: Sequence[str]) -> str | None:
    """The run's note on check batches that failed for good (`causes`: one exception name each), or None."""
    if not causes:
        return None
    return (f"{len(causes)} check batches failed ({', '.join(sorted(set(causes)))}): "
            f"{tally.unfinished} repositories not checked, due again next run")
