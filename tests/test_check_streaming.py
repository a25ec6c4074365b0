"""`check --all` reads its due list as it goes, and its table stays bounded however many it checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from standin_github import StandinGitHub
from typer.testing import CliRunner

import tracker.cli.checking
from tracker.cli import app

runner = CliRunner()
GONE = ["github.com/lab/gone-a", "github.com/lab/gone-b", "github.com/lab/gone-c"]


def test_check_all_checks_each_stored_repository_once_and_bounds_its_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "tracker.db")
    monkeypatch.setattr(tracker.cli.checking, "CHECK_TABLE_ROWS", 2)
    with StandinGitHub() as github:
        for name in GONE:
            github.add_repo(name.removeprefix("github.com/"), answer=404)
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        named = runner.invoke(app, ["check", *(f"--repo={name}" for name in GONE), "--db", db, "--json"])
        assert named.exit_code == 0, named.output
        table = runner.invoke(app, ["check", "--all", "--db", db])
        streamed = runner.invoke(app, ["check", "--all", "--db", db, "--json"])
    assert table.exit_code == 0 and streamed.exit_code == 0, table.output + streamed.output
    assert "the table shows the first 2 of 3 checked" in table.stdout
    assert "run 2: 3 checked (3 missing)" in table.stdout
    assert sorted(json.loads(line)["repository"] for line in streamed.stdout.splitlines()) == GONE
    history = runner.invoke(app, ["history", GONE[0], "--db", db, "--json"])
    assert [entry["status"] for entry in json.loads(history.stdout)] == ["missing"] * 3  # one check per run
