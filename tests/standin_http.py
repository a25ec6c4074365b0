"""A scripted HTTP service on 127.0.0.1: each path answers from a queue of (status, headers, body).

The service stand-ins (arXiv, OAI-PMH, the Hub, Software Heritage) build on it, so a
test says what the service answers, in the service's own format, and reads back
what was asked. An answer that carries an ETag or Last-Modified is a 304 Not
Modified, without a body, to a request that sends the same validator back
(If-None-Match, If-Modified-Since), as a web server or API answers.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Asked:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedService:
    """Answers keyed by path (with query); the last answer of a queue repeats."""

    answers: dict[str, deque[tuple[int, dict[str, str], bytes]]] = field(default_factory=lambda: defaultdict(deque))
    asked: list[Asked] = field(default_factory=list)
    url: str = ""
    # Paths that answer only once the service stops: a server too slow for any client's timeout.
    stalled: set[str] = field(default_factory=set)
    released: threading.Event = field(default_factory=threading.Event)

    def stall(self, path: str) -> None:
        self.stalled.add(path)

    def answer(self, path: str, status: int, body: bytes | str = b"", **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.answers[path].append((status, {k.replace("_", "-"): v for k, v in headers.items()}, data))

    def next_answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        queue = self.answers.get(path)
        if not queue:
            return 404, {"Content-Type": "text/plain"}, b"no such path in the stand-in\n"
        return queue.popleft() if len(queue) > 1 else queue[0]


def _unchanged(headers: dict[str, str], if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Whether a conditional request names the answer about to be sent (validators compared as sent)."""
    named = {name.lower(): value for name, value in headers.items()}
    if if_none_match is not None and named.get("etag") is not None:
        return named["etag"] in (tag.strip() for tag in if_none_match.split(","))
    return if_modified_since is not None and if_modified_since == named.get("last-modified")


@contextmanager
def scripted_service() -> Iterator[ScriptedService]:
    service = ScriptedService()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            service.asked.append(Asked(self.command, self.path, dict(self.headers), body))
            if self.path in service.stalled:
                service.released.wait()
            status, headers, data = service.next_answer(self.path)
            if status == 200 and _unchanged(headers, self.headers.get("If-None-Match"),
                                            self.headers.get("If-Modified-Since")):
                status, data = 304, b""
                headers = {name: value for name, value in headers.items()
                           if name.lower() in ("etag", "last-modified")}
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_HEAD = _serve

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield service
    finally:
        service.released.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedService]:
    """The whole web, scripted: every plain-HTTP request goes through this service as its proxy."""
    with scripted_service() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.rstrip("/"))
        monkeypatch.setenv("NO_PROXY", "")
        yield proxy


# A Hub model as `GET /api/models/{id}` answers it (huggingface_hub's `ModelInfo` fields).
HUB_MODEL = {
    "_id": "65f0c0ffee", "id": "lab/tiny-model", "modelId": "lab/tiny-model", "author": "lab",
    "sha": "0123456789abcdef0123456789abcdef01234567", "lastModified": "2025-04-01T10:00:00.000Z",
    "private": False, "disabled": False, "gated": False, "downloads": 1234, "likes": 5,
    "tags": ["pytorch", "license:apache-2.0"], "cardData": {"license": "apache-2.0"}, "siblings": [],
    "createdAt": "2024-01-01T00:00:00.000Z",
}
