"""GitHub's GraphQL answers to records, as pure functions: which answers count as a plain look, and what they say.

Everything a look does not call plainly live must go the REST way, whose
status codes are the evidence for `missing`, `moved` and `blocked`; these
tests pin that boundary as much as the field mapping.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from tracker.hosts.github_content import PendingRead, files_in
from tracker.hosts.github_graphql import LOOK_BATCH, Look, ReadRequest, look_query, parse_look, parse_read, read_query
from tracker.records import Metadata, RepoFacts, RepoRef, Status
from tracker.tracking.checker import CheckedRepository
from tracker.tracking.pipeline import check_many

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
REF = RepoRef("github.com", "Lab", "Model")


def live(**changes: Any) -> dict[str, Any]:
    """A look answer for a live repository, as GitHub shapes it."""
    repo: dict[str, Any] = {
        "nameWithOwner": "lab/model",
        "isArchived": False, "isDisabled": False, "isEmpty": False, "isPrivate": False,
        "stargazerCount": 12, "forkCount": 3,
        "issues": {"totalCount": 2}, "pullRequests": {"totalCount": 1},
        "description": "Code for the paper.", "homepageUrl": "",
        "createdAt": "2022-03-01T10:00:00Z", "pushedAt": "2026-10-01T10:00:00Z", "diskUsage": 420,
        "parent": None, "primaryLanguage": {"name": "Python"},
        "repositoryTopics": {"nodes": [{"topic": {"name": "vision"}}]},
        "licenseInfo": {"spdxId": "MIT"},
        "latestRelease": None,
        "refs": {"totalCount": 2, "nodes": [{"name": "v1.1"}]},
        "defaultBranchRef": {"name": "main", "target": {
            "oid": "a" * 40, "committedDate": "2026-10-01T09:59:00Z",
            "quarter": {"totalCount": 5}, "year": {"totalCount": 40}}},
    }
    repo.update(changes)
    return repo


def test_the_look_query_passes_names_as_variables_and_asks_windows_from_now() -> None:
    refs = [REF, RepoRef("github.com", "a", 'x") { evil }')]
    query, variables = look_query(refs, NOW)
    assert "evil" not in query
    assert variables["o1"] == "a" and variables["n1"] == 'x") { evil }'
    assert variables["quarter"] == "2026-08-29T12:00:00Z" and variables["year"] == "2025-11-27T12:00:00Z"
    assert query.count("followRenames: false") == 2
    with pytest.raises(ValueError, match="1 to 100"):
        look_query([REF] * 101, NOW)


def test_a_plain_live_repository_maps_to_the_same_metadata_the_rest_object_gives() -> None:
    [look] = parse_look({"r0": live()}, [REF])
    assert look is not None
    assert look.status is Status.OK and look.head == "a" * 40 and look.branch == "main"
    assert look.detail == "GitHub's GraphQL API answered for lab/model; HEAD is aaaaaaaaaaaa on main"
    assert look.metadata == Metadata(
        stars=12, forks=3, open_issues=3, description="Code for the paper.", homepage=None, default_branch="main",
        created_at=datetime(2022, 3, 1, 10, tzinfo=UTC), pushed_at=datetime(2026, 10, 1, 10, tzinfo=UTC),
        fork_parent=None, topics=("vision",), language="Python", license_spdx="MIT", latest_release="v1.1",
        latest_release_at=None, size_kb=420)
    assert [(f.spdx, f.source) for f in look.licenses] == [("MIT", "api")]
    assert (look.commits_90d, look.commits_365d, look.tags) == (5, 40, 2)


def test_a_release_wins_over_tags_and_noassertion_is_a_license_file_that_matched_nothing() -> None:
    release = {"tagName": "v2.0", "name": "", "publishedAt": "2026-01-02T00:00:00Z", "createdAt": None}
    [look] = parse_look({"r0": live(latestRelease=release, licenseInfo={"spdxId": "NOASSERTION"})}, [REF])
    assert look is not None
    assert (look.metadata.latest_release, look.metadata.latest_release_at) == ("v2.0", datetime(2026, 1, 2, tzinfo=UTC))
    assert look.metadata.license_spdx == "NOASSERTION"
    assert [(f.spdx, f.source) for f in look.licenses] == [(None, "api")]


def test_archived_and_empty_are_looks_and_everything_unplain_is_left_to_rest() -> None:
    answers = {
        "r0": live(isArchived=True),
        "r1": live(isEmpty=True, defaultBranchRef=None),
        "r2": None,  # not found, renamed (followRenames: false), blocked or private: REST tells which
        "r3": live(nameWithOwner="someone/else"),
        "r4": live(isDisabled=True),
        "r5": live(isPrivate=True),
        "r6": live(defaultBranchRef={"name": "main", "target": {"oid": "b" * 40}}),  # no counts: not understood
        "r7": "garbage",
    }
    refs = [REF] * len(answers)
    looks = parse_look(answers, refs)
    assert looks[0] is not None and looks[0].status is Status.ARCHIVED
    assert looks[1] is not None and looks[1].status is Status.EMPTY and looks[1].head is None
    assert looks[2:] == [None] * 6
    assert parse_look(None, [REF, REF]) == [None, None]


def test_history_gives_contributors_and_the_first_commit_only_when_it_is_all_there() -> None:
    [look] = parse_look({"r0": live()}, [REF])
    assert look is not None
    nodes = [{"committedDate": f"2026-0{month}-01T00:00:00Z", "author": {"email": email}}
             for month, email in ((9, "Ada@Lab.org"), (5, "ada@lab.org"), (2, "bo@lab.org"))]
    data = {"r0": {"head": {"history": {"totalCount": 3, "nodes": nodes}},
                   "b0": {"text": "torch==2.1\n", "isBinary": False},
                   "b1": {"text": None, "isBinary": True}},
            "r1": {"head": {"history": {"totalCount": 250, "nodes": nodes}}},
            "r2": None}
    requests = [ReadRequest(REF, "a" * 40, ("x" * 40, "y" * 40)), ReadRequest(REF, "a" * 40, ()),
                ReadRequest(REF, "a" * 40, ())]
    parsed, longer, unusable = parse_read(data, requests, text_cap=5)
    assert parsed is not None and longer is not None and unusable is None
    history, texts = parsed
    assert texts == ["torch", None]
    activity = history.activity(look)
    assert activity.contributors == 2
    assert activity.first_commit_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert activity.last_commit_at == datetime(2026, 10, 1, 9, 59, tzinfo=UTC)
    assert (activity.commits_90d, activity.commits_365d, activity.tags) == (5, 40, 2)
    assert longer[0].activity(look).first_commit_at is None
    assert parse_read(None, requests[:1], 10) == [None]


def test_read_query_asks_each_repository_head_and_blob_by_id() -> None:
    query, variables = read_query([ReadRequest(REF, "a" * 40, ("b" * 40, "c" * 40)),
                                   ReadRequest(RepoRef("github.com", "x", "y"), "d" * 40, ())])
    assert "b1: object(oid: $b0_1)" in query and variables["b0_1"] == "c" * 40 and variables["h0"] == "a" * 40
    assert "r1: repository(owner: $o1, name: $n1, followRenames: false)" in query and variables["n1"] == "y"
    with pytest.raises(ValueError):
        read_query([])


def test_files_in_a_tree_are_those_git_lists_and_texts_are_those_git_would_read() -> None:
    tree = [
        {"path": "README.md", "mode": "100644", "type": "blob", "sha": "1"},
        {"path": "src", "mode": "040000", "type": "tree", "sha": "2"},
        {"path": "src/train.py", "mode": "100644", "type": "blob", "sha": "3"},
        {"path": "env/requirements.txt", "mode": "100644", "type": "blob", "sha": "4"},
        {"path": "LICENSE", "mode": "120000", "type": "blob", "sha": "5"},  # a symlink: listed, never read
        {"path": "third", "mode": "160000", "type": "commit", "sha": "6"},  # a submodule: not a file
        {"path": "deep/er/requirements.txt", "mode": "100644", "type": "blob", "sha": "7"},
    ]
    paths, wanted = files_in(tree)
    assert paths == ("README.md", "src/train.py", "env/requirements.txt", "LICENSE", "deep/er/requirements.txt")
    # src/train.py: an entry-point script one folder down, read for the checklist items as git reads it.
    assert wanted == [("README.md", "1"), ("env/requirements.txt", "4"), ("src/train.py", "3")]


class _BatchingChecker:
    """Stands in for RepositoryChecker: GitHub refs are looked at in batches, a look decides the path,
    and every third looked repository leaves a read for its batch."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[int] = []
        self.reads: list[int] = []
        self.looked: list[str] = []
        self.plain: list[str] = []
        self.with_git: list[str] = []

    @staticmethod
    def looks_in_batches(ref: RepoRef) -> bool:
        return ref.host == "github.com"

    def look_many(self, refs: list[RepoRef]) -> list[Look | None]:
        with self.lock:
            self.batches.append(len(refs))
        [template] = parse_look({"r0": live()}, [REF])
        return [template if int(ref.name) % 3 else None for ref in refs]

    def check(self, ref: RepoRef) -> CheckedRepository:
        with self.lock:
            self.plain.append(ref.canonical)
        return self.judged(ref)

    def prepare(self, ref: RepoRef, look: Look) -> CheckedRepository | PendingRead:
        with self.lock:
            self.looked.append(ref.canonical)
        return PendingRead(ref, look, (), []) if int(ref.name) % 2 else self.judged(ref)

    def finish_many(self, pending: list[PendingRead]) -> list[CheckedRepository | PendingRead]:
        with self.lock:
            self.reads.append(len(pending))
        return [item if int(item.ref.name) % 5 == 0 else self.judged(item.ref) for item in pending]

    def finish_with_git(self, item: PendingRead) -> CheckedRepository:
        with self.lock:
            self.with_git.append(item.ref.canonical)
        return self.judged(item.ref)

    @staticmethod
    def judged(ref: RepoRef) -> CheckedRepository:
        facts = RepoFacts(ref=ref, status=Status.OK, detail="", checked_at=NOW)
        return CheckedRepository(facts=facts, results=(), health="alive", repro_score=None)


def test_check_many_looks_and_reads_github_repositories_in_batches_and_checks_the_rest_one_by_one() -> None:
    checker = _BatchingChecker()
    github = [RepoRef("github.com", "lab", str(number)) for number in range(LOOK_BATCH + 7)]
    others = [RepoRef("gitlab.com", "lab", str(number)) for number in range(4)]
    done = list(check_many(checker, [*github[:30], *others, *github[30:]], workers=4))  # type: ignore[arg-type]
    assert sorted(item.facts.ref.canonical for item in done) == sorted(r.canonical for r in [*github, *others])
    assert len(done) == len(github) + len(others)
    assert sorted(checker.batches) == [7, LOOK_BATCH]
    looked = [r for r in github if int(r.name) % 3]
    assert sorted(checker.looked) == sorted(r.canonical for r in looked)
    assert sorted(checker.reads) == sorted([sum(1 for r in looked if int(r.name) % 2 and int(r.name) < LOOK_BATCH),
                                            sum(1 for r in looked if int(r.name) % 2 and int(r.name) >= LOOK_BATCH)])
    assert sorted(checker.plain) == sorted([*(r.canonical for r in github if not int(r.name) % 3),
                                            *(r.canonical for r in others)])
    assert sorted(checker.with_git) == sorted(r.canonical for r in looked if int(r.name) % 2
                                              and int(r.name) % 5 == 0)
