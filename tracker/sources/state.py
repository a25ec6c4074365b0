"""Where an OAI-PMH harvest stands, as the store keeps it between runs (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class HarvestPlace:
    """Where an OAI-PMH harvest of one source stands.

    `datestamp` is where the next harvest starts (``from``); `token` the
    resumption token of a harvest under way; `seen` the latest datestamp that
    harvest has read so far, which becomes `datestamp` when it completes.
    """

    datestamp: str | None = None
    token: str | None = None
    seen: str | None = None


class HarvestState(Protocol):
    """Where harvest places are kept between runs (the store)."""

    def harvest_place(self, source: str) -> HarvestPlace | None: ...

    def save_harvest_place(self, source: str, place: HarvestPlace) -> None: ...
