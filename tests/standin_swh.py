"""A stand-in for the Software Heritage Web API on 127.0.0.1: its JSON shapes, errors and budget headers.

Point the code at it with ``SWH_API_URL=<url>`` (the URL ends in ``/api/1/``).
What it answers, each shape as archive.softwareheritage.org sends it:

- ``GET origin/{url}/get/``: the origin (``url``, ``origin_visits_url``,
  ``has_visits``, ``visit_types``, ``metadata_authorities_url``), or a 404
  ``{"exception": "NotFoundExc", "reason": "Origin with url {url} not found."}``.
- ``GET origin/{url}/visit/latest/?require_snapshot=true``: the newest visit
  with a snapshot (``origin``, ``visit``, ``date``, ``status``, ``snapshot``,
  ``type``, ``metadata``, ``origin_url``, ``snapshot_url``), or a 404
  ``NotFoundExc`` "No visit for origin {url} found".
- ``GET revision/{sha1_git}/``: the revision (its id is the git commit id), or a
  404 ``NotFoundExc`` "Revision with sha1_git {sha} not found.".
- ``GET snapshot/{id}/``: ``branches`` (``HEAD`` an alias to ``refs/heads/<b>``,
  which targets a revision) and ``next_branch``.
- ``POST origin/save/git/url/{url}/``: a save request, ``accepted`` with task
  ``pending``; ``GET`` the same path: the origin's requests as a list, each GET
  moving a request one step (pending, scheduled, running, succeeded). On
  success the origin is archived from the git repository registered for it
  (every commit becomes a revision, a new visit with a snapshot is made).
- ``X-RateLimit-Limit/-Remaining/-Reset`` on every answer, one budget for
  reads and one for save requests (the archive throttles them apart); spent,
  a 429 ``{"exception": "Throttled", ...}`` with ``Retry-After``.

`faults` makes chosen paths answer 502 (a 5xx the client retries, then a
fault) or a 404 that is not the archive's (an HTML page from a proxy).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TASK_STEPS = ("pending", "scheduled", "running", "succeeded")


@dataclass
class Window:
    """One rate-limit window; `reset` is epoch seconds on the stand-in's clock."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(max(0, self.remaining)),
                "X-RateLimit-Reset": str(self.reset)}


@dataclass
class ArchivedOrigin:
    visits: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Asked:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class SwhStandin:
    url: str = ""
    origins: dict[str, ArchivedOrigin] = field(default_factory=dict)
    revisions: set[str] = field(default_factory=set)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    saves: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    repositories: dict[str, Path] = field(default_factory=dict)  # origin URL -> git repository to archive on save
    reads: Window = field(default_factory=lambda: Window(120, 120, int(time.time()) + 3600))
    save_budget: Window = field(default_factory=lambda: Window(10, 10, int(time.time()) + 3600))
    faults: dict[str, str] = field(default_factory=dict)  # path prefix -> "502" | "html404"
    asked: list[Asked] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next_save: int = 1000

    @property
    def api(self) -> str:
        return self.url + "api/1/"

    # -- what the archive holds ------------------------------------------------

    def archive(self, origin_url: str, commits: Iterable[str], head: str, *, date: datetime,
                branch: str = "main", status: str = "full") -> str:
        """Archive `commits` of `origin_url` in a new visit on `date`, its snapshot's HEAD at `head`; the snapshot id."""
        self.revisions.update(commits)
        snapshot = hashlib.sha1(f"{origin_url} {head} {date.isoformat()}".encode()).hexdigest()
        self.snapshots[snapshot] = {
            "HEAD": {"target": f"refs/heads/{branch}", "target_type": "alias"},
            f"refs/heads/{branch}": {"target": head, "target_type": "revision"},
        }
        origin = self.origins.setdefault(origin_url, ArchivedOrigin())
        origin.visits.append({"visit": len(origin.visits) + 1, "date": date, "status": status, "snapshot": snapshot})
        return snapshot

    def know_origin(self, origin_url: str) -> None:
        """An origin listed but never visited with a snapshot."""
        self.origins.setdefault(origin_url, ArchivedOrigin())

    def archive_git(self, origin_url: str, path: Path, *, date: datetime) -> str:
        """Archive every commit of the git repository at `path`, HEAD as its snapshot's HEAD."""
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        commits = subprocess.run(["git", "-C", str(path), "rev-list", "--all"], capture_output=True, text=True,
                                 check=True, env=env).stdout.split()
        head = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True, env=env).stdout.strip()
        return self.archive(origin_url, commits, head, date=date)

    # -- answering --------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.asked.append(Asked(method, raw_path, headers))
            parts = urlsplit(raw_path)
            path = unquote(parts.path)
            if not path.startswith("/api/1/"):
                return _json(404, {"exception": "NotFoundExc", "reason": "Page not found"}, {})
            rest = path[len("/api/1/"):]
            for prefix, fault in self.faults.items():
                if rest.startswith(prefix):
                    if fault == "502":
                        return 502, {"Content-Type": "text/html"}, b"<html><h1>502 Bad Gateway</h1></html>"
                    return 404, {"Content-Type": "text/html"}, b"<html><h1>Not Found</h1></html>"
            saving = rest.startswith("origin/save/")
            window = self.save_budget if saving else self.reads
            if window.reset <= time.time():
                window.remaining, window.reset = window.limit, int(time.time()) + 3600
            if window.remaining <= 0:
                wait = max(1, int(window.reset - time.time()))
                body = {"exception": "Throttled", "reason": f"Request was throttled. Expected available in {wait} seconds."}
                return _json(429, body, {**window.headers(), "Retry-After": str(wait)})
            window.remaining -= 1
            status, body = self._route(method, rest, parse_qs(parts.query))
            return _json(status, body, window.headers())

    def _route(self, method: str, rest: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if match := re.fullmatch(r"origin/save/git/url/(.+)/", rest):
            return self._save(method, match.group(1))
        if match := re.fullmatch(r"origin/(.+)/visit/latest/", rest):
            return self._latest_visit(match.group(1), query.get("require_snapshot", ["false"])[0] == "true")
        if match := re.fullmatch(r"origin/(.+)/get/", rest):
            return self._origin(match.group(1))
        if match := re.fullmatch(r"revision/([0-9a-f]{40})/", rest):
            return self._revision(match.group(1))
        if match := re.fullmatch(r"snapshot/([0-9a-f]{40})/", rest):
            return self._snapshot(match.group(1))
        return 404, {"exception": "NotFoundExc", "reason": f"Page /api/1/{rest} not found"}

    def _origin(self, url: str) -> tuple[int, Any]:
        origin = self.origins.get(url)
        if origin is None:
            return 404, {"exception": "NotFoundExc", "reason": f"Origin with url {url} not found."}
        ori = hashlib.sha1(url.encode()).hexdigest()
        return 200, {"url": url, "origin_visits_url": f"{self.api}origin/{url}/visits/",
                     "metadata_authorities_url": f"{self.api}raw-extrinsic-metadata/swhid/swh:1:ori:{ori}/authorities/",
                     "has_visits": bool(origin.visits), "visit_types": ["git"] if origin.visits else []}

    def _latest_visit(self, url: str, require_snapshot: bool) -> tuple[int, Any]:
        origin = self.origins.get(url)
        visits = [visit for visit in (origin.visits if origin else []) if visit["snapshot"] or not require_snapshot]
        if not visits:
            return 404, {"exception": "NotFoundExc", "reason": f"No visit for origin {url} found"}
        visit = max(visits, key=lambda item: item["date"])
        return 200, {"origin": url, "visit": visit["visit"], "date": visit["date"].isoformat(),
                     "status": visit["status"], "snapshot": visit["snapshot"], "type": "git", "metadata": {},
                     "origin_url": f"{self.api}origin/{url}/get/",
                     "snapshot_url": f"{self.api}snapshot/{visit['snapshot']}/" if visit["snapshot"] else None}

    def _revision(self, sha: str) -> tuple[int, Any]:
        if sha not in self.revisions:
            return 404, {"exception": "NotFoundExc", "reason": f"Revision with sha1_git {sha} not found."}
        person = {"fullname": "Ada Researcher <ada@example.org>", "name": "Ada Researcher", "email": "ada@example.org"}
        return 200, {"id": sha, "message": "update", "author": person, "committer": person,
                     "date": "2024-01-15T12:00:00+00:00", "committer_date": "2024-01-15T12:00:00+00:00",
                     "type": "git", "directory": hashlib.sha1(sha.encode()).hexdigest(), "synthetic": False,
                     "metadata": {}, "parents": [], "merge": False, "extra_headers": [],
                     "url": f"{self.api}revision/{sha}/", "history_url": f"{self.api}revision/{sha}/log/",
                     "directory_url": f"{self.api}directory/{hashlib.sha1(sha.encode()).hexdigest()}/"}

    def _snapshot(self, snapshot: str) -> tuple[int, Any]:
        branches = self.snapshots.get(snapshot)
        if branches is None:
            return 404, {"exception": "NotFoundExc", "reason": f"Snapshot with id {snapshot} not found!"}
        shown = {name: {**branch, "target_url": f"{self.api}revision/{branch['target']}/"
                        if branch["target_type"] == "revision" else f"{self.api}snapshot/{snapshot}/"}
                 for name, branch in sorted(branches.items())}
        return 200, {"id": snapshot, "branches": shown, "next_branch": None}

    def _save(self, method: str, url: str) -> tuple[int, Any]:
        if method == "POST":
            self._next_save += 1
            request = {"id": self._next_save, "visit_type": "git", "origin_url": url,
                       "save_request_date": datetime.now(UTC).isoformat(), "save_request_status": "accepted",
                       "save_task_status": "pending", "visit_date": None, "visit_status": None, "note": None,
                       "snapshot_swhid": None, "request_url": f"{self.api}origin/save/{self._next_save}/"}
            self.saves.setdefault(url, []).append(request)
            return 200, dict(request)
        requests = self.saves.get(url)
        if not requests:
            return 404, {"exception": "NotFoundExc", "reason": f"No save requests found for visit of type git on origin with url {url}."}
        for request in requests:
            self._advance(request)
        return 200, [dict(request) for request in requests]

    def _advance(self, request: dict[str, Any]) -> None:
        step = TASK_STEPS.index(request["save_task_status"]) if request["save_task_status"] in TASK_STEPS else -1
        if step < 0 or step == len(TASK_STEPS) - 1:
            return
        request["save_task_status"] = TASK_STEPS[step + 1]
        if request["save_task_status"] == "succeeded":
            url = request["origin_url"]
            when = datetime.now(UTC)
            path = self.repositories.get(url)
            snapshot = self.archive_git(url, path, date=when) if path is not None else None
            request.update(visit_date=when.isoformat(), visit_status="full",
                           snapshot_swhid=f"swh:1:snp:{snapshot}" if snapshot else None)


def _json(status: int, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


@contextmanager
def swh_standin() -> Iterator[SwhStandin]:
    standin = SwhStandin()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, headers, data = standin.answer(self.command, self.path, dict(self.headers))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    standin.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
