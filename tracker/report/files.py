"""Report files: Markdown, one self-contained HTML file, CSV, JSON and chart PNGs.

Both documents render the same context from the same templates directory, so
they always show the same figures. HTML is autoescaped by Jinja; Markdown
escapes every value through `md_finalize` unless we built it as `Markup`.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tracker.collector import cycle_collection_paused
from tracker.records import Outcome
from tracker.report.analysis import (
    CHECKLIST,
    ArchiveShare,
    change_summary,
    describe_change,
)
from tracker.report.badges import BADGE_DIR, badge, badge_filename
from tracker.report.chart_slots import ReportChart, charts_of
from tracker.report.escape import csv_cell, md_finalize, md_image, md_link, safe_url
from tracker.report.licenses import license_group
from tracker.report.listing import row_dict, row_order
from tracker.report.model import STATUS_ORDER, RepoEntry, ReportData
from tracker.report.ordered import ordered
from tracker.report.totals import ReportStream, ReportTotals, stream_of, totals_of
from tracker.report.wording import counted, format_score, last_commit_text

if TYPE_CHECKING:
    pass

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
    env.filters["counted"] = counted
    env.filters["anchor"] = anchor
    env.filters["day"] = lambda moment: moment.strftime("%Y-%m-%d") if moment else "unknown"
    env.filters["minute"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M") if moment else "unknown"
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
    env.filters["counted"] = counted
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


def _paper_lines(totals: ReportTotals) -> list[PaperLine]:
    """The papers table's lines, oldest publication first: papers that link a repository, the first `TABLE_ROWS`."""
    lines: list[PaperLine] = []
    for paper, repos in totals.shown_papers():
        cells = []
        for key, repo in zip(paper.repo_keys, repos, strict=True):
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


def _context(totals: ReportTotals, now: datetime, charts: Sequence[ReportChart]) -> dict[str, Any]:
    head = totals.head.result()
    rows = totals.rows.result()
    details = totals.details
    return {
        "now": now,
        "generated": now.strftime("%Y-%m-%d %H:%M UTC"),
        "head": head,
        "changes": [(str(item.kind), item.canonical, describe_change(item)) for item in totals.changes.result().all],
        "licenses": totals.licenses.result(),
        "coverage": totals.coverage.result(),
        "papers": _paper_lines(totals),
        "papers_total": totals.papers_with_code,
        "rows_total": head.repositories,
        "papers_without_links": totals.papers_without_links,
        "promised": totals.promises.without_link(),
        "archive": _archive_context(totals.archive.result(totals.save_requests)),
        "kept": totals.promises.result(),
        "kinds": [(kind, ", ".join(f"{count} {status}" for status, count in sorted(mix.items())))
                  for kind, mix in totals.kinds.result().items()],
        "rows": [
            {
                "canonical": row.canonical,
                "anchor": anchor(row.key),
                "url": _repo_url(row),
                "status": str(row.status),
                "status_label": row.status_label,
                "status_rank": STATUS_ORDER.index(row.status),
                "license": row.license_label,
                "last_commit_at": row.last_commit_at.isoformat() if row.last_commit_at else "",
                "checklist": checklist_items(row),
                "group": str(license_group(row.license_spdx)),
                "last_commit": last_commit_text(row, now),
                "score": row.repro_score,
                "change": change_summary(row),
                "archive": row.archive_label,
            }
            for row in rows
        ],
        "charts": charts,
        "runs": len(totals.runs),
        "details": [details[row.key] for row in rows if row.key in details],
        "anchors": {anchor(key) for key in details},
        "statuses": [str(status) for status in STATUS_ORDER if any(row.status == status for row in rows)],
        "sections_total": len(details),
        "license_labels": sorted({row.license_label for row in rows}),
    }


def _archive_context(share: ArchiveShare) -> dict[str, Any] | None:
    """The Software Heritage section.

    Shares beside Escamilla et al., gone code with its archived copy, save requests.
    """
    if not share.asked:
        return None

    def percent(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.0f}%"

    return {
        "asked": share.asked,
        "rows": [("archived at HEAD", share.archived, percent(share.share(share.archived))),
                 ("archived, behind HEAD", share.behind, percent(share.share(share.behind))),
                 ("not archived", share.not_archived, percent(share.share(share.not_archived))),
                 ("unknown (not answered)", share.unknown, "")],
        "held": percent(share.held_share),
        "reference": percent(share.reference_share),
        "gone": [{"canonical": repo.canonical, "label": repo.archive_label,
                  "swhid": (repo.archive.revision_swhid or repo.archive.snapshot_swhid) if repo.archive else None,
                  "url": safe_url(repo.archive.browse_url) if repo.archive else None}
                 for repo in share.gone_but_held],
        "saves": sorted(share.save_requests.items()),
    }



def anchor(key: str) -> str:
    """The HTML id of a repository's section: stable across reports, so a link to it keeps working."""
    return f"repo-{key}"


def checklist_items(row: RepoEntry) -> int:
    return sum(1 for name in CHECKLIST if row.outcomes.get(name) == Outcome.PASS)


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script and no other."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


# Sorting by a column and filtering by status, license and score, in the page itself (no server). Without
# scripts the controls stay hidden and the table is a plain table. Reads only the page's own data attributes.
TABLE_SCRIPT = """
(function () {
  var table = document.getElementById("repo-table");
  var controls = document.getElementById("repo-controls");
  if (!table || !controls) { return; }
  controls.hidden = false;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var byStatus = document.getElementById("filter-status");
  var byLicense = document.getElementById("filter-license");
  var minScore = document.getElementById("filter-score");
  var count = document.getElementById("filter-count");
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var score = row.getAttribute("data-score");
      var keep = (!byStatus.value || row.getAttribute("data-status") === byStatus.value) &&
        (!byLicense.value || row.getAttribute("data-license") === byLicense.value) &&
        (!minScore.value || (score !== "" && Number(score) >= Number(minScore.value)));
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
  }
  [byStatus, byLicense, minScore].forEach(function (control) { control.addEventListener("input", apply); });
  var direction = {};
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    var kind = header.getAttribute("data-sort");
    if (!kind) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () {
      direction[index] = -(direction[index] || -1);
      var sign = direction[index];
      function value(row) {
        var cell = row.cells[index];
        var text = cell.getAttribute("data-value");
        if (text === null) { text = cell.textContent; }
        if (kind === "number") { return text === "" ? -Infinity : Number(text); }
        return text.toLowerCase();
      }
      rows.sort(function (a, b) { var x = value(a), y = value(b); return (x < y ? -1 : x > y ? 1 : 0) * sign; });
      rows.forEach(function (row) { body.appendChild(row); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", sign > 0 ? "ascending" : "descending");
    });
  });
  apply();
})();
"""


def render_markdown(data: ReportData, now: datetime, charts: Sequence[ReportChart],
                    context: dict[str, Any] | None = None) -> str:
    """The report as GitHub-flavoured Markdown; charts referenced as ``<name>.png`` beside it.

    `context` is `_context`'s, when the caller renders both faces of one report: it is most of their cost."""
    return _markdown_env().get_template("report.md.j2").render(context or _context(totals_of(data), now, charts))


def render_html(data: ReportData, now: datetime, charts: Sequence[ReportChart],
                context: dict[str, Any] | None = None) -> str:
    """The report as one HTML file with inline CSS and SVG: no script, no external resource."""
    return _html_env().get_template("report.html.j2").render(
        _html_context(context or _context(totals_of(data), now, charts), charts))


def _html_context(context: dict[str, Any], charts: Sequence[ReportChart]) -> dict[str, Any]:
    context = dict(context)
    context["svgs"] = {slot.name: Markup(slot.chart.svg) for slot in charts if slot.chart is not None}
    context["script"] = Markup(TABLE_SCRIPT)
    context["script_hash"] = Markup(script_hash(TABLE_SCRIPT))  # base64 of our own digest: nothing to escape
    return context


CSV_COLUMNS = (
    "repository", "key", "host", "status", "previous_status", "change", "moved_to", "health", "license",
    "license_group", "last_commit_at", "stars", "repro_score", "checked_at", "papers",
    "archive", "archive_visit", "archive_revision", "archive_url",
)


def repositories_csv(rows: Iterable[dict[str, Any]], check_names: Sequence[str] | None = None) -> Iterator[str]:
    """`status_json` rows as CSV lines: one column per check, papers joined by ``; ``, cells neutralised.

    `check_names` are the check columns (default: every name the rows hold, which reads them all first);
    the lines come one row at a time.
    """
    if check_names is None:
        rows = list(rows)
        check_names = sorted({name for row in rows for name in row["checks"]})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(cells: Sequence[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line([*CSV_COLUMNS, *(f"check:{name}" for name in check_names)])
    for row in rows:
        flat = {**row, "papers": "; ".join(row["papers"])}
        cells = [flat[column] for column in CSV_COLUMNS] + [row["checks"].get(name) for name in check_names]
        yield line([csv_cell("" if cell is None else cell) for cell in cells])


def _json_array(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array with one repository a line, a row at a time, never the whole list.

    One line a row rather than `indent=2`: `grep` and `head` read it whole, and an indent sends
    every value through json's pure-Python encoder, 13 s of a 36 s report at 100,000 repositories.
    """
    first = True
    for row in rows:
        yield ("[\n" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "[]\n" if first else "\n]\n"


def write_report(data: ReportData, out_dir: Path, now: datetime) -> Path:
    """Write the dated report directory ``out_dir/YYYY-MM-DD/`` and return it.

    Holds ``report.md``, ``report.html``, ``repositories.csv``,
    ``repositories.json``, one PNG per chart drawn and ``badges/``: a
    shields.io endpoint JSON per repository (`badges.badge`). A second report on the same
    day replaces the first.
    """
    return write_report_stream(stream_of(data), out_dir, now)


# Rows of repositories.json/.csv sorted in memory at once (each a dict of ~25 fields); past it they are merged
# from disk. `status`'s listings keep `ordered.SPILL_ROWS`, which is four times this.
REPORT_SPILL_ROWS = 5_000


def write_report_stream(stream: ReportStream, out_dir: Path, now: datetime) -> Path:
    """`write_report` from rows as they are read: each repository is folded into the report's totals, its badge
    written and its row put in order on its way to repositories.json/.csv (`ordered`: sorted in runs, merged
    from disk past `REPORT_SPILL_ROWS`), and then let go, so memory does not grow with the repositories.
    The two documents are written as they are rendered."""
    target = out_dir / now.strftime("%Y-%m-%d")
    target.mkdir(parents=True, exist_ok=True)
    with cycle_collection_paused():  # reading and folding rows makes no cycles; drawing and rendering do
        totals = _write_rows(stream, target)
        totals.add_artifacts(stream.artifacts)
    totals.details = stream.details(totals.sections.keys())
    charts = charts_of(totals)
    for slot in charts:
        if slot.chart is not None:
            (target / f"{slot.name}.png").write_bytes(slot.chart.png)
    context = _context(totals, now, charts)
    _write_rendered(_markdown_env().get_template("report.md.j2").generate(context), target / "report.md")
    _write_rendered(_html_env().get_template("report.html.j2").generate(_html_context(context, charts)),
                    target / "report.html")
    return target


# Pieces of a rendered document joined per write: what `render` joins at once, without the whole document.
_PIECES_PER_WRITE = 10_000


def _write_rendered(pieces: Iterator[str], path: Path) -> None:
    """A document written as it is rendered (`Template.generate`), in the text `Template.render` returns."""
    with path.open("w", encoding="utf-8") as file:
        while batch := list(itertools.islice(pieces, _PIECES_PER_WRITE)):
            file.write("".join(batch))


def _write_rows(stream: ReportStream, target: Path) -> ReportTotals:
    """Fold the papers, then the repositories, writing each repository's badge and its row in
    repositories.json and .csv; the totals so far."""
    badge_dir = target / BADGE_DIR
    badge_dir.mkdir(exist_ok=True)
    badge_folder = str(badge_dir)
    totals = ReportTotals(stream.runs, stream.save_requests)
    totals.add_papers(stream.papers)
    order = row_order()

    def keyed_rows() -> Iterator[tuple[Any, dict[str, Any]]]:
        for repo in stream.repositories:
            totals.add_repository(repo)
            # open() of a str: pathlib's joining and checks were a fifth of writing 100,000 badges
            with open(os.path.join(badge_folder, badge_filename(repo.key)), "w", encoding="utf-8") as file:
                file.write(json.dumps(badge(repo)) + "\n")
            yield order(repo), row_dict(repo)

    in_order = ordered(keyed_rows(), spill_rows=REPORT_SPILL_ROWS)
    first = next(in_order, None)  # every repository has been read once the first row in order is known
    rows = list[dict[str, Any]]() if first is None else itertools.chain([first], in_order)
    json_rows, csv_rows = itertools.tee(rows)  # read in step below: tee holds a row or two
    with (target / "repositories.json").open("w", encoding="utf-8") as json_file, \
            (target / "repositories.csv").open("w", encoding="utf-8", newline="") as csv_file:
        lines = itertools.zip_longest(_json_array(json_rows), repositories_csv(csv_rows, sorted(totals.check_names)))
        for json_line, csv_line in lines:
            json_file.write(json_line or "")
            csv_file.write(csv_line or "")
    return totals
