"""Where conditional-request validators live between runs.

GitHub answers 304 Not Modified, at no rate-limit cost, when a request carries
the ETag (or Last-Modified) of the previous answer. To use that, each answer's
validators and body must outlive the process: the store keeps them in SQL
(`tracker.store`), tests and one-off runs keep them in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One earlier answer: its validators and its body, as received (JSON text)."""

    etag: str | None
    last_modified: str | None
    body: str


class AnswerCache(Protocol):
    """Keyed by request URL path with its query (never by anything secret)."""

    def get(self, key: str) -> CachedAnswer | None: ...

    def put(self, key: str, answer: CachedAnswer) -> None: ...


class MemoryAnswerCache:
    """An `AnswerCache` that lives as long as the process."""

    def __init__(self) -> None:
        self._answers: dict[str, CachedAnswer] = {}

    def get(self, key: str) -> CachedAnswer | None:
        return self._answers.get(key)

    def put(self, key: str, answer: CachedAnswer) -> None:
        self._answers[key] = answer
