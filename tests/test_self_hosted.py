"""Issue 11, part 5: self-hosted git servers.

A link to a host the user allows (REPRO_TRACKER_GIT_HOSTS) is a repository, read with git alone; a ``.git`` link
to a host nobody allowed is a repository link too, but is never fetched; and git never contacts a loopback,
private or link-local address unless the user named that host. The "self-hosted server" here is a real git
HTTP server on 127.0.0.1 (`gitrepos.GitHttpServer`), reached through git's own ``insteadOf``.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitrepos import GitHttpServer, build_repo, git_subcommands_seen, license_text, route_git
from typer.testing import CliRunner

from tracker.cli import app
from tracker.hosts.git import GitHost, address_refusal, fetch_allowed, git_url
from tracker.links import extract_links
from tracker.records import RepoRef, Status
from tracker.settings import Settings
from tracker.store import open_store

runner = CliRunner()
SELF_HOSTED = "https://git.example.org/group/name.git"
REF = RepoRef("git.example.org", "group", "name")
NOW = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def git_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """git.example.org/group/name.git served on 127.0.0.1, with https://git.example.org/ routed there."""
    repo = build_repo(tmp_path / "remote", REF.canonical, {"README.md": "# name\n", "LICENSE": license_text("MIT")})
    with GitHttpServer() as server:
        server.serve(repo, at="git.example.org/group/name.git")
        route_git(monkeypatch, tmp_path, tmp_path / "remote", hosts=(),
                  routes={"https://git.example.org/": f"{server.url}git.example.org/"})
        yield repo


@pytest.fixture
def git_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every git subcommand a GitHost runs."""
    return git_subcommands_seen(monkeypatch)


def test_a_repository_on_an_allowed_host_is_read_with_git(git_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    host = GitHost(tmp_path / "cache", timeout=20, git_hosts=frozenset({"git.example.org"}))
    facts = host.inspect(REF, now=NOW)
    assert facts.status is Status.OK, facts.detail
    assert facts.head_commit == git_server.head
    assert facts.files is not None and facts.files.texts["README.md"] == "# name\n"
    assert [finding.spdx for finding in facts.licenses] == ["MIT"]


def test_a_host_nobody_allowed_is_not_fetched(tmp_path: Path, git_runs: list[str]) -> None:
    host = GitHost(tmp_path / "cache", timeout=20)
    reason = host.refusal(REF)
    assert reason is not None and "git.example.org not allowed; add it to REPRO_TRACKER_GIT_HOSTS" in reason
    with pytest.raises(ValueError, match="not allowed"):
        host.inspect(REF, now=NOW)
    assert git_runs == []


@pytest.mark.parametrize("listed", ["*", "*.0.0.1"])
def test_a_pattern_allows_a_host_but_never_at_a_loopback_address(
        tmp_path: Path, git_runs: list[str], listed: str) -> None:
    host = GitHost(tmp_path / "cache", timeout=20, git_hosts=frozenset({listed}))
    ref = RepoRef("127.0.0.1", "lab", "code")
    assert host.refusal(ref) is None  # the host is allowed...
    facts = host.inspect(ref, now=NOW)
    assert facts.status is Status.NOT_CHECKED  # ...but its address is not: nothing is known, nothing is evidence
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in facts.detail
    assert "REPRO_TRACKER_GIT_HOSTS" in facts.detail
    assert host.ls_remote(ref).status is Status.NOT_CHECKED
    # No clone, no fetch (a real ls-remote of https://127.0.0.1 would have said unreachable); git was only
    # asked, locally, whether the user's config sends the URL elsewhere (ls-remote --get-url).
    assert "clone" not in git_runs and "fetch" not in git_runs
    assert not (tmp_path / "cache" / "127.0.0.1" / "lab" / "code.git").exists()


def test_a_name_that_resolves_to_loopback_is_refused_too(tmp_path: Path) -> None:
    host = GitHost(tmp_path / "cache", timeout=20, git_hosts=frozenset({"*"}))
    facts = host.inspect(RepoRef("localhost", "lab", "code"), now=NOW)
    assert facts.status is Status.NOT_CHECKED and "localhost resolves to 127.0.0.1" in facts.detail


def _route_loopback_to_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send https://127.0.0.1/ to the fixture's server, beside git.example.org's route."""
    config = (tmp_path / "gitconfig-routing").read_text()
    server_url = next(part for part in config.split('"') if part.startswith("http://127.0.0.1:"))
    route_git(monkeypatch, tmp_path, tmp_path / "remote", hosts=(),
              routes={"https://git.example.org/": server_url, "https://127.0.0.1/": server_url})


def test_a_url_the_users_config_rewrites_goes_where_the_user_chose(
        git_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _route_loopback_to_the_server(tmp_path, monkeypatch)
    host = GitHost(tmp_path / "cache", timeout=20, git_hosts=frozenset({"*"}))
    facts = host.inspect(RepoRef("127.0.0.1", "group", "name"), now=NOW)
    assert facts.status is Status.OK and facts.head_commit == git_server.head


def test_a_host_named_exactly_is_fetched_without_asking_where_it_is(
        git_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _route_loopback_to_the_server(tmp_path, monkeypatch)
    resolved: list[str] = []
    real = socket.getaddrinfo

    def recording(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        resolved.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    host = GitHost(tmp_path / "cache", timeout=20, git_hosts=frozenset({"127.0.0.1"}))
    facts = host.inspect(RepoRef("127.0.0.1", "group", "name"), now=NOW)
    assert facts.status is Status.OK and facts.head_commit == git_server.head
    assert resolved == []
    assert git_url(REF, frozenset({"git.example.org"})) == SELF_HOSTED  # a self-hosted server is asked for name.git


@pytest.mark.parametrize(
    ("addresses", "kind"),
    [
        (["10.1.2.3"], "a private"),
        (["192.168.0.7"], "a private"),
        (["169.254.169.254"], "a link-local"),
        (["::1"], "a loopback"),
        (["fe80::1%eth0"], "a link-local"),
        (["::ffff:127.0.0.1"], "a loopback"),
        (["140.82.121.4", "172.16.0.1"], "a private"),  # every address counts, not only the first
        (["100.64.0.1"], "a non-public"),
    ],
)
def test_addresses_that_are_not_public_are_refused(addresses: list[str], kind: str) -> None:
    reason = address_refusal("git.lab", addresses)
    assert reason is not None and f", {kind} address" in reason


def test_public_addresses_pass() -> None:
    assert address_refusal("codeberg.org", ["217.197.91.145", "2001:67c:1401:20f0::1"]) is None


def test_known_forges_and_patterns() -> None:
    for forge in ("github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "gitea.com", "git.sr.ht"):
        assert fetch_allowed(forge, frozenset())
    assert not fetch_allowed("gitlab.inria.fr", frozenset())
    assert fetch_allowed("gitlab.inria.fr", frozenset({"*.inria.fr"}))
    assert not fetch_allowed("inria.fr.evil.org", frozenset({"*.inria.fr"}))
    assert git_url(RepoRef("git.sr.ht", "~sircmpwn", "scdoc")) == "https://git.sr.ht/~sircmpwn/scdoc"


def test_settings_read_the_allowed_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRO_TRACKER_GIT_HOSTS", " Git.Example.org, https://code.lab.test/ ,*.uni.edu,,")
    assert Settings.from_env().git_hosts == {"git.example.org", "code.lab.test", "*.uni.edu"}
    monkeypatch.setenv("REPRO_TRACKER_GIT_HOSTS", "user@host")
    with pytest.raises(ValueError, match="REPRO_TRACKER_GIT_HOSTS"):
        Settings.from_env()


def test_links_to_allowed_hosts_and_git_urls_are_repositories_and_other_sites_are_not() -> None:
    text = ("Code: https://git.example.org/group/name.git, mirror https://code.lab.test/team/tool/-/tree/main "
            "and docs at https://docs.lab.test/guide/intro.")
    found = extract_links(text, git_hosts=frozenset({"code.lab.test"}))
    assert [link.repo.canonical if link.repo else link.artifact.url for link in found] == [  # type: ignore[union-attr]
        "git.example.org/group/name", "code.lab.test/team/tool", "https://docs.lab.test/guide/intro"]
    # Without the setting the .git link is still a repository; the other is a website.
    plain = extract_links(text)
    assert [link.repo is not None for link in plain] == [True, False, False]


def _paper_file(tmp_path: Path, link: str) -> Path:
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps({"title": "A Paper on Self-Hosted Code", "abstract": f"Our code is at {link}."})
                      + "\n", encoding="utf-8")
    return source


def test_a_papers_self_hosted_repository_on_an_allowed_host_is_checked_ok(
        git_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REPRO_TRACKER_GIT_HOSTS", "git.example.org")
    db = str(tmp_path / "tracker.db")
    assert runner.invoke(app, ["ingest", str(_paper_file(tmp_path, SELF_HOSTED)), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["check", "--all", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    [row] = map(json.loads, result.stdout.splitlines())
    assert (row["repository"], row["status"]) == ("git.example.org/group/name", "ok")
    # The same repository named on the command line is the same identity.
    again = runner.invoke(app, ["check", "--repo", "https://git.example.org/group/name", "--db", db, "--json"])
    assert again.exit_code == 0, again.output
    assert [json.loads(line)["status"] for line in again.stdout.splitlines()] == ["ok"]
    assert [ref.key for ref in open_store(db).repositories_due()] == ["git.example.org/group/name"]


def test_a_papers_git_link_to_a_host_nobody_allowed_is_recorded_not_checked(
        tmp_path: Path, git_runs: list[str]) -> None:
    db = str(tmp_path / "tracker.db")
    assert runner.invoke(app, ["ingest", str(_paper_file(tmp_path, SELF_HOSTED)), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["check", "--all", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    [row] = map(json.loads, result.stdout.splitlines())
    assert row["status"] == "not_checked"
    assert "host git.example.org not allowed; add it to REPRO_TRACKER_GIT_HOSTS" in row["detail"]
    assert git_runs == []


def test_check_repo_on_a_host_nobody_allowed_exits_2_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    result = runner.invoke(app, ["check", "--repo", SELF_HOSTED, "--db", str(db)])
    assert result.exit_code == 2
    assert "REPRO_TRACKER_GIT_HOSTS" in result.stderr and "Traceback" not in result.output
    assert not db.exists()
