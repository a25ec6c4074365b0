"""Artifacts over time: checked, recorded, listed by kind; Hub kinds through the Hub; promises kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from clocks import SetClock
from standin_http import HUB_MODEL, ScriptedService, scripted_service, web  # noqa: F401  (fixture)

from tracker.artifacts.check import ArtifactChecker
from tracker.artifacts.promises import PromiseFinder
from tracker.artifacts.web import NameNotResolved, WebClient
from tracker.http import HttpClient
from tracker.report.analysis import promises_kept
from tracker.report.listing import filter_rows, status_json
from tracker.report.load import report_data, status_entries
from tracker.settings import Settings
from tracker.store import Store, open_store
from tracker.tracking.artifacts import check_artifacts_and_record, look_for_promised_code
from tracker.tracking.checker import RepositoryChecker
from tracker.tracking.papers import ingest as ingest_sources
from tracker.tracking.recording import check_and_record

START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"

ABSTRACT = (
    "We release our model at https://huggingface.co/lab/tiny-model and the data at "
    "https://doi.org/10.5281/zenodo.42; project page: https://lab.example.org/project; "
    "code: https://bit.ly/lab-code and https://vanished.example/old ."
)


@pytest.fixture
def clock() -> SetClock:
    return SetClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: SetClock) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock) as opened:
        yield opened


def ingest(store: Store, tmp_path: Path, lines: list[dict[str, object]]) -> None:
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    ingest_sources(store, [source])


def paper(arxiv: str, abstract: str, published: str = "2026-10-01") -> dict[str, object]:
    return {"id": f"arxiv:{arxiv}", "title": f"Paper {arxiv}", "abstract": abstract, "published": published}


def run_artifacts(store: Store, checker: ArtifactChecker) -> dict[str, str]:
    run_id = store.start_run(sources=["test"])
    # One at a time, in order of first sight: the project page resolves before the lapsed name is asked.
    check_artifacts_and_record(store, run_id, checker, store.artifacts_due(run_id=run_id), workers=1)
    store.finish_run(run_id, "completed")
    return {row.url: row.latest.state for row in store.latest_artifact_checks()}


def offline_checker(clock: SetClock, resolve: object = None) -> ArtifactChecker:
    settings = Settings.from_env()
    return ArtifactChecker.from_settings(settings, resolve=resolve, clock=clock)  # type: ignore[arg-type]


def test_offline_every_web_artifact_is_unreachable_none_gone_however_long(
        store: Store, tmp_path: Path, clock: SetClock) -> None:
    """THE ONE RULE. conftest seals DNS and points the registries at a closed port; a resolver that says no name
    exists at all (a broken DNS server) is our network's fault too, even two days running."""
    ingest(store, tmp_path, [paper("2410.00001", ABSTRACT)])

    def nothing_resolves(host: str) -> list[str]:
        raise NameNotResolved(f"{host} does not resolve (Name or service not known)")

    for resolver in (None, nothing_resolves, nothing_resolves):
        states = run_artifacts(store, offline_checker(clock, resolver))
        assert set(states) == {"https://doi.org/10.5281/zenodo.42", "https://lab.example.org/project",
                               "https://bit.ly/lab-code", "https://vanished.example/old"}
        assert set(states.values()) == {"unreachable"}, states
        clock.now += timedelta(days=2)
    assert all(row.latest.dns_failing_since is None for row in store.latest_artifact_checks())


def resolver(known: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str) -> list[str]:
        if host not in known:
            raise NameNotResolved(f"{host} does not resolve (Name or service not known)")
        return known[host]
    return resolve


def web_checker(clock: SetClock, registry: ScriptedService | None = None) -> ArtifactChecker:
    from tracker.artifacts.doi import DoiClient, ZenodoClient

    names = resolver({"lab.example.org": [PUBLIC], "bit.ly": [PUBLIC], "github.com": [PUBLIC]})
    base = registry.url if registry else "http://127.0.0.1:9/"
    return ArtifactChecker(WebClient(timeout=2, resolve=names, sleep=lambda _: None),
                           DoiClient(HttpClient(base, attempts=1)), ZenodoClient(HttpClient(base, attempts=1)),
                           clock=clock)


def test_a_lapsed_domain_is_gone_after_a_day_while_others_resolve(
        store: Store, tmp_path: Path, clock: SetClock, web: ScriptedService) -> None:
    ingest(store, tmp_path, [paper("2410.00002", "Project page: http://lab.example.org/project and "
                                                 "http://vanished.example/old .")])
    web.answer("http://lab.example.org/project", 200, "<title>Project</title>", Content_Type="text/html")
    first = run_artifacts(store, web_checker(clock))
    assert first == {"http://lab.example.org/project": "ok", "http://vanished.example/old": "unreachable"}
    since = {row.url: row.latest.dns_failing_since for row in store.latest_artifact_checks()}
    assert since["http://vanished.example/old"] == START
    clock.now += timedelta(hours=23)
    assert run_artifacts(store, web_checker(clock))["http://vanished.example/old"] == "unreachable"
    # A run in which no name resolves (our network is down) is no evidence: the streak neither ends nor grows.
    clock.now += timedelta(hours=1)
    assert set(run_artifacts(store, offline_checker(clock)).values()) == {"unreachable"}
    since = {row.url: row.latest.dns_failing_since for row in store.latest_artifact_checks()}
    assert since["http://vanished.example/old"] == START
    clock.now += timedelta(hours=1)
    assert run_artifacts(store, web_checker(clock))["http://vanished.example/old"] == "gone"


def test_a_short_link_to_a_repository_adds_it_with_the_short_link_as_provenance(
        store: Store, tmp_path: Path, clock: SetClock, web: ScriptedService) -> None:
    ingest(store, tmp_path, [paper("2410.00003", "Code: http://bit.ly/lab-code")])
    web.answer("http://bit.ly/lab-code", 301, Location="http://github.com/lab/code")
    web.answer("http://github.com/lab/code", 200, "<title>lab/code</title>", Content_Type="text/html")
    run_id = store.start_run(sources=["test"])
    tally = check_artifacts_and_record(store, run_id, web_checker(clock), store.artifacts_due(), workers=1)
    assert [ref.canonical for ref in tally.new_repositories] == ["github.com/lab/code"]
    (row,) = store.latest_artifact_checks()
    assert row.kind == "short_link" and row.latest.state == "ok"
    assert row.latest.redirects == ("301 http://bit.ly/lab-code", "200 http://github.com/lab/code")
    assert row.latest.final_url == "http://github.com/lab/code"
    (linked,) = store.papers_with_links()
    assert linked.repositories == ("github.com/lab/code",)
    assert "github.com/lab/code" in [ref.canonical for ref in store.repositories_due()]




def test_a_hugging_face_model_is_a_model_row_checked_through_the_hub_never_cloned(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(store, tmp_path, [paper("2410.00004", "Weights: https://huggingface.co/lab/tiny-model and "
                                                 "https://huggingface.co/datasets/lab/gone")])
    with scripted_service() as hub:
        hub.answer("/api/models/lab/tiny-model", 200, json.dumps(HUB_MODEL), Content_Type="application/json")
        hub.answer("/api/datasets/lab/gone", 401, '{"error":"Repository not found"}',
                   Content_Type="application/json", X_Error_Code="RepoNotFound")
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "none")  # a clone would fail loudly, not reach huggingface.co
        checker = RepositoryChecker.from_settings(Settings.from_env())
        run_id = store.start_run(sources=["test"])
        check_and_record(store, run_id, checker, store.repositories_due(), workers=2)
    rows = {row["repository"]: row for row in status_json(status_entries(store))}
    model = rows["huggingface.co/lab/tiny-model"]
    assert (model["kind"], model["status"], model["license"]) == ("model", "ok", "apache-2.0")
    assert (rows["huggingface.co/datasets/lab/gone"]["kind"], rows["huggingface.co/datasets/lab/gone"]["status"]) \
        == ("dataset", "missing")
    assert [asked.path for asked in hub.asked if "info/refs" in asked.path] == []
    assert [row.kind for row in filter_rows(status_entries(store), kind=["model"])] == ["model"]


def test_a_promise_kept_on_the_hugging_face_paper_page_is_found_later_and_counted(
        store: Store, tmp_path: Path, clock: SetClock) -> None:
    promising = "Code will be released upon publication."
    ingest(store, tmp_path, [paper("2410.00005", promising, "2026-11-10"), paper("2410.00006", promising)])
    with scripted_service() as hub:
        page = {"id": "2410.00005", "title": "Paper 2410.00005", "upvotes": 3,
                "githubRepo": "https://github.com/lab/kept", "githubStars": 12}
        hub.answer("/api/papers/2410.00005", 200, json.dumps(page), Content_Type="application/json")
        hub.answer("/api/papers/2410.00006", 404, '{"error":"Paper not found"}', Content_Type="application/json")
        finder = PromiseFinder(HttpClient(hub.url, attempts=1), None)
        tally = look_for_promised_code(store, finder)
        assert (tally.looked, tally.found) == (2, ["arxiv:2410.00005: github.com/lab/kept"])
        assert look_for_promised_code(store, finder).looked == 0  # at most once a day
        clock.now += timedelta(days=1)
        assert look_for_promised_code(store, finder).looked == 1  # the open one, the next day
    data = report_data(store)
    kept = promises_kept(data.papers)
    assert (kept.promised, kept.kept, dict(kept.within)) == (2, 1, {30: 1, 90: 1, 365: 1})
    assert [p.id for p in kept.open] == ["arxiv:2410.00006"]
    (found,) = [p for p in store.papers_with_links() if p.found_later]
    assert found.found_later == (("github.com/lab/kept", START),)
    assert found.published == date(2026, 11, 10)  # found 23 days after publication: within 30


def test_check_artifacts_on_the_command_line_offline_then_status_by_kind(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app

    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps(paper("2410.00007", ABSTRACT)) + "\n")
    assert runner.invoke(app, ["ingest", str(source), "--db", db]).exit_code == 0
    checked = runner.invoke(app, ["check", "--artifacts", "--db", db, "--json"])
    assert checked.exit_code == 0, checked.output
    records = [json.loads(line) for line in checked.stdout.splitlines()]
    assert {record["kind"] for record in records} == {"page", "doi", "short_link"}
    assert {record["state"] for record in records} == {"unreachable"}
    listed = runner.invoke(app, ["status", "--db", db, "--json", "--kind", "page,doi"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert sorted(row["kind"] for row in rows) == ["doi", "page", "page"]
    assert {row["status"] for row in rows} == {"unreachable"}
    refused = runner.invoke(app, ["status", "--db", db, "--kind", "video"])
    assert refused.exit_code == 2 and "unknown kind video" in refused.output


def test_history_of_an_artifact_by_its_address(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app

    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps(paper("2410.00008", "Project page: https://lab.example.org/project")) + "\n")
    assert runner.invoke(app, ["ingest", str(source), "--db", db]).exit_code == 0
    for _ in range(2):
        assert runner.invoke(app, ["check", "--artifacts", "--db", db]).exit_code == 0
    shown = runner.invoke(app, ["history", "https://lab.example.org/project", "--db", db, "--json"])
    assert shown.exit_code == 0, shown.output
    checks = json.loads(shown.stdout)
    assert [check["state"] for check in checks] == ["unreachable", "unreachable"]
    assert checks[0]["reason"].startswith("lab.example.org could not be resolved")
    table = runner.invoke(app, ["history", "https://lab.example.org/project", "--db", db])
    assert table.exit_code == 0 and "unreachable" in table.stdout


def test_a_paper_known_by_its_title_alone_is_found_through_the_hub_paper_search(
        store: Store, tmp_path: Path, clock: SetClock) -> None:
    source = tmp_path / "papers.jsonl"
    title = "Sparse Mixtures of Tiny Experts"
    source.write_text(json.dumps({"title": title, "abstract": "Code will be released soon."}) + "\n"
                      + json.dumps({"title": "Another Promise", "abstract": "Code will be released soon."}) + "\n")
    ingest_sources(store, [source])
    with scripted_service() as hub:
        results = [{"paper": {"id": "2411.01234", "title": "Sparse mixtures of tiny experts.", "upvotes": 2},
                    "title": "Sparse mixtures of tiny experts."},
                   {"paper": {"id": "2411.09999", "title": "Sparse Mixtures of Tiny Experts, Revisited"}}]
        hub.answer(f"/api/papers/search?q={title.replace(' ', '+')}", 200, json.dumps(results),
                   Content_Type="application/json")
        hub.answer("/api/papers/search?q=Another+Promise", 200, json.dumps([]), Content_Type="application/json")
        hub.answer("/api/papers/2411.01234", 200, json.dumps({"id": "2411.01234", "title": title,
                                                               "githubRepo": "https://github.com/lab/tiny-moe"}),
                   Content_Type="application/json")
        tally = look_for_promised_code(store, PromiseFinder(HttpClient(hub.url, attempts=1), None))
    assert tally.looked == 2 and [found.split(": ")[1] for found in tally.found] == ["github.com/lab/tiny-moe"]
    kept = promises_kept(report_data(store).papers)
    assert (kept.kept, [paper.title for paper in kept.open]) == (1, ["Another Promise"])
