"""The run's stages: how host and git facts combine, and how a run is tallied."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from tracker.hosts.git import GitFacts
from tracker.records import Activity, LicenseFinding, RepoFacts, RepoFiles, RepoRef, Status
from tracker.settings import Settings
from tracker.tracking.checker import CheckedRepository, with_git_facts
from tracker.tracking.pipeline import check_many
from tracker.tracking.tally import RunTally

NOW = datetime(2026, 11, 27, tzinfo=UTC)
REF = RepoRef("github.com", "lab", "model")


def api_facts(status: Status, **fields: Any) -> RepoFacts:
    return RepoFacts(ref=REF, status=status, detail=f"GitHub said {status}", checked_at=NOW,
                     licenses=(LicenseFinding("MIT", 1.0, "api"),), **fields)


def test_git_adds_content_to_what_the_api_said() -> None:
    git = GitFacts(Status.OK, "ls-remote listed 3 refs", head_commit="abc",
                   activity=Activity(head_commit="abc", commits_90d=4), files=RepoFiles(paths=("train.py",)),
                   licenses=(LicenseFinding("MIT", 0.99, "file", "LICENSE"),))
    merged = with_git_facts(api_facts(Status.OK), git)
    assert merged.status is Status.OK
    assert merged.detail == "GitHub said ok"
    assert merged.activity is not None and merged.activity.commits_90d == 4
    assert merged.files is not None and merged.files.paths == ("train.py",)
    assert [finding.source for finding in merged.licenses] == ["api", "file"]


def test_a_git_fault_leaves_the_api_verdict_and_says_why_content_is_unknown() -> None:
    git = GitFacts(Status.UNREACHABLE, "connection refused")
    merged = with_git_facts(api_facts(Status.ARCHIVED), git)
    assert merged.status is Status.ARCHIVED
    assert merged.detail == "GitHub said archived; its content could not be read: connection refused"
    assert merged.files is None and merged.activity is None


def test_git_seeing_no_commits_makes_an_ok_repository_empty() -> None:
    merged = with_git_facts(api_facts(Status.OK), GitFacts(Status.EMPTY, "no refs"))
    assert merged.status is Status.EMPTY


def test_tally_adds_batches_and_names_the_run_status() -> None:
    first = RunTally(by_status={"ok": 2}, requests_made=4, requests_rate_limited=3)
    second = RunTally(by_status={"ok": 1, "not_checked": 5}, requests_made=1, requests_rate_limited=1,
                      rate_limited=5)
    total = RunTally()
    total.add(first)
    assert total.run_status == "completed"
    total.add(second)
    assert (total.checked, total.requests_made, total.requests_rate_limited) == (8, 5, 4)
    assert total.run_status == "rate_limited"
    assert total.interrupted().run_status == "interrupted"
    assert total.run_status == "rate_limited"


class _CountingChecker:
    """Stands in for RepositoryChecker to observe how many checks run at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.release = threading.Barrier(3, timeout=5)

    @staticmethod
    def looks_in_batches(ref: RepoRef) -> bool:
        return False

    def check(self, ref: RepoRef) -> CheckedRepository:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        if ref.name in {"r0", "r1", "r2"}:
            self.release.wait()  # the first three must be in flight together
        with self.lock:
            self.running -= 1
        facts = RepoFacts(ref=ref, status=Status.OK, detail="", checked_at=NOW)
        return CheckedRepository(facts=facts, results=(), health="alive", repro_score=None)


def test_check_many_runs_at_most_the_bound_at_once_and_checks_everything() -> None:
    checker = _CountingChecker()
    refs = [RepoRef("github.com", "lab", f"r{i}") for i in range(20)]
    done = list(check_many(checker, refs, workers=3))  # type: ignore[arg-type]
    assert sorted(item.facts.ref.name for item in done) == sorted(ref.name for ref in refs)
    assert checker.most == 3


def test_settings_never_show_the_token(monkeypatch: Any) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secretsecretsecret")
    settings = Settings.from_env(concurrency=4)
    assert settings.github_token == "ghp_secretsecretsecret"
    assert "ghp_secret" not in repr(settings)
    assert settings.concurrency == 4


def test_a_repository_on_a_host_git_will_not_read_is_not_checked_and_the_rest_go_on(tmp_path: Any) -> None:
    from tracker.hosts.git import GitHost
    from tracker.tracking.checker import RepositoryChecker

    class NoGitHub:
        def check(self, ref: RepoRef) -> RepoFacts:
            raise AssertionError("a refused repository must not reach the GitHub API")

    checker = RepositoryChecker(NoGitHub(), GitHost(tmp_path / "cache"), clock=lambda: NOW)  # type: ignore[arg-type]
    refs = [RepoRef("gitlab.example.org", "team", "tool"), RepoRef("github.com", "-upload-pack=evil", "x")]
    checked = {item.facts.ref.host: item for item in check_many(checker, refs, workers=2)}
    for item in checked.values():
        assert item.facts.status is Status.NOT_CHECKED
        assert item.facts.detail.startswith("not checked: refusing")
        assert item.repro_score is None and item.health == "unknown"


def test_an_internal_fault_on_one_repository_is_recorded_as_not_checked(tmp_path: Any) -> None:
    from tracker.hosts.git import GitHost
    from tracker.tracking.checker import RepositoryChecker

    class BrokenGitHub:
        def check(self, ref: RepoRef) -> RepoFacts:
            raise KeyError("a bug")

    checker = RepositoryChecker(BrokenGitHub(), GitHost(tmp_path / "cache"), clock=lambda: NOW)  # type: ignore[arg-type]
    checked = checker.check(REF)
    assert checked.facts.status is Status.NOT_CHECKED
    assert "KeyError" in checked.facts.detail


def test_only_database_and_connection_faults_are_worth_retrying() -> None:
    import sqlalchemy.exc

    from tracker.tracking.faults import is_transient

    class FailedState:
        def __init__(self, error: BaseException) -> None:
            self.error = error

        def result(self) -> None:
            raise self.error

    locked = sqlalchemy.exc.OperationalError("INSERT", {}, Exception("database is locked"))
    assert is_transient(FailedState(locked))
    assert is_transient(FailedState(ConnectionError("server closed the connection")))
    assert not is_transient(FailedState(KeyError("a bug")))


def test_the_size_github_reports_decides_whether_git_clones_the_files_too(
        tmp_path: Any, monkeypatch: Any) -> None:
    from gitrepos import ml_repo, route_git
    from standin_github import StandinGitHub

    from tracker.hosts.git import GitHost
    from tracker.hosts.github import GitHubHost
    from tracker.tracking.checker import RepositoryChecker

    remote = tmp_path / "remote"
    small = ml_repo(remote, "github.com/lab/small")
    large = ml_repo(remote, "github.com/lab/large")
    route_git(monkeypatch, tmp_path, remote)
    git = GitHost(tmp_path / "cache", whole_clone_max_kb=2048)
    with StandinGitHub() as server:
        server.add_repo("lab/small", size=300)
        server.add_repo("lab/large", size=90_000)
        checker = RepositoryChecker(GitHubHost(api_url=server.api_url), git, clock=lambda: NOW)
        checked = {item.facts.ref.name: item for item in check_many(checker, [small.ref, large.ref], workers=2)}

    for name in ("small", "large"):
        facts = checked[name].facts
        assert facts.status is Status.OK and facts.files is not None and "LICENSE" in facts.files.texts
    promisor = {name: "promisor = true" in (git.cache_path(checked[name].facts.ref) / "config").read_text()
                for name in ("small", "large")}
    assert promisor == {"small": False, "large": True}  # the large one was cloned without file contents


def test_what_extraction_ignores_is_an_input_problem_at_the_papers_line(tmp_path: Any, caplog: Any) -> None:
    from tracker.ingest import InputProblem
    from tracker.tracking.papers import found_links

    source = tmp_path / "papers.jsonl"
    source.write_text('{"title": "Fine", "abstract": "https://github.com/lab/fine"}\n\n'
                      '{"id": "arXiv:2501.00003", "title": "Long", "abstract": "https://a.com/' + "a" * 2_000
                      + ' https://github.com/lab/kept"}\n', encoding="utf-8")
    problems: list[InputProblem] = []

    found = list(found_links([source], on_problem=problems.append))

    assert [links.paper.line for links in found] == [1, 3]
    assert [[ref.canonical for ref in links.repos] for links in found] == [["github.com/lab/fine"],
                                                                           ["github.com/lab/kept"]]
    assert [(p.path, p.line, p.fatal) for p in problems] == [(str(source), 3, False)]
    assert problems[0].message.startswith("paper arxiv:2501.00003: ignored a URL of 2,014 characters")
    with caplog.at_level("WARNING", logger="tracker.tracking"):
        assert len(list(found_links([source]))) == 2  # without a handler: logged, not raised
    assert f"{source}:3: paper arxiv:2501.00003: ignored a URL" in caplog.text


def test_only_a_rate_limit_makes_a_run_rate_limited_not_a_refused_name_or_a_fault_of_ours() -> None:
    from tracker.tracking.checker import CheckedRepository

    def tally_of(detail: str) -> RunTally:
        tally = RunTally()
        tally.count(CheckedRepository(RepoFacts(REF, Status.NOT_CHECKED, detail, NOW), (), "unknown", None))
        return tally

    refused = tally_of("not checked: refusing 'git.example.org/a/b': 'git.example.org' is not a known git host")
    ours = tally_of("repro-tracker failed while checking it (KeyError); see the log")
    limited = tally_of("GitHub's primary rate limit allows no requests until 2026-11-27 10:00:00 UTC; waiting "
                       "3600 s would exceed the 180 s allowed, so /repos/lab/model was not asked")
    assert (refused.run_status, ours.run_status, limited.run_status) == ("completed", "completed", "rate_limited")
    refused.add(limited)
    assert refused.rate_limited == 1 and refused.run_status == "rate_limited"
