"""The stand-in GitHub's GraphQL API: `GRAPHQL_SCHEMA` and its resolvers.

Why a module of its own: the schema, its resolvers and GitHub's GraphQL rules
(pagination limits, error shapes, ``NOT_FOUND`` aliases next to data) are a
whole apart from the REST server, and only they need graphql-core, imported on
first use so that REST-only users do without it. The resolvers read the
`standin_github.StandinGitHub` that `run_graphql` is given and git through
`standin_git`; this module imports standin_github for type checking only, so
the dependency runs one way: standin_github -> standin_graphql -> standin_git.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from standin_git import HEX, GitCommit, GitSnapshot

if TYPE_CHECKING:
    from standin_github import StandinGitHub, StandinRepo

# GitHub's license objects for the identifiers tests use, in REST's answers
# (`standin_github`) as in GraphQL's; others get a key derived from the
# identifier, as GitHub's own keys are lowercase SPDX ids.
LICENSES = {
    "MIT": ("mit", "MIT License"),
    "Apache-2.0": ("apache-2.0", "Apache License 2.0"),
    "GPL-3.0": ("gpl-3.0", "GNU General Public License v3.0"),
    "BSD-3-Clause": ("bsd-3-clause", 'BSD 3-Clause "New" or "Revised" License'),
    "BSD-2-Clause": ("bsd-2-clause", 'BSD 2-Clause "Simplified" License'),
    "CC-BY-4.0": ("cc-by-4.0", "Creative Commons Attribution 4.0 International"),
    "NOASSERTION": ("other", "Other"),
}


# A subset of GitHub's public schema (https://docs.github.com/graphql/reference):
# names, arguments, nullability and enums as GitHub has them. What is not here
# fails validation, as an unknown field does at GitHub.
GRAPHQL_SCHEMA = """
scalar DateTime
scalar GitTimestamp
scalar GitObjectID
scalar URI

enum IssueState { OPEN CLOSED }
enum PullRequestState { OPEN CLOSED MERGED }
enum OrderDirection { ASC DESC }
enum RefOrderField { TAG_COMMIT_DATE ALPHABETICAL }
input RefOrder { field: RefOrderField! direction: OrderDirection! }

type Query {
  repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  rateLimit(dryRun: Boolean = false): RateLimit
}

type RateLimit { cost: Int! limit: Int! remaining: Int! resetAt: DateTime! used: Int! }

type Repository {
  name: String!
  nameWithOwner: String!
  url: URI!
  isArchived: Boolean!
  isDisabled: Boolean!
  isEmpty: Boolean!
  isFork: Boolean!
  isPrivate: Boolean!
  stargazerCount: Int!
  forkCount: Int!
  issues(states: [IssueState!], first: Int, last: Int): IssueConnection!
  pullRequests(states: [PullRequestState!], first: Int, last: Int): PullRequestConnection!
  description: String
  homepageUrl: URI
  createdAt: DateTime!
  pushedAt: DateTime
  updatedAt: DateTime!
  diskUsage: Int
  parent: Repository
  primaryLanguage: Language
  repositoryTopics(first: Int, last: Int): RepositoryTopicConnection!
  licenseInfo: License
  latestRelease: Release
  refs(refPrefix: String!, first: Int, last: Int, orderBy: RefOrder): RefConnection
  defaultBranchRef: Ref
  object(oid: GitObjectID, expression: String): GitObject
}

type IssueConnection { totalCount: Int! }
type PullRequestConnection { totalCount: Int! }
type RepositoryTopicConnection { totalCount: Int! nodes: [RepositoryTopic] }
type RepositoryTopic { topic: Topic! }
type Topic { name: String! }
type Language { name: String! }
type License { key: String! name: String! spdxId: String url: URI }
type Release { tagName: String! name: String publishedAt: DateTime createdAt: DateTime! isDraft: Boolean! isPrerelease: Boolean! }
type RefConnection { totalCount: Int! nodes: [Ref] }
type Ref { name: String! prefix: String! target: GitObject }

interface GitObject { abbreviatedOid: String! oid: GitObjectID! }
type GitActor { name: String email: String date: GitTimestamp }
type Commit implements GitObject {
  abbreviatedOid: String!
  oid: GitObjectID!
  committedDate: DateTime!
  authoredDate: DateTime!
  message: String!
  messageHeadline: String!
  author: GitActor
  committer: GitActor
  tree: Tree!
  history(first: Int, last: Int, since: GitTimestamp, until: GitTimestamp): CommitHistoryConnection!
}
type CommitHistoryConnection { totalCount: Int! nodes: [Commit] }
type Tree implements GitObject { abbreviatedOid: String! oid: GitObjectID! entries: [TreeEntry!] }
type TreeEntry { name: String! path: String type: String! mode: Int! oid: GitObjectID! size: Int! object: GitObject }
type Blob implements GitObject {
  abbreviatedOid: String! oid: GitObjectID! byteSize: Int! isBinary: Boolean isTruncated: Boolean! text: String
}
type Tag implements GitObject { abbreviatedOid: String! oid: GitObjectID! name: String! message: String target: GitObject! }
"""

PAGE_LIMIT = 100  # GitHub's largest `first` or `last`


@functools.cache
def _graphql_schema() -> Any:
    """Built on first use, so that REST-only users do not need graphql-core."""
    import graphql

    schema = graphql.build_schema(GRAPHQL_SCHEMA)
    schema.type_map["GitObject"].resolve_type = lambda value, _info, _type: value.typename
    return schema


def _graphql_error(message: str, type_: str) -> Exception:
    import graphql

    return graphql.GraphQLError(message, extensions={"type": type_})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _page(items: list[Any], connection: str, first: int | None, last: int | None,
          required: bool = True) -> list[Any]:
    """GitHub's pagination rules: `first` or `last` required on most connections, at most 100."""
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= PAGE_LIMIT:
            raise _graphql_error(f"Requesting {value} records on the `{connection}` connection exceeds the "
                                 f"`{name}` limit of {PAGE_LIMIT} records.", "EXCESSIVE_PAGINATION")
    if first is None and last is None:
        if required:
            raise _graphql_error(f"You must provide a `first` or `last` value to properly paginate the "
                                 f"`{connection}` connection.", "MISSING_PAGINATION_BOUNDARIES")
        first = PAGE_LIMIT
    if first is not None:
        return items[:first]
    return items[len(items) - last:] if last else []


def _timestamp(value: str, argument: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _graphql_error(f"Argument '{argument}' on Field 'history' has an invalid value ({value!r}). "
                             "Expected type 'GitTimestamp'.", "INVALID_ARGUMENTS") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _git_object(snapshot: GitSnapshot, oid: str, path: str = "") -> Any:
    """The node for object `oid`, by its type; None when the repository does not have it."""
    if oid in snapshot.commits:
        return _CommitNode(snapshot, snapshot.commits[oid])
    found = snapshot.lookup(oid)
    if found is None:
        return None
    full, kind, size = found
    if kind == "commit":
        commit = snapshot.commits.get(full)
        return _CommitNode(snapshot, commit) if commit is not None else None
    if kind == "tree":
        return _TreeNode(snapshot, full, path)
    if kind == "blob":
        return _BlobNode(snapshot, full, size)
    if kind == "tag":
        return _TagNode(snapshot, full)
    return None


class _GitObjectNode:
    typename = ""
    oid = ""

    @property
    def abbreviatedOid(self) -> str:  # noqa: N802 (GitHub's field names)
        return self.oid[:7]


class _CommitNode(_GitObjectNode):
    typename = "Commit"

    def __init__(self, snapshot: GitSnapshot, commit: GitCommit) -> None:
        self._snapshot = snapshot
        self._commit = commit
        self.oid = commit.oid
        self.committedDate = _iso(commit.committed)
        self.authoredDate = _iso(commit.authored)
        self.message = commit.message.rstrip("\n")
        self.messageHeadline = self.message.split("\n", 1)[0]
        self.author = {"name": commit.author[0], "email": commit.author[1], "date": self.authoredDate}
        self.committer = {"name": commit.committer[0], "email": commit.committer[1], "date": self.committedDate}

    @property
    def tree(self) -> _TreeNode:
        return _TreeNode(self._snapshot, self._commit.tree, "")

    def history(self, _info: Any, first: int | None = None, last: int | None = None,
                since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """Newest committer date first; `since` and `until` bound the committer date, as at GitHub."""
        commits = self._snapshot.history(self.oid)
        if since is not None:
            start = _timestamp(since, "since")
            commits = [c for c in commits if c.committed >= start]
        if until is not None:
            end = _timestamp(until, "until")
            commits = [c for c in commits if c.committed <= end]
        page = _page(commits, "history", first, last, required=False)
        return {"totalCount": len(commits), "nodes": [_CommitNode(self._snapshot, c) for c in page]}


class _TreeNode(_GitObjectNode):
    typename = "Tree"

    def __init__(self, snapshot: GitSnapshot, oid: str, path: str) -> None:
        self._snapshot = snapshot
        self.oid = oid
        self._path = path

    @property
    def entries(self) -> list[dict[str, Any]]:
        snapshot = self._snapshot
        entries = []
        for item in snapshot.tree(self.oid, recursive=False):
            path = f"{self._path}/{item.path}" if self._path else item.path
            entries.append({
                "name": item.path, "path": path, "type": item.type, "mode": int(item.mode, 8),
                "oid": item.oid, "size": item.size or 0,
                "object": None if item.type == "commit"
                else functools.partial(lambda _info, oid, path: _git_object(snapshot, oid, path), oid=item.oid,
                                       path=path),
            })
        return entries


class _BlobNode(_GitObjectNode):
    typename = "Blob"

    def __init__(self, snapshot: GitSnapshot, oid: str, size: int) -> None:
        self._snapshot = snapshot
        self.oid = oid
        self.byteSize = size
        self.isTruncated = False

    @property
    def isBinary(self) -> bool:  # noqa: N802
        return b"\0" in self._snapshot.blob(self.oid)

    @property
    def text(self) -> str | None:
        data = self._snapshot.blob(self.oid)
        return None if b"\0" in data else data.decode("utf-8", "replace")


class _TagNode(_GitObjectNode):
    typename = "Tag"

    def __init__(self, snapshot: GitSnapshot, oid: str) -> None:
        self._snapshot = snapshot
        self.oid = oid
        self.name, self._target, self.message = snapshot.tag(oid)

    @property
    def target(self) -> Any:
        return _git_object(self._snapshot, self._target)


class _RepositoryNode:
    """A `StandinRepo` (a copy) seen through GraphQL, its content from git."""

    def __init__(self, standin: StandinGitHub, repo: StandinRepo) -> None:
        self._standin = standin
        self._repo = repo
        self._git_read = False
        self._git: GitSnapshot | None = None
        self.name = repo.name
        self.nameWithOwner = repo.full_name
        self.url = f"https://github.com/{repo.full_name}"
        self.isArchived = repo.archived
        self.isDisabled = repo.disabled
        self.isFork = repo.fork_parent is not None
        self.isPrivate = repo.private
        self.stargazerCount = repo.stars
        self.forkCount = repo.forks
        self.description = repo.description
        self.homepageUrl = repo.homepage
        self.createdAt = repo.created_at
        self.pushedAt = repo.pushed_at
        self.updatedAt = repo.updated_at
        self.primaryLanguage = {"name": repo.language} if repo.language else None

    @property
    def git(self) -> GitSnapshot | None:
        if not self._git_read:
            self._git = self._standin._git_snapshot(self._repo.full_name)
            self._git_read = True
        return self._git

    @property
    def isEmpty(self) -> bool:  # noqa: N802
        return self.git is None

    @property
    def diskUsage(self) -> int:  # noqa: N802
        return 0 if self.git is None else self._repo.size

    def issues(self, _info: Any, states: list[str] | None = None, first: int | None = None,
               last: int | None = None) -> dict[str, int]:
        _page([], "issues", first, last)
        return {"totalCount": self._repo.open_issues if states is None or "OPEN" in states else 0}

    def pullRequests(self, _info: Any, states: list[str] | None = None, first: int | None = None,  # noqa: N802
                     last: int | None = None) -> dict[str, int]:
        _page([], "pullRequests", first, last)
        return {"totalCount": 0}

    @property
    def parent(self) -> _RepositoryNode | None:
        if self._repo.fork_parent is None:
            return None
        with self._standin._lock:
            found = self._standin._find(self._repo.fork_parent)
            parent = replace(found) if found is not None else type(self._repo)(full_name=self._repo.fork_parent)
        return _RepositoryNode(self._standin, parent)

    def repositoryTopics(self, _info: Any, first: int | None = None,  # noqa: N802
                         last: int | None = None) -> dict[str, Any]:
        topics = list(self._repo.topics)
        return {"totalCount": len(topics),
                "nodes": [{"topic": {"name": t}} for t in _page(topics, "repositoryTopics", first, last)]}

    @property
    def licenseInfo(self) -> dict[str, Any] | None:  # noqa: N802
        spdx = self._repo.license
        if spdx is None:
            return None
        key, name = LICENSES.get(spdx, (spdx.lower(), spdx))
        return {"key": key, "name": name, "spdxId": spdx,
                "url": None if spdx == "NOASSERTION" else f"http://choosealicense.com/licenses/{key}/"}

    @property
    def latestRelease(self) -> dict[str, Any] | None:  # noqa: N802
        """The newest published release that is neither a draft nor a prerelease, as REST's ``releases/latest``."""
        published = [r for r in self._repo.releases if not r.get("draft") and not r.get("prerelease")]
        if not published:
            return None
        latest = max(published, key=lambda r: r["published_at"])
        return {"tagName": latest["tag_name"], "name": latest.get("name"), "publishedAt": latest["published_at"],
                "createdAt": latest["published_at"], "isDraft": False, "isPrerelease": False}

    def refs(self, _info: Any, refPrefix: str, first: int | None = None,  # noqa: N803
             last: int | None = None, orderBy: dict[str, str] | None = None) -> dict[str, Any]:
        """Refs under `refPrefix` from git; tags scripted on the `StandinRepo` when git has none."""
        snapshot = self.git
        found: list[tuple[str, float, Any]] = []  # name, commit time, target
        if snapshot is not None:
            for refname, oid, peeled in snapshot.refs:
                if refname.startswith(refPrefix):
                    commit = snapshot.commits.get(peeled or oid)
                    when = commit.committed.timestamp() if commit is not None else 0.0
                    found.append((refname[len(refPrefix):], when,
                                  functools.partial(lambda _info, oid: _git_object(snapshot, oid), oid=oid)))
        if not found and refPrefix == "refs/tags/":
            count = len(self._repo.tags)
            found = [(tag, float(count - index), None) for index, tag in enumerate(self._repo.tags)]
        field_ = (orderBy or {}).get("field", "ALPHABETICAL")
        found.sort(key=(lambda ref: (ref[1], ref[0])) if field_ == "TAG_COMMIT_DATE" else (lambda ref: ref[0]))
        if (orderBy or {}).get("direction") == "DESC":
            found.reverse()
        page = _page(found, "refs", first, last)
        return {"totalCount": len(found),
                "nodes": [{"name": name, "prefix": refPrefix, "target": target} for name, _, target in page]}

    @property
    def defaultBranchRef(self) -> dict[str, Any] | None:  # noqa: N802
        snapshot = self.git
        if snapshot is None:
            return None
        return {"name": snapshot.branch or self._repo.default_branch, "prefix": "refs/heads/",
                "target": _git_object(snapshot, snapshot.head)}

    def object(self, _info: Any, oid: str | None = None, expression: str | None = None) -> Any:
        snapshot = self.git
        if snapshot is None:
            return None
        if oid is not None:
            return _git_object(snapshot, oid) if HEX.fullmatch(oid) else None
        if expression is not None:
            found = snapshot.lookup(expression)
            path = expression.partition(":")[2].strip("/") if ":" in expression else ""
            return _git_object(snapshot, found[0], path) if found is not None else None
        return None


class _QueryRoot:
    def __init__(self, standin: StandinGitHub, cost: int = 1) -> None:
        self._standin = standin
        self._cost = cost

    def repository(self, _info: Any, owner: str, name: str, followRenames: bool = True) -> _RepositoryNode:  # noqa: N803
        """As GitHub: gone, blocked, private (to this token) and, without `followRenames`,
        renamed repositories are "Could not resolve" errors; the other aliases keep their data."""
        standin = self._standin
        full_name = f"{owner}/{name}"
        with standin._lock:
            repo = standin._find(full_name)
            if repo is None and followRenames:
                repo = standin._repos.get(standin._redirects.get(full_name.lower(), -1))
            if repo is not None and repo.answer == 200 and not repo.private:
                repo = replace(repo, releases=list(repo.releases), tags=list(repo.tags), topics=list(repo.topics))
            else:
                repo = None
        if repo is None:
            raise _graphql_error(f"Could not resolve to a Repository with the name '{full_name}'.", "NOT_FOUND")
        return _RepositoryNode(standin, repo)

    def rateLimit(self, _info: Any, dryRun: bool = False) -> dict[str, Any]:  # noqa: N802, N803
        limit, remaining, reset = self._standin._budget("graphql")
        return {"cost": self._cost, "limit": limit, "remaining": remaining, "used": limit - remaining,
                "resetAt": _iso(datetime.fromtimestamp(reset, UTC))}


def _resolve(source: Any, info: Any, **args: Any) -> Any:
    """Fields are attributes or keys; a callable one is called with the field's arguments."""
    name = info.field_name
    value = source.get(name) if isinstance(source, dict) else getattr(source, name, None)
    return value(info, **args) if callable(value) else value


def _format_error(error: Any) -> dict[str, Any]:
    """GitHub's error shape: ``type`` at the top (NOT_FOUND, ...), then path, locations and message."""
    extensions = dict(error.extensions or {})
    formatted: dict[str, Any] = {}
    if "type" in extensions:
        formatted["type"] = extensions.pop("type")
    if error.path:
        formatted["path"] = list(error.path)
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    message = error.message
    unknown = re.fullmatch(r"Cannot query field '(\w+)' on type '(\w+)'\.(?: Did you mean .*)?", message)
    if unknown:
        message = f"Field '{unknown[1]}' doesn't exist on type '{unknown[2]}'"
        extensions = {"code": "undefinedField", "typeName": unknown[2], "fieldName": unknown[1]}
    formatted["message"] = message
    if extensions:
        formatted["extensions"] = extensions
    return formatted


@functools.lru_cache(maxsize=256)
def _parsed(query: str) -> tuple[Any, list[dict[str, Any]]]:
    """(document, formatted errors) for a query text: a client sends the same few texts
    thousands of times, and graphql-core's validation costs more than running them."""
    import graphql

    try:
        document = graphql.parse(query)
    except graphql.GraphQLError as error:
        return None, [_format_error(error)]
    return document, [_format_error(error) for error in graphql.validate(_graphql_schema(), document)]


def query_cost(document: Any, variables: dict[str, Any], operation: str | None = None) -> int:
    """The points a query costs, by GitHub's published formula ("Predicting the point value of a query"):
    every connection (a field given `first` or `last`) needs one request per node its parent connections
    may return (each assumed full); the requests are summed, divided by 100 and rounded, at least 1."""
    import graphql

    fragments = {d.name.value: d for d in document.definitions if isinstance(d, graphql.FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    chosen = next((d for d in operations if operation is None or (d.name and d.name.value == operation)),
                  operations[0] if operations else None)

    def size(field: Any) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value in ("first", "last"):
                return int(graphql.value_from_ast_untyped(argument.value, variables) or 0)
        return None

    def requests(selections: Any, parents: int) -> int:
        total = 0
        for selection in selections.selections if selections is not None else ():
            if isinstance(selection, graphql.FragmentSpreadNode):
                total += requests(fragments[selection.name.value].selection_set, parents)
            elif isinstance(selection, graphql.InlineFragmentNode):
                total += requests(selection.selection_set, parents)
            else:
                nodes = size(selection)
                if nodes is None:
                    total += requests(selection.selection_set, parents)
                else:
                    total += parents + requests(selection.selection_set, parents * nodes)
        return total

    needed = requests(chosen.selection_set, 1) if chosen is not None else 0
    return max(1, int(needed / 100 + 0.5))


def run_graphql(standin: StandinGitHub, query: str, variables: dict[str, Any],
                 operation: str | None) -> dict[str, Any]:
    """The answer's body. A query that does not parse or validate costs nothing and
    gets ``errors`` without ``data``; one that runs costs its points (`query_cost`) of GraphQL's budget."""
    import graphql

    schema = _graphql_schema()
    document, invalid = _parsed(query)
    if invalid:
        return {"errors": invalid}
    cost = query_cost(document, variables, operation)
    standin._budget("graphql", spend=cost)
    standin.graphql_points += cost
    result = graphql.execute(schema, document, root_value=_QueryRoot(standin, cost), variable_values=variables,
                             operation_name=operation, field_resolver=_resolve)
    if isinstance(result, Awaitable):
        raise TypeError("the stand-in's resolvers are synchronous")
    body: dict[str, Any] = {}
    if result.data is not None:
        body["data"] = result.data
    if result.errors:
        body["errors"] = [_format_error(error) for error in result.errors]
    return body
