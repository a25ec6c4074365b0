"""One tracking run's life in the store: started, recorded, finished or interrupted.

The CLI (`check`) and the Prefect flow (`flows/track.py`) start and end runs
the same way through `TrackedRun`: the CLI as a context manager around its
checks, the flow from its tasks and its `on_failure` / `on_crashed` hooks. An
interruption records what the run found so far; the next run continues from
there, because `repositories_due` skips what this run checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from tracker.tracking import RunTally


class RunStore(Protocol):
    """The part of `tracker.store.Store` a run's life needs."""

    def start_run(self, sources: list[str], flow_run_id: str | None = None) -> int: ...

    def finish_run(self, run_id: int, status: str, *, requests_made: int = 0, requests_rate_limited: int = 0,
                   note: str | None = None) -> None: ...


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
