"""`repro-tracker show`: one repository's `RepoDetail` in the terminal.

Every value from outside (reasons quoting a README, descriptions, titles) goes
into a `rich.text.Text`, never into markup, so ``[bold]`` in a README prints as
it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.records import Outcome
from tracker.report.detail import CHECKLIST, RepoDetail
from tracker.report.terminal import STATUS_STYLE
from tracker.report.wording import format_score, time_ago
from tracker.store.rows import PaperRow

OUTCOME_STYLE = {Outcome.PASS: "green", Outcome.FAIL: "red", Outcome.UNKNOWN: "dim"}


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "unknown"
    return f"{moment:%Y-%m-%d %H:%M} ({time_ago(moment, now)})"


def _field(label: str, value: str | Text) -> Text:
    line = Text(f"{label}: ", style="bold")
    line.append(value if isinstance(value, Text) else Text(value))
    return line


def render_detail(console: Console, detail: RepoDetail, *, now: datetime) -> None:
    """Status and its evidence, the figures, the license findings, every check, the papers, the history."""
    console.print(Text(detail.canonical, style="bold underline"))
    status = Text(str(detail.status), style=STATUS_STYLE[detail.status])
    if detail.http_status is not None:
        status.append(f" (HTTP {detail.http_status})")
    console.print(_field("status", status))
    console.print(_field("evidence", detail.detail or "-"))
    console.print(_field("checked", _when(detail.checked_at, now)))
    if detail.moved_to:
        console.print(_field("moved to", detail.moved_to))
    figures = [
        f"health {detail.health or 'unknown'}",
        f"score {format_score(detail.repro_score)}/100",
        f"checklist {detail.checklist_items}/{len(CHECKLIST)}",
        f"last commit {time_ago(detail.last_commit_at, now)}",
    ]
    if detail.stars is not None:
        figures.append(f"{detail.stars} stars")
    if detail.latest_release:
        figures.append(f"release {detail.latest_release}")
    console.print(Text(" · ".join(figures)))
    if detail.description:
        console.print(_field("description", detail.description))
    for kept in detail.archive_lines:
        console.print(_field("archive", kept))

    console.print()
    console.print(_field("license", detail.license_label))
    if detail.licenses:
        findings = Table(show_edge=False, header_style="bold", pad_edge=False)
        for column in ("Source", "License", "Confidence", "Path"):
            findings.add_column(column)
        for finding in detail.licenses:
            findings.add_row(Text(finding.source), Text(finding.spdx or "unrecognised"),
                             Text(f"{finding.confidence:.2f}"), Text(finding.path or "-"))
        console.print(findings)
    if detail.license_disagreement:
        console.print(Text(f"disagreement: {detail.license_disagreement}", style="yellow"))

    console.print()
    if detail.checks:
        checks = Table(show_edge=False, header_style="bold", pad_edge=False, title_justify="left")
        checks.add_column("Check", no_wrap=True)
        checks.add_column("Outcome", no_wrap=True)
        checks.add_column("Score", justify="right", no_wrap=True)
        checks.add_column("Reason", ratio=3)
        checks.add_column("Evidence", ratio=2, overflow="fold")
        for check in detail.checks:
            checks.add_row(Text(check.name), Text(str(check.outcome), style=OUTCOME_STYLE[check.outcome]),
                           Text(format_score(check.score)), Text(check.reason), Text("\n".join(check.evidence)))
        console.print(checks)
    else:
        console.print(Text("no check results recorded (a check of the first release)", style="dim"))

    console.print()
    console.print(Text(f"papers linking it: {len(detail.papers)}", style="bold"))
    for paper in detail.papers:
        line = Text("  ")
        line.append(Text(paper.title))
        extra = [paper.id] + ([paper.published.isoformat()] if paper.published else []) + (
            [paper.url] if paper.url else [])
        line.append(Text(f" ({', '.join(extra)})", style="dim"))
        console.print(line)

    console.print()
    brief = detail.history
    console.print(Text(
        f"history: {brief.checks} check{'s' if brief.checks != 1 else ''} from {brief.first_checked_at:%Y-%m-%d} "
        f"to {brief.last_checked_at:%Y-%m-%d}, "
        f"{len(brief.changes) + brief.changes_left_out} with a change", style="bold"))
    if brief.changes_left_out:
        console.print(Text(f"  ({brief.changes_left_out} older changes not shown; see `history`)", style="dim"))
    for change in brief.changes:
        console.print(Text(f"  {change.checked_at:%Y-%m-%d %H:%M}  {'; '.join(change.changes)}"))


def render_paper(console: Console, paper: PaperRow, details: Sequence[RepoDetail], *, now: datetime) -> None:
    """A paper, then each repository it links in full."""
    console.print(Text(paper.title, style="bold"))
    facts = [paper.id] + ([paper.published.isoformat()] if paper.published else []) + (
        [paper.url] if paper.url else [])
    console.print(Text(", ".join(facts), style="dim"))
    unchecked = len(paper.repositories) - len(details)
    if not paper.repositories:
        note = "links no repository" + (" (but promises code)" if paper.code_promised else "")
        console.print(Text(note))
    elif unchecked:
        console.print(Text(f"{unchecked} of its {len(paper.repositories)} repositories not checked yet", style="dim"))
    for detail in details:
        console.print()
        render_detail(console, detail, now=now)
