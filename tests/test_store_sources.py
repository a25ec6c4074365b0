"""One paper from many sources in the store, on SQLite and PostgreSQL: identity, provenance, harvest state, 0008."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from store_support import pg_database, store, store_url  # noqa: F401  (fixtures)

from tracker.ingest.identity import title_hash
from tracker.records import (
    Artifact,
    ArtifactKind,
    FoundLink,
    Paper,
    PaperLinks,
    Provenance,
    RepoRef,
)
from tracker.sources.state import HarvestPlace
from tracker.store import Store, open_store
from tracker.store.engine import make_engine
from tracker.store.migrate import upgrade

TITLE = "Graph Transformers at Scale"


def _found(paper: Paper, *links: tuple[str, Provenance]) -> PaperLinks:
    found = []
    for target, provenance in links:
        if target.startswith("https://"):
            found.append(FoundLink(raw=target, artifact=Artifact(target, ArtifactKind.PROJECT_PAGE),
                                   provenance=provenance))
        else:
            found.append(FoundLink(raw=f"https://{target}", repo=RepoRef.parse(target), provenance=provenance))
    return PaperLinks(paper=paper, links=tuple(found), code_promised=False)


def _title_only(source: str, *links: tuple[str, Provenance]) -> PaperLinks:
    return _found(Paper(f"title:{title_hash(TITLE)}", TITLE.upper(), "", source), *links)


def _arxiv(*links: tuple[str, Provenance]) -> PaperLinks:
    paper = Paper("arxiv:2402.00042", TITLE, "We scale graph transformers.", "arxiv:2402.00042",
                  url="https://arxiv.org/abs/2402.00042", published=date(2024, 2, 1))
    return _found(paper, *links)


def test_a_title_only_paper_stored_first_is_absorbed_by_its_arxiv_paper(store: Store) -> None:
    store.add_papers([_title_only("pwc-links:l.json", ("github.com/g/gt", Provenance.PWC_OFFICIAL),
                                  ("github.com/fan/gt-port", Provenance.PWC_UNOFFICIAL))])
    store.add_papers([_arxiv(("github.com/g/gt", Provenance.ABSTRACT),
                             ("https://g.github.io/gt", Provenance.ABSTRACT))])
    (paper,) = store.listed_papers()
    assert (paper.id, paper.published, paper.sources) == ("arxiv:2402.00042", date(2024, 2, 1),
                                                          ("pwc-links", "arxiv"))
    links = {link.repository or link.artifact_url: (link.provenance, link.aggregator_only) for link in paper.links}
    assert links == {
        "github.com/g/gt": (("abstract", "pwc_official"), False),
        "github.com/fan/gt-port": (("pwc_unofficial",), True),
        "https://g.github.io/gt": (("abstract",), False),
    }


def test_a_title_only_paper_arriving_later_takes_the_arxiv_id_and_fills_nothing_it_has(store: Store) -> None:
    store.add_papers([_arxiv(("github.com/g/gt", Provenance.ABSTRACT))])
    later = _title_only("hf-daily:2024-02-02", ("github.com/g/gt", Provenance.HF_PAPER_PAGE))
    later = PaperLinks(paper=Paper(later.paper.id, later.paper.title, "Another abstract.", later.paper.source,
                                   published=date(2024, 2, 2)), links=later.links, code_promised=False)
    again = store.add_papers([later])
    assert (again.new_papers, again.new_links) == (0, 0)
    (paper,) = store.listed_papers(source="hf-daily")
    assert paper.published == date(2024, 2, 1)  # arXiv's date is not replaced by another source's
    assert paper.links[0].provenance == ("abstract", "hf_paper_page")
    assert store.listed_papers(source="pwc-links") == []
    assert [p.id for p in store.listed_papers(since=date(2024, 2, 1))] == ["arxiv:2402.00042"]
    assert store.listed_papers(since=date(2024, 2, 2)) == []


def test_arxivs_date_replaces_another_sources(store: Store) -> None:
    paper = Paper("arxiv:2402.00042", TITLE, "From a page.", "page.txt", published=date(2024, 3, 1))
    store.add_papers([_found(paper)])
    store.add_papers([_arxiv()])
    (row,) = store.papers_with_links()
    assert row.published == date(2024, 2, 1)


def test_the_harvest_place_is_kept_and_replaced(store: Store) -> None:
    assert store.harvest_place("arxiv-list:cs") is None
    store.save_harvest_place("arxiv-list:cs", HarvestPlace(None, "token-1", "2024-01-03"))
    store.save_harvest_place("arxiv-list:cs", HarvestPlace("2024-01-05", None, None))
    assert store.harvest_place("arxiv-list:cs") == HarvestPlace("2024-01-05", None, None)


def test_migration_0008_gives_stored_papers_their_file_source_and_links_their_abstract(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine, "0005")
    seen = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO papers (id, title, abstract, source, url, published, authors, code_promised, first_seen_at) "
            "VALUES ('title:x', :title, 'Abstract.', 'page.txt', NULL, NULL, '[]', :no, :seen)"),
            {"title": TITLE, "no": False, "seen": seen})
        repository = connection.execute(text(
            "INSERT INTO repositories (host, owner, name, kind, canonical, key, first_seen_at) VALUES "
            "('github.com', 'g', 'gt', 'code', 'github.com/g/gt', 'github.com/g/gt', :seen) RETURNING id"),
            {"seen": seen}).scalar_one()
        connection.execute(text(
            "INSERT INTO paper_links (paper_id, repository_id, raw_text) VALUES ('title:x', :r, 'github.com/g/gt')"),
            {"r": repository})
    engine.dispose()
    with open_store(store_url) as store:
        (paper,) = store.listed_papers()
        assert paper.sources == ("file",)
        assert paper.links[0].provenance == ("abstract",)
        with store.engine.connect() as connection:
            key = connection.execute(text("SELECT title_key FROM papers")).scalar_one()
        assert key == title_hash(TITLE)


def test_gone_since_is_the_first_check_of_the_current_gone_streak(store: Store) -> None:
    import dataclasses
    from datetime import timedelta

    from store_support import RESULTS, T0, ok_facts

    from tracker.records import Status

    history = {
        "github.com/a/gone-long": [Status.OK, Status.MISSING, Status.UNREACHABLE, Status.MISSING],
        "github.com/a/back-and-gone": [Status.MISSING, Status.OK, Status.BLOCKED, Status.BLOCKED],
        "github.com/a/alive": [Status.MISSING, Status.OK, Status.OK, Status.OK],
    }
    store.add_repositories(RepoRef.parse(key) for key in history)
    for run in range(4):
        run_id = store.start_run(sources=["test"])
        for key, statuses in history.items():
            facts = dataclasses.replace(ok_facts(key, T0 + timedelta(days=run)), status=statuses[run])
            store.record_check(run_id, facts, RESULTS, health="alive", repro_score=None)
        store.finish_run(run_id, "completed")
    assert store.gone_since() == {"github.com/a/gone-long": T0 + timedelta(days=1),
                                  "github.com/a/back-and-gone": T0 + timedelta(days=2)}
