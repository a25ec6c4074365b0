"""Everything repro-tracker knows, over time, in SQL (SQLite by default, PostgreSQL for teams).

Open it with `open_store` (creating it) or `open_existing_store` (read-only commands: never creating); the
`Store` methods are the whole interface, each handed to the room that owns its tables (see `tracker.store.store`).
Rows come back as frozen plain values (`tracker.store.rows`).
"""

from tracker.store.engine import StoreError, database_url, mask_url
from tracker.store.rows import (
    ArtifactCheckRow,
    ArtifactRow,
    CheckRow,
    IngestSummary,
    PaperRow,
    PromiseDue,
    RunRow,
    RunStatus,
    StoredCheck,
)
from tracker.store.store import Machine, NoDatabaseError, Store, open_existing_store, open_store

__all__ = [
    "ArtifactCheckRow",
    "ArtifactRow",
    "PromiseDue",
    "CheckRow",
    "IngestSummary",
    "Machine",
    "NoDatabaseError",
    "PaperRow",
    "RunRow",
    "RunStatus",
    "Store",
    "StoreError",
    "StoredCheck",
    "database_url",
    "mask_url",
    "open_existing_store",
    "open_store",
]
