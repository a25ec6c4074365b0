"""Ctrl-C while worker threads share locks with the main thread: raised where it is safe, not wherever it lands.

Python raises KeyboardInterrupt in the main thread at whichever bytecode it
is running when SIGINT is handled. `concurrent.futures.wait` takes the lock
of every future it waits on, one by one (``_AcquireFutures.__enter__``), and
gives them back in ``__exit__``, which a KeyboardInterrupt between two of
those acquisitions never reaches: the locks stay held, each worker that
finishes one of those futures blocks on its lock for ever, and the
executor's shutdown on the way out waits for those workers. `check --all`
hung that way after Ctrl-C in about one run of five, at any size
(bench/results.md, "Seventh session: SIGINT at 300,000"). A
KeyboardInterrupt raised inside a finalizer (``__del__``, a weakref
callback) is printed and dropped instead, and the run goes on.

So `interrupt_deferred` takes SIGINT over for a block: the handler only
notes it, and `wait_first` raises KeyboardInterrupt from plain code before
its next wait, holding no lock. The code the block runs between two waits
(recording checks) is spared the stray KeyboardInterrupt as well; it sees
the interrupt come out of the iteration it is driving.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Collection, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from types import FrameType
from typing import Any

# How long a wait goes between two looks at whether Ctrl-C was pressed: the most a noted interrupt waits.
POLL_SECONDS = 0.1


class DeferredInterrupt:
    """Whether Ctrl-C was pressed during the block; `active` when the block took SIGINT over."""

    def __init__(self, *, active: bool) -> None:
        self.active = active
        self.requested = False

    def note(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True

    def raise_if_requested(self) -> None:
        if self.requested:
            self.requested = False
            raise KeyboardInterrupt


@contextmanager
def interrupt_deferred() -> Iterator[DeferredInterrupt]:
    """For the block, SIGINT is noted rather than raised; `wait_first` raises it, and so does the block's
    end when nothing did before (an exception already on its way out goes on instead).

    Only where Python's own Ctrl-C handler is in place, in the main thread
    (the only one signals reach); elsewhere (a flow's task thread, a caller's
    handler of its own) the block is left as it is.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is not signal.default_int_handler:
        yield DeferredInterrupt(active=False)
        return
    interrupt = DeferredInterrupt(active=True)
    signal.signal(signal.SIGINT, interrupt.note)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)
    interrupt.raise_if_requested()


def wait_first(futures: Collection[Future[Any]], interrupt: DeferredInterrupt) -> set[Future[Any]]:
    """The futures done once at least one is (`concurrent.futures.wait` with FIRST_COMPLETED); a Ctrl-C noted
    before or during the wait is raised here instead, within `POLL_SECONDS`."""
    timeout = POLL_SECONDS if interrupt.active else None
    while futures:
        interrupt.raise_if_requested()
        done, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        if done:
            return done
    return set()
