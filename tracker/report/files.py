"""Report files: Markdown, one self-contained HTML file, CSV, JSON and chart PNGs.

Both documents render the same context from the same templates directory, so
they always show the same figures. HTML is autoescaped by Jinja; Markdown
escapes every value through `md_finalize` unless we built it as `Markup`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tracker.report.analysis import (
    change_summary,
    changes,
    checklist_coverage,
    describe_change,
    headline,
    kind_mix,
    license_distribution,
    promised_without_link,
    promises_kept,
    status_mix,
)
from tracker.report.escape import csv_cell, md_finalize, md_image, md_link, safe_url
from tracker.report.licenses import license_group
from tracker.report.model import RepoEntry, ReportData
from tracker.report.survival import kaplan_meier, lifetimes
from tracker.report.terminal import format_score, sort_rows, status_json, time_ago

if TYPE_CHECKING:
    from tracker.report.charts import Chart

_PACKAGE = "tracker.report"


def _html_env() -> Environment:
    env = Environment(
        loader=PackageLoader(_PACKAGE, "templates"),
        autoescape=True,  # every value is HTML-escaped; the inline SVG is passed as Markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = format_score
    return env


def _markdown_env() -> Environment:
    env = Environment(
        loader=PackageLoader(_PACKAGE, "templates"),
        autoescape=False,
        finalize=md_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md_link"] = md_link
    env.globals["md_image"] = md_image
    env.filters["score"] = format_score
    return env


@dataclass(frozen=True, slots=True)
class RepoCell:
    """A repository as it appears in the per-paper table."""

    canonical: str
    url: str | None
    status: str
    score: float | None


@dataclass(frozen=True, slots=True)
class PaperLine:
    title: str
    url: str | None
    published: str
    repos: tuple[RepoCell, ...]
    artifacts: tuple[tuple[str, str | None], ...]  # (kind, safe url)


def _repo_url(repo: RepoEntry) -> str | None:
    return safe_url(f"https://{repo.canonical}")


def _paper_lines(data: ReportData) -> list[PaperLine]:
    by_key = {repo.key: repo for repo in data.repositories}
    lines: list[PaperLine] = []
    for paper in sorted(data.papers, key=lambda p: (p.published is None, p.published, p.title)):
        cells = []
        for key in paper.repo_keys:
            repo = by_key.get(key)
            if repo is None:
                cells.append(RepoCell(canonical=key, url=safe_url(f"https://{key}"), status="not checked", score=None))
            else:
                cells.append(RepoCell(repo.canonical, _repo_url(repo), str(repo.status), repo.repro_score))
        lines.append(
            PaperLine(
                title=paper.title,
                url=safe_url(paper.url),
                published=paper.published.isoformat() if paper.published else "",
                repos=tuple(cells),
                artifacts=tuple((str(a.kind), safe_url(a.url)) for a in paper.artifacts),
            )
        )
    return lines


def build_charts(data: ReportData) -> list[Chart]:
    """The three charts of a report: survival, status mix per run, license groups."""
    # Imported here: matplotlib costs half a second, which `status` in a terminal should not pay.
    from tracker.report.charts import license_chart, status_mix_chart, survival_chart

    observed = lifetimes(data.repositories)
    points = kaplan_meier([item.days for item in observed], [item.died for item in observed])
    return [
        survival_chart(points, subjects=len(observed), horizon=max((item.days for item in observed), default=0.0)),
        status_mix_chart(status_mix(data.runs)),
        license_chart(license_distribution(data.repositories)),
    ]


def _context(data: ReportData, now: datetime, charts: Sequence[Chart]) -> dict[str, Any]:
    found = changes(data)
    rows = sort_rows(data.repositories)
    return {
        "now": now,
        "generated": now.strftime("%Y-%m-%d %H:%M UTC"),
        "head": headline(data),
        "changes": [(str(item.kind), item.canonical, describe_change(item)) for item in found.all],
        "licenses": license_distribution(data.repositories),
        "coverage": checklist_coverage(data.repositories),
        "papers": _paper_lines(data),
        "promised": promised_without_link(data.papers),
        "kept": promises_kept(data.papers),
        "kinds": [(kind, ", ".join(f"{count} {status}" for status, count in sorted(mix.items())))
                  for kind, mix in kind_mix(data.repositories, data.artifacts).items()],
        "rows": [
            {
                "canonical": row.canonical,
                "url": _repo_url(row),
                "status": str(row.status),
                "license": row.license_label,
                "group": str(license_group(row.license_spdx)),
                "last_commit": time_ago(row.last_commit_at, now),
                "score": row.repro_score,
                "change": change_summary(row),
            }
            for row in rows
        ],
        "charts": charts,
        "runs": len(data.runs),
    }


def render_markdown(data: ReportData, now: datetime, charts: Sequence[Chart]) -> str:
    """The report as GitHub-flavoured Markdown; charts referenced as ``<name>.png`` beside it."""
    return _markdown_env().get_template("report.md.j2").render(_context(data, now, charts))


def render_html(data: ReportData, now: datetime, charts: Sequence[Chart]) -> str:
    """The report as one HTML file with inline CSS and SVG: no script, no external resource."""
    context = _context(data, now, charts)
    context["svgs"] = {chart.name: Markup(chart.svg) for chart in charts}
    return _html_env().get_template("report.html.j2").render(context)


CSV_COLUMNS = (
    "repository", "key", "host", "status", "previous_status", "change", "moved_to", "health", "license",
    "license_group", "last_commit_at", "stars", "repro_score", "checked_at", "papers",
)


def repositories_csv(rows: Sequence[dict[str, Any]]) -> str:
    """`status_json` rows as CSV: one column per check, papers joined by ``; ``, cells neutralised."""
    check_names = sorted({name for row in rows for name in row["checks"]})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"check:{name}" for name in check_names)])
    for row in rows:
        flat = {**row, "papers": "; ".join(row["papers"])}
        cells = [flat[column] for column in CSV_COLUMNS] + [row["checks"].get(name) for name in check_names]
        writer.writerow([csv_cell("" if cell is None else cell) for cell in cells])
    return buffer.getvalue()


def write_report(data: ReportData, out_dir: Path, now: datetime) -> Path:
    """Write the dated report directory ``out_dir/YYYY-MM-DD/`` and return it.

    Holds ``report.md``, ``report.html``, ``repositories.csv``,
    ``repositories.json`` and one PNG per chart. A second report on the same
    day replaces the first.
    """
    target = out_dir / now.strftime("%Y-%m-%d")
    target.mkdir(parents=True, exist_ok=True)
    charts = build_charts(data)
    for chart in charts:
        (target / f"{chart.name}.png").write_bytes(chart.png)
    rows = status_json(sort_rows(data.repositories))
    (target / "repositories.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (target / "repositories.csv").write_text(repositories_csv(rows), encoding="utf-8", newline="")
    (target / "report.md").write_text(render_markdown(data, now, charts), encoding="utf-8")
    (target / "report.html").write_text(render_html(data, now, charts), encoding="utf-8")
    return target
