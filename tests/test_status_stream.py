"""`status` and the report at any size, shown on small stores: rows stream, the order holds across spills to disk,
a terminal's table is bounded with a line saying how many rows were left out, piped output and JSON give all."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tracker.cli.status as status_command
import tracker.report.ordered as ordered_module
import tracker.report.terminal as terminal
from store_support import (  # noqa: F401  (fixtures)
    RESULTS,
    T0,
    bare_facts,
    ok_facts,
    paper_links,
    pg_database,
    store,
    store_url,
)
from tracker.cli import app
from tracker.records import Status
from tracker.report.detail import section_keys
from tracker.report.files import _json_array, repositories_csv
from tracker.report.model import RepoEntry
from tracker.report.ordered import ordered
from tracker.store import Store, open_store

runner = CliRunner()
NAMES = [f"github.com/lab/repo{index}" for index in range(7)]
GONE = {"github.com/lab/repo2", "github.com/lab/repo5"}


def fill(store: Store) -> None:
    store.add_papers([paper_links(f"arxiv:2501.0000{index}", name) for index, name in enumerate(NAMES)])
    for run in range(2):
        run_id = store.start_run(["test"])
        for index, name in enumerate(NAMES):
            at = T0 + timedelta(days=run, seconds=index)
            facts = bare_facts(name, Status.MISSING, at) if run and name in GONE else ok_facts(name, at, stars=index)
            store.record_check(run_id, facts, RESULTS, health="healthy", repro_score=10 * index)
        store.finish_run(run_id, "completed")


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        fill(store)
    return url


def test_latest_checks_in_pages_are_the_latest_checks(store: Store) -> None:
    fill(store)
    store.add_repositories([bare_facts("github.com/lab/never-checked", Status.OK).ref])

    assert list(store.iter_latest_checks(page=2)) == store.latest_checks()
    assert [row.key for row in store.iter_latest_checks(page=3, fields=("status",))] == sorted(NAMES)


def test_ordered_is_a_stable_sort_across_spills() -> None:
    chooser = random.Random(18)
    items = [(chooser.randrange(5), f"value {index}") for index in range(1_000)]

    assert list(ordered(items, spill_rows=7)) == [value for _key, value in sorted(items, key=lambda item: item[0])]
    assert list(ordered([], spill_rows=7)) == []


def test_json_is_one_array_and_jsonl_the_same_objects_a_line_each_in_the_same_order(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = runner.invoke(app, ["status", "--db", db, "--json"])
    monkeypatch.setattr(ordered_module, "SPILL_ROWS", 2)  # the order must survive runs written to disk
    lines = runner.invoke(app, ["status", "--db", db, "--jsonl", "--sort", "score"])
    spilled = runner.invoke(app, ["status", "--db", db, "--json"])

    assert whole.exit_code == lines.exit_code == 0, whole.output + lines.output
    array = json.loads(whole.stdout)
    assert whole.stdout.count("\n") == 1 and spilled.stdout == whole.stdout
    assert [row["repository"] for row in array[:2]] == sorted(GONE)  # worst first, then by name
    objects = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [row["repro_score"] for row in objects] == sorted((row["repro_score"] for row in array), reverse=True)
    assert {json.dumps(row, sort_keys=True) for row in objects} == {json.dumps(row, sort_keys=True) for row in array}


def test_a_terminal_table_is_bounded_and_says_how_many_rows_were_left_out(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_command, "DEFAULT_STATUS_ROWS", 3)
    terminal_env = {"TTY_COMPATIBLE": "1", "COLUMNS": "200"}
    bounded = runner.invoke(app, ["status", "--db", db], env=terminal_env)
    everything = runner.invoke(app, ["status", "--db", db, "--all"], env=terminal_env)
    piped = runner.invoke(app, ["status", "--db", db])
    limited = runner.invoke(app, ["status", "--db", db, "--limit", "1"])

    assert bounded.exit_code == everything.exit_code == piped.exit_code == limited.exit_code == 0, bounded.output
    assert bounded.stdout.splitlines()[0] == "7 repositories: 2 missing, 5 ok; 2 changed since the previous check"
    assert sum(name in bounded.stdout for name in NAMES) == 3
    assert "4 more rows not shown" in bounded.stdout
    for output in (everything.stdout, piped.stdout):
        assert all(name in output for name in NAMES) and "not shown" not in output
    assert "6 more rows not shown" in limited.stdout


def test_a_long_piped_table_is_one_aligned_line_per_row(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "TABLE_PIECE_ROWS", 2)
    result = runner.invoke(app, ["status", "--db", db, "--fail-on", "missing"])

    assert result.exit_code == 1  # two shown repositories are missing
    summary, header, rule, *rows = result.stdout.splitlines()
    assert summary.startswith("7 repositories") and header.split()[0] == "Repository"
    assert [row.split()[0] for row in rows] == sorted(GONE) + sorted(set(NAMES) - GONE)
    assert len({len(line) for line in (header, rule, *rows)}) == 1
    assert "2 repositories are missing" in result.stderr


def entry(name: str, status: Status = Status.OK, previous: Status | None = Status.OK) -> RepoEntry:
    return RepoEntry(key=f"github.com/lab/{name}", canonical=f"github.com/lab/{name}", host="github.com",
                     status=status, previous_status=previous)


def test_a_large_report_gives_sections_to_changed_and_at_risk_repositories_only() -> None:
    repositories = [entry("calm"), entry("gone", Status.MISSING), entry("new", previous=None),
                    entry("flaky", Status.UNREACHABLE, Status.UNREACHABLE), entry("revived", Status.OK, Status.MISSING)]

    assert section_keys(repositories, limit=10) == [repo.key for repo in repositories]
    assert section_keys(repositories, limit=4) == ["github.com/lab/gone", "github.com/lab/flaky",
                                                   "github.com/lab/revived"]
    assert section_keys(repositories, limit=1) == ["github.com/lab/gone"]


def test_report_listings_are_written_a_row_at_a_time_as_the_whole_would_be() -> None:
    rows = [{"repository": f"r{index}", "papers": ["a", "b"], "checks": {"license": "pass"}, "nested": {"x": [1]}}
            for index in range(3)]

    written = "".join(_json_array(rows))
    assert json.loads(written) == rows
    assert written.splitlines()[1:-1] == [json.dumps(row, ensure_ascii=False) + "," for row in rows[:-1]] + [
        json.dumps(rows[-1], ensure_ascii=False)]
    assert "".join(_json_array([])) == "[]\n"
    csv_rows = [{**{column: None for column in ("repository", "key", "host", "status", "previous_status", "change",
                                                 "moved_to", "health", "license", "license_group", "last_commit_at",
                                                 "stars", "repro_score", "checked_at", "archive", "archive_visit",
                                                 "archive_revision", "archive_url")},
                 "repository": "=cmd", "papers": ["p1", "p2"], "checks": {"license": "pass"}}]
    lines = list(repositories_csv(iter(csv_rows), ["license"]))
    assert lines[0].endswith(",check:license\n") and len(lines) == 2
    assert lines[1].startswith("'=cmd,") and "p1; p2" in lines[1]
