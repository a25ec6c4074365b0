"""One repository check as a row of `repository_checks`: the columns written, and how they are read back.

The host's facts (`Metadata`, `Activity` in `tracker.records`) are written
field by field under their own names, so their column lists are derived from
the dataclasses here and nowhere else: a new fact is a field of the record, a
column in `models.py` (with its migration) and a field of `StoredCheck`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import FromClause, Text, cast, func

from tracker.records import Activity, CheckResult, LicenseFinding, Metadata, RepoFacts, Status
from tracker.spdx import repository_license
from tracker.store.models import LISTED_COLUMNS, LatestCheck, RepositoryCheck
from tracker.store.rows import StoredCheck

# Facts whose column is named otherwise than their field (the API's license, beside the files' one).
_COLUMN_OF_FIELD = {"license_spdx": "license_api"}
# Facts the records carry and the store does not keep.
_NOT_STORED = frozenset({"size_kb"})  # a clone-strategy hint, meaningless once the check is made


def _fact_columns(record: type[Metadata] | type[Activity]) -> dict[str, str]:
    """Field name -> column name, for each stored field of `record`."""
    return {
        item.name: _COLUMN_OF_FIELD.get(item.name, item.name)
        for item in dataclasses.fields(record)
        if item.name not in _NOT_STORED
    }


METADATA_COLUMNS = _fact_columns(Metadata)
ACTIVITY_COLUMNS = _fact_columns(Activity)

# Enum construction by value is slow; `latest_checks` builds thousands.
STATUSES = {status.value: status for status in Status}
# Read as JSON text, decoded only on demand by `StoredCheck` (see there).
_JSON_TEXT_COLUMNS = ("topics", "licenses", "results", "outcomes")
# How a row is stored, not what it says: no `StoredCheck` field reads them.
_STORAGE_COLUMNS = frozenset({"repository_id", "same_as_id", "digest"})
STORED_FIELDS = frozenset(StoredCheck._fields)
# `StoredCheck` field name -> column name, in table order (the columns no reader reads are left out).
CHECK_FIELDS = {
    field: column.name
    for column in RepositoryCheck.c
    if column.name not in _STORAGE_COLUMNS
    and (field := f"{column.name}_json" if column.name in _JSON_TEXT_COLUMNS else column.name) in STORED_FIELDS
}
# What identifies a check; every read includes them whatever columns it asks for. An observation
# (a check that repeated the one before, see `models.RepositoryCheck`) stores these and nothing else.
IDENTITY_FIELDS = ("id", "run_id", "checked_at", "status")
# What a check says, the same in an observation and the full row it repeats.
CONTENT_COLUMNS = tuple(
    column.name for column in RepositoryCheck.c
    if column.name not in _STORAGE_COLUMNS | {"id", "run_id", "checked_at"}
)


def check_column(observed: FromClause, full: FromClause, field: str, label: str | None = None) -> Any:
    """The column that fills this `StoredCheck` field: of the check's own row `observed` for its identity, else
    of `full`, the row holding its facts (the same row, or the one an observation repeats; `full_row_of`).

    The one place that resolves observations, so every read sees every check whole.
    """
    column = CHECK_FIELDS[field]
    table = observed if field in IDENTITY_FIELDS else full
    expression = cast(table.c[column], Text) if column in _JSON_TEXT_COLUMNS else table.c[column]
    return expression.label(label or field)


# The `StoredCheck` fields `latest_checks` keeps of the newest two checks (`models.LISTED_COLUMNS`), ids included.
LISTED_FIELDS = frozenset(
    {"id", "run_id"} | {field for field, column in CHECK_FIELDS.items() if column in LISTED_COLUMNS}
)


def listed_column(which: str, field: str) -> Any:
    """The column of `latest_checks` that fills this `StoredCheck` field of its `which` ("latest", "previous") check."""
    column = LatestCheck.c[f"{which}_{CHECK_FIELDS.get(field, field)}"]
    expression = cast(column, Text) if CHECK_FIELDS.get(field) in _JSON_TEXT_COLUMNS else column
    return expression.label(f"{which}_{field}")


def full_row_of(observed: FromClause, full: FromClause) -> Any:
    """The join condition from a check's row `observed` to `full`, the row holding its facts."""
    return full.c.id == func.coalesce(observed.c.same_as_id, observed.c.id)


def content_digest(values: Mapping[str, Any]) -> str:
    """A short hash of what a check says (`CONTENT_COLUMNS`): equal digests, equal facts and results.

    Over canonical JSON of the non-NULL columns, so a row read back (NULLs, naive SQLite times, JSON
    decoded) hashes as the values written did, and migration 0011 can hash the rows already stored.
    128 bits of BLAKE2b: a collision would take ~2^64 checks of one repository.
    """
    canonical = {}
    for name in CONTENT_COLUMNS:
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, datetime):
            value = (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
        elif isinstance(value, float):
            value = repr(value)
        canonical[name] = value
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _fact_values(record: Metadata | Activity, columns: dict[str, str]) -> dict[str, Any]:
    values = {column: getattr(record, name) for name, column in columns.items()}
    return {column: list(value) if isinstance(value, tuple) else value for column, value in values.items()}


def check_values(
    facts: RepoFacts,
    results: Sequence[CheckResult],
    *,
    health: str,
    repro_score: int | None,
) -> dict[str, Any]:
    """The columns of one check row, from plain records."""
    if repro_score is not None and not 0 <= repro_score <= 100:
        raise ValueError(f"repro_score must be 0-100, got {repro_score} for {facts.ref}")
    from_files = [finding for finding in facts.licenses if finding.source != "api"]
    # The license files' expression; a README's declaration or an unidentified file only when no file names one.
    expression, confidence, _ = repository_license(from_files)
    best_file = max(from_files, key=lambda f: (f.spdx is not None, f.source == "file", f.confidence), default=None)
    if expression is not None:
        best_file = LicenseFinding(spdx=expression, confidence=confidence or 0.0, source="file")
    values: dict[str, Any] = {
        "checked_at": facts.checked_at,
        "status": facts.status.value,
        "http_status": facts.http_status,
        "detail": facts.detail,
        "moved_to": facts.moved_to.canonical if facts.moved_to is not None else None,
        "license_file": best_file.spdx if best_file else None,
        "license_confidence": best_file.confidence if best_file else None,
        "licenses": [
            {"spdx": f.spdx, "confidence": f.confidence, "source": f.source, "path": f.path}
            | ({"how": f.how} if f.how is not None else {}) | ({"closest": f.closest} if f.closest is not None else {})
            for f in facts.licenses
        ],
        "health": health,
        "repro_score": repro_score,
        "results": [
            {
                "name": r.name,
                "outcome": r.outcome.value,
                "score": r.score,
                "reason": r.reason,
                "evidence": list(r.evidence),
            }
            for r in results
        ],
        "outcomes": {r.name: r.outcome.value for r in results},
    }
    if facts.metadata is not None:
        values |= _fact_values(facts.metadata, METADATA_COLUMNS)
    if facts.activity is not None:
        values |= _fact_values(facts.activity, ACTIVITY_COLUMNS)
    for name, value in values.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(f"naive datetime in {name} of {facts.ref}: the store keeps timezone-aware times only")
    return values
