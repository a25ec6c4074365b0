"""A database the first release wrote (committed bytes, alembic 0001) upgrades in place with its data."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect

from tracker.records import Status
from tracker.store import open_store
from tracker.store.engine import make_engine
from tracker.store.migrate import current_revision, head_revision

FIRST_RELEASE_DB = Path(__file__).resolve().parent / "data" / "first_release.sqlite"


def test_the_committed_first_release_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    copy = tmp_path / "users.sqlite"
    shutil.copyfile(FIRST_RELEASE_DB, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    assert current_revision(engine) == "0001"
    engine.dispose()

    with open_store(url) as store:
        assert current_revision(store.engine) == head_revision() != "0001"
        papers = {paper.id: paper.repositories for paper in store.papers_with_links()}
        assert papers == {"arxiv:2401.00001": ("github.com/old/repoone",),
                          "arxiv:2401.00002": ("github.com/old/repotwo",)}
        (old,) = store.history("github.com/old/repotwo")
        assert (old.status, old.canonical) == (Status.OK, "github.com/Old/RepoTwo")
        assert old.checked_at == datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
        (run,) = store.runs()
        assert (run.requests_made, run.sources) == (6, ("arxiv",))
        assert {str(row.latest.status) for row in store.latest_checks()} == {"ok"}
        columns = {table: {column["name"] for column in inspect(store.engine).get_columns(table)}
                   for table in ("repository_checks", "tracking_runs")}
        # 0003 added outcomes, 0004 each run's host and pid, 0005 dropped signals (never written).
        assert "outcomes" in columns["repository_checks"] and "signals" not in columns["repository_checks"]
        assert {"host", "pid"} <= columns["tracking_runs"]

    # Opening again is a no-op: the upgrade ran once and the rows are not doubled.
    with open_store(url) as store:
        assert len(store.papers_with_links()) == 2 and len(store.latest_checks()) == 2
    assert FIRST_RELEASE_DB.read_bytes() != copy.read_bytes()  # the committed file itself was never touched
