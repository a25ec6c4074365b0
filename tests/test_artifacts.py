"""Artifacts: what a web page, a Hub repository or a redirect chain says, judged by the one rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from standin_http import HUB_MODEL, ScriptedService, scripted_service

from tracker.artifacts.doi import DoiClient, ZenodoClient, judge_doi, judge_zenodo
from tracker.artifacts.hub import HubClient
from tracker.artifacts.kinds import zenodo_record_id
from tracker.artifacts.verdict import (
    Hop,
    HubObservation,
    LinkState,
    PageObservation,
    judge_hub,
    judge_page,
    soft_404,
)
from tracker.artifacts.web import NameNotResolved, WebClient
from tracker.http import HttpClient
from tracker.netguard import NonPublic, non_public_address
from tracker.records import RepoKind, RepoRef

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"  # any public address: the proxy, not this address, answers


def judge(observation: PageObservation, since: datetime | None = None) -> LinkState:
    return judge_page(observation, dns_failing_since=since, now=NOW).state


# --- judgement, pure ---------------------------------------------------------------------------------------------

def test_404_and_410_are_gone_with_the_chain_as_evidence() -> None:
    for status in (404, 410):
        verdict = judge_page(PageObservation("http://a/x", (Hop("http://a/x", 301), Hop("http://a/y", status))),
                             dns_failing_since=None, now=NOW)
        assert verdict.state is LinkState.GONE
        assert verdict.evidence == ("301 http://a/x", f"{status} http://a/y")


def test_faults_and_unhelpful_answers_are_never_gone() -> None:
    assert judge(PageObservation("http://a/x", fault="timed out")) is LinkState.UNREACHABLE
    for status in (401, 403, 429, 500, 503, 418):
        assert judge(PageObservation("http://a/x", (Hop("http://a/x", status),))) is LinkState.UNREACHABLE


def test_a_name_that_stops_resolving_is_gone_only_after_a_day() -> None:
    failed = PageObservation("http://lab.example/x", fault="lab.example does not resolve", dns_failed=True)
    assert judge(failed) is LinkState.UNREACHABLE
    assert judge(failed, since=NOW - timedelta(hours=23)) is LinkState.UNREACHABLE
    assert judge(failed, since=NOW - timedelta(days=1)) is LinkState.GONE


def test_a_page_that_says_it_is_not_there_is_a_soft_404() -> None:
    assert soft_404("404 - Page not found", "") is not None
    assert soft_404("Site not found · GitHub Pages", "") is not None
    assert soft_404(None, "Sorry, this page does not exist.") is not None
    long_live_page = "A project page. " * 100 + "Results not found elsewhere."
    assert soft_404("Our Project", long_live_page) is None
    verdict = judge_page(PageObservation("http://a/", (Hop("http://a/", 200),), title="Page Not Found"),
                         dns_failing_since=None, now=NOW)
    assert verdict.state is LinkState.GONE and "title: Page Not Found" in verdict.evidence


def test_a_permanent_redirect_is_moved_a_temporary_one_ok() -> None:
    moved = PageObservation("http://a/old", (Hop("http://a/old", 301), Hop("http://b/new", 200)), title="Project")
    assert judge_page(moved, dns_failing_since=None, now=NOW).final_url == "http://b/new"
    assert judge(moved) is LinkState.MOVED
    assert judge(PageObservation("http://a/", (Hop("http://a/", 302), Hop("http://a/home", 200)))) is LinkState.OK


def test_a_refused_address_is_not_checked() -> None:
    assert judge(PageObservation("http://10.0.0.1/", refused="private")) is LinkState.NOT_CHECKED
    assert non_public_address(["93.184.216.34"]) is None
    assert non_public_address(["93.184.216.34", "10.1.2.3"]) == NonPublic("10.1.2.3", "a private")
    assert non_public_address(["::1"]) == NonPublic("::1", "a loopback")
    assert non_public_address(["169.254.1.1"]) == NonPublic("169.254.1.1", "a link-local")
    assert non_public_address(["::ffff:127.0.0.1"]) == NonPublic("127.0.0.1", "a loopback")
    assert non_public_address(["224.0.0.1"]) is not None  # multicast


def test_hub_verdicts() -> None:
    assert judge_hub(HubObservation("a/b", "model", found=None, detail="x")).state is LinkState.UNREACHABLE
    assert judge_hub(HubObservation("a/b", "model", found=False)).state is LinkState.GONE
    assert judge_hub(HubObservation("a/b", "model", found=True, gated=True)).state is LinkState.GATED
    assert judge_hub(HubObservation("a/b", "model", found=True, disabled=True)).state is LinkState.GONE
    ok = judge_hub(HubObservation("a/b", "dataset", found=True, license="mit", downloads=3))
    assert ok.state is LinkState.OK and ok.evidence == ("license mit", "3 downloads")


# --- the web client, against a stand-in reached as an HTTP proxy ---------------------------------------------------

@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ScriptedService, WebClient]]:
    with scripted_service() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.rstrip("/"))
        monkeypatch.setenv("NO_PROXY", "")
        names = {"lab.example.org": [PUBLIC], "short.example": [PUBLIC], "intranet.example": ["10.0.0.7"]}

        def resolve(host: str) -> list[str]:
            if host not in names:
                raise NameNotResolved(f"{host} does not resolve (Name or service not known)")
            return names[host]

        client = WebClient(timeout=2, resolve=resolve, sleep=lambda _: None)
        yield proxy, client
        client.close()


def test_a_redirect_chain_is_followed_and_kept(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, client = web
    proxy.answer("http://short.example/x", 301, Location="http://lab.example.org/project")
    proxy.answer("http://lab.example.org/project", 302, Location="/project/")
    proxy.answer("http://lab.example.org/project/", 200, "<html><title>Project</title><body>Hi</body></html>",
                 Content_Type="text/html")
    observation = client.observe("http://short.example/x")
    assert [(hop.status, hop.url) for hop in observation.hops] == [
        (301, "http://short.example/x"), (302, "http://lab.example.org/project"),
        (200, "http://lab.example.org/project/")]
    assert observation.title == "Project"
    assert judge(observation) is LinkState.MOVED
    assert all("repro-tracker/" in asked.headers["User-Agent"] for asked in proxy.asked)


def test_head_refused_then_get_decides(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, client = web
    proxy.answer("http://lab.example.org/page", 405, "")
    proxy.answer("http://lab.example.org/page", 200, "<title>Lab</title>", Content_Type="text/html")
    observation = client.observe("http://lab.example.org/page")
    assert [asked.method for asked in proxy.asked] == ["HEAD", "GET"]
    assert judge(observation) is LinkState.OK


def test_soft_404_read_from_the_page(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, client = web
    page = "<html><head><title>Lab</title></head><body><h1>Oops</h1>Page not found.</body></html>"
    proxy.answer("http://lab.example.org/gone", 200, page, Content_Type="text/html")
    verdict = judge_page(client.observe("http://lab.example.org/gone"), dns_failing_since=None, now=NOW)
    assert verdict.state is LinkState.GONE and any("Page not found" in item for item in verdict.evidence)


def test_a_503_that_stays_is_unreachable(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, client = web
    proxy.answer("http://lab.example.org/busy", 503, "busy", Retry_After="1")
    assert judge(client.observe("http://lab.example.org/busy")) is LinkState.UNREACHABLE


def test_404_and_410_from_the_host_are_gone(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, client = web
    proxy.answer("http://lab.example.org/old", 302, Location="/older")
    proxy.answer("http://lab.example.org/older", 404, "<title>404 Not Found</title>", Content_Type="text/html")
    proxy.answer("http://lab.example.org/removed", 410, "Gone", Content_Type="text/plain")
    old = judge_page(client.observe("http://lab.example.org/old"), dns_failing_since=None, now=NOW)
    assert old.state is LinkState.GONE
    assert old.evidence == ("302 http://lab.example.org/old", "404 http://lab.example.org/older")
    assert judge(client.observe("http://lab.example.org/removed")) is LinkState.GONE


def test_a_host_too_slow_to_answer_is_unreachable(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, _ = web
    proxy.stall("http://lab.example.org/slow")
    client = WebClient(timeout=0.3, resolve=lambda host: [PUBLIC], sleep=lambda _: None)
    observation = client.observe("http://lab.example.org/slow")
    client.close()
    assert "timed out" in (observation.fault or "") and judge(observation) is LinkState.UNREACHABLE


def test_dns_failure_and_private_addresses(web: tuple[ScriptedService, WebClient]) -> None:
    proxy, client = web
    unresolved = client.observe("http://vanished.example/")
    assert unresolved.dns_failed and judge(unresolved) is LinkState.UNREACHABLE
    refused = client.observe("http://intranet.example/admin")
    assert judge(refused) is LinkState.NOT_CHECKED and "10.0.0.7" in (refused.refused or "")
    assert proxy.asked == []  # neither was asked at all


# --- the Hub, through huggingface_hub at HF_ENDPOINT ----------------------------------------------------------------



@pytest.fixture
def hub() -> Iterator[tuple[ScriptedService, HubClient]]:
    with scripted_service() as service:
        yield service, HubClient(service.url, timeout=2)


def test_hub_model_found_with_its_license_and_downloads(hub: tuple[ScriptedService, HubClient]) -> None:
    service, client = hub
    service.answer("/api/models/lab/tiny-model", 200, json.dumps(HUB_MODEL), Content_Type="application/json")
    observation = client.observe(RepoRef("huggingface.co", "lab", "tiny-model", RepoKind.MODEL))
    assert (observation.found, observation.license, observation.downloads) == (True, "apache-2.0", 1234)
    assert observation.last_modified == datetime(2025, 4, 1, 10, 0, tzinfo=UTC)


def test_hub_not_found_gated_and_faults(hub: tuple[ScriptedService, HubClient]) -> None:
    service, client = hub
    service.answer("/api/datasets/lab/gone", 401, '{"error":"Repository not found"}',
                   Content_Type="application/json", X_Error_Code="RepoNotFound")
    gated = {**HUB_MODEL, "id": "lab/gated", "gated": "manual"}
    service.answer("/api/models/lab/gated", 200, json.dumps(gated), Content_Type="application/json")
    service.answer("/api/spaces/lab/demo", 503, "upstream connect error", Content_Type="text/plain")
    service.answer("/api/models/lab/removed", 404, '{"error":"Repository not found"}',
                   Content_Type="application/json", X_Error_Code="RepoNotFound")
    removed = client.observe(RepoRef("huggingface.co", "lab", "removed", RepoKind.MODEL))
    assert removed.found is False and judge_hub(removed).state is LinkState.GONE
    gone = client.observe(RepoRef("huggingface.co", "lab", "gone", RepoKind.DATASET))
    assert judge_hub(gone).state is LinkState.GONE
    assert judge_hub(client.observe(RepoRef("huggingface.co", "lab", "gated", RepoKind.MODEL))).state is LinkState.GATED
    fault = client.observe(RepoRef("huggingface.co", "lab", "demo", RepoKind.SPACE))
    assert fault.found is None and judge_hub(fault).state is LinkState.UNREACHABLE


def test_hub_that_refuses_connections_is_a_fault() -> None:
    client = HubClient("http://127.0.0.1:9", timeout=2)
    observation = client.observe(RepoRef("huggingface.co", "a", "b", RepoKind.MODEL))
    assert observation.found is None and "could not be asked" in observation.detail


# --- DOIs and Zenodo, through their registries' APIs ----------------------------------------------------------------

def test_zenodo_record_ids() -> None:
    assert zenodo_record_id("10.5281/zenodo.1234567") == "1234567"
    assert zenodo_record_id("https://doi.org/10.5281/ZENODO.42") == "42"
    assert zenodo_record_id("https://zenodo.org/records/99") == "99"
    assert zenodo_record_id("10.1145/3368089.3409692") is None


def test_a_doi_is_asked_of_the_handle_system() -> None:
    with scripted_service() as resolver:
        found = {"responseCode": 1, "handle": "10.5281/zenodo.42", "values": [
            {"index": 1, "type": "URL", "data": {"format": "string", "value": "https://zenodo.org/records/42"},
             "ttl": 86400, "timestamp": "2024-01-01T00:00:00Z"}]}
        resolver.answer("/api/handles/10.5281/zenodo.42", 200, json.dumps(found), Content_Type="application/json")
        resolver.answer("/api/handles/10.9999/nothing", 404, '{"responseCode":100,"handle":"10.9999/nothing"}',
                        Content_Type="application/json")
        resolver.answer("/api/handles/10.1/busy", 500, "oops")
        client = DoiClient(HttpClient(resolver.url, sleep=lambda _: None, attempts=2))
        ok = judge_doi(client.observe("10.5281/zenodo.42"))
        assert ok.state is LinkState.OK and ok.final_url == "https://zenodo.org/records/42"
        assert judge_doi(client.observe("10.9999/nothing")).state is LinkState.GONE
        assert judge_doi(client.observe("10.1/busy")).state is LinkState.UNREACHABLE


def test_zenodo_records_exist_are_deleted_or_never_were() -> None:
    record = {"id": 42, "doi": "10.5281/zenodo.42", "metadata": {
        "title": "Code for the paper", "version": "v1.1", "relations": {"version": [{"index": 1, "count": 2}]}},
        "files": [{"key": "code-v1.1.zip", "size": 1024, "checksum": "md5:00"}]}
    with scripted_service() as zenodo:
        zenodo.answer("/records/42", 200, json.dumps(record), Content_Type="application/json", ETag='"r42"')
        zenodo.answer("/records/43", 410, '{"status": 410, "message": "PID has been deleted."}')
        zenodo.answer("/records/44", 404, '{"status": 404, "message": "PID does not exist."}')
        zenodo.answer("/records/45", 503, "maintenance")
        client = ZenodoClient(HttpClient(zenodo.url, sleep=lambda _: None, attempts=2))
        live = judge_zenodo(client.observe("42"))
        assert live.state is LinkState.OK and live.evidence == ("code-v1.1.zip",) and "2 versions" in live.reason
        deleted = judge_zenodo(client.observe("43"))
        assert deleted.state is LinkState.GONE and "deleted" in deleted.reason
        assert judge_zenodo(client.observe("44")).state is LinkState.GONE
        assert judge_zenodo(client.observe("45")).state is LinkState.UNREACHABLE
