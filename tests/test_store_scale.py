"""`latest_checks` stays right at 10,000 repositories x 30 runs on SQLite.

Its speed is measured in bench/ (bench/status_speed.py), not here: a timed
assertion fails on a loaded machine and proves nothing on a fast one.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from store_support import RESULTS

from tracker.store import open_store
from tracker.store.models import LISTED_COLUMNS

REPOSITORIES = 10_000
RUNS = 30

# Rows are generated inside SQLite (recursive CTEs): building 300,000 checks
# through the Python API would take longer than the whole store test suite.
# Every check is a full row (as before migration 0011), and `latest_checks`
# is filled as `record_check` keeps it.
_FILL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :repositories)
INSERT INTO repositories (id, host, owner, name, kind, canonical, key, first_seen_at)
SELECT i, 'github.com', 'owner', 'repo' || i, 'code', 'github.com/owner/repo' || i,
       'github.com/owner/repo' || i, '2025-01-01 00:00:00.000000' FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :runs)
INSERT INTO tracking_runs (id, started_at, status, sources, papers, repositories_checked, requests_made,
                           requests_rate_limited)
SELECT i, datetime('2025-01-01', '+' || i || ' days'), 'completed', '["bench"]', 0, 0, 0, 0 FROM n;

INSERT INTO repository_checks (run_id, repository_id, checked_at, status, http_status, detail, stars, topics,
    created_at, pushed_at, latest_release_at, last_commit_at, first_commit_at, head_commit, commits_90d,
    commits_365d, contributors, tags, licenses, health, repro_score, results, outcomes)
SELECT runs.id, repositories.id, runs.started_at, 'ok', 200, 'GitHub answered 200.', repositories.id, '["ml"]',
    runs.started_at, runs.started_at, runs.started_at, runs.started_at, runs.started_at, 'abc', 1, 2, 3, 4,
    '[]', 'healthy', 50, :results, :outcomes
FROM tracking_runs AS runs CROSS JOIN repositories ORDER BY runs.id, repositories.id;

INSERT INTO latest_checks (repository_id, latest_id, latest_run_id, previous_id, previous_run_id, {listed})
SELECT latest.repository_id, latest.id, latest.run_id, previous.id, previous.run_id, {copied}
FROM repository_checks AS latest JOIN repository_checks AS previous
  ON previous.repository_id = latest.repository_id AND previous.run_id = :runs - 1
WHERE latest.run_id = :runs;
""".format(
    listed=", ".join(f"{which}_{name}" for which in ("latest", "previous") for name in LISTED_COLUMNS),
    copied=", ".join(f"{which}.{name}" for which in ("latest", "previous") for name in LISTED_COLUMNS),
)


def test_latest_checks_picks_the_newest_two_runs_at_ten_thousand_repositories_and_thirty_runs(tmp_path: Path) -> None:
    results = json.dumps(
        [{"name": r.name, "outcome": r.outcome.value, "score": r.score, "reason": r.reason,
          "evidence": list(r.evidence)} for r in RESULTS]
    )
    outcomes = json.dumps({r.name: r.outcome.value for r in RESULTS})
    with open_store(f"sqlite:///{tmp_path / 'big.db'}") as store:
        with store.engine.begin() as connection:
            for statement in _FILL.split(";\n"):
                if statement.strip():
                    connection.execute(
                        text(statement),
                        {"repositories": REPOSITORIES, "runs": RUNS, "results": results, "outcomes": outcomes},
                    )

        rows = store.latest_checks()
        as_of = store.latest_checks(run_id=RUNS // 2)

    assert len(rows) == REPOSITORIES
    assert all(row.latest.run_id == RUNS and row.previous and row.previous.run_id == RUNS - 1 for row in rows)
    assert {row.latest.run_id for row in as_of} == {RUNS // 2}
    assert rows[0].latest.results() == RESULTS
    assert rows[0].latest.outcomes() == {r.name: r.outcome for r in RESULTS}
