"""`repro-tracker show`: every verdict's reason and evidence, licenses, papers and history, for a repository or a paper."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest
from store_support import T0, bare_facts, ok_facts, paper_links
from typer.testing import CliRunner

from tracker.cli import app
from tracker.records import CheckResult, LicenseFinding, Outcome, Status
from tracker.report.detail import find_papers, history_brief, repo_detail
from tracker.report.load import check_entries
from tracker.store import open_store

runner = CliRunner()

RESULTS = (
    CheckResult(name="license", outcome=Outcome.PASS, score=10, reason="MIT in LICENSE.", evidence=("LICENSE",)),
    CheckResult(name="training_code", outcome=Outcome.FAIL, score=0,
                reason="No training script (train*.py, scripts/train*) [bold red]found[/]",
                evidence=("README.md:12: run [link=http://x]it[/link]",)),
    CheckResult(name="dependencies", outcome=Outcome.PASS, score=10, reason="requirements.txt lists 4 packages.",
                evidence=("requirements.txt",)),
)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store with one repository checked twice (its license changed) and one that went missing."""
    url = str(tmp_path / "tracker.db")
    with open_store(url) as store:
        store.add_papers([paper_links("arxiv:2501.00001", "github.com/lab/seeing", "github.com/lab/gone"),
                          paper_links("arxiv:2501.00002", "github.com/Lab/Seeing")])
        first = store.start_run(["one"])
        store.record_check(first, ok_facts("github.com/lab/seeing"), RESULTS, health="alive", repro_score=60)
        store.record_check(first, ok_facts("github.com/lab/gone"), RESULTS, health="alive", repro_score=60)
        store.finish_run(first, "completed")
        second = store.start_run(["two"])
        later = ok_facts("github.com/lab/seeing", T0 + timedelta(days=7))
        disagreeing = (LicenseFinding(spdx="MIT", confidence=1.0, source="api"),
                       LicenseFinding(spdx="Apache-2.0", confidence=0.97, source="file", path="LICENSE"))
        store.record_check(second, dataclasses.replace(later, licenses=disagreeing), RESULTS, health="alive",
                           repro_score=72)
        store.record_check(second, bare_facts("github.com/lab/gone", Status.MISSING, T0 + timedelta(days=7),
                                              http_status=404), (), health="gone", repro_score=None)
        store.finish_run(second, "completed")
    return url


def test_show_prints_every_reason_and_evidence_literally(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["show", "https://github.com/LAB/seeing", "--db", db])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "github.com/lab/seeing" in text
    assert "GitHub answered 200 for the repository." in text
    # Attacker text from a README is printed as written, never interpreted as markup.
    assert "[bold red]found[/]" in text
    assert "README.md:12: run [link=http://x]it[/link]" in text
    assert "requirements.txt lists 4 packages." in text
    assert "GitHub says MIT; the license file says Apache-2.0" in text
    assert "Title of arxiv:2501.00001" in text and "Title of arxiv:2501.00002" in text
    assert "history: 2 checks" in text
    assert "score 60 → 72" in text


def test_show_json_has_the_checks_licenses_papers_and_history(db: str) -> None:
    result = runner.invoke(app, ["show", "github.com/lab/seeing", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["status"] == "ok" and shown["repro_score"] == 72
    assert [check["name"] for check in shown["checks"]] == ["license", "training_code", "dependencies"]
    assert shown["checks"][1]["outcome"] == "fail"
    assert shown["checks"][1]["evidence"] == ["README.md:12: run [link=http://x]it[/link]"]
    assert shown["checklist_items"] == 1
    assert {finding["source"] for finding in shown["licenses"]} == {"api", "file"}
    assert [paper["id"] for paper in shown["papers"]] == ["arxiv:2501.00001", "arxiv:2501.00002"]
    assert shown["history"]["checks"] == 2
    assert shown["history"]["changes"][0]["changes"] == ["license MIT → Apache-2.0", "score 60 → 72"]


def test_show_a_paper_by_id_or_title_shows_each_of_its_repositories(db: str) -> None:
    by_id = json.loads(runner.invoke(app, ["show", "arxiv:2501.00001", "--db", db, "--json"]).stdout)
    assert by_id["paper"]["title"] == "Title of arxiv:2501.00001"
    assert {repo["canonical"]: repo["status"] for repo in by_id["repositories"]} == {
        "github.com/lab/seeing": "ok", "github.com/lab/gone": "missing"}
    gone = next(repo for repo in by_id["repositories"] if repo["status"] == "missing")
    assert gone["http_status"] == 404 and gone["detail"] == "missing for test"
    by_title = runner.invoke(app, ["show", "title of ARXIV:2501.00002", "--db", db])
    assert by_title.exit_code == 0, by_title.output
    assert "github.com/lab/seeing" in by_title.stdout


def test_show_refuses_what_names_nothing_and_what_names_several(db: str) -> None:
    unknown = runner.invoke(app, ["show", "nothing like it", "--db", db])
    assert unknown.exit_code == 2
    assert "no repository or paper matches 'nothing like it'" in unknown.stderr
    several = runner.invoke(app, ["show", "Title of", "--db", db])
    assert several.exit_code == 2
    assert "2 papers match" in several.stderr and "arxiv:2501.00002" in several.stderr
    unchecked = runner.invoke(app, ["show", "github.com/lab/never", "--db", db])
    assert unchecked.exit_code == 1
    assert "no checks recorded for github.com/lab/never" in unchecked.stderr
    assert "Traceback" not in unknown.output + several.output + unchecked.output


def test_repo_detail_is_none_without_checks_and_keeps_only_linking_papers(db: str) -> None:
    with open_store(db) as store:
        checks, papers = store.history("github.com/lab/gone"), store.papers_with_links()
    assert repo_detail([], papers) is None
    detail = repo_detail(checks, papers)
    assert detail is not None
    assert [paper.id for paper in detail.papers] == ["arxiv:2501.00001"]
    assert detail.license_label == "unknown"  # gone: its license cannot be seen, which is not "none"
    assert find_papers(papers, "ARXIV:2501.00002")[0].id == "arxiv:2501.00002"


def test_history_brief_keeps_the_newest_changes_and_counts_the_rest(db: str) -> None:
    with open_store(db) as store:
        entries = check_entries(store.history("github.com/lab/seeing"))
    brief = history_brief(entries, shown=0)
    assert (brief.checks, brief.changes, brief.changes_left_out) == (2, (), 1)
