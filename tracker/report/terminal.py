"""The terminal view: a status table of repositories and one repository's history.

Every value from outside goes into a `rich.text.Text`, never into markup, so a
repository description or title such as ``[bold red]x[/]`` prints literally.
Filtering and sorting are pure functions over rows so the CLI's flags and
``--json`` see exactly the same rows.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import humanize
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.records import Outcome, PaperLinks, Status
from tracker.report.analysis import change_summary
from tracker.report.licenses import license_group
from tracker.report.model import STATUS_ORDER, CheckEntry, RepoEntry

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

# A table of thousands of rows is unreadable and slow to lay out; the rest is a flag away.
DEFAULT_ROW_LIMIT = 200


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
    """Rows matching every given filter.

    `kind`: any of these kinds (repository, model, dataset, space, page, doi, short_link).
    `status`: any of these statuses; `host`: the host, case-insensitive;
    `paper`: a case-insensitive substring of one of the row's paper titles;
    `changed`: only rows whose latest check differs from the previous one.
    """
    wanted = {Status(item) for item in status}
    kinds = set(kind)
    host_key = host.lower() if host else None
    paper_key = paper.casefold() if paper else None
    return [
        row
        for row in rows
        if (not wanted or row.status in wanted)
        and (not kinds or row.kind in kinds)
        and (host_key is None or row.host.lower() == host_key)
        and (paper_key is None or any(paper_key in title.casefold() for title in row.paper_titles))
        and (not changed or change_summary(row))
    ]


_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def sort_rows(rows: Iterable[RepoEntry], key: SortKey | str = SortKey.STATUS) -> list[RepoEntry]:
    """Rows in the order `key` names; ties and missing values fall back to name order."""
    by = SortKey(key)
    ordered = sorted(rows, key=lambda row: row.key)
    if by == SortKey.NAME:
        return ordered
    if by == SortKey.STATUS:
        return sorted(ordered, key=lambda row: _STATUS_RANK[row.status])
    if by == SortKey.SCORE:
        return sorted(ordered, key=lambda row: (row.repro_score is None, -(row.repro_score or 0.0)))
    if by == SortKey.STARS:
        return sorted(ordered, key=lambda row: (row.stars is None, -(row.stars or 0)))
    return sorted(
        ordered,
        key=lambda row: (row.last_commit_at is None, -(row.last_commit_at.timestamp() if row.last_commit_at else 0)),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


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
    }


def status_json(rows: Iterable[RepoEntry]) -> list[dict[str, Any]]:
    """The rows `render_status` shows, as plain dicts for ``--json``."""
    return [row_dict(row) for row in rows]


def time_ago(then: datetime | None, now: datetime) -> str:
    """``3 months ago`` relative to `now`; an injected `now` keeps output testable."""
    if then is None:
        return "unknown"
    return humanize.naturaltime(then, when=now)


def format_score(value: float | None) -> str:
    """A score for display: ``72`` or ``7.5``, and ``-`` when there is none."""
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _status_text(status: Status | None) -> Text:
    if status is None:
        return Text("-")
    return Text(str(status), style=STATUS_STYLE[status])


def summary_line(rows: Sequence[RepoEntry]) -> Text:
    """``12 repositories: 9 ok, 2 missing, 1 moved; 3 changed since the previous check`` (``links`` when the
    rows hold models, pages, DOIs or short links too)."""
    counts = Counter(row.status for row in rows)
    noun = ("repository", "repositories") if all(row.kind == "repository" for row in rows) else ("link", "links")
    line = Text(f"{len(rows)} {noun[0] if len(rows) == 1 else noun[1]}", style="bold")
    for index, status in enumerate(status for status in STATUS_ORDER if counts[status]):
        line.append(": " if index == 0 else ", ")
        line.append(f"{counts[status]} {status}", style=STATUS_STYLE[status])
    changed = sum(1 for row in rows if change_summary(row))
    line.append(f"; {changed} changed since the previous check")
    return line


def render_status(
    console: Console,
    rows: Sequence[RepoEntry],
    *,
    now: datetime,
    limit: int | None = DEFAULT_ROW_LIMIT,
) -> None:
    """Print a summary line and a table of `rows` in the order given.

    At most `limit` rows are drawn (None: all), with a note on how many were
    left out; the summary line always counts every row.
    """
    console.print(summary_line(rows))
    shown = rows if limit is None else rows[:limit]
    table = Table(show_edge=False, header_style="bold")
    for column in ("Repository", "Status", "License", "Last commit", "Score", "Change"):
        table.add_column(column, justify="right" if column == "Score" else "left")
    for row in shown:
        style = STATUS_STYLE[row.status]
        table.add_row(
            Text(row.canonical),
            Text(str(row.status), style=style),
            Text(row.license_label),
            Text(time_ago(row.last_commit_at, now)),
            Text(format_score(row.repro_score)),
            Text(change_summary(row), style="bold" if row.previous_status != row.status else ""),
        )
    console.print(table)
    if len(shown) < len(rows):
        console.print(
            Text(f"{len(rows) - len(shown)} more rows not shown; narrow with filters or use --json.", style="dim")
        )


def _differences(before: CheckEntry, after: CheckEntry) -> list[str]:
    found: list[str] = []
    if before.status != after.status:
        found.append(f"status {before.status} → {after.status}")
    if after.moved_to != before.moved_to and after.moved_to:
        found.append(f"moved to {after.moved_to}")
    if before.license_spdx != after.license_spdx:
        found.append(f"license {before.license_spdx or 'none'} → {after.license_spdx or 'none'}")
    if before.repro_score != after.repro_score:
        found.append(f"score {format_score(before.repro_score)} → {format_score(after.repro_score)}")
    return found


def render_history(console: Console, checks: Sequence[CheckEntry], *, title: str | None = None) -> None:
    """Print every check of one repository, oldest first, marking each change with ●."""
    ordered = sorted(checks, key=lambda check: check.checked_at)
    if title:
        console.print(Text(title, style="bold"))
    table = Table(show_edge=False, header_style="bold")
    for column in ("", "Checked", "Status", "License", "Score", "Change", "Detail"):
        table.add_column(column)
    previous: CheckEntry | None = None
    for check in ordered:
        found = _differences(previous, check) if previous is not None else ["first check"]
        mark = Text("●", style="bold yellow") if previous is not None and found else Text("│", style="dim")
        table.add_row(
            mark,
            Text(check.checked_at.strftime("%Y-%m-%d %H:%M")),
            _status_text(check.status),
            Text(check.license_spdx or "none"),
            Text(format_score(check.repro_score)),
            Text("; ".join(found)),
            Text(check.detail),
        )
        previous = check
    console.print(table)
    if not ordered:
        console.print(Text("no checks recorded", style="dim"))


def render_links_table(console: Console, found: Sequence[PaperLinks]) -> None:
    """Print each paper with the repositories and other links found in it (``links --format table``)."""
    table = Table(show_edge=False, header_style="bold")
    for column in ("Paper", "Repositories", "Other links", "Code promised"):
        table.add_column(column)
    for paper_links in found:
        table.add_row(
            Text(paper_links.paper.title),
            Text("\n".join(repo.canonical for repo in paper_links.repos) or "-"),
            Text("\n".join(f"{artifact.kind}: {artifact.url}" for artifact in paper_links.artifacts) or "-"),
            Text("yes" if paper_links.code_promised else ""),
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
    for column in ("Repository", "Status", "Health", "Score", "Failed checks", "Detail"):
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
