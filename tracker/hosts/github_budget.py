"""GitHub's rate limits: reading each answer's budget, waiting when allowed, refusing when not.

PyGithub's default `GithubRetry` waits with ``time.sleep`` against the wall
clock, up to an hour for a primary limit and for any ``Retry-After``, so rate
limits are not left to it. Here each answer's ``X-RateLimit-*`` headers are
read; a spent budget (or a secondary limit's ``Retry-After``, or one minute
when a secondary limit gives no time) sets a "quiet until" time. Waits up to
``max_rate_wait`` go through the injected `sleep`; a longer one makes this and
every later request raise `RateLimited` without asking, until the clock passes
the reset time. A request that keeps meeting the limit is asked again a bounded
number of times (tenacity), then given up as `RateLimited`: ``not_checked``,
never evidence about a repository.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import tenacity
from github.Requester import Requester

# GitHub's advice when a secondary limit names no time: wait at least a minute.
SECONDARY_LIMIT_WAIT = 60.0
# Rate-limited answers tolerated for one request before giving up on it.
RATE_LIMITED_ANSWERS = 2

log = logging.getLogger(__name__)

Reply = tuple[int, dict[str, str], str]


@dataclass(frozen=True, slots=True)
class GitHubStats:
    """What this host has spent so far, and GitHub's last word on the budget."""

    requests_made: int = 0  # HTTP attempts, retries and followed redirects included
    requests_rate_counted: int = 0  # answers that cost rate limit (all but 304)
    rate_remaining: int | None = None
    rate_reset: datetime | None = None


class RateLimited(Exception):
    """GitHub's rate limit forbids asking now, for longer than we may wait."""


def error_message(text: str) -> str:
    """GitHub's error ``message``, or "" when the body is not its error shape."""
    try:
        body = json.loads(text)
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


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
    if status == 429 or Requester.isRateLimitError(error_message(text)):
        return SECONDARY_LIMIT_WAIT
    return None


class RateBudget:
    """The REST budget of one host and token, shared by its threads: counters, quiet time, waits."""

    def __init__(self, *, max_rate_wait: float, sleep: Callable[[float], None], clock: Callable[[], float],
                 counts_304: bool) -> None:
        """`clock` returns epoch seconds, like ``time.time``, to compare with GitHub's reset times;
        `counts_304`: whether a 304 costs rate limit (GitHub waives it only for authorized requests)."""
        self._max_rate_wait = max_rate_wait
        self._sleep = sleep
        self._clock = clock
        self._counts_304 = counts_304
        self._lock = threading.Lock()
        self._requests_made = 0
        self._rate_counted = 0
        self._rate_remaining: int | None = None
        self._rate_reset: float | None = None
        self._quiet_until: float | None = None
        self._quiet_reason = ""

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

    def within(self, path: str, ask: Callable[[], Reply]) -> Reply:
        """`ask` once the budget allows, asked again while GitHub answers with its rate limit.

        Raises `RateLimited` when the wait would be longer than allowed, or
        after `RATE_LIMITED_ANSWERS` + 1 rate-limited answers.
        """

        def attempt() -> tuple[Reply, float | None]:
            self._await(path)
            status, headers, text = reply = ask()
            self.note_answer(headers, counted=status != 304 or self._counts_304)
            wait = rate_limit_wait(status, headers, text, self._clock())
            if wait is not None:
                kind = "primary" if headers.get("x-ratelimit-remaining") == "0" else "secondary"
                self.quiet_for(wait, f"GitHub's {kind} rate limit ({status} for {path})")
            return reply, wait

        def gave_up(_: tenacity.RetryCallState) -> tuple[Reply, float | None]:
            raise RateLimited(f"GitHub kept answering {path} with its rate limit; "
                              f"gave up after {RATE_LIMITED_ANSWERS + 1} answers")

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda outcome: outcome[1] is not None),
            stop=tenacity.stop_after_attempt(RATE_LIMITED_ANSWERS + 1),
            # The wait itself is the quiet time, spent in `_await` before the next attempt.
            wait=tenacity.wait_none(),
            sleep=lambda _: None,
            retry_error_callback=gave_up,
        )
        reply, _ = retrying(attempt)
        return reply

    def _await(self, path: str) -> None:
        with self._lock:
            until, reason = self._quiet_until, self._quiet_reason
        if until is None:
            return
        wait = until - self._clock()
        if wait <= 0:
            return
        if wait > self._max_rate_wait:
            resume = datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise RateLimited(
                f"{reason} allows no requests until {resume}; waiting {wait:.0f} s would exceed "
                f"the {self._max_rate_wait:g} s allowed, so {path} was not asked"
            )
        log.info("waiting %.0f s for %s", wait, reason)
        self._sleep(wait)

    def quiet_for(self, seconds: float, reason: str) -> None:
        with self._lock:
            until = self._clock() + seconds
            if self._quiet_until is None or until > self._quiet_until:
                self._quiet_until, self._quiet_reason = until, reason

    def note_answer(self, headers: Mapping[str, str], *, counted: bool) -> None:
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
            self.quiet_for(spent_until + 1 - self._clock(), "GitHub's primary rate limit")

    def note_retry(self, status: int | None) -> None:
        """A retry urllib3 made: an attempt, rate-counted when GitHub answered it."""
        counted = status is not None and (status != 304 or self._counts_304)
        self.count(made=1, counted=1 if counted else 0)

    def count(self, made: int = 0, counted: int = 0) -> None:
        with self._lock:
            self._requests_made += made
            self._rate_counted += counted


@dataclass(frozen=True, slots=True)
class ResourceLimit:
    """One of GitHub's budgets as ``GET /rate_limit`` states it: per window, left now, and when it refills."""

    limit: int
    remaining: int
    reset: datetime


@dataclass(frozen=True, slots=True)
class RateLimits:
    """GitHub's REST (``core``) and GraphQL budgets before a run; `graphql` None where it cannot be used."""

    core: ResourceLimit
    graphql: ResourceLimit | None
    authenticated: bool
