"""Progress for logs: plain lines (``checked 120/437``) where no terminal can show a bar.

A CI job's log keeps every byte written to it; a redrawn bar there is either
absent (rich draws nothing outside a terminal) or noise. One line every few
seconds, and one at the end, tells a person watching the job that it moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# At most one line this often: a 10,000-repository run writes some hundred lines.
EVERY_SECONDS = 5.0


@dataclass
class ProgressLines:
    """Counts done items and writes ``<verb> done/total`` at most every `every` seconds, and at the end.

    `clock` is injectable so that what is written never depends on real time in tests.
    """

    total: int
    write: Callable[[str], None]
    verb: str = "checked"
    every: float = EVERY_SECONDS
    clock: Callable[[], float] = time.monotonic
    done: int = 0
    _last: float | None = field(default=None, init=False)
    _written: int = field(default=-1, init=False)
    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self.clock()
        if self.done >= self.total or self._last is None or now - self._last >= self.every:
            self._emit(now)

    def finish(self) -> None:
        """The closing line, unless the last one already said it all."""
        if self._last is None or self._written != self.done:
            self._emit(self.clock())

    def _emit(self, now: float) -> None:
        self._last = now
        self._written = self.done
        self.write(f"{self.verb} {self.done}/{self.total}")
