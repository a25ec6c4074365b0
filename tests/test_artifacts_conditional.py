"""Web answers kept across runs by their validators: a 304 keeps the verdict, a changed page is judged again.

On real SQLite and PostgreSQL (the validators live in the store's `http_cache`, the verdict in
`artifact_checks`) with the web stand-in answering as a server does: ETag and Last-Modified on a 200,
304 Not Modified to a request that sends them back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clocks import SetClock
from standin_http import ScriptedService, web  # noqa: F401  (fixture)
from store_support import pg_database, store_url  # noqa: F401  (fixtures)

from tracker.artifacts.check import CONFIRMED_UNCHANGED, ArtifactChecker
from tracker.artifacts.doi import DoiClient, ZenodoClient
from tracker.artifacts.web import WebClient
from tracker.http import HttpClient
from tracker.store import Store, open_store
from tracker.tracking.artifacts import check_artifacts_and_record
from tracker.tracking.papers import ingest as ingest_sources

START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PAGE = "http://lab.example.org/project"
SHORT = "http://bit.ly/lab-code"
REPOSITORY = "http://github.com/lab/code"
LIVE = "<html><head><title>Project</title></head><body>Our model, code and data, with a long description.</body>"
SOFT_404 = "<html><head><title>Page not found</title></head><body>Sorry.</body>"


def checker(store: Store, clock: SetClock) -> ArtifactChecker:
    """The checker a run makes, its validators kept in the store (a new one per run, as a run does)."""
    closed = HttpClient("http://127.0.0.1:9/", attempts=1)
    client = WebClient(timeout=2, resolve=lambda host: ["93.184.216.34"], sleep=lambda _: None,
                    cache=store.answer_cache)
    return ArtifactChecker(client, DoiClient(closed), ZenodoClient(closed), clock=clock)


def run(store: Store, clock: SetClock) -> None:
    run_id = store.start_run(sources=["test"])
    check_artifacts_and_record(store, run_id, checker(store, clock), store.artifacts_due(), workers=1)
    store.finish_run(run_id, "completed")


@contextmanager
def paper_in_store(store_url: str, tmp_path: Path, abstract: str) -> Iterator[tuple[Store, SetClock]]:
    """A store holding one paper with this abstract, and the clock it and its runs are stamped by."""
    clock = SetClock(START)
    with open_store(store_url, clock=clock) as store:
        ingest(store, tmp_path, abstract)
        yield store, clock


def ingest(store: Store, tmp_path: Path, abstract: str) -> None:
    source = tmp_path / "papers.jsonl"
    line = {"id": "arxiv:2410.00009", "title": "A paper", "abstract": abstract, "published": "2026-10-01"}
    source.write_text(json.dumps(line) + "\n")
    ingest_sources(store, [source])


def latest(store: Store, url: str):  # type: ignore[no-untyped-def]
    (row,) = [row for row in store.latest_artifact_checks() if row.url == url]
    return row.latest


def test_a_page_unchanged_by_its_etag_keeps_its_verdict_and_a_changed_one_is_judged_again(
        store_url: str, tmp_path: Path, web: ScriptedService) -> None:
    with paper_in_store(store_url, tmp_path, f"Project page: {PAGE} .") as (store, clock):
        web.answer(PAGE, 200, LIVE, Content_Type="text/html", ETag='"v1"')
        run(store, clock)
        first = latest(store, PAGE)
        assert (first.state, first.facts) == ("ok", {"title": "Project", "http_status": 200})
        assert "If-None-Match" not in web.asked[0].headers

        # The next run, a day later, from a new process: the validators come from the store.
        clock.now += timedelta(days=1)
        asked_before = len(web.asked)
        run(store, clock)
        asked = web.asked[asked_before:]
        assert [(request.method, request.headers.get("If-None-Match")) for request in asked] == [("HEAD", '"v1"')]
        second = latest(store, PAGE)
        assert second.state == first.state == "ok"
        assert second.reason == CONFIRMED_UNCHANGED + first.reason
        assert second.facts == {**first.facts, "unchanged_since": START.isoformat()}
        assert second.redirects == first.redirects and second.final_url == first.final_url

        # A third run confirms it again without the reason growing, and keeps when it was judged.
        clock.now += timedelta(days=1)
        run(store, clock)
        third = latest(store, PAGE)
        assert (third.reason, third.facts) == (second.reason, second.facts)

        # The page changes: a new ETag, and it now says it is not there. It is judged again, and gone.
        web.answers[PAGE].clear()
        web.answer(PAGE, 200, SOFT_404, Content_Type="text/html", ETag='"v2"')
        clock.now += timedelta(days=1)
        asked_before = len(web.asked)
        run(store, clock)
        changed = latest(store, PAGE)
        assert changed.state == "gone" and "soft 404" in changed.reason
        assert "title: Page not found" in changed.evidence
        assert "unchanged_since" not in changed.facts
        # HEAD brought the new ETag and kept it; the GET that read the page did not send it back.
        assert [(request.method, request.headers.get("If-None-Match")) for request in web.asked[asked_before:]] \
            == [("HEAD", '"v1"'), ("GET", None)]
        kept = store.answer_cache.get(PAGE)
        assert kept is not None and kept.etag == '"v2"' and kept.content == b""

        # And that verdict is kept by the next 304, gone being what the server confirms.
        clock.now += timedelta(days=1)
        run(store, clock)
        assert latest(store, PAGE).state == "gone"


def test_a_server_that_refuses_head_is_asked_conditionally_by_get_and_last_modified_serves_too(
        store_url: str, tmp_path: Path, web: ScriptedService) -> None:
    modified = "Tue, 01 Dec 2026 10:00:00 GMT"
    with paper_in_store(store_url, tmp_path, f"Project page: {PAGE} .") as (store, clock):
        web.answer(PAGE, 405, "")
        web.answer(PAGE, 200, LIVE, Content_Type="text/html", Last_Modified=modified)
        run(store, clock)
        web.answers[PAGE].clear()
        web.answer(PAGE, 405, "")
        web.answer(PAGE, 200, LIVE, Content_Type="text/html", Last_Modified=modified)
        clock.now += timedelta(days=1)
        asked_before = len(web.asked)
        run(store, clock)
        assert [(request.method, request.headers.get("If-Modified-Since"))
                for request in web.asked[asked_before:]] == [("HEAD", modified), ("GET", modified)]
        assert latest(store, PAGE).reason.startswith(CONFIRMED_UNCHANGED)


def test_a_304_that_cannot_vouch_for_the_verdict_is_asked_again_without_validators(
        store_url: str, tmp_path: Path, web: ScriptedService) -> None:
    """The previous check was a fault (no verdict to keep): a 304 then says nothing, and the page is read."""
    with paper_in_store(store_url, tmp_path, f"Project page: {PAGE} .") as (store, clock):
        web.answer(PAGE, 200, LIVE, Content_Type="text/html", ETag='"v1"')
        run(store, clock)
        web.answers[PAGE].clear()
        web.answer(PAGE, 503, "busy")
        clock.now += timedelta(days=1)
        run(store, clock)
        assert latest(store, PAGE).state == "unreachable"
        web.answers[PAGE].clear()
        web.answer(PAGE, 200, LIVE, Content_Type="text/html", ETag='"v1"')
        clock.now += timedelta(days=1)
        asked_before = len(web.asked)
        run(store, clock)
        assert [(request.method, request.headers.get("If-None-Match")) for request in web.asked[asked_before:]] \
            == [("HEAD", '"v1"'), ("HEAD", None), ("GET", None)]
        again = latest(store, PAGE)
        assert (again.state, again.reason, again.facts) == ("ok", "answered 200", {"title": "Project",
                                                                                   "http_status": 200})


def test_a_short_link_confirmed_unchanged_still_names_its_repository(
        store_url: str, tmp_path: Path, web: ScriptedService) -> None:
    with paper_in_store(store_url, tmp_path, f"Code: {SHORT}") as (store, clock):
        web.answer(SHORT, 301, Location=REPOSITORY)
        web.answer(REPOSITORY, 200, "<title>lab/code</title>", Content_Type="text/html", ETag='"c1"')
        run(store, clock)
        clock.now += timedelta(days=1)
        run(store, clock)
        check = latest(store, SHORT)
        assert check.state == "ok"
        assert check.reason == CONFIRMED_UNCHANGED + "leads to the repository github.com/lab/code"
        assert check.redirects == (f"301 {SHORT}", f"200 {REPOSITORY}")
        (paper,) = store.papers_with_links()
        assert paper.repositories == ("github.com/lab/code",)
