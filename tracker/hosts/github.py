"""GitHub through PyGithub: one host per API and token, honest about what it knows.

`GitHubHost` ties together what the other ``github_*`` modules do, one concern each:

- `tracker.hosts.github_transport`: PyGithub's `Requester`, transport retries and fault wording;
- `tracker.hosts.github_budget`: the rate budget, its waits and refusals;
- `tracker.hosts.github_rest`: the REST check of one repository (`check`);
- `tracker.hosts.github_graphql`: the batched look (`look_many`), and
  `tracker.hosts.github_content`: trees (`git_tree`) and texts through the API;
- `tracker.http.ConditionalCache`: the conditional answers kept across runs (`fetch`).

GraphQL has its own budget, so its answers never move the REST budget's quiet
time; a spent GraphQL budget, a server without GraphQL (404) or a refused token
turns GraphQL off for this host's lifetime and everything goes the REST way,
which also decides every repository the look does not call plainly live.

The token lives only in PyGithub's `Auth.Token`; details, logs, cache keys and
the repr never contain it (every detail is scrubbed as a last line of defence).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from github import Auth

from tracker.hosts import github_rest
from tracker.hosts.github_budget import (
    SECONDARY_LIMIT_WAIT,
    GitHubStats,
    RateBudget,
    RateLimited,
    RateLimits,
    ResourceLimit,
    rate_limit_wait,
)
from tracker.hosts.github_graphql import Look, look_query, parse_look
from tracker.hosts.github_rest import classify_error, repo_path
from tracker.hosts.github_transport import Answer, Unreachable, describe_fault, make_requester, quiet_library_loggers
from tracker.http import ConditionalCache, MemoryCache, Validators
from tracker.records import RepoFacts, RepoRef
from tracker.settings import DEFAULT_GITHUB_API_URL

if TYPE_CHECKING:
    from tracker.settings import Settings

DEFAULT_API_URL = DEFAULT_GITHUB_API_URL

__all__ = ["DEFAULT_API_URL", "SECONDARY_LIMIT_WAIT", "GitHubHost", "GitHubStats", "classify_error",
           "quiet_library_loggers", "rate_limit_wait"]

log = logging.getLogger(__name__)

# GitHub's token formats: personal (ghp_), OAuth (gho_), user-to-server (ghu_), installation (ghs_), refresh (ghr_).
_TOKEN_SHAPED = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{22,})")
_no_token_warned = False
_no_token_lock = threading.Lock()


class GitHubHost:
    """Checks GitHub repositories; one instance per API and token, safe across threads."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        max_rate_wait: float = 120.0,
        answer_cache: ConditionalCache | None = None,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        connections: int = 8,
        app: Auth.AppInstallationAuth | None = None,
    ) -> None:
        """`attempts` bounds tries per request for transport faults and 5xx; `clock`
        returns epoch seconds, like ``time.time``, to compare with GitHub's reset times;
        `connections` is how many are kept open for reuse (as many as threads asking at once);
        `app`, instead of a token: a GitHub App's installation, whose token PyGithub fetches and refreshes."""
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self.api_url = api_url.rstrip("/")
        self._token = token or None
        self._app = app
        authorized = self._token is not None or app is not None
        self._timeout = timeout
        self._cache: ConditionalCache = answer_cache if answer_cache is not None else MemoryCache()
        self.attempts = attempts
        self._clock = clock
        self._prefix = urlsplit(self.api_url).path.rstrip("/")
        self._lock = threading.Lock()
        # GitHub waives a 304 only for authorized requests; without a token it counts.
        self._budget = RateBudget(max_rate_wait=max_rate_wait, sleep=sleep, clock=clock,
                                  counts_304=not authorized)
        # Why GraphQL is not used for the rest of this host's life; None while it may be.
        self._graphql_off: str | None = None if authorized else "GitHub's GraphQL API requires a token"
        if not authorized:
            _warn_no_token()
        auth: Auth.Auth | None = app if app is not None else Auth.Token(self._token) if self._token else None
        # PyGithub's GithubIntegration, which fetches an App's tokens, takes whole seconds only.
        self._requester = make_requester(self.api_url, auth, timeout=timeout if app is None else max(1, round(timeout)),
                                         attempts=attempts, backoff=backoff, connections=connections, sleep=sleep,
                                         on_retry=self._budget.note_retry)

    @classmethod
    def from_settings(cls, settings: Settings, *, answer_cache: ConditionalCache | None = None,
                      **options: Any) -> GitHubHost:
        """The host `settings` describe (API URL, token, timeout, rate wait, connections); `options` win."""
        configured: dict[str, Any] = {
            "timeout": settings.http_timeout,
            "max_rate_wait": settings.max_rate_wait,
            "connections": settings.concurrency,
        }
        key = settings.github_app_key()
        if key is not None and settings.github_app_id is not None and settings.github_app_installation_id is not None:
            configured["app"] = Auth.AppAuth(settings.github_app_id, key).get_installation_auth(
                settings.github_app_installation_id)
        return cls(settings.github_api_url, settings.github_token, answer_cache=answer_cache,
                   **(configured | options))

    def __repr__(self) -> str:
        auth = "GitHub App installation" if self._app is not None else "set" if self._token else "not set"
        return f"GitHubHost(api_url={self.api_url!r}, token={auth})"

    def close(self) -> None:
        self._requester.close()

    def __enter__(self) -> GitHubHost:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def stats(self) -> GitHubStats:
        return self._budget.stats

    def rate_limits(self) -> RateLimits | None:
        """What this token may spend now (``GET /rate_limit``, which costs nothing), or None when GitHub did not say.

        PyGithub's `RateLimitOverview` reads the answer, as ``Github.get_rate_limit``
        does. The limits are GitHub's word, never assumed: 60 without a token,
        5,000 for a personal token, 15,000 or a figure scaled to an installation
        for a GitHub App's token.
        """
        from github.GithubException import GithubException
        from github.RateLimitOverview import RateLimitOverview

        self.count(made=1)
        try:
            headers, data = self._requester.requestJsonAndCheck("GET", "/rate_limit")
            resources = RateLimitOverview(self._requester, headers, data).resources
            core = _resource(resources.core)
            graphql = _resource(resources.graphql) if self._graphql_off is None else None
        except (GithubException, requests.exceptions.RequestException, RuntimeError, AssertionError, AttributeError,
                TypeError, ValueError) as error:
            log.warning("GitHub's rate limit could not be read (%s); the run is not planned",
                        self.scrub(f"{type(error).__name__}: {error}"[:300]))
            return None
        return RateLimits(core=core, graphql=graphql, authenticated=self._token is not None or self._app is not None)

    def check(self, ref: RepoRef) -> RepoFacts:
        """What GitHub says about `ref` now, the REST way; never raises for network or GitHub faults."""
        return github_rest.check(self, ref)

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
        self.count(made=1)
        try:
            status, headers, text = self._requester.requestJson("POST", url, input={"query": query,
                                                                                  "variables": variables})
        except requests.exceptions.RequestException as error:
            log.info("GraphQL not used for this batch: %s", self.scrub(self._describe_fault("/graphql", error)))
            return None
        except (RuntimeError, AssertionError) as error:
            log.info("GraphQL not used for this batch: the client refused the answer (%s)", self.scrub(str(error)))
            return None
        if status == 200:
            self.count(counted=1)
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
            log.warning("GitHub's GraphQL API refused the query: %s", self.scrub(str(errors)[:500]))
            return None
        return body

    def git_tree(self, ref: RepoRef, commit: str) -> list[dict[str, Any]] | None:
        """The whole tree at `commit` (``git/trees/{sha}?recursive=1``), or None when GitHub gave none or only part.

        A commit's tree never changes, so the answer is not kept for a
        conditional request; the caller keeps what it read instead.
        """
        path = f"{repo_path(ref.owner, ref.name)}/git/trees/{quote(commit, safe='')}"
        try:
            answer = self.fetch(path, {"recursive": 1}, keep=False)
        except (RateLimited, Unreachable):
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

    def fetch(self, path: str, params: dict[str, int] | None = None, *, reuse: bool = False,
              keep: bool = True) -> Answer:
        """One GET, conditional when an earlier answer is cached, within the rate limit.

        `reuse` returns the cached answer without asking, when there is one;
        `keep=False` neither asks conditionally nor keeps the answer.
        Raises `RateLimited` or `Unreachable`; any HTTP status is returned.
        """
        key = self._prefix + path + ("?" + urlencode(sorted(params.items())) if params else "")
        cached = self._cache.get(key) if keep else None
        if reuse and cached is not None:
            return Answer(None, cached.content.decode(), from_cache=True)
        conditional: dict[str, str] = {}
        if cached is not None and cached.etag:
            conditional["If-None-Match"] = cached.etag
        elif cached is not None and cached.last_modified:
            conditional["If-Modified-Since"] = cached.last_modified
        status, headers, text = self._budget.within(path, lambda: self._request(path, params, conditional))
        if status == 304 and cached is not None:
            return Answer(200, cached.content.decode(), from_cache=True)
        if keep and status == 200:
            self._cache.put(key, Validators(headers.get("etag"), headers.get("last-modified"), text.encode()))
        elif keep and status in (404, 409):
            # Kept without validators: only ever reused, never sent back.
            self._cache.put(key, Validators(None, None, text.encode()))
        return Answer(status, text)

    def _request(self, path: str, params: dict[str, int] | None,
                 headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
        self.count(made=1)
        try:
            return self._requester.requestJson("GET", path, parameters=params, headers=headers)
        except requests.exceptions.RequestException as error:
            raise Unreachable(self.scrub(self._describe_fault(path, error))) from None
        except (RuntimeError, AssertionError) as error:
            # PyGithub refuses redirects to another host or scheme, and URLs it does not own.
            raise Unreachable(self.scrub(f"GitHub's answer for {path} was refused by the client: "
                                         f"{error}")) from None

    def _describe_fault(self, path: str, error: requests.exceptions.RequestException) -> str:
        return describe_fault(error, host=urlsplit(self.api_url).netloc, path=path, timeout=self._timeout,
                              attempts=self.attempts)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def count(self, made: int = 0, counted: int = 0) -> None:
        self._budget.count(made, counted)

    def scrub(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, "[GITHUB_TOKEN]")
        # An App's installation tokens change hourly and live in PyGithub: any token-shaped text goes.
        return _TOKEN_SHAPED.sub("[GITHUB_TOKEN]", text)


def _resource(rate: Any) -> ResourceLimit:
    """PyGithub's `Rate` as plain values; its reset is an aware UTC time already."""
    return ResourceLimit(limit=int(rate.limit), remaining=int(rate.remaining), reset=rate.reset.astimezone(UTC))


def _warn_no_token() -> None:
    global _no_token_warned
    with _no_token_lock:
        if _no_token_warned:
            return
        _no_token_warned = True
    log.warning("GITHUB_TOKEN is not set: GitHub allows 60 API requests an hour without a token; "
                "set GITHUB_TOKEN to check more repositories per hour")
