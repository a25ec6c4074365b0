"""The GraphQL way end to end: GitHubHost and RepositoryChecker against the stand-in serving real git repositories.

The stand-in reads each repository's content from a real git repository, the
same one git is routed to (``insteadOf``), so the API way and the git way can
be compared on one repository, and a test can prove that no git process ran
by routing git to nowhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gitrepos import CommitSpec, LocalRepo, add_commit, empty_repo, ml_repo, route_git
from standin_github import Fault, StandinGitHub

from tracker.hosts.git import GitHost
from tracker.hosts.github import GitHubHost
from tracker.http import MemoryCache
from tracker.records import RepoFacts, RepoRef, Status
from tracker.tracking.checker import RepositoryChecker
from tracker.tracking.pipeline import check_many

TOKEN = "ghp_Secr3tContentToken0123456789abcdefAB"
NOW = datetime.now(UTC).replace(microsecond=0)
REF = RepoRef("github.com", "acme", "seeing")
HISTORY = [
    CommitSpec(when=NOW - timedelta(days=500), message="initial", author="Ada", email="ada@lab.org"),
    CommitSpec(when=NOW - timedelta(days=200), message="train", author="Bo", email="bo@lab.org",
               changes={"scripts/train_big.py": "print('train')\n"}),
    CommitSpec(when=NOW - timedelta(days=30), message="results", author="Ada", email="ADA@lab.org",
               changes={"results.md": "| a | b |\n"}),
]


@dataclasses.dataclass
class World:
    standin: StandinGitHub
    root: Path
    cache: Path
    repo: LocalRepo

    def checker(self, *, api: str | None = None) -> RepositoryChecker:
        github = GitHubHost(api or self.standin.api_url, TOKEN, timeout=2.0, answer_cache=MemoryCache(),
                            sleep=lambda _: None)
        return RepositoryChecker(github, GitHost(self.cache), clock=lambda: NOW)

    def graphql_posts(self, since: int = 0) -> list[str]:
        return [r.path for r in self.standin.requests[since:] if r.path.endswith("/graphql")]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    root = tmp_path / "remote"
    repo = ml_repo(root, REF.canonical, commits=HISTORY)
    route_git(monkeypatch, tmp_path, root)
    with StandinGitHub(token=TOKEN, git_root=root, max_hold=3.0) as standin:
        standin.add_repo(REF.full_name, pushed_at=(NOW - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        yield World(standin, root, tmp_path / "cache", repo)


def check_one(checker: RepositoryChecker, ref: RepoRef = REF) -> RepoFacts:
    [checked] = list(check_many(checker, [ref], workers=2))
    return checked.facts


def route_git_nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Any clone now fails: what still reads content did not use git."""
    (tmp_path / "nowhere-config").mkdir()
    route_git(monkeypatch, tmp_path / "nowhere-config", tmp_path / "nowhere")


def test_the_api_way_reads_what_the_git_way_reads(world: World, tmp_path: Path) -> None:
    through_api = check_one(world.checker())
    with StandinGitHub(token=TOKEN, max_hold=3.0) as rest_only:  # no GraphQL: REST and git
        rest_only.add_repo(REF.full_name, pushed_at=world.standin.repo(REF.full_name).pushed_at, tags=["v1.0"])
        github = GitHubHost(rest_only.api_url, TOKEN, timeout=2.0, answer_cache=MemoryCache())
        through_git = check_one(RepositoryChecker(github, GitHost(tmp_path / "git-cache"), clock=lambda: NOW))
    assert through_api.status is through_git.status is Status.OK
    assert through_api.files == through_git.files
    assert through_api.licenses == through_git.licenses
    assert through_api.activity == through_git.activity
    assert through_api.activity is not None and through_api.activity.contributors == 2
    assert (through_api.activity.commits_90d, through_api.activity.commits_365d) == (1, 2)
    assert through_api.metadata is not None and through_git.metadata is not None
    assert dataclasses.replace(through_api.metadata, size_kb=None) == dataclasses.replace(through_git.metadata,
                                                                                          size_kb=None)
    assert "HEAD is" in through_api.detail


def test_contributors_first_commit_and_tags_mean_the_same_through_the_api_and_through_git(
        world: World, tmp_path: Path) -> None:
    """A history longer than the API reads (the founder's commit is past the latest 100) with a tag off
    the default branch: both ways count the latest 100 commits' authors, know no first commit, and count every tag."""
    import os

    import git as gitpython

    long_ref = RepoRef("github.com", "acme", "long")
    start = NOW - timedelta(days=400)
    history = [CommitSpec(when=start, message="founding", author="Founder", email="founder@lab.org")] + [
        CommitSpec(when=start + timedelta(days=1 + n), message=f"step {n}", author=f"Dev{n % 5}",
                   email=f"dev{n % 5}@lab.org", changes={"log.txt": f"{n}\n"}) for n in range(104)]
    repo = ml_repo(world.root, long_ref.canonical, commits=history, tags=("v1.0", "v1.1"))
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@lab.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@lab.org"}
    worktree = gitpython.Git(repo.path)
    for command in (["checkout", "-q", "-b", "release"], ["commit", "-q", "--allow-empty", "-m", "backport"],
                    ["tag", "v0.9.1"], ["checkout", "-q", "main"]):
        worktree.execute(["git", *command], env=env)
    pushed = (start + timedelta(days=104)).strftime("%Y-%m-%dT%H:%M:%SZ")
    world.standin.add_repo(long_ref.full_name, pushed_at=pushed)

    through_api = check_one(world.checker(), long_ref)
    with StandinGitHub(token=TOKEN, max_hold=3.0) as rest_only:  # no GraphQL: REST and git
        rest_only.add_repo(long_ref.full_name, pushed_at=pushed, tags=["v1.1", "v1.0", "v0.9.1"])
        github = GitHubHost(rest_only.api_url, TOKEN, timeout=2.0, answer_cache=MemoryCache())
        through_git = check_one(RepositoryChecker(github, GitHost(tmp_path / "git-cache"), clock=lambda: NOW), long_ref)
    assert through_api.activity is not None and through_api.activity == through_git.activity
    assert (through_api.activity.contributors, through_api.activity.first_commit_at) == (5, None)
    assert through_api.activity.tags == 3


def test_a_first_look_runs_no_git_and_an_unchanged_repository_costs_one_query_per_batch(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    route_git_nowhere(monkeypatch, tmp_path)
    first = check_one(world.checker())
    assert first.status is Status.OK and first.files is not None and "scripts/train_big.py" in first.files.paths
    assert not (world.cache / f"{REF.key}.git").exists()

    before = len(world.standin.requests)
    again = check_one(world.checker())
    asked = world.standin.requests[before:]
    assert [r.path for r in asked] == world.graphql_posts(before) and len(asked) == 1
    assert again.files == first.files and again.activity == first.activity


def test_a_push_is_read_again(world: World) -> None:
    first = check_one(world.checker())
    add_commit(world.repo, CommitSpec(when=NOW - timedelta(days=1), message="eval",
                                      changes={"evaluate.py": "print('eval')\n"}))
    world.standin.push(REF.full_name, (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    second = check_one(world.checker())
    assert first.activity is not None and second.activity is not None
    assert second.activity.head_commit != first.activity.head_commit
    assert second.activity.commits_90d == first.activity.commits_90d + 1
    assert second.files is not None and "evaluate.py" in second.files.paths


def test_what_the_look_does_not_call_plainly_live_goes_the_rest_way(world: World) -> None:
    ml_repo(world.root, "github.com/acme/old-name")
    world.standin.add_repo("acme/old-name")
    world.standin.rename("acme/old-name", "acme/new-name")
    world.standin.add_repo("acme/gone", answer=404)
    world.standin.add_repo("acme/dmca", answer=451)
    refs = [REF, RepoRef("github.com", "acme", "old-name"), RepoRef("github.com", "acme", "gone"),
            RepoRef("github.com", "acme", "dmca")]
    checked = {c.facts.ref.name: c.facts for c in check_many(world.checker(), refs, workers=4)}
    assert checked["seeing"].status is Status.OK
    assert checked["old-name"].status is Status.MOVED and checked["old-name"].moved_to == RepoRef(
        "github.com", "acme", "new-name")
    assert checked["gone"].status is Status.MISSING
    assert checked["dmca"].status is Status.BLOCKED
    assert len(world.graphql_posts()) == 2  # one look for all four, one read for the live one


def test_an_empty_repository_is_empty_without_a_clone(world: World) -> None:
    empty_repo(world.root, "github.com/acme/soon")
    world.standin.add_repo("acme/soon", empty=True)
    facts = check_one(world.checker(), RepoRef("github.com", "acme", "soon"))
    assert facts.status is Status.EMPTY and facts.files is not None and facts.files.paths == ()


def test_a_tree_too_large_for_one_answer_is_read_with_git(world: World) -> None:
    world.standin.tree_truncate_over = 2
    through_git = check_one(world.checker())
    assert through_git.status is Status.OK
    assert through_git.files is not None and "scripts/train_big.py" in through_git.files.paths
    assert (world.cache / f"{REF.key}.git").exists()


def test_graphql_faults_and_its_spent_budget_leave_the_work_to_rest(world: World) -> None:
    world.standin.inject(Fault("status", status=502, times=1, path="/graphql"))
    retried = check_one(world.checker())
    assert retried.status is Status.OK and "GraphQL" in retried.detail  # a query reads: retried like a GET
    assert not (world.cache / f"{REF.key}.git").exists()

    world.standin.inject(Fault("status", status=502, times=3, path="/graphql"))
    (world.cache / f"{REF.key}.api-reading.json").unlink()
    faulted = check_one(world.checker())
    assert faulted.status is Status.OK and faulted.files is not None  # REST and git instead
    assert (world.cache / f"{REF.key}.git").exists()

    other = RepoRef("github.com", "acme", "other")
    ml_repo(world.root, other.canonical)
    world.standin.add_repo(other.full_name)
    world.standin.exhaust_graphql_rate_limit(reset_at=NOW.timestamp() + 3600)
    checker = world.checker()
    before = len(world.standin.requests)
    assert check_one(checker).status is Status.OK
    assert check_one(checker, other).status is Status.OK
    assert len(world.graphql_posts(before)) == 1  # asked once, then GraphQL is off for this host


def test_two_runs_reading_one_repository_at_once_leave_one_whole_reading(world: World) -> None:
    """Readings are written without a lock, so each writer needs its own scratch file."""
    import threading

    from tracker.hosts.github_content import GitHubContent
    from tracker.hosts.github_graphql import History
    from tracker.hosts.reading import Reading

    path = GitHubContent(world.checker().github, world.cache).reading_path(REF)
    readings = [Reading(str(n) * 40, (f"file{n}.py",), {}, history=History(1, (NOW,), ("a@b.c",))) for n in range(4)]
    failures: list[BaseException] = []

    def write(reading: Reading) -> None:
        try:
            for _ in range(50):
                reading.save(path)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(reading,)) for reading in readings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Reading.load(path) in readings
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_batch_of_live_repositories_costs_one_look_one_read_and_a_tree_each(world: World) -> None:
    refs = [REF]
    for name in ("one", "two", "three"):
        ml_repo(world.root, f"github.com/acme/{name}")
        world.standin.add_repo(f"acme/{name}")
        refs.append(RepoRef("github.com", "acme", name))
    checked = list(check_many(world.checker(), refs, workers=4))
    assert sorted(c.facts.ref.name for c in checked if c.facts.status is Status.OK and c.facts.files) == sorted(
        r.name for r in refs)
    paths = [r.path for r in world.standin.requests]
    assert len(world.graphql_posts()) == 2
    assert sorted(p for p in paths if "/git/trees/" in p) == sorted(
        f"/repos/acme/{r.name}/git/trees/{c.facts.activity.head_commit}" for r, c in zip(
            refs, sorted(checked, key=lambda c: refs.index(c.facts.ref)), strict=True) if c.facts.activity)
    assert len(paths) == 2 + len(refs)


def test_a_read_that_fails_after_the_look_is_handed_back_and_read_with_git(world: World) -> None:
    from tracker.hosts.github_content import PendingRead

    checker = world.checker()
    [look] = checker.look_many([REF])
    assert look is not None
    pending = checker.prepare(REF, look)
    assert isinstance(pending, PendingRead)
    world.standin.inject(Fault("status", status=502, times=3, path="/graphql"))
    assert checker.finish_many([pending]) == [pending]
    facts = checker.finish_with_git(pending).facts
    assert facts.status is Status.OK and facts.files is not None and "scripts/train_big.py" in facts.files.paths
    assert (world.cache / f"{REF.key}.git").exists()


def test_github_enterprise_gets_its_graphql_at_api_graphql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enterprise serves REST under /api/v3 and GraphQL at /api/graphql; PyGithub derives the second from the first."""
    root = tmp_path / "remote"
    ml_repo(root, REF.canonical, commits=HISTORY)
    route_git(monkeypatch, tmp_path, root)
    with StandinGitHub(token=TOKEN, git_root=root, prefix="/api/v3", max_hold=3.0) as enterprise:
        enterprise.add_repo(REF.full_name)
        world = World(enterprise, root, tmp_path / "cache", None)  # type: ignore[arg-type]
        facts = check_one(world.checker())
        assert enterprise.api_url.endswith("/api/v3")
        assert world.graphql_posts() == ["/api/graphql", "/api/graphql"]
        assert facts.status is Status.OK and "GraphQL" in facts.detail


def test_the_answer_that_spends_the_last_graphql_point_is_still_used(world: World) -> None:
    world.standin.graphql_rate_limit = world.standin.graphql_rate_remaining = 1
    facts = check_one(world.checker())
    assert facts.status is Status.OK and "GraphQL" in facts.detail  # the look's data stood
    assert facts.files is not None and (world.cache / f"{REF.key}.git").exists()  # the read was not asked: git
    assert len(world.graphql_posts()) == 1


def test_a_fault_of_ours_in_a_look_sends_the_batch_the_rest_way(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.hosts.github as github_module

    def broken(*_: object) -> list[None]:
        raise KeyError("a bug in reading the answer")

    monkeypatch.setattr(github_module, "parse_look", broken)
    facts = check_one(world.checker())
    assert facts.status is Status.OK and "GraphQL" not in facts.detail and facts.files is not None
