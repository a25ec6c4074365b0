"""`status` on a terminal: the summary and the first rows read in SQL (`Store.listing`), not from every row.

The rows and counts are those `render_status` makes of `iter_status_entries`
(tests/test_status_top.py compares them): the counts by GROUP BY, the rows by
ORDER BY .. LIMIT, paper titles and archive looks read for the shown rows
alone. Artifacts (pages, DOIs, short links: few) go the way they always went.
A change needs `change_summary`'s judgement, so the store narrows the rows that
may have one and this module judges those. Where a filter or order has no SQL
here (`--paper`, `--sort last-commit`), `status_top` answers None and the
caller streams every row.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from tracker.artifacts.kinds import repository_kind
from tracker.records import RepoKind, Status
from tracker.report.analysis import STALE_AFTER, change_summary
from tracker.report.listing import SortKey, row_filter, row_order
from tracker.report.load import STATUS_FIELDS, archive_entries, artifact_entry, status_entry
from tracker.report.model import STATUS_ORDER, RepoEntry
from tracker.report.terminal import StatusTally
from tracker.store.listing import ListingWhere
from tracker.store.store import Store

# The orders whose key is a column of `latest_checks` (`tracker.store.listing.ORDERS`).
_SQL_ORDERS = {SortKey.STATUS: "status", SortKey.NAME: "key", SortKey.SCORE: "repro_score", SortKey.STARS: "stars"}


class StatusTop(NamedTuple):
    """What a bounded `status` table shows: the summary of every row and the first `limit` rows, in order."""

    tally: StatusTally
    rows: list[RepoEntry]


def status_top(store: Store, *, limit: int, status: Sequence[str] = (), host: str | None = None,
               paper: str | None = None, changed: bool = False, kind: Sequence[str] = (),
               sort: SortKey = SortKey.STATUS) -> StatusTop | None:
    """The summary and first `limit` rows of `status` with these filters and order, or None where they need
    every row read (a `paper` title filter, an order by no column, a host SQL cannot lower as Python does)."""
    if paper is not None or sort not in _SQL_ORDERS or (host is not None and not host.isascii()):
        return None
    where = ListingWhere(statuses=frozenset(status), host=host, kinds=_repository_kinds(kind))
    keep, order = row_filter(status=status, host=host, changed=changed, kind=kind), row_order(sort)
    artifacts = [entry for entry in map(artifact_entry, store.latest_artifact_checks()) if keep(entry)]
    listing = store.listing
    if changed:
        tally = StatusTally()
        candidates = listing.rows(where, order=_SQL_ORDERS[sort], status_order=STATUS_ORDER, fields=STATUS_FIELDS,
                                  limit=None, changes=STALE_AFTER)
        repositories = [entry for entry in map(status_entry, candidates) if keep(entry)]
        kept = heapq.nsmallest(limit, tally.counting(itertools.chain(repositories, artifacts)), key=order)
    else:
        tally = _tally(store, where)
        if sort == SortKey.STATUS:
            # Only the worst statuses hold the first rows: fewer to sort (half the time on SQLite at 100,000).
            where = dataclasses.replace(where, statuses=_first_statuses(tally.counts, limit))
        for artifact in artifacts:
            tally.add(artifact)
        first = listing.rows(where, order=_SQL_ORDERS[sort], status_order=STATUS_ORDER, fields=STATUS_FIELDS,
                             limit=limit)
        repositories = list(map(status_entry, first))
        kept = heapq.nsmallest(limit, itertools.chain(repositories, artifacts), key=order)
    return StatusTop(tally, _with_papers_and_archive(store, kept, {id(entry) for entry in repositories}))


def _tally(store: Store, where: ListingWhere) -> StatusTally:
    """The summary of the repositories `where` selects: counted in SQL, the possible changes judged here."""
    tally = StatusTally()
    counted = store.listing.tally(where, stale_after=STALE_AFTER, fields=STATUS_FIELDS)
    for item in counted.counts:
        tally.rows += item.rows
        tally.counts[Status(item.status)] += item.rows
        tally.changed += item.status_changed
        tally.only_repositories = tally.only_repositories and repository_kind(item.kind).value == "repository"
    tally.changed += sum(size for row, size in counted.to_judge if change_summary(status_entry(row)))
    return tally


def _first_statuses(counts: Mapping[Status, int], limit: int) -> frozenset[str]:
    """The statuses, worst first, of as many repositories (`counts`) as it takes to hold the first `limit`."""
    chosen: list[str] = []
    held = 0
    for status in STATUS_ORDER:
        if held >= limit:
            break
        if counts.get(status):
            chosen.append(status.value)
            held += counts[status]
    return frozenset(chosen)


def _with_papers_and_archive(store: Store, rows: list[RepoEntry], repositories: set[int]) -> list[RepoEntry]:
    """The shown rows, the repositories among them (by `id`, in `repositories`) with the titles of their papers and
    their latest archive look, read for them alone; artifacts come with their titles and have no archive look."""
    keys = [row.key for row in rows if id(row) in repositories]
    if not keys:
        return rows
    titles, archived = store.paper_titles(keys), archive_entries(store, keys)
    return [dataclasses.replace(row, paper_titles=titles.get(row.key, ()), archive=archived.get(row.key))
            if id(row) in repositories else row for row in rows]


def _repository_kinds(kinds: Sequence[str]) -> frozenset[str] | None:
    """The `repositories.kind` values listed as any of `kinds` (None: no kind asked for, every one)."""
    if not kinds:
        return None
    return frozenset(item.value for item in RepoKind if repository_kind(item).value in set(kinds))
