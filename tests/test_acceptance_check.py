"""Issue 3, done when: `repro-tracker ingest <corpus> && repro-tracker check --all` records an
explained check for every repository the shared corpus links, and checking again at once costs
no rate-limited request for repositories that did not change.

Runs the real CLI in-process against `corpus_world`: the GitHub stand-in and local git remotes,
reached only through the environment (GITHUB_API_URL, GIT_CONFIG_GLOBAL), as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from corpus_world import ARCHIVED, BARE, EMPTY, STALE, UNLICENSED, CorpusWorld, corpus_world, world_template  # noqa: F401
from tracker.cli import app
from tracker.store import open_store

runner = CliRunner()


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"{args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


def json_rows(result: Result) -> dict[str, dict[str, Any]]:
    return {row["repository"]: row for row in map(json.loads, result.stdout.splitlines())}


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no table cell wraps mid-sentence. Rich reads COLUMNS on every print unless it was set
    when the console was made (as pytest-xdist's workers have it), so the console's own width is set too."""
    from tracker.cli.common import out

    monkeypatch.setenv("COLUMNS", "600")
    monkeypatch.setattr(out, "_width", 600)


def test_check_all_records_and_explains_every_corpus_repository(
        corpus_world: CorpusWorld, corpus_path: Path, tmp_path: Path, wide_terminal: None) -> None:
    db = str(tmp_path / "tracker.db")
    invoke("ingest", str(corpus_path), "--db", db)
    rows = json_rows(invoke("check", "--all", "--db", db, "--json"))

    assert set(rows) == set(corpus_world.canonicals) and len(rows) == 23
    for canonical, row in rows.items():
        assert row["detail"], f"{canonical}: status {row['status']} without its evidence"
        assert row["checks"], canonical
        for check in row["checks"]:
            assert check["reason"].strip(), f"{canonical}: check {check['name']} gives no reason"
            assert check["outcome"] in {"pass", "fail", "unknown"}
        if row["kind"] != "repository":
            # Hugging Face models, datasets and spaces: the Hub says whether they exist, no content is read.
            assert row["repro_score"] is None and row["status"] == "ok", canonical
            continue
        # A score is explained by its checks: a perfect score has no failing check, a low one has several.
        failing = [check for check in row["checks"] if check["outcome"] == "fail"]
        assert (row["repro_score"] == 100) == (not failing), canonical
    assert rows[ARCHIVED]["status"] == "archived" and "archived" in rows[ARCHIVED]["detail"]
    assert rows[EMPTY]["status"] == "empty" and "empty" in rows[EMPTY]["detail"]
    assert rows[STALE]["health"] == "stale"
    license_check = {c["name"]: c for c in rows[UNLICENSED]["checks"]}["license"]
    assert license_check["outcome"] == "fail" and "license" in license_check["reason"].lower()
    assert all(rows[bare]["repro_score"] == 0 for bare in BARE if rows[bare]["kind"] == "repository")
    hugging_face = [row for key, row in rows.items() if key.startswith("huggingface.co/")]
    assert len(hugging_face) == 3 and all(row["status"] == "ok" for row in hugging_face)
    assert {row["kind"] for row in hugging_face} <= {"model", "dataset", "space"}

    # Every repository has exactly one check recorded, in the run the command made.
    with open_store(db) as store:
        recorded = {row.canonical: (str(row.latest.status), row.previous) for row in store.latest_checks()}
        runs = store.runs()
    assert recorded == {canonical: (row["status"], None) for canonical, row in rows.items()}
    assert runs[-1].repositories_checked == 23

    # Checked again at once, the table a person reads: each status's evidence and the checks that
    # lowered each score; an unchanged repository costs one conditional request, which without a token
    # counts against the rate limit like any other (GitHub waives 304s for authorized requests only).
    assert corpus_world.standin.rate_counted >= 20  # the first run asked about every github.com repository
    before_total, before_counted = corpus_world.standin.total, corpus_world.standin.rate_counted
    table = invoke("check", "--all", "--db", db).stdout
    # `GET /rate_limit` (the run's budget plan) costs nothing and is not a question about a repository.
    asked = [entry for entry in corpus_world.standin.requests[before_total:] if entry.path != "/rate_limit"]
    assert asked, "the second run must still ask GitHub (conditionally), not skip the check"
    spent = corpus_world.standin.rate_counted - before_counted
    assert spent == len(asked) and all(entry.status == 304 for entry in asked if entry.conditional), [
        (entry.path, entry.status) for entry in asked]
    assert all(entry.conditional for entry in asked if entry.path.startswith("/repos/"))
    for canonical, row in rows.items():
        line = next(line for line in table.splitlines() if f" {canonical} " in line)
        _, status, health, score, failed, detail = [cell.strip() for cell in line.split("│")]
        shown = "-" if row["repro_score"] is None else str(row["repro_score"])
        assert (status, health, score) == (row["status"], row["health"], shown), line
        # The evidence is the same answer, now given as "not modified".
        assert detail == row["detail"].replace("answered 200 for", "answered 304 Not Modified for"), line
        assert failed == (", ".join(c["name"] for c in row["checks"] if c["outcome"] == "fail") or "-"), line
    assert "23 checked" in table and f", {spent} counted against the rate limit" in table


def test_with_a_token_github_repositories_are_read_through_graphql_and_judged_as_rest_and_git_judge_them(
        corpus_world: CorpusWorld, corpus_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        wide_terminal: None) -> None:
    """The same corpus, checked once the REST and git way (no token) and once the GraphQL way (a token):
    the verdicts must not depend on the way, and with a token a re-run is one look per 50 repositories."""
    rest_db, graphql_db = str(tmp_path / "rest.db"), str(tmp_path / "graphql.db")
    invoke("ingest", str(corpus_path), "--db", rest_db)
    through_rest = json_rows(invoke("check", "--all", "--db", rest_db, "--json"))
    assert not any(entry.path.endswith("/graphql") for entry in corpus_world.standin.requests)

    monkeypatch.setenv("GITHUB_TOKEN", "ghp_CorpusWorldToken0123456789abcdefABCD")
    monkeypatch.setenv("REPRO_TRACKER_GIT_CACHE", str(tmp_path / "graphql-git-cache"))
    invoke("ingest", str(corpus_path), "--db", graphql_db)
    before = corpus_world.standin.total
    through_graphql = json_rows(invoke("check", "--all", "--db", graphql_db, "--json"))
    asked = corpus_world.standin.requests[before:]
    assert sum(entry.path.endswith("/graphql") for entry in asked) == 2  # one look, one read: 20 on GitHub

    def verdict(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["status"], row["health"], row["repro_score"], row.get("license"),
                sorted((c["name"], c["outcome"], c["reason"]) for c in row["checks"]))

    assert set(through_graphql) == set(through_rest)
    differing = {key: (verdict(through_rest[key]), verdict(through_graphql[key]))
                 for key in through_rest if verdict(through_rest[key]) != verdict(through_graphql[key])}
    assert differing == {}
    looked = [key for key, row in through_graphql.items() if "GraphQL" in row["detail"]]
    assert len(looked) >= 15 and all(key.startswith("github.com/") for key in looked)

    before = corpus_world.standin.total
    invoke("check", "--all", "--db", graphql_db)
    again = corpus_world.standin.requests[before:]
    assert sum(entry.path.endswith("/graphql") for entry in again) == 1
    assert not any("/git/trees/" in entry.path for entry in again)
