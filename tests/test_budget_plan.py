"""Issue 18, part 3: a run that plans its budget, against the stand-in GitHub over real HTTP and a real store.

`check --all` reads what it may spend (`GET /rate_limit`), checks only what
that covers less the reserve, says when the rest will be done, records no
row for what it left, and the next run continues where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepos import ml_repo, route_git
from standin_github import StandinGitHub
from typer.testing import CliRunner

from flows.cli import app
from tracker.hosts.github import GitHubHost
from tracker.records import RepoRef
from tracker.store import open_store

runner = CliRunner()
TOKEN = "ghp_test-token-not-a-secret"
APP_TOKEN = "ghs_installation-token-not-a-secret"
N = 130
LIMIT = 60  # reserve 5%: 3; 57 spendable, 54 first checks at 1.04


@dataclass
class World:
    standin: StandinGitHub
    db: str
    refs: list[RepoRef]


def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, token: str, limit: int) -> Iterator[World]:
    remote = tmp_path / "remote"
    template = ml_repo(remote, "github.com/lab/template")
    route_git(monkeypatch, tmp_path, remote)
    with StandinGitHub(git_root=remote, token=token, rate_limit=limit, graphql_rate_limit=limit) as standin:
        standin.add_synthetic(r"lab/model-\d+", git_template=template.path, stars=3)
        monkeypatch.setenv("GITHUB_API_URL", standin.api_url)
        monkeypatch.setenv("GITHUB_TOKEN", token)
        db = f"sqlite:///{tmp_path / 'store.db'}"
        refs = [RepoRef("github.com", "lab", f"model-{number:03d}") for number in range(N)]
        with open_store(db) as store:
            store.add_repositories(refs)
        yield World(standin, db, refs)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from _world(tmp_path, monkeypatch, token=TOKEN, limit=LIMIT)


def _check_all(world: World) -> tuple[list[dict], dict]:
    result = runner.invoke(app, ["check", "--all", "--db", world.db, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    checks = [line for line in lines if "repository" in line]
    summaries = [line for line in lines if "run" in line]
    assert len(summaries) <= 1
    return checks, summaries[0] if summaries else {}


def _checked_in_last_run(world: World) -> set[str]:
    with open_store(world.db) as store:
        run_id = store.runs()[-1].id
        return {check.canonical for check in store.all_checks(["run_id"]) if check.run_id == run_id}


def test_a_run_stops_within_the_budget_says_when_the_rest_is_done_and_the_next_continues(world: World) -> None:
    checks, summary = _check_all(world)
    standin = world.standin
    used = LIMIT - standin.rate_remaining
    assert 0 < used <= LIMIT - 3  # never into the reserve
    assert len(checks) == 54 == summary["checked"]
    assert summary["left_for_next_run"] == N - 54 and summary["due"] == N
    assert summary["budget_limit"] == LIMIT and summary["budget_reserve"] == 3
    assert "130 due" in summary["plan"] and "next run continues" in summary["plan"]
    # about 130 x 1.04 / 57 h
    assert summary["hours_for_all"] == pytest.approx(N * 1.04 / 57, abs=0.1)
    with open_store(world.db) as store:
        runs = store.runs()
        assert runs[-1].status == "rate_limited" and "next run continues" in (runs[-1].note or "")
        assert len(store.latest_checks()) == 54  # nothing recorded for the rest: not 76 `not_checked` rows
    first = _checked_in_last_run(world)

    standin.refill_rate_limits()  # GitHub's window passes: the reset time is data, nobody waits
    checks, summary = _check_all(world)
    second = _checked_in_last_run(world)
    assert len(second) >= 50 and not first & second  # continues: nothing checked twice before all once
    assert summary["left_for_next_run"] == N - len(second) and summary["never_checked"] == N - len(first)

    standin.refill_rate_limits()
    _check_all(world)
    third = _checked_in_last_run(world)
    with open_store(world.db) as store:
        assert {row.canonical for row in store.latest_checks()} == {ref.canonical for ref in world.refs}
    never = {ref.canonical for ref in world.refs} - first - second
    assert len(never) == 22 and never <= third
    # 22 first checks cost about 23 of the 57; re-checks of unchanged repositories cost about 0.04 each
    assert third == {ref.canonical for ref in world.refs}


def test_named_repositories_are_all_checked_whatever_the_plan(world: World) -> None:
    named = [f"--repo=github.com/{ref.full_name}" for ref in world.refs[:3]]
    result = runner.invoke(app, ["check", "--db", world.db, "--json", *named])
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["repository"] for line in result.stdout.splitlines()} \
        == {ref.canonical for ref in world.refs[:3]}
    assert "/rate_limit" not in world.standin.paths()  # no plan for what the user named


def test_past_budget_git_checks_every_due_repository_as_before(world: World,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRO_TRACKER_PAST_BUDGET", "git")
    world.standin.rate_limit = world.standin.rate_remaining = 5000
    checks, summary = _check_all(world)
    assert len(checks) == N and summary == {}


def test_an_app_installation_token_is_a_token_with_its_own_limit(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A GitHub App's installation token (``ghs_``, 15,000 an hour on Enterprise Cloud) plans with the limit
    GitHub states, never an assumed 5,000."""
    worlds = _world(tmp_path, monkeypatch, token=APP_TOKEN, limit=15_000)
    world = next(worlds)
    try:
        with GitHubHost(api_url=world.standin.api_url, token=APP_TOKEN) as host:
            limits = host.rate_limits()
        assert limits is not None and limits.core.limit == 15_000 and limits.authenticated
        assert limits.graphql is not None and limits.graphql.limit == 15_000
        checks, summary = _check_all(world)
        assert len(checks) == N and summary == {}
        assert world.standin.requests and all(entry.authorized for entry in world.standin.requests)
    finally:
        worlds.close()


def test_an_unreadable_budget_checks_everything_and_says_so(world: World) -> None:
    from standin_github import Fault

    world.standin.rate_limit = world.standin.rate_remaining = 5000
    world.standin.inject(Fault("status", path="/rate_limit", status=404, times=None))
    checks, summary = _check_all(world)
    assert len(checks) == N and summary == {}
    with open_store(world.db) as store:
        assert "budget unknown" in (store.runs()[-1].note or "")


def test_a_github_app_checks_with_installation_tokens_that_pygithub_fetches(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """GITHUB_APP_ID + GITHUB_APP_INSTALLATION_ID + GITHUB_APP_PRIVATE_KEY_PATH: PyGithub signs a JWT, the
    stand-in checks it with the App's public key and issues a ``ghs_`` token; no secret reaches output or store."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    worlds = _world(tmp_path, monkeypatch, token="not-yet-issued", limit=15_000)
    world = next(worlds)
    try:
        world.standin.serve_app(app_id=4242, installation_id=77, public_key_pem=public)
        key_file = tmp_path / "app.pem"
        key_file.write_text(private)
        monkeypatch.delenv("GITHUB_TOKEN")
        monkeypatch.setenv("GITHUB_APP_ID", "4242")
        monkeypatch.setenv("GITHUB_APP_INSTALLATION_ID", "77")
        monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY_PATH", str(key_file))
        result = runner.invoke(app, ["check", "--all", "--db", world.db, "--json"])
        assert result.exit_code == 0, result.output
        assert len(result.stdout.splitlines()) == N  # 15,000 an hour covers them all
        [issued] = world.standin.issued_tokens
        assert "/app/installations/77/access_tokens" in world.standin.paths()
        assert sum(entry.path.endswith("/graphql") for entry in world.standin.requests) >= 2  # GraphQL: a token
        assert all(entry.authorized and entry.status != 401 for entry in world.standin.requests)
        for secret in (issued, private.splitlines()[1]):
            assert secret not in result.output
            assert secret.encode() not in (tmp_path / "store.db").read_bytes()
    finally:
        worlds.close()


def test_an_incomplete_github_app_is_one_line_naming_what_is_missing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_APP_ID", "4242")
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nsecret-part\n")
    result = runner.invoke(app, ["check", "--all", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "GITHUB_APP_INSTALLATION_ID" in result.output and "secret-part" not in result.output
    assert "Traceback" not in result.output
