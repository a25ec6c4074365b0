"""What went wrong with an input, in a form a person can act on.

Readers never raise for bad content: they report an `InputProblem` and carry on
with the next record, so one broken line never costs the good ones. Only the
caller decides what a problem means (log it, or fail the run in ``--strict``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("tracker.ingest")


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One problem in one input file.

    `line` is the 1-based physical line (None when the problem concerns the
    whole file). `fatal` means the file, or the rest of it, could not be read;
    records yielded before a fatal problem are still good.
    """

    path: str
    line: int | None
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class IngestError(Exception):
    """A file could not be read at all (missing, binary, refused XML, ...)."""

    def __init__(self, problem: InputProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


ProblemHandler = Callable[[InputProblem], None]


def log_or_raise(problem: InputProblem) -> None:
    """The default handler: warn about bad records, raise when the file is unreadable.

    Silently yielding nothing for a missing or binary file would look like an
    empty reading list, so without a handler that decision is not ours to make.
    """
    if problem.fatal:
        raise IngestError(problem)
    log.warning("%s", problem)


@dataclass(frozen=True, slots=True)
class Reporter:
    """Binds a handler to one file so readers only say *where* and *what*."""

    path: str
    handler: ProblemHandler

    def warn(self, line: int | None, message: str) -> None:
        self.handler(InputProblem(self.path, line, message, fatal=False))

    def fatal(self, line: int | None, message: str) -> None:
        self.handler(InputProblem(self.path, line, message, fatal=True))
