"""Build `first_release.sqlite`: a database exactly as the first release (alembic revision 0001) left it.

Why a committed file and not only a fixture: a user's database was written by
old code, so the upgrade test must start from bytes that today's code did not
make on the fly. Rebuild (only when the first release's schema is in question)::

    .venv/bin/python tests/data/build_first_release_db.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tracker.store.engine import make_engine  # noqa: E402
from tracker.store.migrate import upgrade  # noqa: E402

TARGET = HERE / "first_release.sqlite"
FIRST_RELEASE = "0001"
SEEN = "2024-06-01 08:30:00.000000"
PAPERS = (("arxiv:2401.00001", "Old paper one", "github.com/Old/RepoOne"),
          ("arxiv:2401.00002", "Old paper two", "github.com/Old/RepoTwo"))


def build(target: Path = TARGET) -> Path:
    target.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{target}")
    upgrade(engine, FIRST_RELEASE)
    with engine.begin() as connection:
        run_id = connection.execute(text(
            "INSERT INTO tracking_runs (started_at, finished_at, status, flow_run_id, sources, papers, "
            "repositories_checked, requests_made, requests_rate_limited, note) "
            "VALUES (:seen, :seen, 'completed', NULL, '[\"arxiv\"]', 2, 2, 6, 0, NULL) RETURNING id"),
            {"seen": SEEN}).scalar_one()
        for paper_id, title, canonical in PAPERS:
            owner, name = canonical.split("/")[1:]
            connection.execute(text(
                "INSERT INTO papers (id, title, abstract, source, url, published, authors, code_promised, "
                "first_seen_at) VALUES (:id, :title, 'Abstract.', 'arxiv', NULL, NULL, '[\"A. Author\"]', 1, :seen)"),
                {"id": paper_id, "title": title, "seen": SEEN})
            repository_id = connection.execute(text(
                "INSERT INTO repositories (host, owner, name, kind, canonical, key, moved_to_id, first_seen_at) "
                "VALUES ('github.com', :owner, :name, 'code', :canonical, :key, NULL, :seen) RETURNING id"),
                {"owner": owner, "name": name, "canonical": canonical, "key": canonical.lower(),
                 "seen": SEEN}).scalar_one()
            connection.execute(text(
                "INSERT INTO paper_links (paper_id, repository_id, artifact_url, artifact_kind, raw_text) "
                "VALUES (:paper, :repository, NULL, NULL, :raw)"),
                {"paper": paper_id, "repository": repository_id, "raw": f"https://{canonical}"})
            connection.execute(text(
                "INSERT INTO repository_checks (run_id, repository_id, checked_at, status) "
                "VALUES (:run, :repository, :seen, 'ok')"),
                {"run": run_id, "repository": repository_id, "seen": SEEN})
    engine.dispose()
    return target


if __name__ == "__main__":
    print(build())
