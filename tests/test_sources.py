"""Sources beside files: arXiv's API and OAI-PMH, Hugging Face Papers, the Papers with Code archive.

Every service is a stand-in on 127.0.0.1 answering in its real format
(`standin_sources`), reached through ARXIV_API_URL, ARXIV_OAI_URL and
HF_ENDPOINT, through the real CLI and store.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from standin_http import ScriptedService, scripted_service
from standin_sources import (
    ArxivPaper,
    api_query,
    atom_feed,
    hf_daily,
    hf_daily_path,
    hf_paper_object,
    oai_error,
    oai_list_records,
    oai_path,
)
from typer.testing import CliRunner

from tracker.cli import app
from tracker.sources import SpecError, parse_spec
from tracker.sources.spec import oai_set_of

runner = CliRunner()

ATTENTION = ArxivPaper(
    "2401.00001", "Attention Is Still All You Need",
    "We revisit attention. Code is at https://github.com/lab/attention-again.",
    comments="12 pages. Code: https://github.com/lab/attention-extras",
    published="2024-01-02T18:00:00Z", datestamp="2024-01-03",
)
SPARSE = ArxivPaper(
    "2401.00002", "Sparse Mixtures for Everyone",
    "A sparse mixture of experts that trains on one GPU; we will release our models.",
    published="2024-01-05T09:30:00Z", datestamp="2024-01-06",
    github_repo="https://github.com/moe-lab/sparse-everyone", project_page="https://moe-lab.github.io/sparse",
)
OLD = ArxivPaper("hep-th/9901001", "Strings Before the Millennium", "An old paper without code.",
                 published="1999-01-04T00:00:00Z", categories=("hep-th",), datestamp="2008-11-13")


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedService]:
    with scripted_service() as service:
        monkeypatch.setenv("ARXIV_API_URL", service.url + "api/query")
        monkeypatch.setenv("ARXIV_OAI_URL", service.url + "oai")
        monkeypatch.setenv("HF_ENDPOINT", service.url.rstrip("/"))
        monkeypatch.setenv("REPRO_TRACKER_ARXIV_INTERVAL", "0")  # the pace is tested in test_http
        yield service


def _err(result: object) -> str:
    """Standard error with rich's line wrapping undone."""
    return " ".join(result.stderr.split())  # type: ignore[attr-defined]


def _papers(db: str, *options: str) -> list[dict]:
    result = runner.invoke(app, ["papers", "--db", db, "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by_id(papers: list[dict]) -> dict[str, dict]:
    return {paper["id"]: paper for paper in papers}


def _links(paper: dict) -> dict[str, list[str]]:
    return {link["repository"] or link["artifact_url"]: link["provenance"] for link in paper["links"]}


# -- specs -------------------------------------------------------------------------------------------------------


def test_specs_name_ids_sets_days_and_files() -> None:
    today = date(2025, 1, 15)
    assert parse_spec("arxiv:2401.12345v3,hep-th/9901001", today=today).ids == ("2401.12345", "hep-th/9901001")
    listing = parse_spec("arxiv-list:cs@2024-01-01..2024-01-31", today=today)
    assert (listing.oai_set, listing.start, listing.end) == ("cs", date(2024, 1, 1), date(2024, 1, 31))
    assert parse_spec("arxiv-list:cs.LG", today=today).oai_set == "cs:cs:LG"
    assert oai_set_of("hep-th") == "physics:hep-th"
    assert parse_spec("hf-daily:last-7-days", today=today).days[0] == date(2025, 1, 9)
    assert parse_spec("hf-daily:today", today=today).days == [today]
    assert parse_spec("pwc-links:links.json.gz", today=today).path == Path("links.json.gz")
    for bad in ("arxiv:banana", "arxiv-list:cs@2024-13-01..2024-01-31", "hf-daily:yesterday", "arxiv:"):
        with pytest.raises(SpecError, match="arxiv|hf-daily"):
            parse_spec(bad, today=today)


def test_a_malformed_spec_exits_2_naming_it_before_anything_is_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "arxiv:banana", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 2
    assert "'arxiv:banana'" in _err(result) and "'banana' is not an arXiv id" in _err(result)
    unknown = runner.invoke(app, ["links", "arxive:2401.00001"])
    assert unknown.exit_code == 2 and "unknown source kind 'arxive'" in _err(unknown)


# -- arXiv API ---------------------------------------------------------------------------------------------------


def test_arxiv_ids_are_stored_with_dates_and_links_from_abstract_and_comments(
    services: ScriptedService, tmp_path: Path
) -> None:
    ids = ["2401.00001", "2401.00002", "2401.99999", "hep-th/9901001"]
    services.answer(api_query(ids), 200, atom_feed([ATTENTION, SPARSE, OLD], query="id_list=..."),
                    Content_Type="application/atom+xml; charset=UTF-8")
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", "arxiv:" + ",".join(ids), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new_papers"] == 3
    assert "unknown arXiv id 2401.99999" in _err(result)
    assert [asked.path for asked in services.asked] == [api_query(ids)]  # one batch
    papers = _by_id(_papers(db))
    attention = papers["arxiv:2401.00001"]
    assert (attention["arxiv_id"], attention["published"], attention["sources"]) == ("2401.00001", "2024-01-02",
                                                                                       ["arxiv"])
    assert _links(attention) == {"github.com/lab/attention-again": ["abstract"],
                                 "github.com/lab/attention-extras": ["arxiv_comments"]}
    assert papers["arxiv:hep-th/9901001"]["published"] == "1999-01-04"


def test_an_unknown_id_is_an_unknown_id_not_a_fault(services: ScriptedService, tmp_path: Path) -> None:
    services.answer(api_query(["2401.99999"]), 200, atom_feed([], total=0))
    result = runner.invoke(app, ["ingest", "arxiv:2401.99999", "--db", str(tmp_path / "t.db"), "--json"])
    assert result.exit_code == 0, result.output
    assert "unknown arXiv id 2401.99999" in _err(result) and "could not be read" not in _err(result)


def test_a_503_with_retry_after_is_waited_for_then_read(services: ScriptedService, tmp_path: Path) -> None:
    path = api_query(["2401.00001"])
    services.answer(path, 503, "Service temporarily unavailable", Retry_After="0")
    services.answer(path, 200, atom_feed([ATTENTION]))
    result = runner.invoke(app, ["ingest", "arxiv:2401.00001", "--db", str(tmp_path / "t.db"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new_papers"] == 1
    assert [asked.path for asked in services.asked] == [path, path]


def test_a_service_that_keeps_failing_is_a_source_not_read_never_no_papers(
    services: ScriptedService, tmp_path: Path
) -> None:
    services.answer(api_query(["2401.00001"]), 502, "Bad gateway", Retry_After="0")
    services.answer(hf_daily_path("2025-01-15"), 200, hf_daily([SPARSE]), Content_Type="application/json")
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", "arxiv:2401.00001", "hf-daily:2025-01-15", "--db", db, "--json"])
    assert result.exit_code == 1
    assert "arxiv:2401.00001: could not be read: HTTP 502 after" in _err(result)
    assert "1 source(s) could not be read: arxiv:2401.00001" in _err(result)
    assert list(_by_id(_papers(db))) == ["arxiv:2401.00002"]  # the other source is kept


def test_a_feed_that_is_not_atom_is_a_fault(services: ScriptedService, tmp_path: Path) -> None:
    services.answer(api_query(["2401.00001"]), 200, "<html><body>maintenance</body></html>")
    result = runner.invoke(app, ["ingest", "arxiv:2401.00001", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1 and "not an Atom feed" in _err(result)


# -- OAI-PMH ------------------------------------------------------------------------------------------------------


def _range_first(**extra: str) -> str:
    return oai_path(**{"metadataPrefix": "arXiv", "set": "cs", "from": "2024-01-01", "until": "2024-01-31", **extra})


def test_a_harvest_reads_every_page_and_a_second_harvest_adds_nothing(
    services: ScriptedService, tmp_path: Path
) -> None:
    services.answer(_range_first(), 200, oai_list_records([ATTENTION], token="6960524|1001", size=2),
                    Content_Type="text/xml")
    services.answer(oai_path(resumptionToken="6960524|1001"), 200,
                    oai_list_records([SPARSE], token="", cursor=1, size=2, deleted=("2401.00003",)))
    db = str(tmp_path / "t.db")
    spec = "arxiv-list:cs@2024-01-01..2024-01-31"
    first = runner.invoke(app, ["ingest", spec, "--db", db, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["new_papers"] == 2
    second = runner.invoke(app, ["ingest", spec, "--db", db, "--json"])
    assert second.exit_code == 0, second.output
    assert (json.loads(second.stdout)["new_papers"], json.loads(second.stdout)["new_links"]) == (0, 0)
    papers = _by_id(_papers(db, "--source", "arxiv-list"))
    assert papers["arxiv:2401.00001"]["published"] == "2024-01-02"
    assert _links(papers["arxiv:2401.00001"])["github.com/lab/attention-extras"] == ["arxiv_comments"]


def test_an_incremental_harvest_starts_at_the_last_datestamp(services: ScriptedService, tmp_path: Path) -> None:
    services.answer(oai_path(metadataPrefix="arXiv", set="cs:cs:LG"), 200, oai_list_records([ATTENTION, SPARSE]))
    services.answer(oai_path(**{"metadataPrefix": "arXiv", "set": "cs:cs:LG", "from": "2024-01-06"}), 200,
                    oai_error("noRecordsMatch", "No records match the request"))
    db = str(tmp_path / "t.db")
    assert runner.invoke(app, ["ingest", "arxiv-list:cs.LG", "--db", db]).exit_code == 0
    again = runner.invoke(app, ["ingest", "arxiv-list:cs.LG", "--db", db, "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["new_papers"] == 0
    assert services.asked[-1].path.endswith("from=2024-01-06")


def test_a_harvest_killed_half_way_resumes_at_its_next_page(services: ScriptedService, tmp_path: Path) -> None:
    services.answer(_range_first(), 200, oai_list_records([ATTENTION], token="tok-2", size=3))
    second_page = oai_path(resumptionToken="tok-2")
    services.answer(second_page, 500, "Internal Server Error", Retry_After="0")
    db = str(tmp_path / "t.db")
    spec = "arxiv-list:cs@2024-01-01..2024-01-31"
    broken = runner.invoke(app, ["ingest", spec, "--db", db, "--json"])
    assert broken.exit_code == 1 and "could not be read" in _err(broken)
    assert list(_by_id(_papers(db))) == ["arxiv:2401.00001"]  # the first page is kept
    services.answers[second_page].clear()
    services.answer(second_page, 200, oai_list_records([SPARSE], token="tok-3", cursor=1, size=3))
    services.answer(oai_path(resumptionToken="tok-3"), 200, oai_list_records([OLD], token="", cursor=2, size=3))
    asked_before = len(services.asked)
    resumed = runner.invoke(app, ["ingest", spec, "--db", db, "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["new_papers"] == 2
    assert [asked.path for asked in services.asked[asked_before:]] == [second_page, oai_path(resumptionToken="tok-3")]


def test_an_expired_token_starts_the_harvest_again_from_its_window(services: ScriptedService, tmp_path: Path) -> None:
    from tracker.sources.state import HarvestPlace
    from tracker.store import open_store

    db = str(tmp_path / "t.db")
    spec = "arxiv-list:cs@2024-01-01..2024-01-31"
    with open_store(db) as store:
        store.save_harvest_place(spec, HarvestPlace(None, "expired", None))
    services.answer(oai_path(resumptionToken="expired"), 200,
                    oai_error("badResumptionToken", "The value of the resumptionToken argument is invalid or expired."))
    services.answer(_range_first(), 200, oai_list_records([ATTENTION]))
    result = runner.invoke(app, ["ingest", spec, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert "resumption token was refused" in _err(result)
    assert json.loads(result.stdout)["new_papers"] == 1


def test_an_oai_error_about_the_request_is_named(services: ScriptedService, tmp_path: Path) -> None:
    services.answer(oai_path(metadataPrefix="arXiv", set="nosuch"), 200,
                    oai_error("badArgument", "Invalid set specification"))
    result = runner.invoke(app, ["ingest", "arxiv-list:nosuch", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert "OAI-PMH error badArgument: Invalid set specification" in _err(result)


# -- Hugging Face Papers ------------------------------------------------------------------------------------------


def test_daily_papers_add_the_pages_repositories_with_their_provenance(
    services: ScriptedService, tmp_path: Path
) -> None:
    services.answer(hf_daily_path("2025-01-15"), 200, hf_daily([ATTENTION, SPARSE]), Content_Type="application/json")
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", "hf-daily:2025-01-15", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    papers = _by_id(_papers(db, "--source", "hf-daily"))
    sparse = papers["arxiv:2401.00002"]
    # The abstract names no repository; the paper page does.
    assert _links(sparse) == {"github.com/moe-lab/sparse-everyone": ["hf_paper_page"],
                              "https://moe-lab.github.io/sparse": ["hf_paper_page"]}
    assert all(link["aggregator_only"] for link in sparse["links"])
    assert sparse["published"] == "2024-01-05"
    assert not any(link["aggregator_only"] for link in papers["arxiv:2401.00001"]["links"])


def test_one_paper_page_and_a_page_the_hub_does_not_have(services: ScriptedService, tmp_path: Path) -> None:
    services.answer("/api/papers/2401.00002", 200, json.dumps(hf_paper_object(SPARSE)))
    services.answer("/api/papers/2401.99999", 404, json.dumps({"error": "Paper not found"}))
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", "hf-paper:2401.00002,2401.99999", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert "unknown paper 2401.99999" in _err(result)
    assert list(_by_id(_papers(db))) == ["arxiv:2401.00002"]


# -- one paper, many sources --------------------------------------------------------------------------------------


def _pwc_links(path: Path, rows: list[dict], *, gz: bool) -> Path:
    text = json.dumps(rows, indent=2)
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _pwc_row(title: str, repo: str, *, arxiv_id: str | None, official: bool, mentioned: bool) -> dict:
    slug = title.lower().replace(" ", "-")
    return {
        "paper_url": f"https://paperswithcode.com/paper/{slug}",
        "paper_title": title,
        "paper_arxiv_id": arxiv_id,
        "paper_url_abs": f"https://arxiv.org/abs/{arxiv_id}v1" if arxiv_id else None,
        "paper_url_pdf": f"https://arxiv.org/pdf/{arxiv_id}v1.pdf" if arxiv_id else None,
        "repo_url": repo,
        "is_official": official,
        "mentioned_in_paper": mentioned,
        "mentioned_in_github": not mentioned,
        "framework": "pytorch",
    }


@pytest.mark.parametrize("gz", [True, False])
def test_every_source_of_one_paper_is_one_row_with_each_links_provenance(
    services: ScriptedService, tmp_path: Path, gz: bool
) -> None:
    db = str(tmp_path / "t.db")
    page = tmp_path / "page.jsonl"  # a title-only paper, as a scraped page gives it
    page.write_text(json.dumps({"title": "Attention is still all you need!", "abstract": "We revisit attention."})
                    + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(page), "--db", db]).exit_code == 0
    services.answer(api_query(["2401.00001"]), 200, atom_feed([ATTENTION]))
    assert runner.invoke(app, ["ingest", "arxiv:2401.00001", "--db", db]).exit_code == 0
    archive = _pwc_links(tmp_path / ("links.json.gz" if gz else "links.json"), [
        _pwc_row("Attention Is Still All You Need", "https://github.com/lab/attention-again",
                 arxiv_id="2401.00001", official=True, mentioned=True),
        _pwc_row("Attention Is Still All You Need", "https://github.com/someone/attention-port",
                 arxiv_id="2401.00001", official=False, mentioned=False),
        _pwc_row("A Paper Only Papers With Code Knows", "https://gitlab.com/group/only-pwc",
                 arxiv_id=None, official=True, mentioned=False),
    ], gz=gz)
    result = runner.invoke(app, ["ingest", f"pwc-links:{archive}", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    papers = _by_id(_papers(db))
    assert len(papers) == 2
    attention = papers["arxiv:2401.00001"]
    assert attention["sources"] == ["file", "arxiv", "pwc-links"]
    assert attention["published"] == "2024-01-02"
    links = _links(attention)
    assert links["github.com/lab/attention-again"] == ["abstract", "pwc_mentioned_in_paper", "pwc_official"]
    assert links["github.com/someone/attention-port"] == ["pwc_unofficial"]
    assert [link["aggregator_only"] for link in attention["links"]
            if link["repository"] == "github.com/someone/attention-port"] == [True]
    assert [paper["id"] for paper in _papers(db, "--source", "file")] == ["arxiv:2401.00001"]
    again = runner.invoke(app, ["ingest", f"pwc-links:{archive}", "--db", db, "--json"])
    assert (json.loads(again.stdout)["new_papers"], json.loads(again.stdout)["new_links"]) == (0, 0)


def test_a_title_only_paper_arriving_after_its_arxiv_paper_joins_it(services: ScriptedService, tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    services.answer(api_query(["2401.00002"]), 200, atom_feed([SPARSE]))
    assert runner.invoke(app, ["ingest", "arxiv:2401.00002", "--db", db]).exit_code == 0
    page = tmp_path / "page.jsonl"
    page.write_text(json.dumps({"title": "Sparse mixtures for everyone",
                                "abstract": "See https://github.com/moe-lab/sparse-everyone"}) + "\n")
    assert runner.invoke(app, ["ingest", str(page), "--db", db]).exit_code == 0
    papers = _papers(db)
    assert [paper["id"] for paper in papers] == ["arxiv:2401.00002"]
    assert papers[0]["sources"] == ["arxiv", "file"]


def test_papers_since_and_a_bad_date(services: ScriptedService, tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    services.answer(api_query(["2401.00001", "hep-th/9901001"]), 200, atom_feed([ATTENTION, OLD]))
    assert runner.invoke(app, ["ingest", "arxiv:2401.00001,hep-th/9901001", "--db", db]).exit_code == 0
    assert [paper["id"] for paper in _papers(db, "--since", "2000-01-01")] == ["arxiv:2401.00001"]
    bad = runner.invoke(app, ["papers", "--db", db, "--since", "last week"])
    assert bad.exit_code == 2 and "--since" in _err(bad)
    table = runner.invoke(app, ["papers", "--db", db])
    assert table.exit_code == 0 and "arxiv:hep-th/9901001" in table.stdout and "2 papers" in table.stdout


def test_a_cut_short_archive_keeps_what_came_before_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [_pwc_row(f"Paper {n}", f"https://github.com/lab/repo-{n}", arxiv_id=f"2401.{n:05d}",
                     official=True, mentioned=False) for n in range(1, 4)]
    archive = Path("l.json")
    text = json.dumps(rows, indent=1)
    archive.write_text(text[: text.rindex('"framework"')], encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", f"pwc-links:{archive}", "--db", db, "--json"])
    assert result.exit_code == 1
    assert f"pwc-links:{archive}:" in _err(result) and "malformed JSON" in _err(result)
    assert json.loads(result.stdout)["new_papers"] == 2


# -- the survival curve's time axis -------------------------------------------------------------------------------


def test_a_paper_first_read_without_a_date_gets_arxivs_and_the_curve_counts_those_still_undated(
    services: ScriptedService, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from tracker.records import Status
    from tracker.report import RepoEntry
    from tracker.report.survival import dated_from_first_sight, lifetimes
    from tracker.store import open_store

    db = str(tmp_path / "t.db")
    page = tmp_path / "page.jsonl"
    page.write_text(json.dumps({"id": "arXiv:2401.00001", "title": ATTENTION.title, "abstract": ATTENTION.abstract})
                    + "\n")
    assert runner.invoke(app, ["ingest", str(page), "--db", db]).exit_code == 0
    services.answer(api_query(["2401.00001"]), 200, atom_feed([ATTENTION]))
    assert runner.invoke(app, ["ingest", "arxiv:2401.00001", "--db", db]).exit_code == 0
    with open_store(db) as store:
        (paper,) = store.papers_with_links()
    assert paper.published == date(2024, 1, 2)  # what the report's survival curve starts from

    checked = datetime(2024, 3, 2, tzinfo=UTC)
    seen = datetime(2024, 2, 1, tzinfo=UTC)
    observed = lifetimes([
        RepoEntry(key="a", canonical="a", host="github.com", status=Status.MISSING, checked_at=checked,
                  gone_since=checked, published=date(2024, 1, 2), first_seen=seen),
        RepoEntry(key="b", canonical="b", host="github.com", status=Status.OK, checked_at=checked, first_seen=seen),
    ])
    assert [(item.days, item.died, item.from_publication) for item in observed] == [(60.0, True, True),
                                                                                   (30.0, False, False)]
    assert dated_from_first_sight(observed) == 1


def test_in_one_batch_a_title_only_copy_first_still_gets_arxivs_date_and_abstract(tmp_path: Path) -> None:
    from tracker.ingest.identity import title_hash
    from tracker.links import find_code_links
    from tracker.records import Paper
    from tracker.store import open_store

    title_id = f"title:{title_hash('Sparse Mixtures for Everyone')}"
    with open_store(str(tmp_path / "t.db")) as store:
        store.add_papers([
            find_code_links(Paper(title_id, "Sparse Mixtures for Everyone", "", "pwc-links:l.json")),
            find_code_links(Paper("arxiv:2401.00002", "Sparse mixtures for everyone", "The abstract.",
                                  "arxiv:2401.00002", published=date(2024, 1, 5))),
        ])
        (paper,) = store.papers_with_links()
        (listed,) = store.listed_papers()
    assert (paper.id, paper.published) == ("arxiv:2401.00002", date(2024, 1, 5))
    assert listed.sources == ("arxiv", "pwc-links")


def test_links_reads_a_source_without_storing_it(services: ScriptedService) -> None:
    services.answer(api_query(["2401.00001"]), 200, atom_feed([ATTENTION]))
    result = runner.invoke(app, ["links", "arxiv:2401.00001"])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["repos"] == ["github.com/lab/attention-again", "github.com/lab/attention-extras"]
