"""Artifacts, link provenance and promise looks in the store, on real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from alembic import command
from clocks import SetClock
from sqlalchemy import text
from store_support import paper_links, pg_database, store_url  # noqa: F401  (fixtures)

from tracker.artifacts.check import ArtifactCheck
from tracker.artifacts.kinds import LinkKind
from tracker.artifacts.verdict import LinkState, LinkVerdict
from tracker.records import Artifact, ArtifactKind, FoundLink, RepoRef
from tracker.store import open_store
from tracker.store.engine import make_engine
from tracker.store.migrate import alembic_config, upgrade

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def with_artifacts(paper_id: str, *artifacts: Artifact, code_promised: bool = False):  # type: ignore[no-untyped-def]
    base = paper_links(paper_id, code_promised=code_promised)
    links = tuple(FoundLink(raw=artifact.url, artifact=artifact) for artifact in artifacts)
    return type(base)(paper=base.paper, links=links, code_promised=code_promised)


PAGE = Artifact("https://lab.example.org/project", ArtifactKind.PROJECT_PAGE)
DOI = Artifact("https://doi.org/10.5281/zenodo.42", ArtifactKind.DOI)
SHORT = Artifact("https://bit.ly/abc", ArtifactKind.SHORT_LINK)
OTHER_PAPER = Artifact("https://arxiv.org/abs/2401.00001", ArtifactKind.PAPER)


def test_artifacts_are_due_checked_over_time_and_a_short_link_adds_its_repository(store_url: str) -> None:
    clock = SetClock(T0)
    with open_store(store_url, clock=clock) as store:
        store.add_papers([with_artifacts("arxiv:2411.00001", PAGE, DOI, SHORT, OTHER_PAPER),
                          with_artifacts("arxiv:2411.00002", SHORT)])
        due = store.artifacts_due()
        assert [(target.url, target.kind) for target in due] == [
            (PAGE.url, LinkKind.PAGE), (DOI.url, LinkKind.DOI), (SHORT.url, LinkKind.SHORT_LINK)]
        run = store.start_run(["test"])
        lapsed = ArtifactCheck(PAGE.url, LinkKind.PAGE, T0,
                               LinkVerdict(LinkState.UNREACHABLE, "the name did not resolve", ("NXDOMAIN",)),
                               dns_failing_since=T0)
        code = RepoRef("github.com", "lab", "code")
        short = ArtifactCheck(SHORT.url, LinkKind.SHORT_LINK, T0,
                              LinkVerdict(LinkState.OK, "leads to the repository github.com/lab/code", (),
                                          "https://github.com/lab/code"),
                              redirects=("301 https://bit.ly/abc", "200 https://github.com/lab/code"),
                              facts={"http_status": 200}, leads_to=code)
        assert store.record_artifact_check(run, lapsed) is None
        assert store.record_artifact_check(run, short) == code
        assert store.record_artifact_check(run, short) is None  # once per run and repository
        assert [target.url for target in store.artifacts_due(run_id=run)] == [DOI.url]
        assert {t.url: t.dns_failing_since for t in store.artifacts_due()}[PAGE.url] == T0
        clock.now = T0 + timedelta(days=1)
        run2 = store.start_run(["test"])
        gone = ArtifactCheck(PAGE.url, LinkKind.PAGE, clock.now,
                             LinkVerdict(LinkState.GONE, "the name has not resolved since ...", ("NXDOMAIN",)),
                             dns_failing_since=T0)
        store.record_artifact_check(run2, gone)
        rows = {row.url: row for row in store.latest_artifact_checks()}
        previous = rows[PAGE.url].previous
        assert previous is not None and (rows[PAGE.url].latest.state, previous.state) == ("gone", "unreachable")
        assert rows[SHORT.url].latest.redirects == short.redirects
        assert rows[SHORT.url].latest.facts == {"http_status": 200}
        assert rows[SHORT.url].paper_titles == ("Title of arxiv:2411.00001", "Title of arxiv:2411.00002")
        assert [check.state for check in store.artifact_history(PAGE.url)] == ["unreachable", "gone"]
        assert store.artifact_history(PAGE.url)[0].dns_failing_since == T0
        papers = {paper.id: paper for paper in store.papers_with_links()}
        assert papers["arxiv:2411.00002"].repositories == ("github.com/lab/code",)
        assert papers["arxiv:2411.00002"].found_later == ()  # through a short link, not found later


def test_promised_code_is_looked_for_at_most_daily_and_a_find_is_linked_found_later(store_url: str) -> None:
    clock = SetClock(T0)
    with open_store(store_url, clock=clock) as store:
        store.add_papers([paper_links("arxiv:2411.00003", code_promised=True),
                          paper_links("arxiv:2411.00004", code_promised=True),
                          paper_links("title:abc", code_promised=True),
                          paper_links("arxiv:2411.00005", "github.com/lab/linked", code_promised=False)])
        assert [due.paper_id for due in store.promises_due()] == ["arxiv:2411.00003", "arxiv:2411.00004", "title:abc"]
        assert store.promises_due()[0].published == date(2025, 1, 2)
        assert store.promises_due()[2].title == "Title of title:abc"  # a paper known by its title is searched by it
        kept = RepoRef("github.com", "lab", "kept")
        assert store.record_promise_look("arxiv:2411.00003", found=kept, where="githubRepo of the paper page")
        assert not store.record_promise_look("arxiv:2411.00004")
        assert not store.record_promise_look("title:abc")
        assert store.promises_due() == []
        clock.now = T0 + timedelta(days=1)
        assert [due.paper_id for due in store.promises_due()] == ["arxiv:2411.00004", "title:abc"]
        papers = {paper.id: paper for paper in store.papers_with_links()}
        assert papers["arxiv:2411.00003"].found_later == (("github.com/lab/kept", T0),)
        assert papers["arxiv:2411.00003"].code_promised  # it promised; the promise is kept, not erased


def test_the_migration_fills_artifacts_from_links_already_stored(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        upgrade(engine, "0005")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO papers (id, title, abstract, source, authors, code_promised, first_seen_at) "
                "VALUES ('arxiv:1', 't', 'a', 's', '[]', false, :seen)"), {"seen": T0.replace(tzinfo=None)})
            for url, kind in ((PAGE.url, "project_page"), ("https://zenodo.org/records/7", "archive"),
                              (OTHER_PAPER.url, "paper"), (SHORT.url, "short_link")):
                connection.execute(text(
                    "INSERT INTO paper_links (paper_id, artifact_url, artifact_kind, raw_text) "
                    "VALUES ('arxiv:1', :url, :kind, :url)"), {"url": url, "kind": kind})
        upgrade(engine)
    finally:
        engine.dispose()
    with open_store(store_url) as store:
        assert [(target.url, str(target.kind)) for target in store.artifacts_due()] == [
            (PAGE.url, "page"), ("https://zenodo.org/records/7", "doi"), (SHORT.url, "short_link")]


def _at_0010_with_both_kinds_of_provenance(store_url: str) -> None:
    """A database as 0010 left it: ingest's `link_provenance` rows, and `paper_links.provenance` + `found_at`
    for a repository reached through a short link and one found later for a paper that promised code."""
    engine = make_engine(store_url)
    try:
        upgrade(engine, "0010")
        seen = T0.replace(tzinfo=None)
        with engine.begin() as connection:
            def insert(sql: str, **values: object) -> int:
                return int(connection.execute(text(sql + " RETURNING id"), values).scalar_one())

            for paper_id, promised, published in (("arxiv:2411.00010", True, date(2026, 11, 20)),
                                                  ("arxiv:2411.00011", False, date(2026, 11, 1))):
                connection.execute(text(
                    "INSERT INTO papers (id, title, abstract, source, published, authors, code_promised, "
                    "first_seen_at, promise_kind, promise_sentence) VALUES (:id, :title, 'a', 'file', :published, "
                    "'[]', :promised, :seen, :kind, :sentence)"),
                    {"id": paper_id, "title": f"Paper {paper_id}", "promised": promised, "seen": seen, "published": published,
                     "kind": "promised" if promised else None,
                     "sentence": "Code will be released." if promised else None})
            repository = {name: insert(
                "INSERT INTO repositories (host, owner, name, kind, canonical, key, first_seen_at) "
                "VALUES ('github.com', 'lab', :name, 'code', :canonical, :key, :seen)",
                name=name, canonical=f"github.com/lab/{name}", key=f"github.com/lab/{name}", seen=seen) for name in ("kept", "own", "short")}
            kept = insert("INSERT INTO paper_links (paper_id, repository_id, raw_text, provenance, found_at) "
                          "VALUES ('arxiv:2411.00010', :r, 'githubRepo of the paper page', 'found_later', :at)",
                          r=repository["kept"], at=seen + timedelta(days=5))
            own = insert("INSERT INTO paper_links (paper_id, repository_id, raw_text) "
                         "VALUES ('arxiv:2411.00011', :r, 'https://github.com/lab/own')", r=repository["own"])
            short_url = insert("INSERT INTO paper_links (paper_id, artifact_url, artifact_kind, raw_text) "
                               "VALUES ('arxiv:2411.00011', :u, 'short_link', :raw)", u=SHORT.url, raw=SHORT.url)
            short = insert("INSERT INTO paper_links (paper_id, repository_id, raw_text, provenance, found_at) "
                           "VALUES ('arxiv:2411.00011', :r, :u, 'short_link', :at)",
                           r=repository["short"], u=SHORT.url, at=seen + timedelta(days=1))
            for link, provenance in ((own, "abstract"), (own, "pwc_official"), (short_url, "abstract")):
                connection.execute(text("INSERT INTO link_provenance (link_id, provenance) VALUES (:l, :p)"),
                                   {"l": link, "p": provenance})
            assert kept and short
    finally:
        engine.dispose()


def test_0013_moves_paper_links_provenance_into_link_provenance_and_back(store_url: str) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app
    from tracker.report.analysis import promises_kept
    from tracker.report.load import report_data
    from tracker.store.migrate import current_revision, head_revision

    _at_0010_with_both_kinds_of_provenance(store_url)
    with open_store(store_url) as store:  # upgrades to the head
        assert current_revision(store.engine) == head_revision()
        papers = {paper.id: paper for paper in store.papers_with_links()}
        assert papers["arxiv:2411.00010"].found_later == (("github.com/lab/kept", T0 + timedelta(days=5)),)
        assert papers["arxiv:2411.00011"].found_later == ()
        assert papers["arxiv:2411.00011"].repositories == ("github.com/lab/own", "github.com/lab/short")
        listed = {paper.id: {link.repository or link.artifact_url: (link.provenance, link.aggregator_only)
                             for link in paper.links} for paper in store.listed_papers()}
        assert listed == {
            "arxiv:2411.00010": {"github.com/lab/kept": (("found_later",), True)},
            "arxiv:2411.00011": {"github.com/lab/own": (("abstract", "pwc_official"), False),
                                 SHORT.url: (("abstract",), False),
                                 "github.com/lab/short": (("short_link",), False)},
        }
        kept = promises_kept(report_data(store).papers)
        assert (kept.promised, kept.kept, dict(kept.within)) == (1, 1, {30: 1, 90: 1, 365: 1})
        with store.engine.connect() as connection:
            found_at = dict(connection.execute(text(
                "SELECT provenance, found_at FROM link_provenance WHERE found_at IS NOT NULL")).all())
        assert set(found_at) == {"found_later", "short_link"}

    runner = CliRunner()
    shown = runner.invoke(app, ["show", "arxiv:2411.00011", "--db", store_url, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["paper"]["repositories"] == ["github.com/lab/own", "github.com/lab/short"]
    listing = runner.invoke(app, ["papers", "--db", store_url, "--json"])
    assert listing.exit_code == 0, listing.output
    by_target = {link["repository"] or link["artifact_url"]: link["provenance"]
                 for paper in json.loads(listing.stdout) for link in paper["links"]}
    assert by_target["github.com/lab/kept"] == ["found_later"]
    assert by_target["github.com/lab/short"] == ["short_link"]

    engine = make_engine(store_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0010")
        with engine.connect() as connection:
            moved_back = connection.execute(text(
                "SELECT r.name, l.provenance, l.found_at FROM paper_links l JOIN repositories r "
                "ON r.id = l.repository_id WHERE l.provenance IS NOT NULL ORDER BY r.name")).all()
            left = connection.execute(text("SELECT provenance FROM link_provenance ORDER BY id")).scalars().all()
    finally:
        engine.dispose()
    assert [(name, provenance) for name, provenance, _ in moved_back] == [("kept", "found_later"),
                                                                          ("short", "short_link")]
    assert all(when is not None for _, _, when in moved_back)
    assert left == ["abstract", "pwc_official", "abstract"]
