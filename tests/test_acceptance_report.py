"""Issue 5, done when: after two tracking runs over the shared corpus, between which GitHub
deleted, renamed, archived and relicensed one repository each, `repro-tracker report` shows
exactly those changes, its charts render, `status --json` agrees with the HTML, and `status`'s
filters, `--fail-on` and `history` tell the same story.

A tracking run here is the CLI's stages (`ingest` then `check --all`); the Prefect flow that
calls the same stages is covered by tests/test_flows.py."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from corpus_world import CorpusWorld, corpus_world, world_template  # noqa: F401
from tracker.cli import app

runner = CliRunner()

DELETED = "github.com/punica-ai/punica"
RENAMED, NEW_NAME = "github.com/Fancyssc/STEP", "github.com/Fancyssc/STEP-snn"
ARCHIVED_NOW = "github.com/xyongLu/SBCFormer"
RELICENSED = "github.com/facebookresearch/lightplane"  # MIT in the world, Apache-2.0 after
EXPECTED_CHANGES = {
    ("missing", DELETED, "ok → missing"),
    ("moved", RENAMED, f"moved to {NEW_NAME}"),
    ("archived", ARCHIVED_NOW, "ok → archived"),
    ("license changed", RELICENSED, "license MIT → Apache-2.0"),
}


def cli(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, f"{args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.svgs = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def markdown_table(text: str, heading: str) -> list[list[str]]:
    """The rows (without header) of the first table under `## heading` in a Markdown file."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


@pytest.fixture
def two_runs(corpus_world: CorpusWorld, corpus_path: Path, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> str:
    """The database after two runs with the four changes between them; `--fail-on` checked before them."""
    monkeypatch.setenv("COLUMNS", "400")
    db = str(tmp_path / "tracker.db")
    cli("ingest", str(corpus_path), "--db", db)
    cli("check", "--all", "--db", db, "--json")
    cli("status", "--fail-on", "missing,blocked", "--db", db)  # nothing gone yet: exit 0
    corpus_world.delete(DELETED)
    corpus_world.rename(RENAMED, NEW_NAME)
    corpus_world.archive(ARCHIVED_NOW)
    corpus_world.change_license(RELICENSED, "Apache-2.0")
    cli("ingest", str(corpus_path), "--db", db)
    cli("check", "--all", "--db", db, "--json")
    return db


def test_report_shows_exactly_the_changes_and_agrees_with_status(two_runs: str, tmp_path: Path) -> None:
    db = two_runs
    folder = Path(json.loads(cli("report", "--db", db, "--out", str(tmp_path / "reports"), "--json").stdout)["report"])

    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert {tuple(row) for row in markdown_table(markdown, "Changes since the previous run")} == EXPECTED_CHANGES
    assert len(markdown_table(markdown, "Changes since the previous run")) == 4
    headline = dict(map(tuple, markdown_table(markdown, "Headline")))
    assert headline["Repositories"] == "23" and headline["Repositories missing"] == "1"
    assert headline["Repositories moved"] == "1" and headline["Repositories archived"] == "2"

    repositories = {row["repository"]: row for row in json.loads((folder / "repositories.json").read_text())}
    assert len(repositories) == 23
    changed = {key for key, row in repositories.items() if row["change"]}
    assert changed == {DELETED, RENAMED, ARCHIVED_NOW, RELICENSED}
    assert repositories[DELETED]["status"] == "missing" and repositories[DELETED]["previous_status"] == "ok"
    assert repositories[RENAMED]["moved_to"] == NEW_NAME
    assert repositories[ARCHIVED_NOW]["status"] == "archived"
    assert repositories[RELICENSED]["license"] == "Apache-2.0" and repositories[RELICENSED]["status"] == "ok"

    # The charts with data to draw render: PNG files beside the report, inline SVG in the self-contained HTML.
    for name in ("checklist.png", "status_mix.png", "licenses.png"):
        data = (folder / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000, name
    # The page has no publication dates and both runs were minutes apart: no curve, a sentence that says why.
    assert not (folder / "survival.png").exists() and not (folder / "alive_by_month.png").exists()
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "No survival curve yet: 23 repositories, followed for at most 0 days since first seen" in html
    assert "23 of 23 repositories&#39; papers have no publication date" in html
    page = _Tables()
    page.feed(html)
    assert page.svgs == 3

    # status --json and the HTML's repository table: the same repositories with the same statuses.
    status_rows = json.loads(cli("status", "--json", "--db", db).stdout)
    html_table = next(table for table in page.tables if table and table[0][:2] == ["Repository", "Status"])
    # The HTML names where a moved repository went ("moved → host/owner/name"); JSON keeps the two apart.
    assert {row[0]: row[1] for row in html_table[1:]} == {
        row["repository"]: f"moved → {row['moved_to']}" if row["status"] == "moved" else row["status"]
        for row in status_rows}
    assert {row["repository"]: row["status"] for row in status_rows} == {
        key: row["status"] for key, row in repositories.items()}
    html_changes = next(table for table in page.tables if table and table[0] == ["Change", "Repository", "Detail"])
    assert {tuple(row) for row in html_changes[1:]} == EXPECTED_CHANGES

    status_filters_fail_on_and_history_agree(db)


def status_json(db: str, *options: str) -> list[dict[str, Any]]:
    return json.loads(cli("status", "--json", "--db", db, *options).stdout)


def status_filters_fail_on_and_history_agree(db: str) -> None:
    """Part of the test above: two runs over the corpus cost ~10 s, so one test reads them all."""
    failing = cli("status", "--fail-on", "missing,blocked", "--db", db, code=1)
    assert "1 repositories are missing, blocked" in failing.stderr
    assert DELETED in failing.stdout

    assert {row["repository"] for row in status_json(db, "--changed")} == {DELETED, RENAMED, ARCHIVED_NOW, RELICENSED}
    assert {row["repository"] for row in status_json(db, "--status", "archived")} == {
        ARCHIVED_NOW, "github.com/Tencent/PatrickStar"}
    assert {row["repository"] for row in status_json(db, "--status", "missing,moved")} == {DELETED, RENAMED}
    hugging_face = status_json(db, "--host", "huggingface.co")
    assert len(hugging_face) == 3 and all(row["host"] == "huggingface.co" for row in hugging_face)
    assert [row["repository"] for row in status_json(db, "--paper", "punica")] == [DELETED]
    by_name = [row["key"] for row in status_json(db, "--sort", "name")]
    assert by_name == sorted(by_name) and len(by_name) == 23
    scores = [row["repro_score"] for row in status_json(db, "--sort", "score")]
    known = [score for score in scores if score is not None]
    assert known == sorted(known, reverse=True) and scores[-1] is None  # the deleted one has no score
    assert status_json(db, "--sort", "status")[0]["repository"] == DELETED  # gone first
    table = cli("status", "--changed", "--db", db).stdout
    assert all(name in table for name in (DELETED, RENAMED, ARCHIVED_NOW, RELICENSED))
    assert "github.com/Tencent/PatrickStar" not in table

    timeline = cli("history", RENAMED, "--db", db).stdout.splitlines()
    rows = [line for line in timeline if "│" in line]
    assert len(rows) == 2
    assert "●" not in rows[0] and "first check" in rows[0]
    assert "●" in rows[1] and f"moved to {NEW_NAME}" in rows[1] and "ok → moved" in rows[1]
    relicensed = [line for line in cli("history", RELICENSED, "--db", db).stdout.splitlines() if "●" in line]
    assert len(relicensed) == 1 and "license MIT → Apache-2.0" in relicensed[0]
    checks = json.loads(cli("history", RELICENSED, "--db", db, "--json").stdout)
    assert [check["license_spdx"] for check in checks] == ["MIT", "Apache-2.0"]
