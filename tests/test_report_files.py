"""Report files: Markdown, self-contained HTML, CSV and JSON, charts; safe against hostile text."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tracker.records import Artifact, ArtifactKind, Outcome, Status
from tracker.report import PaperEntry, RepoEntry, ReportData, RunInfo, write_report
from tracker.report.charts import license_chart, status_mix_chart, survival_chart
from tracker.report.files import TABLE_SCRIPT, script_hash
from tracker.report.escape import csv_cell, md_text, safe_url
from tracker.report.licenses import LicenseGroup
from tracker.report.survival import SurvivalPoint

NOW = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
BEFORE = NOW - timedelta(days=30)
SCRIPT = "<script>alert(1)</script>"
MARKUP = "[bold red]x[/]"
FORMULA = '=HYPERLINK("http://evil","x")'


def repo(name: str, status: Status, **fields: object) -> RepoEntry:
    values: dict[str, object] = {
        "key": f"github.com/lab/{name}",
        "canonical": f"github.com/lab/{name}",
        "host": "github.com",
        "status": status,
        "checked_at": NOW,
        "published": date(2024, 6, 1),
        "license_spdx": "MIT",
        "previous_status": Status.OK,
        "previous_checked_at": BEFORE,
        "previous_license_spdx": "MIT",
    }
    values.update(fields)
    return RepoEntry(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def data() -> ReportData:
    return ReportData(
        runs=(
            RunInfo("r1", BEFORE, {Status.OK: 4}),
            RunInfo("r2", NOW, {Status.OK: 2, Status.MISSING: 1, Status.MOVED: 1}),
        ),
        repositories=(
            repo("kept", Status.OK, repro_score=80, stars=12, last_commit_at=NOW - timedelta(days=95),
                 outcomes={"license": Outcome.PASS, "readme": Outcome.PASS}),
            repo("deleted", Status.MISSING, license_spdx=None, gone_since=NOW,
                 outcomes={"license": Outcome.UNKNOWN}),
            repo("renamed", Status.MOVED, moved_to="github.com/newlab/renamed", repro_score=40,
                 license_spdx=None, previous_license_spdx=None,
                 outcomes={"license": Outcome.FAIL, "readme": Outcome.PASS}),
            repo("hostile", Status.OK, license_spdx=FORMULA, previous_license_spdx=FORMULA, repro_score=10,
                 paper_titles=(f"{SCRIPT} {MARKUP} {FORMULA}",)),
        ),
        papers=(
            PaperEntry("arxiv:1", "Kept and renamed", repo_keys=("github.com/lab/kept", "github.com/lab/renamed"),
                       artifacts=(Artifact("https://zenodo.org/records/1", ArtifactKind.ARCHIVE),),
                       published=date(2024, 6, 1), url="https://arxiv.org/abs/2406.00001"),
            PaperEntry("arxiv:2", f"{SCRIPT} {MARKUP} {FORMULA} [click](https://evil.example)",
                       repo_keys=("github.com/lab/hostile", "github.com/lab/deleted"),
                       artifacts=(Artifact("javascript:alert(1)", ArtifactKind.WEBSITE),),
                       url="javascript:alert(2)"),
            PaperEntry("arxiv:3", f"Promised | {SCRIPT}", code_promised=True),
        ),
    )


@pytest.fixture(scope="module")
def report_dir(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(data, tmp_path_factory.mktemp("reports"), NOW)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_writes_the_dated_directory(report_dir: Path) -> None:
    assert report_dir.name == "2025-06-01"
    assert sorted(path.name for path in report_dir.iterdir()) == [
        "badges", "licenses.png", "report.html", "report.md", "repositories.csv", "repositories.json",
        "status_mix.png",
    ]  # four repositories, none dated for long enough: no survival curve, no checklist chart (sentences instead)
    for png in report_dir.glob("*.png"):
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_html_is_one_self_contained_file_with_charts_and_figures(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    parsed = _Tags()
    parsed.feed(html)
    parsed.close()
    text = " ".join(" ".join(parsed.text).split())

    assert parsed.tags.count("svg") == 2
    assert {"link", "img", "iframe", "object"}.isdisjoint(parsed.tags)
    # One script, ours, allowed by its hash alone: no other inline or fetched script may run.
    assert parsed.tags.count("script") == 1 and html.count("<script>") == 1
    assert f"script-src {script_hash(TABLE_SCRIPT)}" in html and f"<script>{TABLE_SCRIPT}</script>" in html
    assert not [value for name, value in parsed.attrs if name == "src"]
    assert all(value.startswith(("https://", "#")) for name, value in parsed.attrs if name == "href" and value)
    assert "javascript:" not in html
    assert SCRIPT not in html
    assert SCRIPT in text  # shown as text, escaped in the source
    assert "3 papers" in text and "2 papers with a code link" in text and "1 promise code without a link" in text
    assert "33% existing repositories without a license" in text  # of the three that exist, "renamed" has none
    assert "40 median reproducibility score" in text
    assert "ok → missing" in text and "moved to github.com/newlab/renamed" in text
    assert "Kept and renamed" in text and "Promised | " in text
    assert re.search(r'<figure id="chart-licenses"[^>]*>\s*<svg', html)
    assert re.search(r'<p class="chart-note" id="chart-survival"><strong>[^<]*</strong> No survival curve yet', html)


def test_markdown_references_existing_pngs_and_escapes_hostile_text(report_dir: Path) -> None:
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(<([^>]+)>\)", markdown)

    assert sorted(images) == ["licenses.png", "status_mix.png"]
    assert "No survival curve yet" in markdown
    assert all((report_dir / image).is_file() for image in images)
    assert "<script" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "[click](https://evil.example)" not in markdown and r"\[click\]" in markdown
    assert "javascript:" not in markdown
    assert "Promised \\| &lt;script&gt;" in markdown  # a pipe cannot split the table row
    assert "[Kept and renamed](<https://arxiv.org/abs/2406.00001>)" in markdown
    assert "[github.com/lab/renamed](<https://github.com/lab/renamed>) (moved, score 40)" in markdown
    table_rows = [line for line in markdown.splitlines() if line.startswith("| [github.com/lab/")]
    assert len(table_rows) == 4 and all(line.count(" | ") == 6 for line in table_rows)


def test_csv_and_json_agree_with_the_rows(report_dir: Path, data: ReportData) -> None:
    rows = json.loads((report_dir / "repositories.json").read_text(encoding="utf-8"))
    with (report_dir / "repositories.csv").open(encoding="utf-8", newline="") as handle:
        cells = list(csv.DictReader(handle))

    assert [row["repository"] for row in rows] == [
        "github.com/lab/deleted", "github.com/lab/renamed", "github.com/lab/hostile", "github.com/lab/kept"
    ]
    assert [cell["repository"] for cell in cells] == [row["repository"] for row in rows]
    for row, cell in zip(rows, cells, strict=True):
        assert cell["status"] == row["status"]
        assert cell["change"] == row["change"]
        assert cell["repro_score"] == ("" if row["repro_score"] is None else str(row["repro_score"]))
        assert cell["check:license"] == (row["checks"].get("license") or "")
    assert {entry.canonical for entry in data.repositories} == {row["repository"] for row in rows}
    hostile_json = rows[2]
    hostile_csv = cells[2]
    assert hostile_json["license"] == FORMULA
    assert hostile_csv["license"] == "'" + FORMULA
    assert hostile_csv["papers"].startswith("<script>")  # not a formula character: kept as is


def test_reports_are_reproducible(data: ReportData, report_dir: Path, tmp_path: Path) -> None:
    again = write_report(data, tmp_path, NOW)
    for path in (path for path in report_dir.rglob("*") if path.is_file()):
        relative = path.relative_to(report_dir)
        assert (again / relative).read_bytes() == path.read_bytes(), relative


def test_each_chart_renders_at_a_realistic_size() -> None:
    # No time bound: a 1 s one failed on a loaded machine, and speed belongs in bench/, not in tests.
    points = [SurvivalPoint(time=float(t), at_risk=500 - t, events=1, survival=1 - t / 600) for t in range(300)]
    mix = [(RunInfo(str(i), NOW + timedelta(days=i), {}), {Status.OK: 50 - i, Status.MISSING: i}) for i in range(30)]
    for build in (
        lambda: survival_chart(points, subjects=500, horizon=400.0),
        lambda: status_mix_chart(mix),
        lambda: license_chart({group: 3 for group in LicenseGroup}),
    ):
        chart = build()
        assert chart.svg.startswith("<svg") and chart.png.startswith(b"\x89PNG"), chart.name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (-1, -1), (2.5, 2.5),
    ],
)
def test_csv_cells_are_neutralised(value: object, expected: object) -> None:
    assert csv_cell(value) == expected


def test_markdown_escaping() -> None:
    assert md_text("a|b `c` [d](e) <i>\nnext") == r"a\|b \`c\` \[d\](e) &lt;i&gt; next"
    assert md_text("\\|") == "\\\\\\|"  # an attacker's backslash cannot un-escape our pipe
    assert md_text("&lt;") == "&amp;lt;"


def test_only_web_urls_become_links() -> None:
    assert safe_url("https://github.com/a/b") == "https://github.com/a/b"
    assert safe_url("https://x.org/a b\"<>") == "https://x.org/a%20b%22%3C%3E"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,<script>") is None
    assert safe_url("//evil.example") is None
    assert safe_url(None) is None


def test_every_markdown_heading_stands_after_a_blank_line(report_dir: Path) -> None:
    """A heading glued to the line above is paragraph text to most Markdown readers."""
    lines = (report_dir / "report.md").read_text(encoding="utf-8").splitlines()
    headings = [index for index, line in enumerate(lines) if line.startswith("#")]

    assert len(headings) > 3
    assert [lines[index - 1] for index in headings if index > 0 and lines[index - 1].strip()] == []
