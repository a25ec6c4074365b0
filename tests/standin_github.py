"""A stand-in for GitHub's REST and GraphQL APIs: real HTTP on 127.0.0.1, GitHub's JSON and headers.

Why a server and not mocks: the code under test is the real PyGithub client with
its real urllib3 retry, redirects, timeouts and connection pooling. Only a real
socket shows what that stack does with a 301, a reset connection or a server
that never answers.

What it answers (each shape as GitHub sends it):

- ``GET /repos/{owner}/{name}`` and ``GET /repositories/{id}``: the repository
  object; a renamed or transferred repository answers ``301`` with
  ``Location: <base>/repositories/{id}``, as GitHub does, and that URL (and its
  sub-paths) serves the repository under its new name.
- ``.../releases/latest`` (200 or 404), ``.../tags`` and ``.../commits``
  (``409 Git Repository is empty.`` for an empty repository), ``/rate_limit``.
- Repositories that are gone: 404, 410, 451 (DMCA block body) or 403
  "Repository access blocked" (a block for another reason, e.g. ``tos``).
- ``ETag``/``Last-Modified`` on every 200, ``304 Not Modified`` when
  ``If-None-Match`` (or ``If-Modified-Since``) matches; a 304 costs no rate
  limit, as at GitHub for authorized requests.
- ``X-RateLimit-Limit/Remaining/Reset/Used/Resource`` and
  ``X-GitHub-Request-Id`` on every answer; when the budget is spent, GitHub's
  primary rate-limit 403 until the reset time passes on the server's clock.

With ``git_root`` (real repositories at ``<git_root>/github.com/<owner>/<name>``,
as ``tests/gitrepos.py`` builds them) it also serves, from those repositories:

- ``POST /graphql`` (``/api/graphql`` under ``/api/v3``), executed by
  graphql-core against `standin_graphql.GRAPHQL_SCHEMA`, a subset of GitHub's
  schema, by the resolvers in `standin_graphql`. As at
  GitHub: an alias that does not resolve is null with a ``NOT_FOUND`` error
  while the others keep their data, a query that does not parse or validate is
  a 200 with ``errors`` and no ``data``, and GraphQL has its own budget
  (``X-RateLimit-Resource: graphql``; spent, a 200 ``RATE_LIMITED``).
  Without ``git_root`` it is a 404, as on a server without GraphQL.
- ``GET /repos/{owner}/{name}/git/trees/{sha}[?recursive=1]``.

Git is read once per (repository directory, HEAD commit), by `standin_git`, so
thousands of repositories that are symbolic links to one template cost one read.

Faults are injected with `StandinGitHub.inject` (5xx and other statuses,
secondary rate limits with ``Retry-After``, slow answers, a connection reset in
the middle of an answer, an accepted connection that is never answered,
malformed JSON). The server takes a ``clock`` so a test can share a fake clock
with the client: the client's injected ``sleep`` advances it, and the server's
rate-limit window resets accordingly, with nobody sleeping for real.

Every wait on the server side is bounded (``max_hold`` seconds) and `stop`
ends it at once, closing connections that are kept alive or hanging.

Run by hand or for benchmarks::

    python tests/standin_github.py --port 8765 --spec spec.json --latency 0.05

(add ``--git-root DIR`` to serve GraphQL and trees) where ``spec.json`` holds ``{"repos": [{"full_name": "a/b", ...field: value}],
"renames": [["a/b", "c/d"]], "rate_limit": 5000, "latency": 0.05}``; fields are
those of `StandinRepo`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from standin_git import GitCache, GitSnapshot
from standin_graphql import LICENSES, run_graphql

DOCS = "https://docs.github.com/rest"

Answer = Literal[200, 403, 404, 410, 451]
FaultKind = Literal["status", "secondary", "slow", "reset", "hang", "malformed"]


@dataclass
class StandinRepo:
    """The scripted state of one repository; mutate it between runs.

    `answer` says how GitHub answers for it: 200 (live), 404 (deleted or never
    existed), 410, 451 (DMCA block) or 403 (blocked for `block_reason`).
    """

    full_name: str
    id: int = 0
    answer: Answer = 200
    block_reason: str = "dmca"
    description: str | None = "Code for the paper."
    homepage: str | None = None
    default_branch: str = "main"
    stars: int = 10
    forks: int = 2
    open_issues: int = 1
    created_at: str = "2022-03-01T10:00:00Z"
    pushed_at: str = "2024-05-01T10:00:00Z"
    updated_at: str = "2024-05-02T10:00:00Z"
    archived: bool = False
    disabled: bool = False
    fork_parent: str | None = None
    topics: list[str] = field(default_factory=list)
    language: str | None = "Python"
    license: str | None = "MIT"  # SPDX id as GitHub reports it; None: no license
    size: int = 1024  # KB; GitHub reports 0 for an empty repository
    empty: bool = False  # no commits: the commits endpoint answers 409
    private: bool = False
    # Each release: {"tag_name", "name", "published_at", "draft", "prerelease"}.
    releases: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # newest first, as listed

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour for the next `times` matching requests (None: all)."""

    kind: FaultKind
    times: int | None = 1
    path: str | None = None  # applies to request paths starting with this; None: all
    status: int = 503  # for "status" and "secondary" (403 or 429)
    seconds: float = 0.0  # for "slow": the delay; for "secondary": Retry-After (0: none)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int | None  # what was answered; None: no complete answer (reset, hang)
    conditional: bool
    authorized: bool

    @property
    def rate_counted(self) -> bool:
        """GitHub waives a 304 only for an authorized request; without a token it costs as any answer.
        ``GET /rate_limit`` never costs anything."""
        if self.path.rstrip("/").endswith("/rate_limit"):
            return False
        return self.status is not None and (self.status != 304 or not self.authorized)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: StandinGitHub


class StandinGitHub:
    """A scriptable GitHub REST API on 127.0.0.1 (port 0 unless given)."""

    def __init__(
        self,
        *,
        port: int = 0,
        prefix: str = "",
        latency: float = 0.0,
        rate_limit: int = 5000,
        token: str | None = None,
        clock: Callable[[], float] = time.time,
        max_hold: float = 5.0,
        git_root: Path | None = None,
        graphql_rate_limit: int = 5000,
        tree_truncate_over: int | None = None,
    ) -> None:
        """`prefix` serves under e.g. ``/api/v3`` as GitHub Enterprise does;
        `token`, if given, is the only one accepted (others get 401).

        `git_root` holds real git repositories at ``<git_root>/github.com/<owner>/<name>``
        (the layout of ``tests/gitrepos.py``); only with it are GraphQL and the
        git-trees endpoint served, as their answers come from those repositories.
        `tree_truncate_over` makes the trees endpoint truncate longer listings,
        as GitHub does beyond its own (much larger) limit.
        """
        self.prefix = prefix.rstrip("/")
        self.git_root = git_root
        self.tree_truncate_over = tree_truncate_over
        self.graphql_rate_limit = graphql_rate_limit
        self.graphql_rate_remaining = graphql_rate_limit
        self.graphql_rate_reset = int(clock()) + 3600
        self.graphql_points = 0  # points every GraphQL query run so far cost (GitHub's formula)
        self._git = GitCache()
        self.latency = latency
        self.token = token
        self.clock = clock
        self.max_hold = max_hold
        self.rate_limit = rate_limit
        self.rate_remaining = rate_limit
        self.rate_reset = int(clock()) + 3600
        self.requests: list[LoggedRequest] = []
        self._repos: dict[int, StandinRepo] = {}
        self._by_name: dict[str, StandinRepo] = {}  # lowercase full_name -> repo; see `_find`
        self._redirects: dict[str, int] = {}  # old full_name, lowercase -> id
        # Names answered from a template (`add_synthetic`): pattern, the repository's fields, its git directory.
        self._synthetic: list[tuple[re.Pattern[str], dict[str, Any], Path | None]] = []
        self._app: tuple[int, int, str] | None = None  # see `serve_app`
        self._faults: list[list[Any]] = []  # [Fault, remaining times]
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        # Set when a handler starts holding an answer back (slow, hang, latency),
        # so a test can wait for that moment instead of sleeping.
        self.holding = threading.Event()
        self.in_flight = 0
        self.peak_in_flight = 0  # most requests being answered at once: how parallel the client really was
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.standin = self
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What a client takes as its API base URL (``GITHUB_API_URL``)."""
        return self.url + self.prefix

    @property
    def graphql_path(self) -> str:
        """``/graphql``, or ``/api/graphql`` under ``/api/v3``: PyGithub's `Requester.get_graphql_prefix`."""
        base = self.prefix.rstrip("/")
        return base.removesuffix("/v3") + "/graphql"

    @property
    def git_reads(self) -> int:
        """How many times a repository's commits and refs were read with git (the rest came from the cache)."""
        return self._git.reads

    def start(self) -> StandinGitHub:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; ends waiting handlers and kept-alive connections too."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
            handlers = list(self._handlers)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer
        for handler in handlers:
            handler.join(timeout=2)

    def __enter__(self) -> StandinGitHub:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- scripting -----------------------------------------------------------

    def add_repo(self, full_name: str, **fields_: Any) -> StandinRepo:
        with self._lock:
            repo_id = fields_.pop("id", None) or 1000 + len(self._repos) + 1
            repo = StandinRepo(full_name=full_name, id=repo_id, **fields_)
            if repo.empty:
                repo.size = 0
            self._repos[repo.id] = repo
            return repo

    def add_synthetic(self, pattern: str, *, git_template: Path | None = None, **fields_: Any) -> None:
        """Answer every name matching `pattern` (a regular expression over ``owner/name``, any case) as a live
        repository with `fields_`, made the first time it is asked about: 300,000 cost nothing until asked.

        GraphQL and the trees endpoint read such a repository from `git_template`
        (one real repository for them all). Not for renames: a synthetic
        repository is found by its name only.
        """
        with self._lock:
            self._synthetic.append((re.compile(pattern, re.IGNORECASE), dict(fields_), git_template))

    def serve_app(self, app_id: int, installation_id: int, public_key_pem: str) -> None:
        """Act as GitHub for a GitHub App: ``POST /app/installations/{id}/access_tokens`` with a JWT the App
        signed (RS256, ``iss`` its id) answers 201 with a fresh ``ghs_`` token, which from then on is the
        only token accepted. Tokens issued are in `issued_tokens`."""
        with self._lock:
            self._app = (app_id, installation_id, public_key_pem)
            self.issued_tokens: list[str] = []

    def refill_rate_limits(self) -> None:
        """Let both rate-limit windows pass now: the next answer starts a new window with the whole limit."""
        with self._lock:
            self.rate_reset = self.graphql_rate_reset = int(self.clock())

    def repo(self, full_name: str) -> StandinRepo:
        found = self._find(full_name)
        if found is None:
            raise KeyError(full_name)
        return found

    def rename(self, old: str, new: str) -> None:
        """Rename or transfer: the old name answers 301 to /repositories/{id}."""
        with self._lock:
            repo = self.repo(old)
            self._redirects[repo.full_name.lower()] = repo.id
            repo.full_name = new

    def delete(self, full_name: str, answer: Answer = 404) -> None:
        self.update(full_name, answer=answer)

    def update(self, full_name: str, **changes: Any) -> None:
        """Change fields, e.g. ``archived=True``, ``license="Apache-2.0"``."""
        with self._lock:
            repo = self.repo(full_name)
            for name, value in changes.items():
                setattr(repo, name, value)

    def push(self, full_name: str, pushed_at: str) -> None:
        self.update(full_name, pushed_at=pushed_at, updated_at=pushed_at, empty=False,
                    size=max(self.repo(full_name).size, 1))

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append([fault, fault.times])

    def exhaust_rate_limit(self, reset_at: float) -> None:
        """Spend the primary budget; it comes back when the clock reaches `reset_at`."""
        with self._lock:
            self.rate_remaining = 0
            self.rate_reset = int(reset_at)

    def exhaust_graphql_rate_limit(self, reset_at: float) -> None:
        """Spend GraphQL's own budget (REST's is untouched, as at GitHub) until the clock reaches `reset_at`."""
        with self._lock:
            self.graphql_rate_remaining = 0
            self.graphql_rate_reset = int(reset_at)

    # -- the request log -----------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.requests)

    @property
    def rate_counted(self) -> int:
        return sum(1 for entry in self.requests if entry.rate_counted)

    def paths(self) -> list[str]:
        return [entry.path for entry in self.requests]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- internals used by the handler ---------------------------------------

    def _find(self, full_name: str) -> StandinRepo | None:
        """The repository now called `full_name`. The index is only a hint, checked on
        every use and rebuilt on a miss, as names change under it (`rename`, `update`)."""
        key = full_name.lower()
        with self._lock:
            hint = self._by_name.get(key)
            if hint is not None and hint.full_name.lower() == key:
                return hint
            for pattern, fields_, _ in self._synthetic:
                if hint is None and pattern.fullmatch(full_name):
                    made = self._by_name[key] = self.add_repo(full_name, **fields_)
                    return made
            self._by_name = {repo.full_name.lower(): repo for repo in reversed(self._repos.values())}
            return self._by_name.get(key)

    def _take_fault(self, path: str) -> Fault | None:
        """The fault for `path`; a fault's own path is relative to the API's base,
        and ``/graphql`` names the GraphQL endpoint wherever it is served."""
        route = "/graphql" if path == self.graphql_path else path
        base = "" if path == self.graphql_path else self.prefix
        with self._lock:
            for entry in self._faults:
                fault, left = entry
                if fault.path is not None and not route.startswith(base + fault.path):
                    continue
                if left is None:
                    return fault
                if left > 0:
                    entry[1] = left - 1
                    return fault
            return None

    def _budget(self, resource: str, spend: int = 0) -> tuple[int, int, int]:
        """(limit, remaining, reset) of `resource` ("core" or "graphql"), refilled
        when its window has passed, after spending `spend` points (True: one)."""
        attr = "rate" if resource == "core" else "graphql_rate"
        with self._lock:
            limit = getattr(self, f"{attr}_limit")
            now = self.clock()
            if now >= getattr(self, f"{attr}_reset"):
                setattr(self, f"{attr}_remaining", limit)
                setattr(self, f"{attr}_reset", int(now) + 3600)
            remaining = getattr(self, f"{attr}_remaining")
            if spend and remaining > 0:
                remaining = max(remaining - int(spend), 0)
                setattr(self, f"{attr}_remaining", remaining)
            return limit, remaining, getattr(self, f"{attr}_reset")

    def _rate_headers(self, counted: bool, resource: str = "core") -> dict[str, str]:
        limit, remaining, reset = self._budget(resource, spend=counted)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Used": str(limit - remaining),
            "X-RateLimit-Resource": resource,
        }

    def _budget_spent(self, resource: str = "core") -> bool:
        attr = "rate" if resource == "core" else "graphql_rate"
        with self._lock:
            if self.clock() >= getattr(self, f"{attr}_reset"):
                return False
            return getattr(self, f"{attr}_remaining") <= 0

    def tag_names(self, repo: StandinRepo) -> list[str]:
        """The repository's tags, newest commit first (GraphQL's TAG_COMMIT_DATE order; REST sorts them by
        name): from git when there is a git repository with tags (so REST and GraphQL tell the same), else
        those scripted on the `StandinRepo`."""
        snapshot = self._git_snapshot(repo.full_name)
        found = []
        for refname, oid, peeled in snapshot.refs if snapshot is not None else ():
            if refname.startswith("refs/tags/"):
                commit = snapshot.commits.get(peeled or oid)
                found.append((commit.committed.timestamp() if commit is not None else 0.0, refname[len("refs/tags/"):]))
        return [name for _, name in sorted(found, reverse=True)] or list(repo.tags)

    def _git_snapshot(self, full_name: str) -> GitSnapshot | None:
        """The git repository behind `full_name`; None when there is none or it has no commits."""
        for pattern, _, template in self._synthetic:
            if template is not None and pattern.fullmatch(full_name):
                return self._git.snapshot(template)
        if self.git_root is None:
            return None
        return self._git.snapshot(self.git_root / "github.com" / full_name)

    def _hold(self, seconds: float) -> None:
        """Wait server-side, bounded, and never past `stop`."""
        self.holding.set()
        self._stopping.wait(min(seconds, self.max_hold))

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)


def _error(status: int, message: str, doc: str = DOCS, **extra: Any) -> tuple[int, Any]:
    return status, {"message": message, "documentation_url": doc, "status": str(status), **extra}


def _http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso).astimezone(UTC), usegmt=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub; every answer has Content-Length
    server: _Server
    timeout = 30  # an idle kept-alive connection ends its thread eventually

    # -- plumbing ------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle and
        # delayed ACKs add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        standin = self.server.standin
        with standin._lock:
            standin._connections.add(self.connection)
            standin._handlers.add(threading.current_thread())

    def finish(self) -> None:
        standin = self.server.standin
        with standin._lock:
            standin._connections.discard(self.connection)
            standin._handlers.discard(threading.current_thread())
        try:
            super().finish()
        except OSError:
            pass  # the client went away mid-answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is `StandinGitHub.requests`; stderr stays quiet

    def do_GET(self) -> None:
        self._recorded = False
        self._body = b""
        self._serve()

    def do_POST(self) -> None:
        self._recorded = False
        length = self.headers.get("Content-Length")
        try:
            self._body = self.rfile.read(int(length)) if length and int(length) > 0 else b""
        except (OSError, ValueError):
            self.close_connection = True
            return
        self._serve()

    def _serve(self) -> None:
        standin = self.server.standin
        with standin._lock:
            standin.in_flight += 1
            standin.peak_in_flight = max(standin.peak_in_flight, standin.in_flight)
        try:
            self._serve_one()
        finally:
            with standin._lock:
                standin.in_flight -= 1

    def _serve_one(self) -> None:
        """One request, whatever its method: latency, then a fault or the answer."""
        standin = self.server.standin
        try:
            if standin.latency:
                standin._hold(standin.latency)
            path = urlsplit(self.path).path
            fault = standin._take_fault(path)
            if fault is not None and fault.kind in ("hang", "reset", "slow", "malformed"):
                self._misbehave(fault)
            elif fault is not None:
                self._fault_answer(fault)
            else:
                self._route(path)
        except OSError:
            self.close_connection = True  # the client hung up
        finally:
            self._record(None)  # no-op when an answer was recorded

    def _record(self, status: int | None) -> None:
        """Log this request once, before its answer goes out, so that a client
        that has its answer always finds the request in the log."""
        if self._recorded:
            return
        self._recorded = True
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        authorized = self.headers.get("Authorization") is not None
        self.server.standin._log(
            LoggedRequest(self.command, urlsplit(self.path).path, status, conditional, authorized)
        )

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
              counted: bool = True, resource: str = "core") -> int:
        standin = self.server.standin
        raw = b"" if status == 304 else json.dumps(body, indent=2).encode()
        self._record(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("X-GitHub-Request-Id", uuid.uuid4().hex[:20].upper())
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        # A 304 is free only for an authorized request (GitHub's conditional-request rule).
        free = status == 304 and self.headers.get("Authorization") is not None
        for name, value in standin._rate_headers(counted and not free, resource).items():
            self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if raw:
            self.wfile.write(raw)
        return status

    def _send_json(self, body: Any, last_modified: str | None = None) -> int:
        """A 200 with validators, or a 304 when the client's validators match."""
        etag = 'W/"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=60, s-maxage=60"}
        if last_modified:
            headers["Last-Modified"] = last_modified
        if_none_match = self.headers.get("If-None-Match")
        if_modified = self.headers.get("If-Modified-Since")
        if if_none_match is not None:
            if etag in [tag.strip() for tag in if_none_match.split(",")]:
                return self._send(304, None, headers)
        elif if_modified and last_modified:
            if parsedate_to_datetime(if_modified) >= parsedate_to_datetime(last_modified):
                return self._send(304, None, headers)
        return self._send(200, body, headers)

    # -- faults --------------------------------------------------------------

    def _misbehave(self, fault: Fault) -> int | None:
        standin = self.server.standin
        if fault.kind == "hang":
            self._record(None)
            standin._hold(standin.max_hold)
            self.close_connection = True
            return None
        if fault.kind == "slow":
            standin._hold(fault.seconds)
            return self._route(urlsplit(self.path).path)
        if fault.kind == "malformed":
            raw = b'{"id": 1, "full_name": '
            self._record(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return 200
        # "reset": promise a body, send part of it, then abort the connection.
        self._record(None)
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", "4096")
        self.end_headers()
        self.wfile.write(b'{"id": 1, "name": "trunc')
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        return None

    def _fault_answer(self, fault: Fault) -> int:
        if fault.kind == "secondary":
            headers = {"Retry-After": str(int(fault.seconds))} if fault.seconds else {}
            status, body = _error(
                fault.status,
                "You have exceeded a secondary rate limit. Please wait a few minutes before "
                "you try again. If you reach out to GitHub Support for help, please include "
                "the request ID.",
                f"{DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            )
            return self._send(status, body, headers)
        messages = {500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                    504: "We couldn't respond to your request in time. Sorry about that.", 404: "Not Found",
                    403: "Resource not accessible by integration"}
        status, body = _error(fault.status, messages.get(fault.status, "Error"))
        return self._send(status, body)

    # -- GitHub's routes -----------------------------------------------------

    def _route(self, path: str) -> int:
        if self.command == "POST":
            return self._answer_post(path, self.headers.get("Authorization"))
        return self._answer(path, self.headers.get("Authorization"))

    def _answer(self, path: str, authorization: str | None) -> int:
        standin = self.server.standin
        if not path.startswith(standin.prefix + "/"):
            return self._send(*_error(404, "Not Found"))
        route = path[len(standin.prefix):].strip("/").split("/")
        if authorization is not None and standin.token is not None:
            scheme, _, given = authorization.partition(" ")
            if scheme.lower() not in ("token", "bearer") or given != standin.token:
                return self._send(*_error(401, "Bad credentials"))
        if route == ["rate_limit"]:
            return self._send(200, self._rate_limit_body(), counted=False)
        if standin._budget_spent():
            return self._send(*_error(
                403,
                "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
                "requests get a higher rate limit. Check out the documentation for more details.)",
                f"{DOCS}/overview/rate-limits-for-the-rest-api",
            ))
        with standin._lock:
            if route[0] == "repositories" and len(route) >= 2 and route[1].isdigit():
                repo = standin._repos.get(int(route[1]))
                rest = route[2:]
            elif route[0] == "repos" and len(route) >= 3:
                full_name = f"{route[1]}/{route[2]}"
                repo, rest = standin._find(full_name), route[3:]
                moved_id = standin._redirects.get(full_name.lower())
                if repo is None and moved_id is not None:
                    location = "/".join([standin.api_url, "repositories", str(moved_id), *rest])
                    return self._send(301, {"message": "Moved Permanently", "url": location,
                                            "documentation_url": DOCS},
                                      {"Location": location})
            else:
                return self._send(*_error(404, "Not Found"))
            if repo is None:
                return self._send(*_error(404, "Not Found", f"{DOCS}/repos/repos#get-a-repository"))
            repo = replace(repo, releases=list(repo.releases), tags=list(repo.tags))
        return self._repo_route(repo, rest)

    def _repo_route(self, repo: StandinRepo, rest: list[str]) -> int:
        if repo.answer == 404:
            return self._send(*_error(404, "Not Found", f"{DOCS}/repos/repos#get-a-repository"))
        if repo.answer == 410:
            return self._send(*_error(410, "Repository has been deleted"))
        if repo.answer in (451, 403):
            block = {"reason": repo.block_reason, "created_at": "2024-01-10T12:00:00Z",
                     "html_url": f"https://github.com/github/dmca/blob/master/2024/01/{repo.name}.md"
                     if repo.block_reason == "dmca" else "https://github.com/tos"}
            return self._send(repo.answer, {"message": "Repository access blocked", "block": block})
        if rest == []:
            return self._send_json(self._repo_body(repo), _http_date(repo.updated_at))
        if rest == ["releases", "latest"]:
            published = [r for r in repo.releases if not r.get("draft") and not r.get("prerelease")]
            if not published:
                return self._send(*_error(404, "Not Found",
                                          f"{DOCS}/releases/releases#get-the-latest-release"))
            latest = max(published, key=lambda r: r["published_at"])
            return self._send_json(self._release_body(repo, latest))
        if rest == ["tags"]:
            # GitHub lists tags by name, greatest first (not by date): "weekly.2012-03-27" before "go1.24".
            ordered = sorted(self.server.standin.tag_names(repo), reverse=True)
            return self._send_json(self._page([self._tag_body(repo, t) for t in ordered]))
        if rest == ["commits"]:
            if repo.empty:
                return self._send(*_error(409, "Git Repository is empty.",
                                          f"{DOCS}/commits/commits#list-commits"))
            return self._send_json(self._page([self._commit_body(repo, repo.pushed_at)]))
        if len(rest) >= 3 and rest[:2] == ["git", "trees"] and self.server.standin.git_root is not None:
            return self._git_tree(repo, "/".join(rest[2:]))
        return self._send(*_error(404, "Not Found"))

    def _git_tree(self, repo: StandinRepo, sha: str) -> int:
        """``GET .../git/trees/{sha}``: `sha` is a tree, a commit or a branch or tag name.

        GitHub recurses when ``recursive`` is present at all, whatever its value ("0" included).
        """
        standin = self.server.standin
        doc = f"{DOCS}/git/trees#get-a-tree"
        snapshot = standin._git_snapshot(repo.full_name)
        if snapshot is None:
            return self._send(*_error(409, "Git Repository is empty.", doc))
        found = snapshot.lookup(f"{sha}^{{tree}}")
        if found is None:
            return self._send(*_error(404, "Not Found", doc))
        tree_oid = found[0]
        recursive = "recursive" in parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        entries = snapshot.tree(tree_oid, recursive)
        limit = standin.tree_truncate_over
        truncated = limit is not None and len(entries) > limit
        if truncated:
            entries = entries[:limit]
        base = f"{standin.api_url}/repos/{repo.full_name}/git"
        listed = []
        for entry in entries:
            item: dict[str, Any] = {"path": entry.path, "mode": entry.mode, "type": entry.type, "sha": entry.oid}
            if entry.type == "blob":
                item["size"] = entry.size
                item["url"] = f"{base}/blobs/{entry.oid}"
            elif entry.type == "tree":
                item["url"] = f"{base}/trees/{entry.oid}"
            listed.append(item)
        return self._send_json({"sha": tree_oid, "url": f"{base}/trees/{tree_oid}",
                                "tree": listed, "truncated": truncated})

    def _answer_post(self, path: str, authorization: str | None) -> int:
        """``POST /graphql``; every other POST, and GraphQL without a `git_root`, is a 404."""
        standin = self.server.standin
        if standin._app is not None and path.startswith(standin.prefix + "/app/installations/"):
            return self._access_token(path[len(standin.prefix):], authorization)
        if path != standin.graphql_path or standin.git_root is None:
            return self._send(*_error(404, "Not Found"))
        doc = "https://docs.github.com/graphql"
        if standin.token is not None:
            if authorization is None:
                return self._send(*_error(401, "This endpoint requires you to be authenticated.",
                                          f"{doc}/guides/forming-calls-with-graphql#authenticating-with-graphql"),
                                  counted=False, resource="graphql")
            scheme, _, given = authorization.partition(" ")
            if scheme.lower() not in ("token", "bearer") or given != standin.token:
                return self._send(*_error(401, "Bad credentials", doc), counted=False, resource="graphql")
        if standin._budget_spent("graphql"):
            return self._send(200, {"errors": [{"type": "RATE_LIMITED",
                                                "message": "API rate limit exceeded for user ID 1."}]},
                              counted=False, resource="graphql")
        try:
            request = json.loads(self._body or b"null")
        except ValueError:
            return self._send(*_error(400, "Problems parsing JSON", doc), counted=False, resource="graphql")
        query = request.get("query") if isinstance(request, dict) else None
        if not isinstance(query, str):
            return self._send(200, {"errors": [{"message": "A query attribute must be specified and must be a string."}]},
                              counted=False, resource="graphql")
        variables = request.get("variables") or {}
        if not isinstance(variables, dict):
            return self._send(200, {"errors": [{"message": "Variables are invalid JSON."}]},
                              counted=False, resource="graphql")
        return self._send(200, run_graphql(standin, query, variables, request.get("operationName")),
                          counted=False, resource="graphql")

    def _access_token(self, route: str, authorization: str | None) -> int:
        """GitHub's "create an installation access token for an app": the JWT checked as GitHub does."""
        import jwt

        standin = self.server.standin
        assert standin._app is not None
        app_id, installation_id, public_key = standin._app
        doc = f"{DOCS}/apps/apps#create-an-installation-access-token-for-an-app"
        if route != f"/app/installations/{installation_id}/access_tokens":
            return self._send(*_error(404, "Not Found", doc), counted=False)
        scheme, _, given = (authorization or "").partition(" ")
        try:
            claims = jwt.decode(given, public_key, algorithms=["RS256"], leeway=60,
                                options={"require": ["iat", "exp", "iss"]})
        except jwt.PyJWTError as error:
            return self._send(*_error(401, f"A JSON web token could not be decoded ({type(error).__name__})", doc),
                              counted=False)
        if scheme.lower() != "bearer" or str(claims.get("iss")) != str(app_id):
            return self._send(*_error(401, "Integration not found", doc), counted=False)
        token = f"ghs_{uuid.uuid4().hex}{uuid.uuid4().hex[:4]}"
        expires = datetime.fromtimestamp(standin.clock() + 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with standin._lock:
            standin.token = token
            standin.issued_tokens.append(token)
        return self._send(201, {"token": token, "expires_at": expires,
                                "permissions": {"contents": "read", "metadata": "read"},
                                "repository_selection": "all"}, counted=False)

    def _page(self, items: list[Any]) -> list[Any]:
        query = parse_qs(urlsplit(self.path).query)
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        return items[(page - 1) * per_page: page * per_page]

    # -- GitHub's JSON shapes ------------------------------------------------

    def _owner_body(self, login: str) -> dict[str, Any]:
        api = self.server.standin.api_url
        return {"login": login, "id": abs(hash(login)) % 10**7, "type": "User",
                "url": f"{api}/users/{login}", "html_url": f"https://github.com/{login}"}

    def _repo_body(self, repo: StandinRepo) -> dict[str, Any]:
        api = self.server.standin.api_url
        license_body = None
        if repo.license is not None:
            key, name = LICENSES.get(repo.license, (repo.license.lower(), repo.license))
            license_body = {"key": key, "name": name, "spdx_id": repo.license,
                            "url": None if repo.license == "NOASSERTION" else f"{api}/licenses/{key}",
                            "node_id": "MDc6TGljZW5zZTA="}
        body: dict[str, Any] = {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self._owner_body(repo.owner),
            "html_url": f"https://github.com/{repo.full_name}",
            "description": repo.description,
            "fork": repo.fork_parent is not None,
            "url": f"{api}/repos/{repo.full_name}",
            "homepage": repo.homepage,
            "size": 0 if repo.empty else repo.size,
            "stargazers_count": repo.stars,
            "watchers_count": repo.stars,
            "language": repo.language,
            "forks_count": repo.forks,
            "archived": repo.archived,
            "disabled": repo.disabled,
            "open_issues_count": repo.open_issues,
            "license": license_body,
            "topics": list(repo.topics),
            "visibility": "private" if repo.private else "public",
            "forks": repo.forks,
            "open_issues": repo.open_issues,
            "watchers": repo.stars,
            "default_branch": repo.default_branch,
            "created_at": repo.created_at,
            "updated_at": repo.updated_at,
            "pushed_at": repo.pushed_at,
        }
        if repo.fork_parent is not None:
            parent_owner = repo.fork_parent.split("/", 1)[0]
            parent = {"id": repo.id + 500_000, "name": repo.fork_parent.split("/", 1)[1],
                      "full_name": repo.fork_parent, "owner": self._owner_body(parent_owner),
                      "html_url": f"https://github.com/{repo.fork_parent}", "fork": False}
            body["parent"] = parent
            body["source"] = parent
        return body

    def _release_body(self, repo: StandinRepo, release: dict[str, Any]) -> dict[str, Any]:
        api = self.server.standin.api_url
        return {"url": f"{api}/repos/{repo.full_name}/releases/1", "id": 1,
                "tag_name": release["tag_name"], "name": release.get("name"),
                "draft": bool(release.get("draft")), "prerelease": bool(release.get("prerelease")),
                "created_at": release["published_at"], "published_at": release["published_at"],
                "html_url": f"https://github.com/{repo.full_name}/releases/tag/{release['tag_name']}",
                "author": self._owner_body(repo.owner), "assets": [], "body": ""}

    def _tag_body(self, repo: StandinRepo, tag: str) -> dict[str, Any]:
        api = self.server.standin.api_url
        sha = hashlib.sha1(f"{repo.full_name}@{tag}".encode()).hexdigest()
        return {"name": tag, "commit": {"sha": sha, "url": f"{api}/repos/{repo.full_name}/commits/{sha}"},
                "zipball_url": f"{api}/repos/{repo.full_name}/zipball/refs/tags/{tag}",
                "tarball_url": f"{api}/repos/{repo.full_name}/tarball/refs/tags/{tag}",
                "node_id": f"REF_{sha[:12]}"}

    def _commit_body(self, repo: StandinRepo, when: str) -> dict[str, Any]:
        sha = hashlib.sha1(f"{repo.full_name}@{when}".encode()).hexdigest()
        person = {"name": repo.owner, "email": f"{repo.owner}@example.org", "date": when}
        return {"sha": sha, "commit": {"author": person, "committer": person, "message": "Update"}}

    def _rate_limit_body(self) -> dict[str, Any]:
        standin = self.server.standin
        limit, remaining, reset = standin._budget("core")
        core = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
        limit, remaining, reset = standin._budget("graphql")
        graphql = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
        return {"resources": {"core": core, "graphql": graphql}, "rate": core}


def load_spec(standin: StandinGitHub, spec: dict[str, Any]) -> None:
    """Add the repositories and renames a spec file describes (see module doc)."""
    known = {f.name for f in fields(StandinRepo)}
    for number, entry in enumerate(spec.get("repos", []), start=1):
        unknown = set(entry) - known
        if unknown or "full_name" not in entry:
            raise ValueError(f"spec repos[{number}]: unknown fields {sorted(unknown)} "
                             f"or no full_name; known: {sorted(known)}")
        fields_ = dict(entry)
        standin.add_repo(fields_.pop("full_name"), **fields_)
    for old, new in spec.get("renames", []):
        standin.rename(old, new)


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a stand-in GitHub REST API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--spec", type=Path, help="JSON file with repos and renames")
    parser.add_argument("--latency", type=float, default=None, help="seconds added to every answer")
    parser.add_argument("--prefix", default="", help="e.g. /api/v3 to act as GitHub Enterprise")
    parser.add_argument("--git-root", type=Path, default=None,
                        help="repositories at DIR/github.com/<owner>/<name>: serves GraphQL and git trees")
    args = parser.parse_args(argv)
    spec = json.loads(args.spec.read_text()) if args.spec else {}
    latency = args.latency if args.latency is not None else float(spec.get("latency", 0.0))
    standin = StandinGitHub(port=args.port, prefix=args.prefix, latency=latency,
                            rate_limit=int(spec.get("rate_limit", 5000)), git_root=args.git_root)
    try:
        load_spec(standin, spec)
    except (ValueError, TypeError, KeyError) as error:
        raise SystemExit(f"{args.spec}: {error}") from None
    standin.start()
    print(f"stand-in GitHub API at {standin.api_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    _main()
