"""Fixtures and record builders for the store tests, on real SQLite and PostgreSQL.

PostgreSQL tests get a database of their own per session (``repro_test_<random>``,
dropped afterwards) and an emptied schema per test, so they never see each
other's rows and the shared ``test`` database stays clean.

Run as a script it is the writer process of the concurrency test:
``python store_support.py <url> <label> <count>`` prints "ready", waits for a
line on stdin, records `count` checks in a new run and prints the run id.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from tracker.records import (
    Activity,
    Artifact,
    ArtifactKind,
    CheckResult,
    FoundLink,
    LicenseFinding,
    Metadata,
    Outcome,
    Paper,
    PaperLinks,
    RepoFacts,
    RepoRef,
    Status,
)
from tracker.store import Store, open_store

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _admin_connection() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this session; its SQLAlchemy URL."""
    try:
        admin = _admin_connection()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL tests skipped: no server answers at 127.0.0.1:5432 ({exc})")
    name = f"repro_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_pg_schema(url: str) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database: a SQLite file in tmp_path, or an emptied PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_database")
    empty_pg_schema(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def paper_links(paper_id: str, *links: str, code_promised: bool = True, source: str = "test") -> PaperLinks:
    """A paper whose links are repository canonicals or, with a scheme, artifact URLs."""
    found = []
    for link in links:
        if link.startswith("https://"):
            found.append(FoundLink(raw=link, artifact=Artifact(url=link, kind=ArtifactKind.PROJECT_PAGE)))
        else:
            found.append(FoundLink(raw=f"https://{link}", repo=RepoRef.parse(link)))
    paper = Paper(
        id=paper_id,
        title=f"Title of {paper_id}",
        abstract=f"Abstract of {paper_id}.",
        source=source,
        url=f"https://example.org/{paper_id}",
        published=date(2025, 1, 2),
        authors=("Ada Lovelace", "Alan Turing"),
    )
    return PaperLinks(paper=paper, links=tuple(found), code_promised=code_promised)


def ok_facts(canonical: str, checked_at: datetime = T0, *, stars: int = 7, head: str = "a" * 40) -> RepoFacts:
    """A live repository with everything a full check gathers."""
    return RepoFacts(
        ref=RepoRef.parse(canonical),
        status=Status.OK,
        detail="GitHub answered 200 for the repository.",
        checked_at=checked_at,
        http_status=200,
        metadata=Metadata(
            stars=stars,
            forks=2,
            open_issues=1,
            description="Code for the paper",
            homepage="https://example.org",
            default_branch="main",
            created_at=T0 - timedelta(days=400),
            pushed_at=T0 - timedelta(days=3),
            fork_parent=None,
            topics=("deep-learning", "nlp"),
            language="Python",
            license_spdx="MIT",
            latest_release="v1.0",
            latest_release_at=T0 - timedelta(days=30),
        ),
        activity=Activity(
            head_commit=head,
            last_commit_at=T0 - timedelta(days=3),
            first_commit_at=T0 - timedelta(days=400),
            commits_90d=4,
            commits_365d=40,
            contributors=3,
            tags=2,
        ),
        licenses=(
            LicenseFinding(spdx="MIT", confidence=1.0, source="api"),
            LicenseFinding(spdx="MIT", confidence=0.98, source="file", path="LICENSE"),
            LicenseFinding(spdx=None, confidence=0.3, source="readme", path="README.md"),
        ),
    )


def bare_facts(canonical: str, status: Status, checked_at: datetime = T0, **extra: object) -> RepoFacts:
    """A check that gathered nothing beyond the host's answer (gone, unreachable, moved)."""
    return RepoFacts(
        ref=RepoRef.parse(canonical), status=status, detail=f"{status.value} for test", checked_at=checked_at, **extra
    )  # type: ignore[arg-type]


RESULTS = (
    CheckResult(name="license", outcome=Outcome.PASS, score=10, reason="MIT in LICENSE.", evidence=("LICENSE",)),
    CheckResult(name="environment", outcome=Outcome.UNKNOWN, score=None, reason="No tree was read."),
)


def write_checks(url: str, label: str, count: int) -> int:
    """Record `count` checks of shared repositories in a new run: the concurrency test's writer."""
    with open_store(url) as store:
        run_id = store.start_run([label])
        for index in range(count):
            facts = ok_facts(f"github.com/shared/repo{index}", T0 + timedelta(seconds=index), stars=index)
            store.record_check(run_id, facts, RESULTS, health="healthy", repro_score=50)
        store.finish_run(run_id, "completed")
    return run_id


if __name__ == "__main__":
    # Imports done; start together with the other writer when the test says so.
    print("ready", flush=True)
    sys.stdin.readline()
    print(write_checks(sys.argv[1], sys.argv[2], int(sys.argv[3])), flush=True)
