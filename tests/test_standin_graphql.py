"""The stand-in's GraphQL API and git-trees endpoint, served from real git repositories.

The client's GraphQL path only pays off if the stand-in answers as GitHub
does: per-alias NOT_FOUND errors beside other aliases' data, a separate
budget, errors with status 200. These tests pin those rules down with the
very queries the client builds, over real HTTP, against repositories built
with real git and dated commits, so every count is exact.
"""

from __future__ import annotations

import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from clocks import EpochClock
from github.Requester import Requester
from gitrepos import CommitSpec, Executable, LocalRepo, Symlink, build_repo, empty_repo, ml_repo
from standin_github import Fault, StandinGitHub

from tracker.hosts.github_graphql import ReadRequest, look_query, read_query
from tracker.records import RepoRef

TOKEN = "standin-test-token"
NOW = datetime(2024, 12, 31, tzinfo=UTC)
DATES = [datetime(2023, 6, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC),
         datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 12, 15, tzinfo=UTC)]
BINARY = bytes(range(256))


def ref(full_name: str) -> RepoRef:
    owner, name = full_name.split("/")
    return RepoRef(host="github.com", owner=owner, name=name)


def rev_parse(repo: Path, revision: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", revision], capture_output=True, text=True,
                          check=True).stdout.strip()


def post(server: StandinGitHub, query: str, variables: dict[str, Any] | None = None,
         token: str | None = TOKEN, path: str = "/graphql") -> requests.Response:
    headers = {"Authorization": f"bearer {token}"} if token else {}
    return requests.post(server.url + path, json={"query": query, "variables": variables or {}},
                         headers=headers, timeout=5)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return tmp_path / "remote"


@pytest.fixture
def vision(remote: Path) -> LocalRepo:
    """Four commits on dated days (two in the last quarter before NOW, three in its year), one tag, a binary file."""
    commits = [CommitSpec(when=DATES[0], author="Ada", email="ada@example.org", message="initial"),
               CommitSpec(when=DATES[1], author="Bo", email="bo@example.org", changes={"weights.bin": BINARY}),
               CommitSpec(when=DATES[2], author="Ada", email="ada@example.org", changes={"notes.md": "n\n"}),
               CommitSpec(when=DATES[3], author="Cy", email="cy@example.org",
                          changes={"run.sh": Executable("#!/bin/sh\n"), "latest": Symlink("notes.md")})]
    return ml_repo(remote, "github.com/acme/vision", commits=commits, tags=("v1.0",))


def test_look_query_answers_the_live_repository_and_not_found_for_gone_and_renamed(remote: Path, vision: LocalRepo):
    """One alias failing must not cost the others their data, and the status stays 200:
    the client reads each alias on its own and sends the failed ones the REST way."""
    with StandinGitHub(git_root=remote, token=TOKEN) as server:
        server.add_repo("acme/vision", stars=42, forks=7, open_issues=3, topics=["vision", "dark"],
                        releases=[{"tag_name": "v1.0", "name": "First", "published_at": "2024-12-16T00:00:00Z"}])
        server.add_repo("acme/gone", answer=404)
        server.add_repo("acme/old")
        server.rename("acme/old", "acme/new")
        query, variables = look_query([ref("acme/vision"), ref("acme/gone"), ref("acme/old")], NOW)
        answer = post(server, query, variables)

    body = answer.json()
    live = body["data"]["r0"]
    assert answer.status_code == 200
    assert body["data"]["r1"] is None and body["data"]["r2"] is None
    assert [(e["type"], e["path"], e["message"]) for e in body["errors"]] == [
        ("NOT_FOUND", ["r1"], "Could not resolve to a Repository with the name 'acme/gone'."),
        ("NOT_FOUND", ["r2"], "Could not resolve to a Repository with the name 'acme/old'."),
    ]
    assert all(e["locations"] and set(e["locations"][0]) == {"line", "column"} for e in body["errors"])
    assert live["nameWithOwner"] == "acme/vision"
    assert (live["stargazerCount"], live["forkCount"], live["issues"], live["pullRequests"]) == (
        42, 7, {"totalCount": 3}, {"totalCount": 0})
    assert [n["topic"]["name"] for n in live["repositoryTopics"]["nodes"]] == ["vision", "dark"]
    assert live["latestRelease"] == {"tagName": "v1.0", "name": "First", "publishedAt": "2024-12-16T00:00:00Z",
                                     "createdAt": "2024-12-16T00:00:00Z"}
    assert live["licenseInfo"] == {"spdxId": "MIT"}
    assert (live["isEmpty"], live["isArchived"], live["diskUsage"]) == (False, False, 1024)
    assert live["refs"] == {"totalCount": 1, "nodes": [{"name": "v1.0"}]}
    head = live["defaultBranchRef"]
    assert head["name"] == "main"
    assert head["target"]["oid"] == rev_parse(vision.path, "HEAD") == vision.head
    assert head["target"]["committedDate"] == "2024-12-15T00:00:00Z"
    assert (head["target"]["quarter"]["totalCount"], head["target"]["year"]["totalCount"]) == (2, 3)


def test_follow_renames_resolves_an_old_name_unless_told_not_to(remote: Path, vision: LocalRepo):
    """GitHub's default follows renames; the client asks it not to, so that a move stays visible as one."""
    query = """query($follow: Boolean!) {
      repository(owner: "acme", name: "old-vision", followRenames: $follow) { nameWithOwner }
    }"""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/old-vision")
        server.rename("acme/old-vision", "acme/vision")
        followed = post(server, query, {"follow": True}).json()
        refused = post(server, query, {"follow": False}).json()

    assert followed == {"data": {"repository": {"nameWithOwner": "acme/vision"}}}
    assert refused["data"] == {"repository": None}
    assert refused["errors"][0]["type"] == "NOT_FOUND"


def test_private_blocked_and_gone_repositories_do_not_resolve(remote: Path, vision: LocalRepo):
    """GitHub shows a token nothing of what it may not see: all these are the same NOT_FOUND."""
    with StandinGitHub(git_root=remote) as server:
        for name, fields_ in {"acme/private": {"private": True}, "acme/dmca": {"answer": 451},
                              "acme/deleted": {"answer": 410}, "acme/tos": {"answer": 403}}.items():
            server.add_repo(name, **fields_)
        refs = [ref(name) for name in ("acme/private", "acme/dmca", "acme/deleted", "acme/tos")]
        query, variables = look_query(refs, NOW)
        body = post(server, query, variables).json()

    assert body["data"] == {"r0": None, "r1": None, "r2": None, "r3": None}
    assert [e["type"] for e in body["errors"]] == ["NOT_FOUND"] * 4


def test_license_parent_and_scripted_tags_map_from_the_standin_repo(remote: Path):
    """Git has no tags here, so the tag count falls back to the scripted ones; licenses
    follow GitHub's shapes (NOASSERTION for an unrecognised license, null for none)."""
    build_repo(remote, "github.com/acme/fork", {"README.md": "# fork\n"})
    build_repo(remote, "github.com/acme/bare", {"README.md": "# bare\n"})
    query = """{
      fork: repository(owner: "acme", name: "fork") {
        parent { nameWithOwner } licenseInfo { spdxId key name } homepageUrl isArchived
        refs(refPrefix: "refs/tags/", first: 2, orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
          totalCount nodes { name }
        }
      }
      bare: repository(owner: "acme", name: "bare") { licenseInfo { spdxId } latestRelease { tagName } primaryLanguage { name } }
    }"""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/fork", fork_parent="upstream/model", license="NOASSERTION", archived=True,
                        homepage="https://acme.example/fork", tags=["v3", "v2", "v1"])
        server.add_repo("acme/bare", license=None, language=None)
        data = post(server, query).json()["data"]

    assert data["fork"] == {
        "parent": {"nameWithOwner": "upstream/model"},
        "licenseInfo": {"spdxId": "NOASSERTION", "key": "other", "name": "Other"},
        "homepageUrl": "https://acme.example/fork",
        "isArchived": True,
        "refs": {"totalCount": 3, "nodes": [{"name": "v3"}, {"name": "v2"}]},
    }
    assert data["bare"] == {"licenseInfo": None, "latestRelease": None, "primaryLanguage": None}


def test_read_query_returns_history_and_blob_texts_binary_as_null(remote: Path, vision: LocalRepo):
    """The client reads contributors from history and files from blob texts in one query;
    a binary file must say so rather than send its bytes as text."""
    readme = rev_parse(vision.path, "HEAD:README.md")
    weights = rev_parse(vision.path, "HEAD:weights.bin")
    with StandinGitHub(git_root=remote, token=TOKEN) as server:
        server.add_repo("acme/vision")
        query, variables = read_query([ReadRequest(ref("acme/vision"), vision.head, (readme, weights))])
        body = post(server, query, variables).json()

    repository = body["data"]["r0"]
    history = repository["head"]["history"]
    assert "errors" not in body
    assert history["totalCount"] == 4
    assert [n["committedDate"] for n in history["nodes"]] == [
        "2024-12-15T00:00:00Z", "2024-11-01T00:00:00Z", "2024-03-01T00:00:00Z", "2023-06-01T00:00:00Z"]
    assert [n["author"]["email"] for n in history["nodes"]] == [
        "cy@example.org", "ada@example.org", "bo@example.org", "ada@example.org"]
    assert repository["b0"] == {"text": (vision.path / "README.md").read_text(), "isBinary": False,
                                "byteSize": (vision.path / "README.md").stat().st_size, "isTruncated": False}
    assert repository["b1"] == {"text": None, "isBinary": True, "byteSize": 256, "isTruncated": False}


def test_history_since_until_and_first_count_all_matching_commits(remote: Path, vision: LocalRepo):
    """totalCount counts every matching commit, not the page, as the client's activity counts rely on."""
    query = """query($head: GitObjectID!) {
      repository(owner: "acme", name: "vision") {
        object(oid: $head) { ... on Commit {
          window: history(first: 1, since: "2024-01-01T00:00:00Z", until: "2024-11-30T00:00:00Z") {
            totalCount nodes { committedDate author { name email } }
          }
        } }
      }
    }"""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/vision")
        window = post(server, query, {"head": vision.head}).json()["data"]["repository"]["object"]["window"]

    assert window == {"totalCount": 2, "nodes": [{"committedDate": "2024-11-01T00:00:00Z",
                                                  "author": {"name": "Ada", "email": "ada@example.org"}}]}


def test_trees_and_blobs_read_through_object_expression(remote: Path, vision: LocalRepo):
    """Tree entries carry GitHub's integer modes and full paths, and lead on to their objects."""
    query = """{
      repository(owner: "acme", name: "vision") {
        object(expression: "main:configs") { ... on Tree { entries { name path type mode object { ... on Blob { text } } } } }
        root: object(expression: "HEAD:") { ... on Tree { entries { name mode type } } }
      }
    }"""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/vision")
        repository = post(server, query).json()["data"]["repository"]

    assert repository["object"]["entries"] == [{"name": "base.yaml", "path": "configs/base.yaml", "type": "blob",
                                                "mode": 0o100644, "object": {"text": "lr: 0.001\nepochs: 90\nseed: 0\n"}}]
    modes = {entry["name"]: (entry["type"], entry["mode"]) for entry in repository["root"]["entries"]}
    assert modes["run.sh"] == ("blob", 0o100755)
    assert modes["latest"] == ("blob", 0o120000)
    assert modes["configs"] == ("tree", 0o040000)


def test_default_branch_comes_from_git_and_repositories_without_commits_are_empty(remote: Path):
    """A repository's HEAD names its default branch; no git directory, or no commit, is GitHub's empty repository."""
    build_repo(remote, "github.com/acme/trunk", {"README.md": "# t\n"}, branch="trunk")
    empty_repo(remote, "github.com/acme/init-only")
    query = """{
      trunk: repository(owner: "acme", name: "trunk") { isEmpty diskUsage defaultBranchRef { name } }
      initOnly: repository(owner: "acme", name: "init-only") { isEmpty diskUsage defaultBranchRef { name } object(expression: "HEAD") { oid } }
      nothing: repository(owner: "acme", name: "no-git") { isEmpty defaultBranchRef { name } }
    }"""
    with StandinGitHub(git_root=remote) as server:
        for name in ("acme/trunk", "acme/init-only", "acme/no-git"):
            server.add_repo(name, default_branch="main")
        data = post(server, query).json()["data"]

    assert data["trunk"] == {"isEmpty": False, "diskUsage": 1024, "defaultBranchRef": {"name": "trunk"}}
    assert data["initOnly"] == {"isEmpty": True, "diskUsage": 0, "defaultBranchRef": None, "object": None}
    assert data["nothing"] == {"isEmpty": True, "defaultBranchRef": None}


def test_symlinked_repositories_are_read_once_until_head_moves(remote: Path, vision: LocalRepo):
    """The benchmark links 10,000 repositories to one template: reading git for each would measure the stand-in."""
    names = [f"acme/copy-{number}" for number in range(30)]
    for name in names:
        (remote / "github.com" / name).symlink_to(vision.path, target_is_directory=True)
    with StandinGitHub(git_root=remote) as server:
        for name in names:
            server.add_repo(name)
        query, variables = look_query([ref(name) for name in names], NOW)
        data = post(server, query, variables).json()["data"]
        reads_before = server.git_reads
        build_repo(remote, "github.com/acme/other", {"README.md": "# other\n"})
        server.add_repo("acme/other")
        other = post(server, '{ repository(owner: "acme", name: "other") { defaultBranchRef { name } } }').json()

    assert reads_before == 1
    assert server.git_reads == 2
    assert {data[f"r{i}"]["defaultBranchRef"]["target"]["oid"] for i in range(30)} == {vision.head}
    assert other["data"]["repository"]["defaultBranchRef"] == {"name": "main"}


def test_graphql_is_a_404_without_git_root_as_on_a_server_without_it():
    """The client falls back to REST on a 404 here; existing tests use the stand-in that way."""
    with StandinGitHub() as server:
        server.add_repo("acme/vision")
        answer = post(server, "{ rateLimit { remaining } }")

    assert answer.status_code == 404
    assert answer.json()["message"] == "Not Found" and "documentation_url" in answer.json()
    assert server.requests[-1].method == "POST" and server.requests[-1].status == 404


def test_enterprise_prefix_serves_graphql_where_pygithub_looks_for_it(remote: Path, vision: LocalRepo):
    """GitHub Enterprise serves REST under /api/v3 and GraphQL at /api/graphql; PyGithub derives one from the other."""
    with StandinGitHub(git_root=remote, prefix="/api/v3") as server:
        server.add_repo("acme/vision")
        query = '{ repository(owner: "acme", name: "vision") { nameWithOwner } }'
        served = post(server, query, path=Requester.get_graphql_prefix("/api/v3"))
        elsewhere = post(server, query, path="/graphql")

    assert server.graphql_path == "/api/graphql"
    assert served.json() == {"data": {"repository": {"nameWithOwner": "acme/vision"}}}
    assert elsewhere.status_code == 404


def test_graphql_requires_a_token_when_the_standin_has_one(remote: Path, vision: LocalRepo):
    """GitHub's GraphQL API has no anonymous access, unlike REST."""
    with StandinGitHub(git_root=remote, token=TOKEN) as server:
        server.add_repo("acme/vision")
        anonymous = post(server, "{ rateLimit { remaining } }", token=None)
        wrong = post(server, "{ rateLimit { remaining } }", token="not-it")
        right = post(server, "{ rateLimit { remaining } }")

    assert anonymous.status_code == 401
    assert anonymous.json()["message"] == "This endpoint requires you to be authenticated."
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Bad credentials")
    assert right.json() == {"data": {"rateLimit": {"remaining": 4999}}}


def test_graphql_budget_is_separate_from_rest_and_spent_answers_200_rate_limited(remote: Path, vision: LocalRepo):
    """At GitHub the two budgets are separate: a client must read the resource of the limit it hit."""
    clock = EpochClock()
    window_end = datetime.fromtimestamp(clock.now + 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with StandinGitHub(git_root=remote, clock=clock, graphql_rate_limit=100) as server:
        server.add_repo("acme/vision")
        first = post(server, "{ rateLimit { cost limit remaining used resetAt } }")
        rest = requests.get(f"{server.url}/repos/acme/vision", timeout=5)
        server.exhaust_graphql_rate_limit(reset_at=clock.now + 60)
        limited = post(server, "{ rateLimit { remaining } }")
        rest_meanwhile = requests.get(f"{server.url}/repos/acme/vision", timeout=5)
        budgets = requests.get(f"{server.url}/rate_limit", timeout=5).json()["resources"]
        clock.now += 61
        after = post(server, "{ rateLimit { remaining } }")

    assert first.json()["data"]["rateLimit"] == {"cost": 1, "limit": 100, "remaining": 99, "used": 1,
                                                 "resetAt": window_end}
    assert (first.headers["X-RateLimit-Resource"], first.headers["X-RateLimit-Remaining"]) == ("graphql", "99")
    assert (rest.headers["X-RateLimit-Resource"], rest.headers["X-RateLimit-Remaining"]) == ("core", "4999")
    assert limited.status_code == 200
    assert limited.json() == {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]}
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Reset"] == str(int(clock.now - 1))
    assert rest_meanwhile.status_code == 200
    assert budgets["graphql"]["remaining"] == 0 and budgets["core"]["remaining"] == 4998
    assert after.json() == {"data": {"rateLimit": {"remaining": 99}}}
    # Every answer counted but GET /rate_limit, which at GitHub costs nothing.
    assert [entry.path for entry in server.requests if not entry.rate_counted] == ["/rate_limit"]


def test_invalid_queries_answer_200_with_errors_and_no_data(remote: Path, vision: LocalRepo):
    """GitHub answers a query it cannot run with 200 and errors only; it costs no budget."""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/vision")
        syntax = post(server, "{ repository(owner: ")
        unknown = post(server, '{ repository(owner: "acme", name: "vision") { stars } }')
        missing_variable = post(server, "query($o: String!) { repository(owner: $o, name: \"x\") { name } }")
        budget = post(server, "{ rateLimit { remaining } }")

    for answer in (syntax, unknown, missing_variable):
        assert answer.status_code == 200
        assert "data" not in answer.json() and answer.json()["errors"]
    assert unknown.json()["errors"][0]["message"] == "Field 'stars' doesn't exist on type 'Repository'"
    assert budget.json()["data"]["rateLimit"]["remaining"] == 4998


def test_connections_need_first_or_last_at_most_100(remote: Path, vision: LocalRepo):
    """GitHub refuses an unbounded or oversized page; a client that forgets `first` must see it here first."""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/vision")
        unbounded = post(server, '{ repository(owner: "acme", name: "vision") { refs(refPrefix: "refs/tags/") { totalCount } } }')
        oversized = post(server, '{ repository(owner: "acme", name: "vision") { issues(first: 101) { totalCount } } }')

    assert unbounded.json()["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert unbounded.json()["data"] == {"repository": {"refs": None}}
    assert oversized.json()["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    assert oversized.json()["data"] == {"repository": None}


def test_faults_apply_to_graphql_like_to_rest(remote: Path, vision: LocalRepo):
    """The client's retries and fallbacks for GraphQL need the same misbehaviours as REST's."""
    query = '{ repository(owner: "acme", name: "vision") { nameWithOwner } }'
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/vision")
        server.inject(Fault("status", status=502, path="/graphql"))
        server.inject(Fault("malformed", path="/graphql"))
        server.inject(Fault("reset", path="/graphql"))
        bad_gateway = post(server, query)
        malformed = post(server, query)
        with pytest.raises(requests.exceptions.RequestException):
            post(server, query)
        recovered = post(server, query)
        rest = requests.get(f"{server.url}/repos/acme/vision", timeout=5)

    assert bad_gateway.status_code == 502
    assert malformed.status_code == 200
    with pytest.raises(ValueError):
        malformed.json()
    assert recovered.json() == {"data": {"repository": {"nameWithOwner": "acme/vision"}}}
    assert rest.status_code == 200
    assert [(e.method, e.status, e.rate_counted) for e in server.requests] == [
        ("POST", 502, True), ("POST", 200, True), ("POST", None, False), ("POST", 200, True), ("GET", 200, True)]


def test_slow_and_hanging_graphql_answers_are_held_and_ended_by_stop(remote: Path, vision: LocalRepo):
    """A client's timeout on GraphQL is only tested if the stand-in can hold a POST back, and let go at `stop`."""
    query = b'{"query": "{ rateLimit { remaining } }"}'
    server = StandinGitHub(git_root=remote, max_hold=30.0).start()
    server.inject(Fault("slow", seconds=0.01, path="/graphql"))
    slow = post(server, "{ rateLimit { remaining } }")
    held_slow = server.holding.is_set()
    server.holding.clear()
    server.inject(Fault("hang", path="/graphql"))
    hanging = socket.create_connection(("127.0.0.1", server.port))
    hanging.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(query), query))
    assert server.holding.wait(5)
    server.stop()

    hanging.settimeout(2)
    assert held_slow and slow.json() == {"data": {"rateLimit": {"remaining": 4999}}}
    assert hanging.recv(100) == b""
    assert [(e.method, e.status) for e in server.requests] == [("POST", 200), ("POST", None)]
    hanging.close()


def test_git_trees_recursive_and_top_level_in_githubs_shape(remote: Path, vision: LocalRepo):
    """The client lists a repository's files with one request; modes are strings there, unlike GraphQL."""
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/vision")
        recursive = requests.get(f"{server.url}/repos/acme/vision/git/trees/main?recursive=1", timeout=5)
        top = requests.get(f"{server.url}/repos/acme/vision/git/trees/{vision.head}", timeout=5)
        again = requests.get(f"{server.url}/repos/acme/vision/git/trees/main?recursive=1", timeout=5,
                             headers={"If-None-Match": recursive.headers["ETag"]})
        unknown = requests.get(f"{server.url}/repos/acme/vision/git/trees/{'0' * 40}", timeout=5)

    tree_sha = rev_parse(vision.path, "HEAD^{tree}")
    body = recursive.json()
    entries = {entry["path"]: entry for entry in body["tree"]}
    assert recursive.status_code == 200
    assert (body["sha"], body["truncated"]) == (tree_sha, False)
    assert body["url"] == f"{server.url}/repos/acme/vision/git/trees/{tree_sha}"
    assert entries["configs/base.yaml"] == {
        "path": "configs/base.yaml", "mode": "100644", "type": "blob",
        "sha": rev_parse(vision.path, "HEAD:configs/base.yaml"), "size": 29,
        "url": f"{server.url}/repos/acme/vision/git/blobs/{rev_parse(vision.path, 'HEAD:configs/base.yaml')}"}
    assert {path: (e["mode"], e["type"]) for path, e in entries.items()
            if path in ("configs", "run.sh", "latest", "weights.bin")} == {
        "configs": ("040000", "tree"), "run.sh": ("100755", "blob"), "latest": ("120000", "blob"),
        "weights.bin": ("100644", "blob")}
    assert "size" not in entries["configs"]
    assert top.json()["sha"] == tree_sha
    assert "configs" in {e["path"] for e in top.json()["tree"]}
    assert not any("/" in e["path"] for e in top.json()["tree"])
    assert (again.status_code, unknown.status_code) == (304, 404)
    assert unknown.json()["message"] == "Not Found"
    assert server.rate_counted == 4  # without a token the 304 counts too


def test_git_trees_submodule_entries_are_commits(remote: Path, vision: LocalRepo):
    """A submodule is a gitlink (mode 160000, type commit) with no size: the client must not fetch it as a file."""
    outer = build_repo(remote, "github.com/acme/outer", {"README.md": "# outer\n"})
    subprocess.run(["git", "-C", str(outer.path), "update-index", "--add", "--cacheinfo",
                    f"160000,{vision.head},vendor/vision"], check=True)
    subprocess.run(["git", "-C", str(outer.path), "-c", "user.name=A", "-c", "user.email=a@example.org",
                    "commit", "-q", "-m", "submodule"], check=True)
    with StandinGitHub(git_root=remote) as server:
        server.add_repo("acme/outer")
        tree = requests.get(f"{server.url}/repos/acme/outer/git/trees/main?recursive=1", timeout=5).json()

    assert {"path": "vendor/vision", "mode": "160000", "type": "commit", "sha": vision.head} in tree["tree"]


def test_git_trees_truncates_over_the_knob_and_answers_409_when_empty(remote: Path, vision: LocalRepo):
    """A huge repository's listing comes back truncated at GitHub; the client must notice, not trust it."""
    empty_repo(remote, "github.com/acme/empty")
    with StandinGitHub(git_root=remote, tree_truncate_over=3) as server:
        server.add_repo("acme/vision")
        server.add_repo("acme/empty")
        truncated = requests.get(f"{server.url}/repos/acme/vision/git/trees/main?recursive=1", timeout=5).json()
        empty = requests.get(f"{server.url}/repos/acme/empty/git/trees/main", timeout=5)

    full = subprocess.run(["git", "-C", str(vision.path), "ls-tree", "-r", "-t", "--name-only", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert truncated["truncated"] is True
    assert [entry["path"] for entry in truncated["tree"]] == full[:3]
    assert (empty.status_code, empty.json()["message"]) == (409, "Git Repository is empty.")


def test_git_trees_is_a_404_without_git_root():
    """Without repositories to read, the stand-in does not pretend to have trees."""
    with StandinGitHub() as server:
        server.add_repo("acme/vision")
        answer = requests.get(f"{server.url}/repos/acme/vision/git/trees/main", timeout=5)
    assert answer.status_code == 404


def test_a_query_costs_what_githubs_published_formula_says() -> None:
    """GitHub's own example: 1 + 100 + 5,000 requests, divided by 100 and rounded: 51 points; at least 1."""
    import graphql
    from standin_graphql import query_cost

    example = """query { viewer { login repositories(first: 100) { edges { node { id
        issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } } }"""
    assert query_cost(graphql.parse(example), {}) == 51
    assert query_cost(graphql.parse("query { viewer { login } }"), {}) == 1
    spread = """query($n: Int!) { a: repository(owner: "o", name: "a") { ...R } b: repository(owner: "o", name: "b") { ...R } }
        fragment R on Repository { refs(refPrefix: "refs/tags/", first: $n) { totalCount } }"""
    assert query_cost(graphql.parse(spread), {"n": 1}) == 1  # 2 requests: 0.02, at least 1


def test_a_look_at_a_whole_batch_costs_three_points() -> None:
    import graphql
    from standin_graphql import query_cost

    from tracker.hosts.github_graphql import LOOK_BATCH, look_query
    from tracker.records import RepoRef

    refs = [RepoRef("github.com", "lab", f"r{n}") for n in range(LOOK_BATCH)]
    query, variables = look_query(refs, datetime(2026, 11, 27, tzinfo=UTC))
    # 50 repositories x 5 connections (tags, releases, three history counts) = 250 requests: 3 points.
    assert query_cost(graphql.parse(query), variables) == 3
