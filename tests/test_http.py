"""The shared HTTP layer: what it retries, how long it waits, and that a fault is never an answer."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from standin_http import ScriptedService, scripted_service
from tracker.http import (
    USER_AGENT,
    HttpClient,
    HttpFault,
    MemoryCache,
    retry_after_seconds,
)


@pytest.fixture
def service() -> Iterator[ScriptedService]:
    with scripted_service() as running:
        yield running


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(service: ScriptedService, sleeps: Sleeps, **options: object) -> HttpClient:
    return HttpClient(service.url, sleep=sleeps.sleep, clock=sleeps.clock, **options)  # type: ignore[arg-type]


def test_an_authoritative_answer_is_returned_as_it_came(service: ScriptedService) -> None:
    service.answer("/gone", 410, "gone")
    sleeps = Sleeps()
    answer = client(service, sleeps).get("gone")
    assert (answer.status, answer.text) == (410, "gone")
    assert sleeps.waits == []
    assert service.asked[0].headers["User-Agent"] == USER_AGENT


def test_5xx_then_success_is_retried_with_backoff(service: ScriptedService) -> None:
    service.answer("/flaky", 502, "bad gateway")
    service.answer("/flaky", 503, "unavailable")
    service.answer("/flaky", 200, '{"ok": true}')
    sleeps = Sleeps()
    http = client(service, sleeps)
    assert http.get("flaky").json() == {"ok": True}
    assert sleeps.waits == [0.5, 1.0]
    assert http.retries == 2


def test_429_waits_as_long_as_retry_after_says(service: ScriptedService) -> None:
    service.answer("/limited", 429, "slow down", Retry_After="7")
    service.answer("/limited", 200, "fine")
    sleeps = Sleeps()
    assert client(service, sleeps).get("limited").text == "fine"
    assert sleeps.waits == [7.0]


def test_a_retry_after_longer_than_allowed_is_a_fault_at_once(service: ScriptedService) -> None:
    service.answer("/limited", 429, "slow down", Retry_After="3600")
    sleeps = Sleeps()
    with pytest.raises(HttpFault) as fault:
        client(service, sleeps, max_retry_wait=60).get("limited")
    assert fault.value.status == 429 and fault.value.retry_after == 3600
    assert sleeps.waits == []
    assert "3600" in fault.value.reason


def test_a_service_that_keeps_failing_is_a_fault_not_an_answer(service: ScriptedService) -> None:
    service.answer("/down", 500, "boom")
    sleeps = Sleeps()
    with pytest.raises(HttpFault) as fault:
        client(service, sleeps, attempts=3).get("down")
    assert fault.value.status == 500
    assert len(service.asked) == 3


def test_a_refused_connection_is_a_fault() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    http = HttpClient(f"http://127.0.0.1:{port}/", sleep=sleeps.sleep, clock=sleeps.clock, attempts=2)
    with pytest.raises(HttpFault, match="could not connect"):
        http.get("anything")
    assert sleeps.waits == [0.5]


def test_conditional_requests_reuse_the_stored_body_on_304(service: ScriptedService) -> None:
    service.answer("/page", 200, "first body", ETag='"v1"')
    service.answer("/page", 304, "")
    sleeps = Sleeps()
    http = client(service, sleeps, cache=MemoryCache())
    assert http.get("page", conditional=True).text == "first body"
    again = http.get("page", conditional=True)
    assert (again.status, again.text, again.not_modified) == (200, "first body", True)
    assert service.asked[1].headers["If-None-Match"] == '"v1"'


def test_a_client_that_keeps_validators_only_asks_conditionally_by_head_and_get(service: ScriptedService) -> None:
    """A link checker keeps its verdict, not the page: the cache holds validators and an empty body."""
    service.answer("/page", 200, "the page", ETag='"v1"', Last_Modified="Tue, 01 Dec 2026 10:00:00 GMT")
    cache = MemoryCache()
    http = client(service, Sleeps(), cache=cache, keep_bodies=False)
    assert http.head("page", conditional=True).not_modified is False
    kept = cache.get(f"{service.url}page")
    assert kept is not None and (kept.etag, kept.content) == ('"v1"', b"")
    again = http.head("page", conditional=True)
    assert (again.status, again.not_modified) == (200, True)
    assert service.asked[1].headers["If-None-Match"] == '"v1"'
    assert service.asked[1].headers["If-Modified-Since"] == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert http.get("page", conditional=True).not_modified is True
    assert http.get("page").text == "the page"  # unconditional: the page itself
    assert "If-None-Match" not in service.asked[3].headers


def test_requests_are_spaced_by_the_services_interval(service: ScriptedService) -> None:
    service.answer("/a", 200, "a")
    sleeps = Sleeps()
    http = client(service, sleeps, min_interval=3.0)
    for _ in range(3):
        http.get("a")
    assert sleeps.waits == [3.0, 3.0]


def test_a_token_travels_as_a_header_and_never_in_repr(service: ScriptedService) -> None:
    service.answer("/me", 200, "ok")
    http = client(service, Sleeps(), token="s3cret-token")
    http.get("me")
    assert service.asked[0].headers["Authorization"] == "Bearer s3cret-token"
    assert "s3cret" not in repr(http)


def test_post_is_not_retried_after_the_service_may_have_acted(service: ScriptedService) -> None:
    service.answer("/save", 500, "internal error")
    sleeps = Sleeps()
    answer = client(service, sleeps).post("save", json_body={"x": 1})
    assert answer.status == 500
    assert len(service.asked) == 1


def test_retry_after_as_an_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon", now=0.0) is None
    assert retry_after_seconds("12", now=0.0) == 12.0
