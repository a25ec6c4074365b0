"""Hostile text end to end: markup in titles, abstracts and a repository's description passes
through ingest, check, status (table and JSON) and every report file as text, never as markup.

Three kinds of injection, one per output: HTML (`<script>`), rich console markup (`[bold red]`)
and spreadsheet formulas (`=HYPERLINK(...)`)."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from gitrepos import build_repo, route_git
from standin_github import StandinGitHub
from tracker.cli import app

runner = CliRunner()
SCRIPT = "<script>alert(1)</script>"
RICH = "[bold red]x[/]"
FORMULA = '=HYPERLINK("http://evil","x")'
TITLE = f"{FORMULA} Learning {SCRIPT} to see {RICH}"
REPO = "github.com/lab/hostile"


def cli(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, f"{args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "400")
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps({
        "title": TITLE,
        "abstract": f"We {SCRIPT} show {RICH} that {FORMULA}. Code: https://{REPO}",
    }) + "\n", encoding="utf-8")
    root = tmp_path / "remote"
    build_repo(root, REPO, {"README.md": f"# {SCRIPT}\n\n{RICH}\n\n{FORMULA}\n"})
    route_git(monkeypatch, tmp_path, root)
    db = str(tmp_path / "tracker.db")
    with StandinGitHub() as standin:
        standin.add_repo("lab/hostile", description=f"{SCRIPT} {RICH} {FORMULA}", homepage="javascript:alert(1)")
        monkeypatch.setenv("GITHUB_API_URL", standin.api_url)
        cli("ingest", str(source), "--db", db)
        checked = cli("check", "--all", "--db", db)
        assert f" {REPO} " in checked.stdout and "1 checked" in checked.stdout
        rows = [json.loads(line) for line in cli("check", "--all", "--db", db, "--json").stdout.splitlines()]
        assert [row["repository"] for row in rows] == [REPO] and rows[0]["status"] == "ok"
    return db


def test_hostile_text_stays_text_everywhere(hostile_db: str, tmp_path: Path) -> None:
    db = hostile_db
    # Terminal: rich prints the markup literally (interpreted, "[bold red]x[/]" would print as "x").
    papers = cli("links", str(tmp_path / "papers.jsonl"), "--format", "table").stdout
    assert TITLE in papers
    table = cli("status", "--db", db).stdout
    assert f" {REPO} " in table and "red]" not in table
    filtered = cli("status", "--paper", "learning", "--json", "--db", db).stdout
    rows = json.loads(filtered)
    assert rows[0]["papers"] == [TITLE]  # JSON carries the text as it was, to the byte
    shown = cli("status", "--paper", "[bold red]x[/]", "--db", db).stdout
    assert REPO in shown  # the markup is a substring of the title, searched as text

    folder = Path(json.loads(cli("report", "--db", db, "--out", str(tmp_path / "reports"), "--json").stdout)["report"])
    html = (folder / "report.html").read_text(encoding="utf-8")
    page = _Elements()
    page.feed(html)
    # One script, the report's own table script (allowed by its hash in the page's CSP); none from the input.
    from tracker.report.files import TABLE_SCRIPT

    assert html.lower().count("<script") == 1 and f"<script>{TABLE_SCRIPT}</script>" in html
    assert SCRIPT not in html
    assert "javascript:" not in html
    assert TITLE in " ".join(page.text) or TITLE in "".join(page.text)  # shown, as text

    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert SCRIPT not in markdown and "<script" not in markdown.lower()
    assert "alert(1)" in markdown  # escaped, not dropped

    table_rows = list(csv.reader(io.StringIO((folder / "repositories.csv").read_text(encoding="utf-8"))))
    cells = [cell for row in table_rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], "a cell a spreadsheet would run"
    assert any("HYPERLINK" in cell for cell in cells)  # present, defused

    stored = json.loads((folder / "repositories.json").read_text(encoding="utf-8"))
    assert stored[0]["papers"] == [TITLE]
