"""Asking a web address what is there, politely, as a link checker should.

Lychee is the model: a user agent that names the tool, a few requests at once
per host at most, redirects followed by hand so that every hop is kept as
evidence, bodies read only as far as a soft 404 can show itself, and no request
to a private, loopback or link-local address unless the user allows that host
(a paper's link must not make the tracker probe a lab's intranet). With a
cache that outlives the run (the store's `http_cache`), a page that answered
with an ETag or Last-Modified is asked conditionally next time, and a 304 says
it is as it was: the caller keeps its previous verdict. Judgement is
`verdict.judge_page`'s; this module only observes.
"""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Callable, Collection
from urllib.parse import urljoin, urlsplit

from tracker.artifacts.verdict import Hop, PageObservation
from tracker.http import Answer, ConditionalCache, HttpClient, HttpFault
from tracker.netguard import non_public_address

MAX_HOPS = 10
TEXT_BYTES = 64 << 10  # enough for a title and a "not found" page; never the whole of a large page
Resolver = Callable[[str], list[str]]

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


class NameNotResolved(Exception):
    """DNS said the host has no address (NXDOMAIN, no data): what a domain that lapsed looks like."""


class ResolverFault(Exception):
    """DNS could not be asked (no server, a timeout, a temporary failure): a fault of ours, never evidence."""


# getaddrinfo's answers that mean "this name has no address", as opposed to "could not ask".
_NO_SUCH_NAME = frozenset(
    code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None)) if code is not None
)


def resolve_host(host: str) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        if exc.errno in _NO_SUCH_NAME:
            raise NameNotResolved(f"{host} does not resolve ({exc.strerror or exc})") from None
        raise ResolverFault(f"{host} could not be resolved ({exc.strerror or exc})") from None
    except (OSError, UnicodeError) as exc:
        raise ResolverFault(f"{host} could not be resolved ({exc})") from None
    return sorted({str(info[4][0]) for info in infos})


class WebClient:
    """Observes web addresses: HEAD first, GET when HEAD is refused or the page must be read."""

    def __init__(
        self,
        *,
        timeout: float = 15.0,
        per_host: int = 2,
        allowed_hosts: Collection[str] = (),
        resolve: Resolver | None = None,
        sleep: Callable[[float], None] = time.sleep,
        cache: ConditionalCache | None = None,
    ) -> None:
        self._timeout = timeout
        self._per_host = per_host
        self._allowed = {host.lower() for host in allowed_hosts}
        self._resolve = resolve
        self._resolved_any = False
        self._sleep = sleep
        self._cache = cache
        self._lock = threading.Lock()
        self._clients: dict[str, HttpClient] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @property
    def resolver_answers(self) -> bool:
        """Whether DNS has given an address for some host since this client was made.

        A name that does not resolve while no name resolves is our network's
        fault (offline, no DNS server), not evidence that the domain lapsed.
        """
        return self._resolved_any

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def observe(self, url: str, *, conditional: bool = True) -> PageObservation:
        """Follow `url` to its final answer and keep every hop.

        `conditional` sends the validators kept from an earlier answer of each
        address; a final answer of 304 sets `not_modified` (its hop reads 200,
        as the answer it confirms did).
        """
        hops: list[Hop] = []
        current = url
        for _ in range(MAX_HOPS):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return PageObservation(url, tuple(hops), refused=f"not a web address: {current}")
            host = parts.hostname.lower()
            refusal = self._refusal(host)
            if isinstance(refusal, NameNotResolved):
                return PageObservation(url, tuple(hops), fault=str(refusal), dns_failed=True)
            if isinstance(refusal, ResolverFault):
                return PageObservation(url, tuple(hops), fault=str(refusal), resolver_fault=True)
            if refusal is not None:
                return PageObservation(url, tuple(hops), refused=refusal)
            try:
                answer = self._ask(parts.scheme, parts.netloc, current, conditional)
            except HttpFault as fault:
                return PageObservation(url, tuple(hops), fault=f"{current}: {fault.reason}")
            hops.append(Hop(current, answer.status))
            location = answer.headers.get("location")
            if 300 <= answer.status < 400 and location:
                current = urljoin(current, location)
                continue
            if answer.not_modified:
                return PageObservation(url, tuple(hops), not_modified=True)
            title, text = _page_text(answer)
            return PageObservation(url, tuple(hops), title=title, text_start=text)
        return PageObservation(url, tuple(hops))

    def _refusal(self, host: str) -> str | NameNotResolved | ResolverFault | None:
        resolve = self._resolve or resolve_host
        try:
            addresses = resolve(host)
        except (NameNotResolved, ResolverFault) as exc:
            return exc
        self._resolved_any = True
        if host in self._allowed:
            return None
        found = non_public_address(addresses)
        if found is not None:
            return (f"{host} resolves to {found.address}, {found.kind} address; not asked "
                    "(add the host to REPRO_TRACKER_GIT_HOSTS to allow it)")
        return None

    def _ask(self, scheme: str, netloc: str, url: str, conditional: bool) -> Answer:
        origin = f"{scheme}://{netloc}"
        client, slots = self._client(origin)
        with slots:
            answer = client.head(url, conditional=conditional)
            if answer.not_modified:
                return answer
            # Many servers refuse HEAD, or answer it wrongly; a GET decides. A live page is read as far as a soft
            # 404 would show, and only when it is HTML. A HEAD that brought validators has just kept them: sent
            # back on the GET, they would make a changed page answer 304.
            if answer.status >= 400:
                answer = client.get(url, conditional=conditional)
            elif 200 <= answer.status < 300 and _is_html(answer):
                fresh = bool(answer.headers.get("etag") or answer.headers.get("last-modified"))
                answer = client.get(url, conditional=conditional and not fresh)
        return answer

    def _client(self, origin: str) -> tuple[HttpClient, threading.BoundedSemaphore]:
        with self._lock:
            if origin not in self._clients:
                # Validators only: a page confirmed unchanged keeps its previous verdict, so its text is not kept.
                self._clients[origin] = HttpClient(origin, timeout=self._timeout, attempts=2, max_retry_wait=30,
                                                   max_bytes=TEXT_BYTES, sleep=self._sleep, cache=self._cache,
                                                   keep_bodies=False)
                self._slots[origin] = threading.BoundedSemaphore(self._per_host)
            return self._clients[origin], self._slots[origin]


def _is_html(answer: Answer) -> bool:
    kind = answer.headers.get("content-type", "")
    return not kind or "html" in kind


def _page_text(answer: Answer) -> tuple[str | None, str]:
    if not _is_html(answer) or not answer.content:
        return None, ""
    match = _TITLE.search(answer.content)
    title = html.unescape(match.group(1).decode("utf-8", "replace")).strip() if match else None
    body = answer.content.decode("utf-8", "replace")
    body = re.split(r"</head\s*>", body, maxsplit=1, flags=re.IGNORECASE)[-1]
    return title, html.unescape(_TAGS.sub(" ", body))[:4000]
