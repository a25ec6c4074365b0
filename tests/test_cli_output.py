"""Output that works in CI: whole names in piped tables, plain progress lines, one-line failures, --version."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import T0, ok_facts
from typer.testing import CliRunner

from flows.cli import app
from tracker.progress import ProgressLines
from tracker.store import open_store

runner = CliRunner()

LONG = "github.com/a-research-group-with-a-long-name/incremental_learning.pytorch-with-a-longer-suffix"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = str(tmp_path / "tracker.db")
    with open_store(url) as store:
        for run_number in range(2):
            run_id = store.start_run(["test"])
            for canonical, stars in ((LONG, 3), ("github.com/lab/popular", 900), ("github.com/lab/quiet", 40)):
                store.record_check(run_id, ok_facts(canonical, T0, stars=stars), (), health="alive",
                                   repro_score=50 + run_number)
            store.finish_run(run_id, "completed")
    return url


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"repro-tracker {version('repro-tracker')}"


def test_a_bad_sort_is_one_line_naming_the_valid_ones(db: str) -> None:
    result = runner.invoke(app, ["status", "--db", db, "--sort", "bogus"])
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "unknown --sort 'bogus'" in line and "status, name, score, last-commit, stars" in line


def test_sorting_by_stars_shows_the_stars(db: str) -> None:
    result = runner.invoke(app, ["status", "--db", db, "--sort", "stars"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Stars" in lines[1]
    body = [line for line in lines[3:] if line.strip()]
    assert ["900" in body[0], "40" in body[1], " 3 " in body[2]] == [True, True, True]
    assert "Stars" not in runner.invoke(app, ["status", "--db", db]).stdout


def test_piped_status_keeps_every_name_whole_even_with_80_columns(db: str, tmp_path: Path) -> None:
    # A real process whose standard output is a file, as in a CI log; COLUMNS as a narrow CI runner sets it.
    target = tmp_path / "status.txt"
    env = {**os.environ, "COLUMNS": "80"}
    with target.open("w") as handle:
        done = subprocess.run([sys.executable, "-m", "tracker.cli", "status", "--db", db], stdout=handle,
                              stderr=subprocess.PIPE, env=env, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    assert LONG in text
    assert "…" not in text


def test_history_numbers_its_checks_instead_of_drawing_a_border(db: str) -> None:
    result = runner.invoke(app, ["history", LONG, "--db", db])
    assert result.exit_code == 0, result.output
    header, _rule, first, second = result.stdout.splitlines()[1:5]
    assert header.split()[0] == "#"
    assert first.split()[0] == "1" and second.split()[:2] == ["2", "●"]


def test_run_against_an_unreachable_prefect_api_is_one_line_and_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "papers.txt"
    source.write_text("A paper\n\nNo code.\n")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # port 9 on loopback refuses at once
    result = runner.invoke(app, ["run", str(source), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 3
    line = _one_line_error(result)
    assert "the Prefect API at http://127.0.0.1:9/api (PREFECT_API_URL) did not answer" in line


def test_a_bad_cron_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "papers.txt"
    source.write_text("A paper\n\nNo code.\n")
    result = runner.invoke(app, ["schedule", "--cron", "bad cron", str(source)])
    assert result.exit_code == 2
    assert "--cron 'bad cron': Invalid cron string" in _one_line_error(result)


def test_progress_lines_come_at_most_every_few_seconds_and_at_the_end() -> None:
    written: list[str] = []
    now = [0.0]
    progress = ProgressLines(total=5, write=written.append, every=5.0, clock=lambda: now[0])
    for moment in (0.0, 1.0, 2.0, 6.0):
        now[0] = moment
        progress.advance()
    assert written == ["checked 1/5", "checked 4/5"]
    now[0] = 7.0
    progress.advance()
    progress.finish()
    assert written == ["checked 1/5", "checked 4/5", "checked 5/5"]


def test_check_outside_a_terminal_prints_plain_progress_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from standin_github import StandinGitHub

    with StandinGitHub() as github:
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        result = runner.invoke(app, ["check", "--repo", "github.com/acme/gone", "--repo", "github.com/acme/away",
                                     "--db", str(tmp_path / "t.db"), "--json"])
    assert result.exit_code == 0, result.output
    assert "checked 2/2" in result.stderr.splitlines()
    assert "checked" not in result.stdout


def test_every_json_gives_times_in_utc_with_a_z_and_ids_as_numbers(db: str) -> None:
    """README, "Output for scripts": one document for a list or a thing, ISO 8601 UTC times, numeric ids."""
    import json
    import re

    utc = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    runs = json.loads(runner.invoke(app, ["runs", "--db", db, "--json"]).stdout)
    assert [run["id"] for run in runs] == [1, 2]
    assert all(utc.match(run["started_at"]) and utc.match(run["finished_at"]) for run in runs)
    history = json.loads(runner.invoke(app, ["history", "github.com/lab/quiet", "--db", db, "--json"]).stdout)
    assert len(history) == 2 and all(utc.match(row["checked_at"]) for row in history)
    assert [row["run_id"] for row in history] == [1, 2]
    [row] = [row for row in json.loads(runner.invoke(app, ["status", "--db", db, "--json"]).stdout)
             if row["repository"] == "github.com/lab/quiet"]
    assert utc.match(row["checked_at"]) and utc.match(row["last_commit_at"])
    shown = json.loads(runner.invoke(app, ["show", "github.com/lab/quiet", "--db", db, "--json"]).stdout)
    assert utc.match(shown["checked_at"])


def test_a_bad_setting_stops_a_reading_command_too_in_one_line(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRO_TRACKER_HTTP_TIMEOUT", "soon")
    result = runner.invoke(app, ["status", "--db", db])
    assert result.exit_code == 2
    assert _one_line_error(result) == "error: REPRO_TRACKER_HTTP_TIMEOUT='soon' is not a number"
