"""The discovery commands through the real CLI: links and ingest on the shared corpus and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()


def test_links_gives_one_line_per_corpus_paper_in_input_order(corpus_path: Path) -> None:
    result = runner.invoke(app, ["links", str(corpus_path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 119
    assert records[0]["paper"]["title"] == "Large-scale image analysis using docker sandboxing"
    by_title = {record["paper"]["title"]: record for record in records}
    podnet = by_title["PODNet: Pooled Outputs Distillation for Small-Tasks Incremental Learning"]
    assert podnet["repos"] == ["github.com/arthurdouillard/incremental_learning.pytorch"]
    assert podnet["code_promised"] is False
    assert sum(1 for record in records if record["repos"]) == 21
    assert sum(1 for record in records if record["code_promised"]) == 11
    assert all(set(record) == {"paper", "repos", "artifacts", "code_promised", "promise"} for record in records)
    assert all((record["promise"] is not None) == record["code_promised"] for record in records)
    sharp = by_title["sharpDARTS: Faster and More Accurate Differentiable Architecture Search"]
    assert sharp["promise"] == {"kind": "promised", "sentence": "Code will be made available."}


def test_ingest_twice_adds_nothing_and_reports_as_json(corpus_path: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "tracker.db")
    first = runner.invoke(app, ["ingest", str(corpus_path), "--db", db, "--json"])
    second = runner.invoke(app, ["ingest", str(corpus_path), "--db", db, "--json"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert json.loads(first.stdout)["new_papers"] == 119
    again = json.loads(second.stdout)
    assert (again["papers"], again["new_papers"], again["new_repositories"]) == (119, 0, 0)


def test_bad_lines_are_reported_with_file_and_line_and_strict_exits_2(tmp_path: Path) -> None:
    source = tmp_path / "papers.jsonl"
    source.write_text(
        '{"title": "A Good Paper", "abstract": "Code: https://github.com/lab/good"}\n'
        '{"title": "broken\n'
        '{"title": "Another Good Paper", "abstract": "No code here."}\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "tracker.db")
    lenient = runner.invoke(app, ["ingest", str(source), "--db", db, "--json"])
    assert lenient.exit_code == 0
    assert f"{source}:2:" in lenient.stderr
    assert json.loads(lenient.stdout)["papers"] == 2
    strict = runner.invoke(app, ["ingest", str(source), "--db", db, "--strict"])
    assert strict.exit_code == 2
    assert "--strict" in strict.stderr


def test_what_link_extraction_ignores_is_named_by_file_and_line_and_the_paper_kept(tmp_path: Path) -> None:
    source = tmp_path / "papers.jsonl"
    overlong = "https://github.com/lab/" + "x" * 2_000
    source.write_text(
        '{"title": "A Good Paper", "abstract": "Code: https://github.com/lab/good"}\n'
        f'{{"id": "arXiv:2501.00002", "title": "Too Long", "abstract": "{overlong} or github.com/lab/kept"}}\n',
        encoding="utf-8",
    )
    lenient = runner.invoke(app, ["links", str(source), "--format", "jsonl"])
    assert lenient.exit_code == 0, lenient.output
    assert (f"{source}:2: paper arxiv:2501.00002: ignored a URL of 2,023 characters starting "
            "'https://github.com/lab/xxxxxxxxxxxxxxxxx'... (the limit is 2,000)") in " ".join(lenient.stderr.split())
    assert [record["repos"] for record in map(json.loads, lenient.stdout.splitlines())] == [
        ["github.com/lab/good"], ["github.com/lab/kept"]]
    strict = runner.invoke(app, ["links", str(source), "--format", "jsonl", "--strict"])
    assert strict.exit_code == 2
    assert len(strict.stdout.splitlines()) == 2


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["links", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr


def test_runs_lists_each_run_with_its_prefect_flow_run_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.store import open_store

    # Through COLUMNS, which rich reads on every print: setting `out.width` would outlive the test
    # (undoing it stores the width of that moment) and narrow every later test's tables.
    monkeypatch.setenv("COLUMNS", "160")

    db = str(tmp_path / "tracker.db")
    with open_store(db) as store:
        run_id = store.start_run(sources=["papers.txt"], flow_run_id="0b8c6a3e-flow-run")
        store.finish_run(run_id, "rate_limited", requests_made=12, requests_rate_limited=9)
    result = runner.invoke(app, ["runs", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    [run] = json.loads(result.stdout)
    assert (run["id"], run["status"], run["flow_run_id"]) == (run_id, "rate_limited", "0b8c6a3e-flow-run")
    assert (run["requests_made"], run["requests_rate_limited"]) == (12, 9)
    table = runner.invoke(app, ["runs", "--db", db])
    assert "0b8c6a3e-flow-run" in table.stdout


def test_check_named_repositories_stores_and_explains_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gitrepos import ml_repo, route_git
    from standin_github import StandinGitHub

    root = tmp_path / "remotes"
    ml_repo(root, "github.com/acme/seeing")
    route_git(monkeypatch, tmp_path, root)
    db = str(tmp_path / "tracker.db")
    with StandinGitHub() as github:
        github.add_repo("acme/seeing", license="MIT")
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        result = runner.invoke(app, ["check", "--repo", "github.com/acme/seeing", "--repo", "github.com/acme/gone",
                                     "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["repository"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["github.com/acme/seeing"]["status"] == "ok"
    assert rows["github.com/acme/seeing"]["repro_score"] > 50
    assert rows["github.com/acme/gone"]["status"] == "missing"
    assert "404" in rows["github.com/acme/gone"]["detail"]
    assert all(check["reason"] for row in rows.values() for check in row["checks"])
    history = runner.invoke(app, ["history", "github.com/ACME/Seeing", "--db", db, "--json"])
    assert [entry["status"] for entry in json.loads(history.stdout)] == ["ok"]


def test_check_needs_repositories_or_all_and_refuses_what_is_not_one(tmp_path: Path) -> None:
    db = str(tmp_path / "tracker.db")
    assert runner.invoke(app, ["check", "--db", db]).exit_code == 2
    bad = runner.invoke(app, ["check", "--repo", "github.com/only-owner", "--db", db])
    assert bad.exit_code == 2
    assert "not a repository" in bad.stderr


def test_a_bad_setting_is_one_line_naming_its_variable_and_exit_2(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRO_TRACKER_CONCURRENCY", "abc")
    papers = tmp_path / "papers.txt"
    papers.write_text("Title: A\nCode at https://github.com/acme/a\n", encoding="utf-8")
    for args in (["check", "--repo", "github.com/acme/a", "--db", str(tmp_path / "t.db")], ["links", str(papers)],
                 ["ingest", str(papers), "--db", str(tmp_path / "t.db")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.strip() == "error: REPRO_TRACKER_CONCURRENCY='abc' is not a number"
    assert not (tmp_path / "t.db").exists()  # nothing was opened or recorded


def test_settings_keep_every_token_out_of_their_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.settings import Settings

    for variable in ("GITHUB_TOKEN", "HF_TOKEN", "SWH_TOKEN"):
        monkeypatch.setenv(variable, f"secret-{variable}")
    settings = Settings.from_env()
    assert settings.github_token == "secret-GITHUB_TOKEN" and settings.swh_token == "secret-SWH_TOKEN"
    assert "secret-" not in repr(settings) and "secret-" not in str(settings)
