"""The terminal view: a status table of repositories and one repository's history.

Every value from outside goes into a `rich.text.Text`, never into markup, so a
repository description or title such as ``[bold red]x[/]`` prints literally.
Which rows, in what order and in what JSON shape is `listing`'s (pure, so the
CLI's flags and ``--json`` see exactly the same rows); how a figure reads is
`wording`'s.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.records import Outcome, PaperLinks, Status
from tracker.report.analysis import change_summary
from tracker.report.model import ALIVE, STATUS_ORDER, ArchiveEntry, CheckEntry, RepoEntry
from tracker.report.ordered import ordered
from tracker.report.wording import format_score, last_commit_text

STATUS_STYLE: dict[Status, str] = {
    Status.OK: "green",
    Status.MOVED: "cyan",
    Status.ARCHIVED: "yellow",
    Status.EMPTY: "yellow",
    Status.MISSING: "bold red",
    Status.BLOCKED: "bold red",
    Status.DISABLED: "bold red",
    Status.UNREACHABLE: "magenta",
    Status.NOT_CHECKED: "dim",
}

ARCHIVE_STYLE = {"archived": "green", "behind": "yellow", "not_archived": "bold red", "unknown": "magenta"}

# A table of thousands of rows is unreadable and slow to lay out; the rest is a flag away.
DEFAULT_ROW_LIMIT = 200


def _status_text(status: Status | None, moved_to: str | None = None) -> Text:
    if status is None:
        return Text("-")
    label = f"moved → {moved_to}" if status is Status.MOVED and moved_to else str(status)
    return Text(label, style=STATUS_STYLE[status])


@dataclass
class StatusTally:
    """What the summary line counts, added up one row at a time (`counting`), so rows need not be kept."""

    counts: Counter[Status] = field(default_factory=Counter)
    changed: int = 0
    rows: int = 0
    only_repositories: bool = True

    def add(self, row: RepoEntry) -> None:
        self.rows += 1
        self.counts[row.status] += 1
        self.changed += 1 if change_summary(row) else 0
        self.only_repositories = self.only_repositories and row.kind == "repository"

    def counting(self, rows: Iterable[RepoEntry]) -> Iterator[RepoEntry]:
        """`rows`, each counted as it passes."""
        for row in rows:
            self.add(row)
            yield row


def summary_line(rows: Sequence[RepoEntry] | StatusTally) -> Text:
    """``12 repositories: 9 ok, 2 missing, 1 moved; 3 changed since the previous check`` (``links`` when the
    rows hold models, pages, DOIs or short links too)."""
    tally = rows if isinstance(rows, StatusTally) else StatusTally()
    if not isinstance(rows, StatusTally):
        for _row in tally.counting(rows):
            pass
    noun = ("repository", "repositories") if tally.only_repositories else ("link", "links")
    line = Text(f"{tally.rows} {noun[0] if tally.rows == 1 else noun[1]}", style="bold")
    for index, status in enumerate(status for status in STATUS_ORDER if tally.counts[status]):
        line.append(": " if index == 0 else ", ")
        line.append(f"{tally.counts[status]} {status}", style=STATUS_STYLE[status])
    line.append(f"; {tally.changed} changed since the previous check")
    return line


def add_name_column(table: Table, header: str, names: Iterable[str]) -> None:
    """A column of repository names that is never cut: as wide as the longest, other columns wrap first.

    Only a terminal narrower than a name itself folds it onto a second line
    (never "…"); `tracker.cli` lays out piped output wide enough for that never to happen.
    """
    longest = max((len(name) for name in names), default=len(header))
    table.add_column(header, min_width=max(longest, len(header)), overflow="fold")


# Rows per rich table when every row is printed: each piece is laid out with the widths of the whole listing,
# so the pieces read as one table, and rich never measures 100,000 rows at once.
TABLE_PIECE_ROWS = 2_000

# A row of the status table: (text, style) per cell, plain values so that `ordered` can write them to disk.
Cells = tuple[tuple[str, str], ...]


def status_cells(row: RepoEntry, now: datetime, *, stars: bool) -> Cells:
    """One row of the status table as (text, style) cells."""
    cells = [
        (row.canonical, ""),
        (row.status_label, STATUS_STYLE[row.status]),
        (row.license_label, ""),
        (last_commit_text(row, now), ""),
        (format_score(row.repro_score), ""),
    ]
    if stars:
        cells.append(("-" if row.stars is None else str(row.stars), ""))
    cells.append((row.archive_label, ARCHIVE_STYLE.get(row.archive.state if row.archive else "", "")))
    cells.append((change_summary(row), "bold" if row.previous_status != row.status else ""))
    return tuple(cells)


def render_status(
    console: Console,
    rows: Iterable[RepoEntry],
    *,
    now: datetime,
    limit: int | None = DEFAULT_ROW_LIMIT,
    stars: bool = False,
    order: Callable[[RepoEntry], tuple[Any, ...]] | None = None,
) -> StatusTally:
    """Print a summary line and a table of `rows`, in `order` (`row_order`) or else in the order given.

    At most `limit` rows are drawn (None: all), with a note on how many were
    left out; the summary line always counts every row. `stars` adds the
    Stars column, for rows sorted by it: an order nobody can see is no order.
    Rows stream through: only the `limit` rows shown are kept (all rows
    with no limit are put in order on disk, `ordered`). Returns the tally.
    """
    tally = StatusTally()
    counted = tally.counting(rows)
    if limit is not None:
        if order is None:
            kept = list(itertools.islice(counted, limit))
            for _row in counted:
                pass
        else:
            kept = heapq.nsmallest(limit, counted, key=order)
        render_status_shown(console, tally, kept, now=now, stars=stars)
        return tally
    widths = [0] * (7 + stars)

    def keyed() -> Iterator[tuple[Any, Cells]]:
        for position, row in enumerate(counted):
            cells = status_cells(row, now, stars=stars)
            for index, (text, _style) in enumerate(cells):
                widths[index] = max(widths[index], len(text))
            yield (order(row) if order is not None else position), cells

    _print_status(console, tally, ordered(keyed()), widths, stars=stars)
    return tally


def render_status_shown(console: Console, tally: StatusTally, shown: Sequence[RepoEntry], *, now: datetime,
                        stars: bool = False) -> None:
    """What `render_status` prints with a limit: the summary line of `tally` and a table of the `shown` rows,
    already picked and in order (by `render_status`, or read in SQL: `tracker.report.status_top`)."""
    cells = [status_cells(row, now, stars=stars) for row in shown]
    widths = [max((len(row[index][0]) for row in cells), default=0) for index in range(7 + stars)]
    _print_status(console, tally, cells, widths, stars=stars)


def _print_status(console: Console, tally: StatusTally, shown: Iterable[Cells], widths: Sequence[int], *,
                  stars: bool) -> None:
    columns = ["Repository", "Status", "License", "Last commit", "Score"] + (["Stars"] if stars else []) + [
        "Archive", "Change"]
    pieces = _pieces(shown, TABLE_PIECE_ROWS)
    first = next(pieces, [])
    console.print(summary_line(tally))
    if len(first) < TABLE_PIECE_ROWS:
        table = Table(show_edge=False, header_style="bold")
        add_name_column(table, columns[0], [text for (text, _style), *_rest in first])
        for column in columns[1:]:
            table.add_column(column, justify="right" if column in ("Score", "Stars") else "left")
        for cells in first:
            table.add_row(*(Text(text, style=style) for text, style in cells))
        console.print(table)
        printed = len(first)
    else:
        printed = _print_long_table(console, columns, widths, itertools.chain([first], pieces))
    if printed < tally.rows:
        console.print(
            Text(f"{tally.rows - printed} more rows not shown; use --all, narrow with filters or use --json.",
                 style="dim")
        )


def _print_long_table(console: Console, columns: Sequence[str], widths: Sequence[int],
                      pieces: Iterable[list[Cells]]) -> int:
    """Rich's table look (the same rules and bars), one line per row at the widths of the whole listing.

    Laying out 100,000 rows in rich took minutes; a line per row is also what grep wants. On a terminal each
    line keeps its colours; elsewhere the text goes straight to the console's file. Returns the rows printed.
    """
    sizes = [max(width, len(column)) for width, column in zip(widths, columns, strict=True)]
    right = [column in ("Score", "Stars") for column in columns]

    def cell(text: str, index: int) -> str:
        return " " + (text.rjust(sizes[index]) if right[index] else text.ljust(sizes[index])) + " "

    console.print(Text("┃".join(cell(column, index) for index, column in enumerate(columns)), style="bold"))
    console.print("╇".join("━" * (size + 2) for size in sizes))
    printed = 0
    styled = console.is_terminal
    for piece in pieces:
        if styled:
            for cells in piece:
                line = Text()
                for index, (text, style) in enumerate(cells):
                    line.append("│" if index else "")
                    line.append(cell(text, index), style=style)
                console.print(line)
        else:
            console.file.write("".join(
                "│".join(cell(text, index) for index, (text, _style) in enumerate(cells)) + "\n" for cells in piece))
        printed += len(piece)
    return printed


def _pieces(cells: Iterable[Cells], size: int) -> Iterator[list[Cells]]:
    iterator = iter(cells)
    while piece := list(itertools.islice(iterator, size)):
        yield piece


def differences(before: CheckEntry, after: CheckEntry) -> list[str]:
    """What changed from one check to the next, as short phrases (``status ok → missing``)."""
    found: list[str] = []
    if before.status != after.status:
        found.append(f"status {before.status} → {after.status}")
    if after.moved_to != before.moved_to and after.moved_to:
        found.append(f"moved to {after.moved_to}")
    # Between a check that asked GitHub's API and one read by git alone, only the files can tell a change.
    like_for_like = before.api_asked == after.api_asked or before.license_from_files != after.license_from_files
    # A gone or unreachable repository's license is unknown, which is no change of license either.
    if (before.license_spdx != after.license_spdx and like_for_like
            and before.status in ALIVE and after.status in ALIVE):
        found.append(f"license {before.license_spdx or 'none'} → {after.license_spdx or 'none'}")
    if before.repro_score != after.repro_score:
        found.append(f"score {format_score(before.repro_score)} → {format_score(after.repro_score)}")
    return found


def render_history(console: Console, checks: Sequence[CheckEntry], *, title: str | None = None,
                   archive: ArchiveEntry | None = None, gone_from: str | None = None) -> None:
    """Print every check of one repository, oldest first, marking each change with ●.

    `archive` is its latest archive look; with `gone_from` (the host of a gone
    repository) the archived copy is named under the timeline.
    """
    ordered = sorted(checks, key=lambda check: check.checked_at)
    if title:
        console.print(Text(title, style="bold"))
    table = Table(show_edge=False, header_style="bold")
    # The check's number, marked ● where something changed: a column of bare "│" read as a broken border.
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Checked", no_wrap=True)
    for column in ("Status", "License", "Score", "Archive", "Change", "Detail"):
        table.add_column(column)
    previous: CheckEntry | None = None
    for number, check in enumerate(ordered, start=1):
        found = differences(previous, check) if previous is not None else ["first check"]
        mark = Text(str(number))
        if previous is not None and found:
            mark.append(" ●", style="bold yellow")
        table.add_row(
            mark,
            Text(check.checked_at.strftime("%Y-%m-%d %H:%M")),
            _status_text(check.status, check.moved_to),
            Text(check.license_spdx or "none"),
            Text(format_score(check.repro_score)),
            Text(check.archive.label if check.archive else "-"),
            Text("; ".join(found)),
            Text(check.detail),
        )
        previous = check
    console.print(table)
    if not ordered:
        console.print(Text("no checks recorded", style="dim"))
    if archive is not None:
        for line in archive_lines(archive, gone_from=gone_from):
            console.print(Text(line))


def archive_lines(archive: ArchiveEntry, *, gone_from: str | None = None) -> list[str]:
    """Where the code is kept: "gone from github.com, archived on 2025-03-01", its SWHIDs and page."""
    if not archive.held or archive.visit_date is None:
        return [f"Software Heritage: {archive.label} ({archive.detail})"]
    head = f"gone from {gone_from}, archived on" if gone_from else "archived in Software Heritage on"
    lines = [f"{head} {archive.visit_date:%Y-%m-%d} ({archive.label})"]
    lines += [swhid for swhid in (archive.snapshot_swhid, archive.revision_swhid) if swhid]
    if archive.browse_url:
        lines.append(archive.browse_url)
    return lines


def render_preserve(console: Console, result: Any) -> None:
    """What `preserve` asked for (or with --dry-run would ask for), why, and what budget is left."""
    verb = "would ask" if result.dry_run else "at risk"
    table = Table(show_edge=False, header_style="bold", title=f"{len(result.candidates)} {verb}")
    for column in ("Repository", "Archive", "Why"):
        table.add_column(column)
    for candidate in result.candidates:
        table.add_row(Text(candidate.canonical), Text(str(candidate.archive_state)), Text(candidate.reason))
    console.print(table)
    if not result.candidates:
        console.print(Text("nothing at risk is known; `check --all --archive` asks Software Heritage first",
                           style="dim"))
    for item in result.followed:
        outcome = item.get("save_task_status") or item.get("outcome") or item.get("save_request_status")
        console.print(Text(f"followed {item['repository']}: {outcome}"))
    for item in result.sent:
        console.print(Text(f"asked to save {item['repository']}: {item['save_request_status']}, "
                           f"task {item['save_task_status']}"))
    for item in result.failed:
        console.print(Text(f"could not ask for {item['repository']}: {item['reason']}", style="magenta"))
    if result.left:
        console.print(Text(f"{len(result.left)} left for a later run: the save budget stops first", style="yellow"))
    if result.budget:
        console.print(Text(result.budget, style="dim"))


_PROMISE_LABELS = {"promised": "promised", "available_no_link": "available, no link", "on_request": "on request"}


def _promise_label(paper_links: PaperLinks) -> str:
    if paper_links.promise is not None:
        return _PROMISE_LABELS.get(str(paper_links.promise.kind), str(paper_links.promise.kind))
    return "yes" if paper_links.code_promised else ""


def render_links_table(console: Console, found: Sequence[PaperLinks]) -> None:
    """Print each paper with the repositories and other links found in it (``links --format table``)."""
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Paper")
    add_name_column(table, "Repositories", (repo.canonical for paper_links in found for repo in paper_links.repos))
    table.add_column("Other links", overflow="fold")  # a URL cut with "…" cannot be opened
    table.add_column("Code promised")
    for paper_links in found:
        table.add_row(
            Text(paper_links.paper.title),
            Text("\n".join(repo.canonical for repo in paper_links.repos) or "-"),
            Text("\n".join(f"{artifact.kind}: {artifact.url}" for artifact in paper_links.artifacts) or "-"),
            Text(_promise_label(paper_links)),
        )
    with_code = sum(1 for paper_links in found if paper_links.repos)
    console.print(Text(f"{len(found)} papers, {with_code} with a repository link", style="bold"))
    console.print(table)


def render_check_results(console: Console, rows: Sequence[Mapping[str, Any]]) -> None:
    """Print the checks just made, one row per repository (``check`` without ``--json``).

    `rows` are the CLI's plain check records: ``repository``, ``status``,
    ``detail``, ``moved_to``, ``health``, ``repro_score`` and ``checks`` (each
    with ``name`` and ``outcome``).
    """
    table = Table(show_edge=False, header_style="bold")
    add_name_column(table, "Repository", (str(row["repository"]) for row in rows))
    for column in ("Status", "Health", "Score", "Failed checks", "Detail"):
        table.add_column(column, justify="right" if column == "Score" else "left")
    for row in rows:
        status = Status(row["status"])
        failed = [str(item["name"]) for item in row.get("checks", ()) if item.get("outcome") == Outcome.FAIL]
        detail = str(row.get("detail") or "")
        if row.get("moved_to"):
            detail = f"moved to {row['moved_to']}; {detail}" if detail else f"moved to {row['moved_to']}"
        table.add_row(
            Text(str(row["repository"])),
            Text(str(status), style=STATUS_STYLE[status]),
            Text(str(row.get("health") or "-")),
            Text(format_score(row.get("repro_score"))),
            Text(", ".join(failed) or "-"),
            Text(detail),
        )
    console.print(table)
    if len(rows) <= CHECKLIST_ROWS:
        render_checklist(console, rows)


# Up to this many repositories, ``check`` also explains each checklist item; beyond, the table alone.
CHECKLIST_ROWS = 5
# The ML Code Completeness Checklist's items, in its order, as a reviewer names them.
CHECKLIST_ITEMS = {
    "dependencies": "dependencies", "training_code": "training", "evaluation_code": "evaluation",
    "pretrained_models": "pretrained models", "results": "results",
}


def render_checklist(console: Console, rows: Sequence[Mapping[str, Any]]) -> None:
    """Each repository's five checklist items with the check's own reason, as a reviewer would cite them:
    ``training (pass): Training: README.md:31 runs `python main.py --train`.``"""
    for row in rows:
        checks = {str(item.get("name")): item for item in row.get("checks", ())}
        items = [(label, checks[name]) for name, label in CHECKLIST_ITEMS.items() if name in checks]
        if not items:
            continue
        console.print(Text(f"{row['repository']}: ML Code Completeness Checklist", style="bold"))
        for label, item in items:
            line = Text(f"  {label} ")
            line.append(f"({item.get('outcome')})", style=_OUTCOME_STYLE.get(str(item.get("outcome")), ""))
            line.append(f": {item.get('reason') or ''}")
            console.print(line)


_OUTCOME_STYLE = {"pass": "green", "fail": "red", "unknown": "yellow"}
