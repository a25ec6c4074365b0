"""How requests reach GitHub: PyGithub's `Requester` set up once, and faults worded as evidence.

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

Transport faults and 5xx are retried by the urllib3 `Retry` given to PyGithub
(`_TransportRetry`): bounded attempts, exponential backoff through the injected
`sleep`. Rate limits are not left to it (see `tracker.hosts.github_budget`).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

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

RETRIED_STATUSES = frozenset({500, 502, 503, 504})
_USER_AGENT = "repro-tracker"

# PyGithub gives its "github" logger an INFO-level handler of its own, so every
# rename would print "Following Github server redirection" to stderr; urllib3
# warns "Connection pool is full" whenever more threads than pooled connections
# talk to one host. Both are noise for a user: what happened is in RepoFacts.
_CHATTY_LOGGERS = ("github", "github.Requester", "urllib3.connectionpool")


def quiet_library_loggers() -> None:
    """Keep PyGithub's and urllib3's routine chatter out of the user's terminal and the flow logs."""
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


class Unreachable(Exception):
    """No authoritative answer: the network or GitHub's side failed."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to a GET: its status (None: reused from the cache without asking) and body."""

    status: int | None
    text: str
    from_cache: bool = False

    def json(self) -> Any:
        return json.loads(self.text)


class _TransportRetry(Retry):
    """urllib3's `Retry`, waiting through an injected sleep and reporting each retry.

    Rate limits are not retried here, so ``Retry-After`` is ignored and only
    the exponential backoff applies.
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


def make_requester(api_url: str, auth: Auth.Auth | None, *, timeout: float, attempts: int, backoff: float,
                   connections: int, sleep: Callable[[float], None],
                   on_retry: Callable[[int | None], None]) -> Requester:
    """PyGithub's `Requester` for `api_url`, retrying transport faults and 5xx `attempts` times in all."""
    retry = _TransportRetry(
        total=attempts - 1,
        connect=attempts - 1,
        read=attempts - 1,
        status=attempts - 1,
        other=0,
        redirect=0,
        backoff_factor=backoff,
        backoff_max=max(backoff, 30.0),
        status_forcelist=RETRIED_STATUSES,
        # Our only POST is a GraphQL query, which reads and is as safe to repeat as a GET.
        allowed_methods=frozenset({"GET", "POST"}),
        raise_on_status=False,
        respect_retry_after_header=False,
        sleep=sleep,
        on_retry=on_retry,
    )
    # The Requester, not `Github`: Github() insists on a whole-second timeout.
    return Requester(
        auth=auth,
        base_url=api_url,
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


def describe_fault(error: requests.exceptions.RequestException, *, host: str, path: str, timeout: float,
                   attempts: int) -> str:
    """One sentence on why `path` got no answer from `host`: what a user can act on, never a guess at the repository."""
    causes = _causes(error)
    exhausted = any(isinstance(c, MaxRetryError) for c in causes)
    plural = "" if attempts == 1 else "s"
    tries = f"after {attempts} attempt{plural}" if exhausted else "on the first attempt"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"connection to {host} refused {tries}"
    if any(isinstance(c, (NameResolutionError, socket.gaierror)) for c in causes):
        return f"could not resolve {host} {tries}"
    if isinstance(error, requests.exceptions.ConnectTimeout) or any(
        isinstance(c, ConnectTimeoutError) for c in causes
    ):
        return f"connecting to {host} timed out ({timeout:g} s) {tries}"
    if isinstance(error, requests.exceptions.Timeout) or any(
        isinstance(c, ReadTimeoutError) for c in causes
    ):
        return f"GitHub did not answer {path} within {timeout:g} s {tries}"
    if isinstance(error, requests.exceptions.ChunkedEncodingError) or any(
        isinstance(c, (ProtocolError, ConnectionResetError)) for c in causes
    ):
        return f"connection to {host} broke mid-answer for {path} {tries}"
    return f"request for {path} failed {tries} ({type(error).__name__})"
