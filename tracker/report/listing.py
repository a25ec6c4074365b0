"""A status listing's rows: which to show (`row_filter`), in what order (`row_order`), and their JSON shape.

Pure functions over `RepoEntry` rows, shared by the terminal's table, `--json`,
the report's files and the Prefect UI, so that every face filters, orders and
names a row the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from tracker.output import utc_iso
from tracker.records import Status
from tracker.report.analysis import change_summary
from tracker.report.licenses import license_group
from tracker.report.model import STATUS_ORDER, ArchiveEntry, RepoEntry


class SortKey(enum.StrEnum):
    STATUS = "status"  # worst first
    NAME = "name"
    SCORE = "score"  # highest first
    LAST_COMMIT = "last-commit"  # most recent first
    STARS = "stars"  # most first


def filter_rows(
    rows: Iterable[RepoEntry],
    *,
    status: Iterable[Status | str] = (),
    host: str | None = None,
    paper: str | None = None,
    changed: bool = False,
    kind: Iterable[str] = (),
) -> list[RepoEntry]:
    """Rows matching every given filter (`row_filter`)."""
    keep = row_filter(status=status, host=host, paper=paper, changed=changed, kind=kind)
    return [row for row in rows if keep(row)]


def row_filter(
    *,
    status: Iterable[Status | str] = (),
    host: str | None = None,
    paper: str | None = None,
    changed: bool = False,
    kind: Iterable[str] = (),
) -> Callable[[RepoEntry], bool]:
    """Whether a row matches every given filter: one row at a time, so a listing of any size streams through it.

    `kind`: any of these kinds (repository, model, dataset, space, page, doi, short_link).
    `status`: any of these statuses; `host`: the host, case-insensitive;
    `paper`: a case-insensitive substring of one of the row's paper titles;
    `changed`: only rows whose latest check differs from the previous one.
    """
    wanted = {Status(item) for item in status}
    kinds = set(kind)
    host_key = host.lower() if host else None
    paper_key = paper.casefold() if paper else None

    def keep(row: RepoEntry) -> bool:
        return ((not wanted or row.status in wanted)
                and (not kinds or row.kind in kinds)
                and (host_key is None or row.host.lower() == host_key)
                and (paper_key is None or any(paper_key in title.casefold() for title in row.paper_titles))
                and (not changed or bool(change_summary(row))))

    return keep


_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def sort_rows(rows: Iterable[RepoEntry], key: SortKey | str = SortKey.STATUS) -> list[RepoEntry]:
    """Rows in the order `key` names; ties and missing values fall back to name order."""
    return sorted(rows, key=row_order(key))


def row_order(key: SortKey | str = SortKey.STATUS) -> Callable[[RepoEntry], tuple[Any, ...]]:
    """A row's place in the order `key` names, as plain values (`ordered` writes them to disk past 20,000 rows).

    Ties and missing values fall back to name (key) order.
    """
    by = SortKey(key)
    if by == SortKey.NAME:
        return lambda row: (row.key,)
    if by == SortKey.STATUS:
        return lambda row: (_STATUS_RANK[row.status], row.key)
    if by == SortKey.SCORE:
        return lambda row: (row.repro_score is None, -(row.repro_score or 0.0), row.key)
    if by == SortKey.STARS:
        return lambda row: (row.stars is None, -(row.stars or 0), row.key)
    return lambda row: (row.last_commit_at is None,
                        -(row.last_commit_at.timestamp() if row.last_commit_at else 0.0), row.key)


def _iso(value: datetime | None) -> str | None:
    return utc_iso(value)


def row_dict(row: RepoEntry) -> dict[str, Any]:
    """One row as JSON-ready plain values: the shape of ``--json`` and of the report files."""
    return {
        "repository": row.canonical,
        "kind": row.kind,
        "key": row.key,
        "host": row.host,
        "status": str(row.status),
        "previous_status": str(row.previous_status) if row.previous_status is not None else None,
        "change": change_summary(row),
        "moved_to": row.moved_to,
        "health": row.health,
        "license": row.license_spdx,
        "license_group": str(license_group(row.license_spdx)),
        "last_commit_at": _iso(row.last_commit_at),
        "stars": row.stars,
        "repro_score": row.repro_score,
        "checked_at": _iso(row.checked_at),
        "checks": {name: str(outcome) for name, outcome in sorted(row.outcomes.items())},
        "papers": list(row.paper_titles),
        **archive_dict(row.archive),
    }


def archive_dict(archive: ArchiveEntry | None) -> dict[str, Any]:
    """The archive fields of a row: state, last visit, the SWHIDs and page of the archived copy."""
    if archive is None:
        return {"archive": None, "archive_visit": None, "archive_days_behind": None, "archive_snapshot": None,
                "archive_revision": None, "archive_url": None, "archive_save_request": None}
    return {
        "archive": archive.state,
        "archive_visit": _iso(archive.visit_date),
        "archive_days_behind": archive.days_behind,
        "archive_snapshot": archive.snapshot_swhid,
        "archive_revision": archive.revision_swhid,
        "archive_url": archive.browse_url,
        "archive_save_request": archive.save_request,
    }


def status_json(rows: Iterable[RepoEntry]) -> list[dict[str, Any]]:
    """The rows `render_status` shows, as plain dicts for ``--json``."""
    return [row_dict(row) for row in rows]
