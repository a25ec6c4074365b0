"""The one HTTP layer every service client stands on.

A new service (arXiv, OAI-PMH, the Hugging Face Hub, Software Heritage, a web
page) is a small client that builds requests and judges answers; how requests
travel is decided here, once: one timeout setting, one retry policy (tenacity),
politeness per client, conditional requests, and a user agent that names the
tool. What this layer returns keeps the one rule of the project: an answer the
service really gave (200, 301, 404, 410, 451 ...) comes back as an `Answer` for
the client to judge; everything else (a timeout, a refused connection, a 5xx or
a 429 that outlasted the retries) is an `HttpFault`, which a client must report
as `unreachable`/`unknown` and never as evidence that something is gone.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

import httpx
import tenacity

from tracker import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"repro-tracker/{__version__} (+https://github.com/repro-tracker/repro-tracker)"

# Statuses that say "ask again later", not "this is the answer".
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class HttpFault(Exception):
    """The service could not be asked, or did not really answer: never evidence of absence."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answer:
    """What the service answered: a status it meant, its headers and body."""

    status: int
    url: str
    headers: Mapping[str, str]
    content: bytes
    not_modified: bool = False  # a 304 whose stored body is `content`
    truncated: bool = False  # the body was longer than the client reads; `content` is its start

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass(frozen=True)
class Validators:
    """What a conditional request sends back: the stored answer's ETag or Last-Modified, and its body."""

    etag: str | None
    last_modified: str | None
    content: bytes


class ConditionalCache(Protocol):
    """Where a client keeps validators between runs (the store's `http_cache`, or memory)."""

    def get(self, key: str) -> Validators | None: ...

    def put(self, key: str, validators: Validators) -> None: ...


@dataclass
class MemoryCache:
    """A conditional cache that lives as long as the client: for one run, and for tests."""

    entries: dict[str, Validators] = field(default_factory=dict)

    def get(self, key: str) -> Validators | None:
        return self.entries.get(key)

    def put(self, key: str, validators: Validators) -> None:
        self.entries[key] = validators


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from now: it is either delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class HttpClient:
    """Requests to one service, through one retry policy and one pace.

    `min_interval` is the service's published politeness (arXiv asks for one
    request every 3 s): requests through this client are spaced at least that far
    apart, across threads. `sleep` and `clock` are injected so that waiting can be
    observed rather than endured; `transport` lets a client run over any httpx
    transport (an HTTP proxy setting is honoured by httpx itself). `cache`
    keeps validators for conditional requests; `keep_bodies=False` keeps only
    the validators, for a client whose caller remembers what an unchanged
    answer meant (a link checker keeps its previous verdict, not the page).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        attempts: int = 4,
        max_retry_wait: float = 60.0,
        min_interval: float = 0.0,
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        cache: ConditionalCache | None = None,
        keep_bodies: bool = True,
        follow_redirects: bool = False,
        max_bytes: int = 32 << 20,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/") + "/"
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers=all_headers,
            follow_redirects=follow_redirects,
            transport=transport,
        )
        self._max_bytes = max_bytes
        self._attempts = max(1, attempts)
        self._max_retry_wait = max_retry_wait
        self._min_interval = min_interval
        self._cache = cache
        self._keep_bodies = keep_bodies
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._pace_lock = threading.Lock()
        self._next_slot = 0.0
        self.requests = 0
        self.retries = 0

    def __repr__(self) -> str:
        # Never the headers: they may hold a token.
        return f"HttpClient({self.base_url!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, conditional: bool = False,
            headers: Mapping[str, str] | None = None) -> Answer:
        """GET `path` (relative to the base URL, or absolute); an `Answer` for any status the service meant.

        `conditional` sends back the validators of the answer kept from an
        earlier request (this run's or, with a persistent cache, an earlier
        run's), and keeps this answer's: a 304 comes back as the kept answer
        with `not_modified` set.
        """
        key, stored, request_headers = self._conditional(path, params, conditional, headers)
        answer = self._send("GET", path, params=params, headers=request_headers)
        if answer.status == 304 and stored is not None:
            return Answer(200, answer.url, answer.headers, stored.content, not_modified=True)
        if conditional:
            self._keep(key, answer, answer.content if self._keep_bodies else b"")
        return answer

    def head(self, path: str, *, conditional: bool = False, headers: Mapping[str, str] | None = None) -> Answer:
        """HEAD `path`: the status and headers, for a link checker that need not read the page.

        Conditional like `get`; a HEAD has no body to keep, so it keeps
        validators only in a client that keeps none (`keep_bodies=False`).
        """
        key, stored, request_headers = self._conditional(path, None, conditional, headers)
        answer = self._send("HEAD", path, headers=request_headers)
        if answer.status == 304 and stored is not None:
            return Answer(200, answer.url, answer.headers, stored.content, not_modified=True)
        if conditional and not self._keep_bodies:
            self._keep(key, answer, b"")
        return answer

    def _conditional(self, path: str, params: Mapping[str, Any] | None, conditional: bool,
                     headers: Mapping[str, str] | None) -> tuple[str, Validators | None, dict[str, str]]:
        key = str(self._client.build_request("GET", path, params=params).url)
        stored = self._cache.get(key) if conditional and self._cache is not None else None
        request_headers = dict(headers or {})
        if stored is not None:
            if stored.etag:
                request_headers["If-None-Match"] = stored.etag
            if stored.last_modified:
                request_headers["If-Modified-Since"] = stored.last_modified
        return key, stored, request_headers

    def _keep(self, key: str, answer: Answer, content: bytes) -> None:
        if self._cache is None or answer.status != 200 or (answer.truncated and self._keep_bodies):
            return
        etag, modified = answer.headers.get("etag"), answer.headers.get("last-modified")
        if etag or modified:
            self._cache.put(key, Validators(etag, modified, content))

    def post(self, path: str, *, json_body: Any = None, headers: Mapping[str, str] | None = None) -> Answer:
        """POST `path`. Retried like a GET only on faults that mean the service did not act (429, 503, connect)."""
        return self._send("POST", path, json_body=json_body, headers=dict(headers or {}))

    def _pace(self) -> None:
        if self._min_interval <= 0:
            return
        with self._pace_lock:
            now = self._clock()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self._min_interval
        if wait > 0:
            self._sleep(wait)

    def _send(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
              headers: dict[str, str], json_body: Any = None) -> Answer:
        def attempt() -> Answer:
            self._pace()
            self.requests += 1
            try:
                status, url, response_headers, content, truncated = self._exchange(
                    method, path, params=params, headers=headers, json_body=json_body)
            except httpx.ConnectError as exc:
                raise _Retryable(f"could not connect ({_cause(exc)})") from exc
            except httpx.TimeoutException as exc:
                if method not in ("GET", "HEAD") and not isinstance(exc, httpx.ConnectTimeout):
                    raise HttpFault(f"timed out ({type(exc).__name__})") from exc
                raise _Retryable(f"timed out ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:
                if method not in ("GET", "HEAD"):
                    raise HttpFault(f"transport fault ({_cause(exc)})") from exc
                raise _Retryable(f"transport fault ({_cause(exc)})") from exc
            idempotent = method in ("GET", "HEAD")
            retryable = status in RETRYABLE_STATUSES if idempotent else status in {429, 503}
            if retryable:
                wait = retry_after_seconds(response_headers.get("retry-after"), self._wall_clock())
                raise _Retryable(f"HTTP {status}", status=status, retry_after=wait)
            return Answer(status, url, response_headers, content, truncated=truncated)

        def wait_for(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome is not None else None
            if isinstance(error, _Retryable) and error.retry_after is not None:
                return error.retry_after
            return float(min(self._max_retry_wait, 0.5 * 2 ** (state.attempt_number - 1)))


        def before_sleep(state: tenacity.RetryCallState) -> None:
            self.retries += 1
            error = state.outcome.exception() if state.outcome is not None else None
            log.debug("%s %s: %s, asking again", method, _safe(path), error)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            stop=tenacity.stop_after_attempt(self._attempts) | _WaitTooLong(self._max_retry_wait),
            wait=wait_for,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as exc:
            raise HttpFault(f"{exc.reason} after {self._attempts_made(exc)}", status=exc.status,
                            retry_after=exc.retry_after) from None

    def _exchange(self, method: str, path: str, *, params: Mapping[str, Any] | None, headers: dict[str, str],
                  json_body: Any) -> tuple[int, str, dict[str, str], bytes, bool]:
        """One request; the body read up to `max_bytes`, so a huge or endless answer costs a bounded amount."""
        with self._client.stream(method, path, params=params, headers=headers, json=json_body) as response:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > self._max_bytes:
                    truncated = True
                    break
            content = b"".join(chunks)[: self._max_bytes]
            return response.status_code, str(response.url), dict(response.headers), content, truncated

    def _attempts_made(self, exc: _Retryable) -> str:
        if exc.retry_after is not None and exc.retry_after > self._max_retry_wait:
            return f"the service asked to wait {exc.retry_after:.0f} s (more than {self._max_retry_wait:.0f} s)"
        return f"{self._attempts} attempts"


class _WaitTooLong(tenacity.stop.stop_base):
    """Stop when the service asks for a wait longer than we may spend: waiting would only hold the run up."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        return isinstance(error, _Retryable) and (error.retry_after or 0) > self.limit


def _cause(error: BaseException) -> str:
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return str(error) or type(error).__name__


def _safe(path: str) -> str:
    """A path fit for a log line: without its query string, where a key may travel."""
    return path.split("?", 1)[0]
