"""`status`: every repository's (and artifact's) latest state as a table or JSON, streamed at any size."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.markup import escape

from tracker.cli.common import DbOption, JsonOption, _fail, _open_existing_store, app, err, out
from tracker.output import dumps_plain


@app.command()
def status(
    status_filter: Annotated[list[str] | None, typer.Option("--status",
        help="Only these statuses (repeatable or comma-separated).")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Only repositories on this host.")] = None,
    paper: Annotated[str | None, typer.Option("--paper",
        help="Only repositories of papers whose title contains TEXT.")] = None,
    changed: Annotated[bool, typer.Option("--changed",
        help="Only repositories whose latest check differs from the one before.")] = False,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="Only these kinds: repository, model, dataset, space, page, doi, short_link.")] = None,
    sort: Annotated[str, typer.Option("--sort",
        help="status, name, score, last-commit or stars (adds a Stars column).")] = "status",
    limit: Annotated[int | None, typer.Option("--limit", min=0,
        help="Rows drawn in the table (0: all; default 200 on a terminal, all when piped); --json gives all.")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Draw every row in the table, even on a terminal.")] = False,
    fail_on: Annotated[str | None, typer.Option("--fail-on",
        help="Exit 1 when any shown repository has one of these statuses, e.g. missing,blocked.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl",
        help="Print JSON lines, one object per row (the objects of --json), as a stream.")] = False,
) -> None:
    """Every repository's latest status, license, last commit, score and change since the previous check.

    On a terminal the table shows the first 200 rows (--limit, --all); piped, every row. Rows stream from
    the database and are put in order on disk past 20,000, so memory stays bounded at any size.
    """
    from datetime import UTC, datetime

    from tracker.collector import cycle_collection_paused
    from tracker.records import Status

    statuses = _status_list(status_filter)
    kinds = _kind_list(kind)
    failing = _status_list([fail_on] if fail_on else None)
    sort_key = _sort_key(sort)
    # Importing the store and building the rows leave no cycles to collect (see `cycle_collection_paused`): ~0.1 s.
    with cycle_collection_paused():
        from tracker.report import SortKey
        from tracker.report.listing import row_filter, row_order
        from tracker.report.load import iter_status_entries
        from tracker.report.status_top import status_top
        from tracker.report.terminal import StatusTally, render_status, render_status_shown

        keep = row_filter(status=statuses, host=host, paper=paper, changed=changed, kind=kinds)
        store = _open_existing_store(db)
        entries = iter_status_entries(store, outcomes=as_json or as_jsonl)
        rows = (row for row in entries if keep(row))
        order = row_order(sort_key)
        shown = None if all_rows or limit == 0 else limit
        if shown is None and limit is None and not all_rows and out.is_terminal:
            shown = DEFAULT_STATUS_ROWS
        top = None
        if shown is not None and not (as_json or as_jsonl):
            top = status_top(store, limit=shown, status=statuses, host=host, paper=paper, changed=changed, kind=kinds,
                             sort=sort_key)
        if top is not None:
            tally = top.tally
            render_status_shown(out, tally, top.rows, now=datetime.now(UTC), stars=sort_key == SortKey.STARS)
        elif as_json or as_jsonl:
            tally = StatusTally()
            _write_json_rows(tally.counting(rows), order, lines=as_jsonl)
        else:
            tally = render_status(out, rows, now=datetime.now(UTC), limit=shown, stars=sort_key == SortKey.STARS,
                                  order=order)
    hits = sum(tally.counts[Status(item)] for item in set(failing))
    if hits:
        err.print(f"[red]{hits} repositories are {escape(', '.join(failing))}[/]")
        raise typer.Exit(1)


# Rows a terminal's table shows unless told otherwise: more is unreadable; piped output gets every row.
DEFAULT_STATUS_ROWS = 200


def _write_json_rows(rows: Any, order: Any, *, lines: bool) -> None:
    """`status --json` (one array on one line) or `--jsonl` (one object a line), written as the rows come.

    Straight to stdout: rich scans every character of its output for control codes, and JSON has nothing to
    style. The rows are put in order with bounded memory (`ordered`); the array is written piece by piece,
    byte for byte what `json.dumps` of the whole list would give.
    """
    from tracker.report.listing import row_dict
    from tracker.report.ordered import ordered

    write = sys.stdout.write
    encoded = ordered((order(row), dumps_plain(row_dict(row))) for row in rows)
    if lines:
        for line in encoded:
            write(line + "\n")
        return
    write("[")
    for index, line in enumerate(encoded):
        write(", " + line if index else line)
    write("]\n")


def _sort_key(value: str) -> Any:
    from tracker.report import SortKey

    try:
        return SortKey(value.strip().lower())
    except ValueError:
        raise _fail(f"unknown --sort {value!r}; choose from {', '.join(key.value for key in SortKey)}", 2) from None


def _status_list(values: list[str] | None) -> list[str]:
    """Statuses from repeatable, comma-separated options, each checked against the known ones."""
    from tracker.records import Status

    return _chosen(values, {status.value for status in Status}, "status")


def _kind_list(values: list[str] | None) -> list[str]:
    """Kinds from repeatable, comma-separated options, each checked against the known ones."""
    from tracker.artifacts.kinds import LinkKind

    return _chosen(values, {kind.value for kind in LinkKind}, "kind")


def _chosen(values: list[str] | None, known: set[str], what: str) -> list[str]:
    chosen = [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise _fail(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(sorted(known))}", 2)
    return chosen
