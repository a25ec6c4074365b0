"""The REST way to check one GitHub repository: GitHub's word on existence, metadata and releases.

Requests per check
------------------
``GET /repos/{owner}/{name}``; only when GitHub reports ``size == 0``,
``GET .../commits?per_page=1`` (409 means empty); then ``.../releases/latest``
and, without a release, ``.../tags?per_page=1``. A first check costs at most 3
rate-counted requests (4 for the rare size-0 repository with commits, plus the
301 for a renamed one). Every 200 is kept with its ETag/Last-Modified and sent
back as ``If-None-Match``/``If-Modified-Since``; a 304 costs no rate limit
for authorized requests (per GitHub's docs; without a token it counts like any answer). When the repository answer is a
304, its release and tag answers from the last check are reused without asking:
a pushed tag changes ``pushed_at``, hence the repository's ETag (a release
published on an already pushed tag is seen once anything else about the
repository changes). So a re-check of an unchanged repository costs one request
and no rate limit.

Only an authoritative answer yields ``missing``/``blocked``/``disabled``: a
timeout, refused connection, 5xx, 401 (our token), a 403 that is neither a rate
limit nor "Repository access blocked", or malformed JSON yields ``unreachable``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from tracker.hosts.github_budget import RateLimited, error_message
from tracker.hosts.github_metadata import api_license_finding, metadata_from
from tracker.hosts.github_transport import RETRIED_STATUSES, Answer, Unreachable
from tracker.records import RepoFacts, RepoKind, RepoRef, Status


class RestApi(Protocol):
    """What the REST check needs of a host: conditional GETs within the budget, and its wording."""

    attempts: int

    def fetch(self, path: str, params: dict[str, int] | None = None, *, reuse: bool = False,
              keep: bool = True) -> Answer: ...

    def now(self) -> datetime: ...

    def scrub(self, text: str) -> str: ...

    def count(self, made: int = 0, counted: int = 0) -> None: ...


def repo_path(owner: str, name: str) -> str:
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def classify_error(status: int, text: str, path: str, attempts: int = 1) -> tuple[Status, str]:
    """Status and one-sentence detail for a non-200 answer to ``GET /repos/...``.

    Only 404/410 (gone), 451 (legal block) and 403 "Repository access blocked"
    (GitHub blocked it, e.g. for its terms of service) say something about the
    repository; every other status is about GitHub or about us.
    """
    message = error_message(text)[:200]
    said = f"GitHub answered {status} {message}".rstrip() + f" for {path}"
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    block = body.get("block") if isinstance(body, dict) else None
    reason = block.get("reason") if isinstance(block, dict) else None
    notice = block.get("html_url") if isinstance(block, dict) else None
    because = f" (reason: {reason}" + (f", notice: {notice}" if notice else "") + ")" if reason else ""
    if status in (404, 410):
        return Status.MISSING, said
    if status == 451:
        return Status.BLOCKED, said + because
    if status == 403 and message.lower() == "repository access blocked":
        if reason == "dmca":
            return Status.BLOCKED, said + because
        return Status.DISABLED, said + because
    if status == 401:
        return Status.UNREACHABLE, said + "; check GITHUB_TOKEN (the repository was not judged)"
    if status in RETRIED_STATUSES and attempts > 1:
        return Status.UNREACHABLE, f"{said} after {attempts} attempts"
    return Status.UNREACHABLE, said + "; not evidence about the repository"


def check(api: RestApi, ref: RepoRef) -> RepoFacts:
    """What GitHub's REST API says about `ref` now; never raises for network or GitHub faults."""
    if ref.kind is not RepoKind.CODE:
        raise ValueError(f"{ref} is not a code repository; GitHubHost checks GitHub repositories")
    checked_at = api.now()
    path = repo_path(ref.owner, ref.name)
    try:
        answer = api.fetch(path)
    except RateLimited as limited:
        return RepoFacts(ref, Status.NOT_CHECKED, api.scrub(str(limited)), checked_at)
    except Unreachable as fault:
        return RepoFacts(ref, Status.UNREACHABLE, api.scrub(str(fault)), checked_at)
    assert answer.status is not None  # the repository answer is always asked for
    if answer.status != 200:
        attempts = api.attempts if answer.status in RETRIED_STATUSES else 1
        status, detail = classify_error(answer.status, answer.text, path, attempts)
        return RepoFacts(ref, status, api.scrub(detail), checked_at, http_status=answer.status)
    try:
        repo = answer.json()
    except ValueError:
        repo = None
    if not isinstance(repo, dict) or not isinstance(repo.get("full_name"), str) \
            or "/" not in repo["full_name"]:
        detail = f"GitHub's answer for {path} was not a repository object (malformed JSON)"
        return RepoFacts(ref, Status.UNREACHABLE, detail, checked_at, http_status=200)
    return _live_facts(api, ref, path, repo, answer.from_cache, checked_at)


def _live_facts(api: RestApi, ref: RepoRef, path: str, repo: dict[str, Any], unchanged: bool,
                checked_at: datetime) -> RepoFacts:
    owner, _, name = repo["full_name"].partition("/")
    moved_to = None
    if repo["full_name"].lower() != ref.full_name.lower():
        # Only a 301 (which PyGithub followed) serves another name for this path.
        moved_to = RepoRef(host=ref.host, owner=owner, name=name)
        api.count(made=1, counted=1)
    base = repo_path(owner, name)
    notes: list[str] = []
    empty = False
    if repo.get("size") == 0:
        commits = _sub_answer(api, base + "/commits", {"per_page": 1}, unchanged, notes, "commits")
        empty = commits is not None and not (isinstance(commits, list) and commits)
    release = tags = None
    if not empty:
        release = _sub_answer(api, base + "/releases/latest", None, unchanged, notes, "latest release")
        if not (isinstance(release, dict) and release.get("tag_name")):
            tags = _sub_answer(api, base + "/tags", {"per_page": 1}, unchanged, notes, "tags")
    web = f"{ref.host}/{repo['full_name']}"
    answered = "304 Not Modified" if unchanged else "200"
    if repo.get("disabled") is True:
        status, detail = Status.DISABLED, f"GitHub reports {web} as disabled"
    elif repo.get("archived") is True:
        status, detail = Status.ARCHIVED, f"GitHub reports {web} as archived (read-only)"
    elif empty:
        status, detail = Status.EMPTY, f"GitHub reports {web} as empty (no commits: 409)"
    elif moved_to is not None:
        status, detail = Status.MOVED, f"renamed to {moved_to} (301)"
    else:
        status, detail = Status.OK, f"GitHub answered {answered} for {path}"
    if moved_to is not None and status is not Status.MOVED:
        detail += f"; renamed to {moved_to} (301)"
    detail = "; ".join([detail, *notes])
    finding = api_license_finding(repo)
    return RepoFacts(
        ref=ref,
        status=status,
        detail=api.scrub(detail),
        checked_at=checked_at,
        http_status=301 if moved_to is not None else (304 if unchanged else 200),
        moved_to=moved_to,
        metadata=metadata_from(repo, release, tags),
        licenses=(finding,) if finding is not None else (),
    )


def _sub_answer(api: RestApi, path: str, params: dict[str, int] | None, reuse: bool,
                notes: list[str], what: str) -> Any:
    """The parsed body of a secondary request, or None (noted) when it is unknown."""
    try:
        answer = api.fetch(path, params, reuse=reuse)
    except (RateLimited, Unreachable) as problem:
        notes.append(f"{what} unknown: {problem}")
        return None
    if answer.status not in (None, 200, 404, 409):
        notes.append(f"{what} unknown: GitHub answered {answer.status} for {path}")
        return None
    try:
        return answer.json()
    except ValueError:
        notes.append(f"{what} unknown: malformed JSON for {path}")
        return None
