"""GitHub through PyGithub: one `GitHubHost.check` per repository, honest about what it knows.

How PyGithub is used, and why this way
--------------------------------------
PyGithub's `Requester` (what ``Github(...).requester`` is; built directly because
``Github()`` rejects a timeout below one second) does the HTTP: the base URL
(GitHub.com, or Enterprise at ``https://HOST/api/v3``), the token header (masked
in its own debug log), following GitHub's 301 for renamed and transferred
repositories, connection pooling, timeouts and the urllib3 retry we hand it.
We call `Requester.requestJson`, which returns ``(status, headers, body)``
without raising, instead of ``Github.get_repo`` and its `Repository` objects:

- the status code is the evidence (404 vs 451 vs a 403 that means "blocked" vs a
  403 that means "rate limited"); `requestJson` hands it over as data, not as
  one of a dozen exception types;
- conditional requests need the raw validators and body, to keep them in the
  `AnswerCache` across runs; a 304 comes back as ``(304, headers, "")`` and the
  stored body stands in for it;
- PyGithub objects complete themselves with a further request whenever an
  attribute is missing, which would spend rate limit behind our back.

The JSON becomes records in `tracker.hosts.github_metadata` (pure functions).

GraphQL, for the plain case
---------------------------
With a token, `look_many` asks GraphQL about up to 50 repositories in one query
(`tracker.hosts.github_graphql`), and `git_tree` gives a whole tree for
`tracker.hosts.github_content`. GraphQL has its own budget, so its answers never
move the REST budget's quiet time; a spent GraphQL budget, a server without
GraphQL (404) or a refused token turns GraphQL off for this host's lifetime and
everything goes the REST way below, which also decides every repository the
look does not call plainly live.

Requests per check (the REST way)
---------------------------------
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

Faults, retries, rate limits
----------------------------
Transport faults and 5xx are retried by the urllib3 `Retry` given to PyGithub
(`_TransportRetry`): bounded attempts, exponential backoff through the injected
`sleep`. Rate limits are not left to it: PyGithub's default `GithubRetry` waits
with ``time.sleep`` against the wall clock, up to an hour for a primary limit and
for any ``Retry-After``. Here each answer's ``X-RateLimit-*`` headers are read;
a spent budget (or a secondary limit's ``Retry-After``, or one minute when a
secondary limit gives no time) sets a "quiet until" time. Waits up to
``max_rate_wait`` go through the injected `sleep`; a longer one makes this and
every later `check` return ``not_checked`` without a request, until the clock
passes the reset time.

Only an authoritative answer yields ``missing``/``blocked``/``disabled``: a
timeout, refused connection, 5xx, 401 (our token), a 403 that is neither a rate
limit nor "Repository access blocked", or malformed JSON yields ``unreachable``.

The token lives only in PyGithub's `Auth.Token`; details, logs, cache keys and
the repr never contain it (every detail is scrubbed as a last line of defence).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import quote, urlencode, urlsplit

import requests
from github import Auth
from github.Requester import Requester
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from tracker.hosts.cache import AnswerCache, CachedAnswer, MemoryAnswerCache
from tracker.hosts.github_graphql import Look, look_query, parse_look
from tracker.hosts.github_metadata import api_license_finding, metadata_from
from tracker.records import RepoFacts, RepoKind, RepoRef, Status
from tracker.settings import DEFAULT_GITHUB_API_URL as DEFAULT_API_URL  # one default, in settings

# GitHub's advice when a secondary limit names no time: wait at least a minute.
SECONDARY_LIMIT_WAIT = 60.0
# Rate-limited answers tolerated for one request before giving up on it.
_RATE_LIMITED_ANSWERS = 2
_RETRIED_STATUSES = frozenset({500, 502, 503, 504})
_USER_AGENT = "repro-tracker"

log = logging.getLogger(__name__)

# PyGithub gives its "github" logger an INFO-level handler of its own, so every
# rename would print "Following Github server redirection" to stderr; urllib3
# warns "Connection pool is full" whenever more threads than pooled connections
# talk to one host. Both are noise for a user: what happened is in RepoFacts.
_CHATTY_LOGGERS = ("github", "github.Requester", "urllib3.connectionpool")


def quiet_library_loggers() -> None:
    """Keep PyGithub's and urllib3's routine chatter out of the user's terminal and the flow logs."""
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)

_no_token_warned = False
_no_token_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class GitHubStats:
    """What this host has spent so far, and GitHub's last word on the budget."""

    requests_made: int = 0  # HTTP attempts, retries and followed redirects included
    requests_rate_counted: int = 0  # answers that cost rate limit (all but 304)
    rate_remaining: int | None = None
    rate_reset: datetime | None = None


class _RateLimited(Exception):
    """GitHub's rate limit forbids asking now, for longer than we may wait."""


class _Unreachable(Exception):
    """No authoritative answer: the network or GitHub's side failed."""


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int | None  # None: reused from the cache without asking
    text: str
    from_cache: bool = False

    def json(self) -> Any:
        return json.loads(self.text)


class _TransportRetry(Retry):
    """urllib3's `Retry`, waiting through an injected sleep and reporting each retry.

    Rate limits are not retried here (see the module docstring), so
    ``Retry-After`` is ignored and only the exponential backoff applies.
    """

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[int | None], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sleep_for = sleep
        self._on_retry = on_retry

    def new(self, **kwargs: Any) -> Self:
        # urllib3 makes a fresh Retry per attempt; the hooks must travel with it.
        retry = super().new(**kwargs)
        retry._sleep_for = self._sleep_for
        retry._on_retry = self._on_retry
        return retry

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> Self:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self._on_retry is not None:
            self._on_retry(response.status if response is not None else None)
        return retry

    def sleep(self, response: Any = None) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            self._sleep_for(backoff)


def rate_limit_wait(status: int, headers: Mapping[str, str], text: str, now: float) -> float | None:
    """Seconds GitHub asks us to wait, when this answer is a rate limit; else None.

    Follows GitHub's documented order: ``Retry-After`` first; then a spent
    primary budget (``X-RateLimit-Remaining: 0``) until ``X-RateLimit-Reset``,
    plus a second because the reset is somewhere within that second; then one
    minute for a secondary limit that names no time. `headers` keys are lowercase.
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(int(reset) - now, 0.0) + 1.0
    if status == 429 or Requester.isRateLimitError(_message(text)):
        return SECONDARY_LIMIT_WAIT
    return None


def _message(text: str) -> str:
    """GitHub's error ``message``, or "" when the body is not its error shape."""
    try:
        body = json.loads(text)
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def classify_error(status: int, text: str, path: str, attempts: int = 1) -> tuple[Status, str]:
    """Status and one-sentence detail for a non-200 answer to ``GET /repos/...``.

    Only 404/410 (gone), 451 (legal block) and 403 "Repository access blocked"
    (GitHub blocked it, e.g. for its terms of service) say something about the
    repository; every other status is about GitHub or about us.
    """
    message = _message(text)[:200]
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
    if status in _RETRIED_STATUSES and attempts > 1:
        return Status.UNREACHABLE, f"{said} after {attempts} attempts"
    return Status.UNREACHABLE, said + "; not evidence about the repository"


def _causes(error: BaseException) -> list[BaseException]:
    """The error, what it wraps (requests -> urllib3 -> socket), in order."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        pending.append(current.__cause__)
        pending.append(current.__context__)
        if isinstance(current, MaxRetryError):
            pending.append(current.reason)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return seen


class GitHubHost:
    """Checks GitHub repositories; one instance per API and token, safe across threads."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        max_rate_wait: float = 120.0,
        answer_cache: AnswerCache | None = None,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        connections: int = 8,
    ) -> None:
        """`attempts` bounds tries per request for transport faults and 5xx; `clock`
        returns epoch seconds, like ``time.time``, to compare with GitHub's reset times;
        `connections` is how many are kept open for reuse (as many as threads asking at once)."""
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self.api_url = api_url.rstrip("/")
        self._token = token or None
        self._timeout = timeout
        self._max_rate_wait = max_rate_wait
        self._cache: AnswerCache = answer_cache if answer_cache is not None else MemoryAnswerCache()
        self._attempts = attempts
        self._sleep = sleep
        self._clock = clock
        self._prefix = urlsplit(self.api_url).path.rstrip("/")
        self._lock = threading.Lock()
        self._requests_made = 0
        self._rate_counted = 0
        self._rate_remaining: int | None = None
        self._rate_reset: float | None = None
        self._quiet_until: float | None = None
        self._quiet_reason = ""
        # Why GraphQL is not used for the rest of this host's life; None while it may be.
        self._graphql_off: str | None = None if self._token else "GitHub's GraphQL API requires a token"
        if self._token is None:
            _warn_no_token()
        retry = _TransportRetry(
            total=attempts - 1,
            connect=attempts - 1,
            read=attempts - 1,
            status=attempts - 1,
            other=0,
            redirect=0,
            backoff_factor=backoff,
            backoff_max=max(backoff, 30.0),
            status_forcelist=_RETRIED_STATUSES,
            # Our only POST is a GraphQL query, which reads and is as safe to repeat as a GET.
            allowed_methods=frozenset({"GET", "POST"}),
            raise_on_status=False,
            respect_retry_after_header=False,
            sleep=sleep,
            on_retry=self._note_retry,
        )
        # The Requester, not `Github`: Github() insists on a whole-second timeout.
        self._requester = Requester(
            auth=Auth.Token(self._token) if self._token else None,
            base_url=self.api_url,
            timeout=timeout,  # type: ignore[arg-type]  # annotated int; requests takes float
            user_agent=_USER_AGENT,
            per_page=30,
            verify=True,
            retry=retry,
            pool_size=max(1, connections),
            # PyGithub's default pacing sleeps for real between requests; waits are ours.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    @classmethod
    def from_env(
        cls,
        answer_cache: AnswerCache | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> GitHubHost:
        """Configured from ``GITHUB_API_URL`` and ``GITHUB_TOKEN`` (both optional)."""
        env = os.environ if environ is None else environ
        return cls(
            api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            token=env.get("GITHUB_TOKEN") or None,
            answer_cache=answer_cache,
            **options,
        )

    def __repr__(self) -> str:
        return f"GitHubHost(api_url={self.api_url!r}, token={'set' if self._token else 'not set'})"

    def close(self) -> None:
        self._requester.close()

    def __enter__(self) -> GitHubHost:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def stats(self) -> GitHubStats:
        with self._lock:
            reset = self._rate_reset
            return GitHubStats(
                requests_made=self._requests_made,
                requests_rate_counted=self._rate_counted,
                rate_remaining=self._rate_remaining,
                rate_reset=datetime.fromtimestamp(reset, UTC) if reset is not None else None,
            )

    # -- the check ------------------------------------------------------------

    def check(self, ref: RepoRef) -> RepoFacts:
        """What GitHub says about `ref` now; never raises for network or GitHub faults."""
        if ref.kind is not RepoKind.CODE:
            raise ValueError(f"{ref} is not a code repository; GitHubHost checks GitHub repositories")
        checked_at = datetime.fromtimestamp(self._clock(), UTC)
        path = _repo_path(ref.owner, ref.name)
        try:
            answer = self._fetch(path)
        except _RateLimited as limited:
            return RepoFacts(ref, Status.NOT_CHECKED, self._scrub(str(limited)), checked_at)
        except _Unreachable as fault:
            return RepoFacts(ref, Status.UNREACHABLE, self._scrub(str(fault)), checked_at)
        assert answer.status is not None  # the repository answer is always asked for
        if answer.status != 200:
            attempts = self._attempts if answer.status in _RETRIED_STATUSES else 1
            status, detail = classify_error(answer.status, answer.text, path, attempts)
            return RepoFacts(ref, status, self._scrub(detail), checked_at, http_status=answer.status)
        try:
            repo = answer.json()
        except ValueError:
            repo = None
        if not isinstance(repo, dict) or not isinstance(repo.get("full_name"), str) \
                or "/" not in repo["full_name"]:
            detail = f"GitHub's answer for {path} was not a repository object (malformed JSON)"
            return RepoFacts(ref, Status.UNREACHABLE, detail, checked_at, http_status=200)
        return self._live_facts(ref, path, repo, answer.from_cache, checked_at)

    def _live_facts(self, ref: RepoRef, path: str, repo: dict[str, Any], unchanged: bool,
                    checked_at: datetime) -> RepoFacts:
        owner, _, name = repo["full_name"].partition("/")
        moved_to = None
        if repo["full_name"].lower() != ref.full_name.lower():
            # Only a 301 (which PyGithub followed) serves another name for this path.
            moved_to = RepoRef(host=ref.host, owner=owner, name=name)
            self._count(made=1, counted=1)
        base = _repo_path(owner, name)
        notes: list[str] = []
        empty = False
        if repo.get("size") == 0:
            commits = self._sub_answer(base + "/commits", {"per_page": 1}, unchanged, notes, "commits")
            empty = commits is not None and not (isinstance(commits, list) and commits)
        release = tags = None
        if not empty:
            release = self._sub_answer(base + "/releases/latest", None, unchanged, notes, "latest release")
            if not (isinstance(release, dict) and release.get("tag_name")):
                tags = self._sub_answer(base + "/tags", {"per_page": 1}, unchanged, notes, "tags")
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
            detail=self._scrub(detail),
            checked_at=checked_at,
            http_status=301 if moved_to is not None else (304 if unchanged else 200),
            moved_to=moved_to,
            metadata=metadata_from(repo, release, tags),
            licenses=(finding,) if finding is not None else (),
        )

    def _sub_answer(self, path: str, params: dict[str, int] | None, reuse: bool,
                    notes: list[str], what: str) -> Any:
        """The parsed body of a secondary request, or None (noted) when it is unknown."""
        try:
            answer = self._fetch(path, params, reuse=reuse)
        except (_RateLimited, _Unreachable) as problem:
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

    # -- GraphQL and the git database: the batched way for plain cases ------------

    def look_many(self, refs: Sequence[RepoRef]) -> list[Look | None]:
        """A `Look` for each of `refs` from one GraphQL query, None where the REST way must decide.

        The whole batch is None when GraphQL cannot be used: no token, a server
        without it, its own rate limit, or a fault. A fault turns it off for
        this batch only; the others turn it off for the host's lifetime, since
        asking again would only cost time. Never raises for GitHub's faults.
        """
        if self._graphql_off is not None or not refs:
            return [None] * len(refs)
        query, variables = look_query(refs, datetime.fromtimestamp(self._clock(), UTC))
        answer = self.graphql(query, variables)
        return parse_look(answer.get("data") if answer is not None else None, refs)

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The answer of one GraphQL query (``data`` with any per-field ``errors``), or None when there is none.

        GraphQL's budget is separate from REST's (``X-RateLimit-Resource:
        graphql``), so its headers must not move REST's quiet time; a spent
        GraphQL budget only turns GraphQL off, and REST carries on.
        """
        if self._graphql_off is not None:
            return None
        url = self._requester.graphql_url
        self._count(made=1)
        try:
            status, headers, text = self._requester.requestJson("POST", url, input={"query": query,
                                                                                  "variables": variables})
        except requests.exceptions.RequestException as error:
            log.info("GraphQL not used for this batch: %s", self._scrub(self._describe_fault("/graphql", error)))
            return None
        except (RuntimeError, AssertionError) as error:
            log.info("GraphQL not used for this batch: the client refused the answer (%s)", self._scrub(str(error)))
            return None
        if status == 200:
            self._count(counted=1)
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        errors = body.get("errors") if isinstance(body, dict) else None
        refused = isinstance(errors, list) and any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED"
                                                   for e in errors)
        # The answer that spends the last point still carries its data; only later ones would be refused.
        spent = refused or headers.get("x-ratelimit-remaining") == "0"
        if status in (401, 403, 404, 410) or spent:
            why = "its rate limit is spent" if spent else f"{url} answered {status}"
            with self._lock:
                self._graphql_off = f"GitHub's GraphQL API is not used: {why}"
            log.info("%s; repositories are checked through REST and git instead", self._graphql_off)
        if status != 200 or not isinstance(body, dict) or refused:
            return None
        if not isinstance(body.get("data"), dict):
            # GitHub answers a query it cannot run with 200, errors and no data: a fault of ours.
            log.warning("GitHub's GraphQL API refused the query: %s", self._scrub(str(errors)[:500]))
            return None
        return body

    def git_tree(self, ref: RepoRef, commit: str) -> list[dict[str, Any]] | None:
        """The whole tree at `commit` (``git/trees/{sha}?recursive=1``), or None when GitHub gave none or only part.

        A commit's tree never changes, so the answer is not kept for a
        conditional request; the caller keeps what it read instead.
        """
        path = f"{_repo_path(ref.owner, ref.name)}/git/trees/{quote(commit, safe='')}"
        try:
            answer = self._fetch(path, {"recursive": 1}, keep=False)
        except (_RateLimited, _Unreachable):
            return None
        if answer.status != 200:
            return None
        try:
            body = answer.json()
        except ValueError:
            return None
        if not isinstance(body, dict) or body.get("truncated") is not False or not isinstance(body.get("tree"), list):
            return None
        return [entry for entry in body["tree"] if isinstance(entry, dict)]

    # -- requests -------------------------------------------------------------

    def _fetch(self, path: str, params: dict[str, int] | None = None, *, reuse: bool = False,
               keep: bool = True) -> _Answer:
        """One GET, conditional when an earlier answer is cached, within the rate limit.

        `reuse` returns the cached answer without asking, when there is one;
        `keep=False` neither asks conditionally nor keeps the answer.
        Raises `_RateLimited` or `_Unreachable`; any HTTP status is returned.
        """
        key = self._prefix + path + ("?" + urlencode(sorted(params.items())) if params else "")
        cached = self._cache.get(key) if keep else None
        if reuse and cached is not None:
            return _Answer(None, cached.body, from_cache=True)
        for _ in range(_RATE_LIMITED_ANSWERS + 1):
            self._await_budget(path)
            conditional: dict[str, str] = {}
            if cached is not None and cached.etag:
                conditional["If-None-Match"] = cached.etag
            elif cached is not None and cached.last_modified:
                conditional["If-Modified-Since"] = cached.last_modified
            status, headers, text = self._request(path, params, conditional)
            # GitHub waives a 304 only for authorized requests; without a token it counts.
            self._note_answer(headers, counted=status != 304 or self._token is None)
            if status == 304 and cached is not None:
                return _Answer(200, cached.body, from_cache=True)
            wait = rate_limit_wait(status, headers, text, self._clock())
            if wait is None:
                break
            kind = "primary" if headers.get("x-ratelimit-remaining") == "0" else "secondary"
            self._quiet_for(wait, f"GitHub's {kind} rate limit ({status} for {path})")
        else:
            raise _RateLimited(f"GitHub kept answering {path} with its rate limit; "
                               f"gave up after {_RATE_LIMITED_ANSWERS + 1} answers")
        if keep and status == 200:
            self._cache.put(key, CachedAnswer(headers.get("etag"), headers.get("last-modified"), text))
        elif keep and status in (404, 409):
            # Kept without validators: only ever reused, never sent back.
            self._cache.put(key, CachedAnswer(None, None, text))
        return _Answer(status, text)

    def _request(self, path: str, params: dict[str, int] | None,
                 headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
        self._count(made=1)
        try:
            return self._requester.requestJson("GET", path, parameters=params, headers=headers)
        except requests.exceptions.RequestException as error:
            raise _Unreachable(self._scrub(self._describe_fault(path, error))) from None
        except (RuntimeError, AssertionError) as error:
            # PyGithub refuses redirects to another host or scheme, and URLs it does not own.
            raise _Unreachable(self._scrub(f"GitHub's answer for {path} was refused by the client: "
                                           f"{error}")) from None

    def _describe_fault(self, path: str, error: requests.exceptions.RequestException) -> str:
        host = urlsplit(self.api_url).netloc
        causes = _causes(error)
        exhausted = any(isinstance(c, MaxRetryError) for c in causes)
        plural = "" if self._attempts == 1 else "s"
        tries = f"after {self._attempts} attempt{plural}" if exhausted else "on the first attempt"
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"connection to {host} refused {tries}"
        if any(isinstance(c, (NameResolutionError, socket.gaierror)) for c in causes):
            return f"could not resolve {host} {tries}"
        if isinstance(error, requests.exceptions.ConnectTimeout) or any(
            isinstance(c, ConnectTimeoutError) for c in causes
        ):
            return f"connecting to {host} timed out ({self._timeout:g} s) {tries}"
        if isinstance(error, requests.exceptions.Timeout) or any(
            isinstance(c, ReadTimeoutError) for c in causes
        ):
            return f"GitHub did not answer {path} within {self._timeout:g} s {tries}"
        if isinstance(error, requests.exceptions.ChunkedEncodingError) or any(
            isinstance(c, (ProtocolError, ConnectionResetError)) for c in causes
        ):
            return f"connection to {host} broke mid-answer for {path} {tries}"
        return f"request for {path} failed {tries} ({type(error).__name__})"

    # -- budget and counters --------------------------------------------------

    def _await_budget(self, path: str) -> None:
        with self._lock:
            until, reason = self._quiet_until, self._quiet_reason
        if until is None:
            return
        wait = until - self._clock()
        if wait <= 0:
            return
        if wait > self._max_rate_wait:
            resume = datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise _RateLimited(
                f"{reason} allows no requests until {resume}; waiting {wait:.0f} s would exceed "
                f"the {self._max_rate_wait:g} s allowed, so {path} was not asked"
            )
        log.info("waiting %.0f s for %s", wait, reason)
        self._sleep(wait)

    def _quiet_for(self, seconds: float, reason: str) -> None:
        with self._lock:
            until = self._clock() + seconds
            if self._quiet_until is None or until > self._quiet_until:
                self._quiet_until, self._quiet_reason = until, reason

    def _note_answer(self, headers: Mapping[str, str], *, counted: bool) -> None:
        remaining = headers.get("x-ratelimit-remaining", "")
        reset = headers.get("x-ratelimit-reset", "")
        with self._lock:
            if counted:
                self._rate_counted += 1
            if remaining.isdigit():
                self._rate_remaining = int(remaining)
            if reset.isdigit():
                self._rate_reset = float(reset)
            spent_until = self._rate_reset if remaining == "0" else None
        if spent_until is not None:
            # The budget is spent: wait for the reset before the next request, not after a 403.
            self._quiet_for(spent_until + 1 - self._clock(), "GitHub's primary rate limit")

    def _note_retry(self, status: int | None) -> None:
        counted = status is not None and (status != 304 or self._token is None)
        self._count(made=1, counted=1 if counted else 0)

    def _count(self, made: int = 0, counted: int = 0) -> None:
        with self._lock:
            self._requests_made += made
            self._rate_counted += counted

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "[GITHUB_TOKEN]") if self._token else text


def _repo_path(owner: str, name: str) -> str:
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def _warn_no_token() -> None:
    global _no_token_warned
    with _no_token_lock:
        if _no_token_warned:
            return
        _no_token_warned = True
    log.warning("GITHUB_TOKEN is not set: GitHub allows 60 API requests an hour without a token; "
                "set GITHUB_TOKEN to check more repositories per hour")
