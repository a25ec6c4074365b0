"""GitHub's GraphQL API: what one query tells about many repositories at once, as pure functions.

Why GraphQL at all: the REST API needs two or three requests per repository
(the repository, its latest release, its tags) and git needs a clone to see
the files, which on a first run over a conference's thousand repositories is
where the time goes. One GraphQL query answers the "look" for up to
`LOOK_BATCH` repositories (metadata, release, tag count, default branch head
and its commit counts) in one request against GraphQL's own budget (a few
points of its 5,000 an hour). A second query, `read_query`, reads the latest
commits and the few texts checks need for a batch of repositories whose trees
are known (see `tracker.hosts.github_content`).

GraphQL only ever speeds up the plain case. Anything else (a repository that
is not found, renamed, blocked, disabled, private, or an answer we do not
understand) goes the REST and git way, whose answers are the evidence for
`missing`, `moved` and `blocked`: `parse_look` returns None for such a
repository and the caller checks it as before.

The queries here use GitHub's schema as documented (field and argument names
as GitHub spells them; every connection gets `first`, which GitHub requires
even for a bare ``totalCount``); the test stand-in executes them against that
schema's subset with graphql-core, so a misspelt field fails a test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tracker.hosts.git_read import HISTORY_DEPTH as GIT_HISTORY_DEPTH
from tracker.hosts.github_metadata import NOASSERTION, parse_timestamp
from tracker.records import Activity, LicenseFinding, Metadata, RepoRef, Status

# Repositories per look query. GitHub allows 100; 50 keeps an answer small.
LOOK_BATCH = 50
# Commits read per repository for contributors and the first commit date; git counts as many (one meaning per fact).
HISTORY_DEPTH = GIT_HISTORY_DEPTH

_LOOK_FIELDS = """
fragment Look on Repository {
  nameWithOwner
  isArchived
  isDisabled
  isEmpty
  isPrivate
  stargazerCount
  forkCount
  issues(states: [OPEN], first: 1) { totalCount }
  pullRequests(states: [OPEN], first: 1) { totalCount }
  description
  homepageUrl
  createdAt
  pushedAt
  diskUsage
  parent { nameWithOwner }
  primaryLanguage { name }
  repositoryTopics(first: 20) { nodes { topic { name } } }
  licenseInfo { spdxId }
  latestRelease { tagName name publishedAt createdAt }
  refs(refPrefix: "refs/tags/", first: 1, orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
    totalCount
    nodes { name }
  }
  defaultBranchRef {
    name
    target {
      ... on Commit {
        oid
        committedDate
        quarter: history(since: $quarter, first: 1) { totalCount }
        year: history(since: $year, first: 1) { totalCount }
      }
    }
  }
}
"""


def look_query(refs: Sequence[RepoRef], now: datetime) -> tuple[str, dict[str, Any]]:
    """One query for `refs` (1 to 100, GitHub's bound; `LOOK_BATCH` is ours), aliased ``r0``, ``r1``, ... in order.

    Owners and names travel as variables, never spliced into the query text.
    """
    if not 0 < len(refs) <= 100:
        raise ValueError(f"a look query takes 1 to 100 repositories, not {len(refs)}")
    declarations = ["$quarter: GitTimestamp!", "$year: GitTimestamp!"]
    selections = []
    variables: dict[str, Any] = {
        "quarter": _timestamp(now - timedelta(days=90)),
        "year": _timestamp(now - timedelta(days=365)),
    }
    for index, ref in enumerate(refs):
        declarations += [f"$o{index}: String!", f"$n{index}: String!"]
        selections.append(f"  r{index}: repository(owner: $o{index}, name: $n{index}, followRenames: false) "
                          "{ ...Look }")
        variables[f"o{index}"] = ref.owner
        variables[f"n{index}"] = ref.name
    query = f"query Look({', '.join(declarations)}) {{\n" + "\n".join(selections) + "\n}\n" + _LOOK_FIELDS
    return query, variables


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """What to read of one repository: its history at `head` and the blobs (object ids) checks read."""

    ref: RepoRef
    head: str
    blobs: tuple[str, ...]


def read_query(requests: Sequence[ReadRequest]) -> tuple[str, dict[str, Any]]:
    """One query for several repositories' histories and texts, aliased ``r0``, ``r1``, ... and
    within each ``head``, ``b0``, ``b1``, ... in order."""
    if not requests:
        raise ValueError("a read query takes at least one repository")
    declarations = []
    selections = []
    variables: dict[str, Any] = {}
    for index, request in enumerate(requests):
        declarations += [f"$o{index}: String!", f"$n{index}: String!", f"$h{index}: GitObjectID!"]
        variables.update({f"o{index}": request.ref.owner, f"n{index}": request.ref.name, f"h{index}": request.head})
        blobs = []
        for number, oid in enumerate(request.blobs):
            declarations.append(f"$b{index}_{number}: GitObjectID!")
            variables[f"b{index}_{number}"] = oid
            blobs.append(f"    b{number}: object(oid: $b{index}_{number}) {{ ...Text }}")
        selections.append(
            f"  r{index}: repository(owner: $o{index}, name: $n{index}, followRenames: false) {{\n"
            f"    head: object(oid: $h{index}) {{ ...History }}\n" + "".join(line + "\n" for line in blobs) + "  }")
    query = (f"query Read({', '.join(declarations)}) {{\n" + "\n".join(selections) + "\n}\n"
             "fragment History on Commit {\n"
             f"  history(first: {HISTORY_DEPTH}) {{ totalCount nodes {{ committedDate author {{ email }} }} }}\n"
             "}\n"
             "fragment Text on Blob { text isBinary byteSize isTruncated }\n")
    return query, variables


@dataclass(frozen=True, slots=True)
class Look:
    """What a look query said about one plainly live repository."""

    full_name: str
    status: Status  # OK, ARCHIVED or EMPTY; anything else is not a Look
    detail: str
    metadata: Metadata
    licenses: tuple[LicenseFinding, ...]
    head: str | None  # the default branch's head commit; None when empty
    branch: str | None
    head_committed_at: datetime | None
    commits_90d: int
    commits_365d: int
    tags: int


def parse_look(data: Any, refs: Sequence[RepoRef]) -> list[Look | None]:
    """Each ref's `Look`, or None where the answer is anything but a plainly live public repository.

    `data` is the answer's ``data`` member (None when GitHub sent none).
    """
    looks: list[Look | None] = []
    for index, ref in enumerate(refs):
        repo = data.get(f"r{index}") if isinstance(data, Mapping) else None
        looks.append(_look(repo, ref) if isinstance(repo, Mapping) else None)
    return looks


def _look(repo: Mapping[str, Any], ref: RepoRef) -> Look | None:
    full_name = repo.get("nameWithOwner")
    if not isinstance(full_name, str) or full_name.lower() != ref.full_name.lower():
        return None
    if repo.get("isDisabled") is not False or repo.get("isPrivate") is not False:
        return None
    branch_ref = repo.get("defaultBranchRef")
    empty = repo.get("isEmpty") is True
    head = branch = committed = None
    quarter = year = 0
    if not empty:
        if not isinstance(branch_ref, Mapping) or not isinstance(branch_ref.get("target"), Mapping):
            return None
        target = branch_ref["target"]
        head, branch = target.get("oid"), branch_ref.get("name")
        if not isinstance(head, str) or not isinstance(branch, str):
            return None
        committed = parse_timestamp(target.get("committedDate"))
        in_quarter, in_year = _total(target.get("quarter")), _total(target.get("year"))
        if in_quarter is None or in_year is None:
            return None
        quarter, year = in_quarter, in_year
    web = f"{ref.host}/{full_name}"
    if repo.get("isArchived") is True:
        status, detail = Status.ARCHIVED, f"GitHub reports {web} as archived (read-only)"
    elif empty:
        status, detail = Status.EMPTY, f"GitHub reports {web} as empty (no commits)"
    else:
        status, detail = Status.OK, f"GitHub's GraphQL API answered for {full_name}"
    if head is not None:
        detail += f"; HEAD is {head[:12]} on {branch}"
    spdx = _nested(repo, "licenseInfo", "spdxId")
    licenses = (LicenseFinding(spdx=None if spdx == NOASSERTION else spdx, confidence=1.0, source="api"),) \
        if isinstance(spdx, str) and spdx else ()
    tags = repo.get("refs") if isinstance(repo.get("refs"), Mapping) else {}
    return Look(
        full_name=full_name,
        status=status,
        detail=detail,
        metadata=_metadata(repo, branch),
        licenses=licenses,
        head=head,
        branch=branch,
        head_committed_at=committed,
        commits_90d=quarter or 0,
        commits_365d=year or 0,
        tags=_total(tags) or 0,
    )


def _metadata(repo: Mapping[str, Any], branch: str | None) -> Metadata:
    """The same `Metadata` the REST repository object gives (``open_issues`` counts pull requests too, as REST does)."""
    release = repo.get("latestRelease")
    release_name = release_at = None
    if isinstance(release, Mapping) and _text(release.get("tagName")):
        release_name = _text(release.get("name")) or release["tagName"]
        release_at = parse_timestamp(release.get("publishedAt")) or parse_timestamp(release.get("createdAt"))
    else:
        nodes = _nested(repo, "refs", "nodes")
        if isinstance(nodes, list) and nodes and isinstance(nodes[0], Mapping):
            release_name = _text(nodes[0].get("name"))
    issues, pulls = _total(repo.get("issues")), _total(repo.get("pullRequests"))
    topics = _nested(repo, "repositoryTopics", "nodes")
    spdx = _nested(repo, "licenseInfo", "spdxId")
    return Metadata(
        stars=_int(repo.get("stargazerCount")),
        forks=_int(repo.get("forkCount")),
        open_issues=issues + pulls if issues is not None and pulls is not None else None,
        description=_text(repo.get("description")),
        homepage=_text(repo.get("homepageUrl")),
        default_branch=branch,
        created_at=parse_timestamp(repo.get("createdAt")),
        pushed_at=parse_timestamp(repo.get("pushedAt")),
        fork_parent=_text(_nested(repo, "parent", "nameWithOwner")),
        topics=tuple(name for node in topics if isinstance(name := _nested(node, "topic", "name"), str))
        if isinstance(topics, list) else (),
        language=_text(_nested(repo, "primaryLanguage", "name")),
        license_spdx=_text(spdx),
        latest_release=release_name,
        latest_release_at=release_at,
        size_kb=_int(repo.get("diskUsage")),
    )


@dataclass(frozen=True, slots=True)
class History:
    """The latest commits at a head: enough for contributors and, when short, the first commit."""

    total: int
    dates: tuple[datetime, ...]  # newest first
    emails: tuple[str, ...]  # lowercase, distinct

    def activity(self, look: Look) -> Activity:
        """Activity as git would count it, with windows from the look (exact at any length).

        Contributors are counted over the latest `HISTORY_DEPTH` commits, the
        whole history for most research code; the first commit is known only
        when the history is that short.
        """
        return Activity(
            head_commit=look.head,
            last_commit_at=look.head_committed_at or (self.dates[0] if self.dates else None),
            first_commit_at=min(self.dates) if self.dates and self.total <= len(self.dates) else None,
            commits_90d=look.commits_90d,
            commits_365d=look.commits_365d,
            contributors=len(self.emails),
            tags=look.tags,
        )


def parse_read(data: Any, requests: Sequence[ReadRequest],
               text_cap: int) -> list[tuple[History, list[str | None]] | None]:
    """For each request, the history and each blob's text (None: binary or not a blob), or None when its
    answer is unusable."""
    return [_read(data.get(f"r{index}") if isinstance(data, Mapping) else None, request, text_cap)
            for index, request in enumerate(requests)]


def _read(repo: Any, request: ReadRequest, text_cap: int) -> tuple[History, list[str | None]] | None:
    history = _nested(repo, "head", "history")
    if not isinstance(history, Mapping) or not isinstance(history.get("nodes"), list):
        return None
    total = _total(history)
    if total is None:
        return None
    dates: list[datetime] = []
    emails: dict[str, None] = {}  # a dict keeps the order commits came in, as a set would not
    for node in history["nodes"]:
        when = parse_timestamp(node.get("committedDate")) if isinstance(node, Mapping) else None
        if when is not None:
            dates.append(when)
        email = _nested(node, "author", "email")
        if isinstance(email, str) and email:
            emails.setdefault(email.lower(), None)
    texts: list[str | None] = []
    for number in range(len(request.blobs)):
        blob = repo.get(f"b{number}")
        text = blob.get("text") if isinstance(blob, Mapping) and blob.get("isBinary") is False else None
        texts.append(text[:text_cap] if isinstance(text, str) else None)
    return History(total=total, dates=tuple(dates), emails=tuple(emails)), texts


def _timestamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _nested(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _total(connection: Any) -> int | None:
    return _int(connection.get("totalCount")) if isinstance(connection, Mapping) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
