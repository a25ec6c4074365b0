"""What the Prefect UI shows of a run: a status table, a summary, the report files.

The flow publishes these as artifacts; building them is plain work over the
report's data, so it lives here, importable and testable without Prefect.
Artifact text is Markdown rendered by the UI, so attacker-controlled text
(titles, repository names) goes through the report's Markdown escaping.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.events import run_changes
from tracker.records import Status
from tracker.report import RepoEntry, ReportData, change_summary, sort_rows
from tracker.report.analysis import Change, Headline, describe_change, kind_mix
from tracker.report.escape import md_text
from tracker.report.files import write_report_stream
from tracker.report.load import report_stream
from tracker.report.totals import ReportStream, ReportTotals, stream_of
from tracker.report.wording import format_score
from tracker.store import Store

# The UI renders table artifacts in the browser; past a few hundred rows it
# becomes slow to read. The full data is in the report files.
MAX_TABLE_ROWS = 500


@dataclass(frozen=True, slots=True)
class RunView:
    title: str
    status_rows: list[dict[str, Any]]
    status_caption: str
    summary_markdown: str
    changes: tuple[Change, ...] = ()  # what this run saw change: one Prefect event each


@dataclass(frozen=True, slots=True)
class StoreFigures:
    """What the UI shows of the store, folded from its rows as they are read (`ReportTotals`): at 300,000
    repositories the whole `ReportData` held some 700 MB, and the view needs the worst rows and the counts."""

    totals: ReportTotals
    head: Headline  # `totals.head.result()`, once: its median sorts every score
    artifacts: tuple[RepoEntry, ...]
    run_changes: tuple[Change, ...]  # the changes of repositories checked at or after `since` (all without one)


def store_figures(stream: ReportStream, since: datetime | None = None) -> StoreFigures:
    """`stream` folded for the UI: the worst `MAX_TABLE_ROWS` repositories, the report's figures, and the changes
    seen since `since` (a run's start; `events.run_changes`)."""
    found: list[Change] = []

    def watched(repositories: Iterable[RepoEntry]) -> Iterator[RepoEntry]:
        for repo in repositories:
            found.extend(run_changes((repo,), since))
            yield repo

    artifacts = tuple(stream.artifacts)
    folded = dataclasses.replace(stream, repositories=watched(stream.repositories), artifacts=artifacts,
                                 details=lambda _keys: {})
    totals = ReportTotals.of(folded, table_rows=MAX_TABLE_ROWS, sections=0)
    return StoreFigures(totals, totals.head.result(), artifacts, tuple(found))


def figures_of(data: ReportData) -> StoreFigures:
    """The figures of data already in memory (tests, a report built whole)."""
    return store_figures(stream_of(data))


def status_rows(figures: StoreFigures, limit: int = MAX_TABLE_ROWS) -> list[dict[str, Any]]:
    """One row per link, worst status first: the `repro-status` table.

    Repositories (code, models, datasets, spaces) and the other links papers
    give (web pages, DOIs, short links) in one table, each named by its kind,
    as `status --json` lists them. License, last commit, score and archive are
    a repository's; an artifact's cells stay empty rather than say "none".
    """
    rows = []
    for link in sort_rows([*figures.totals.rows.result(), *figures.artifacts])[:limit]:
        code = link.kind in _REPOSITORY_KINDS
        rows.append({
            "link": link.canonical,
            "kind": link.kind,
            "status": link.status_label,
            "license": _ui_cell(link.license_label, "unknown") if code else "",
            "last commit": "never" if link.status is Status.EMPTY else (
                link.last_commit_at.date().isoformat() if link.last_commit_at else ""),
            "score": _ui_cell(format_score(link.repro_score), ""),
            "archive": _ui_cell(link.archive_label, "") if code else "",
            "change": _change_text(link),
        })
    return rows


# Rows that are repositories on a host (tracker.artifacts.kinds.LinkKind), as opposed to pages, DOIs, short links.
_REPOSITORY_KINDS = frozenset({"repository", "model", "dataset", "space"})


def _ui_cell(text: str, instead_of_dash: str) -> str:
    # The UI renders each cell as Markdown, where the terminal's "-" for
    # "nothing known" becomes a list bullet.
    return instead_of_dash if text == "-" else text


def _change_text(repo: RepoEntry) -> str:
    """The report's own change cell; a repository seen for the first time says so."""
    return change_summary(repo) if repo.has_previous else "new"


def run_title(figures: StoreFigures, day: datetime) -> str:
    """The flow run's name: what ran, in one line ("track 2026-11-27: 119 papers, 20 repositories")."""
    return f"track {day:%Y-%m-%d}: {figures.head.papers} papers, {figures.head.repositories} repositories"


def change_line(item: Change) -> str:
    """One change as a Markdown list item that names the repository: ``- **github.com/a/b**: ok → missing``."""
    return f"- **{md_text(item.canonical)}**: {md_text(describe_change(item))}"


def summary_markdown(figures: StoreFigures, day: datetime, found: Sequence[Change] | None = None) -> str:
    """Headline figures, what changed and the papers that promised code: the `repro-summary` artifact.

    `found` are the changes to list (a run's own, `events.run_changes`); by default every repository's
    change since its previous check.
    """
    totals, head = figures.totals, figures.head
    lines = [f"# {run_title(figures, day)}", ""]
    lines.append(f"- Papers: **{head.papers}**, with a code link: **{head.papers_with_code}**, "
                 f"promising code without a link: **{head.promised_without_link}**")
    by_status = ", ".join(f"{count} {status}" for status, count in head.by_status.items()) or "none checked"
    lines.append(f"- Repositories: **{head.repositories}** ({by_status})")
    if head.without_license_share is not None:
        lines.append(f"- Without a license: **{head.without_license_share:.0%}** of existing repositories")
    if head.median_score is not None:
        lines.append(f"- Median reproducibility score: **{format_score(head.median_score)}** / 100")
    share = totals.archive.result(totals.save_requests)
    if share.asked and share.held_share is not None:
        lines.append(f"- In Software Heritage: **{share.held_share:.0%}** ({share.archived} at HEAD, {share.behind} "
                     f"behind, {share.not_archived} not archived; Escamilla et al. 2024: {share.reference_share:.0%})")
    if share.save_requests:
        outcomes = ", ".join(f"{count} {outcome}" for outcome, count in sorted(share.save_requests.items()))
        lines.append(f"- Save requests: {md_text(outcomes)}")
    found = totals.changes.result().all if found is None else found
    if figures.artifacts:
        mix = kind_mix(figures.artifacts)
        lines.append("- Other links: " + "; ".join(
            f"{kind} **{sum(counts.values())}** ({', '.join(f'{n} {status}' for status, n in sorted(counts.items()))})"
            for kind, counts in mix.items()))
    kept = totals.promises.result()
    if kept.kept:
        lines.append(f"- Promises kept: **{kept.kept}** of {kept.promised} "
                     f"({', '.join(f'{n} within {days} days' for days, n in kept.within.items())})")
    lines += ["", "## Changes since the previous run", ""]
    lines += [change_line(item) for item in found] or ["- none"]
    promised = totals.promises.without_link()
    if promised:
        lines += ["", "## Code promised, never linked", ""]
        lines += [f"- {md_text(paper.title)}" for paper in promised]
    return "\n".join(lines) + "\n"


def run_view(store: Store, run_id: int, *, now: datetime | None = None) -> RunView:
    """The UI's view of run `run_id`, read from the store a page at a time (`report_stream`)."""
    day = now or datetime.now(UTC)
    started = next((run.started_at for run in store.runs() if run.id == run_id), None)
    figures = store_figures(report_stream(store), since=started)
    rows = status_rows(figures)
    repositories = figures.head.repositories
    caption = (f"Run {run_id}: {len(rows)} of {repositories + len(figures.artifacts)} links ({repositories} "
               f"repositories, {len(figures.artifacts)} pages, DOIs and short links), worst status first")
    return RunView(title=run_title(figures, day), status_rows=rows, status_caption=caption,
                   summary_markdown=summary_markdown(figures, day, figures.run_changes), changes=figures.run_changes)


def markdown_for_ui(report_markdown: str) -> str:
    """The Markdown report as a UI artifact: without the chart images, which sit beside the file, not in the UI."""
    return "\n".join(line for line in report_markdown.splitlines() if not line.startswith("![")) + "\n"


def run_summary_text(view: RunView, by_status: Mapping[str, int], report_path: Path | None,
                     flow_run_link: str | None = None) -> str:
    """What `repro-tracker run` prints: the run's title, what its checks found, where the report is.

    Offline, every repository is `unreachable`; saying so here is the whole
    answer, so the run ends with this line rather than a traceback.
    """
    found = ", ".join(f"{count} {status}" for status, count in sorted(by_status.items())) or "nothing due"
    lines = [view.title, f"checked this run: {found}"]
    if by_status.get("unreachable"):
        lines.append("unreachable means the host did not answer (no network?), not that the code is gone")
    if report_path is not None:
        lines.append(f"report: {report_path / 'report.html'}")
    if flow_run_link:
        lines.append(flow_run_link)
    return "\n".join(lines)


def write_report_files(store: Store, out_dir: Path, now: datetime) -> Path:
    """Write the dated report folder from what the store holds now, reading it as the files are written."""
    return write_report_stream(report_stream(store), out_dir, now)
