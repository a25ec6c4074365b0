"""Artifacts watched over time, link provenance, and when promised code was last looked for.

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-03

`artifacts` holds one row per web page, DOI or short link a paper links, filled
from the `paper_links` already stored; `artifact_checks` one check of one
artifact per run. `paper_links` gains `provenance` and `found_at` (a repository
reached through a short link, or found later for a paper that promised code),
`papers` gains `promise_looked_at`. Downgrading drops them all.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("first_seen_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_artifacts"),
        sa.UniqueConstraint("url", name="uq_artifacts_url"),
    )
    op.create_table(
        "artifact_checks",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("artifact_id", sa.Integer, nullable=False),
        sa.Column("checked_at", _when(), nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence", json, nullable=False),
        sa.Column("final_url", sa.Text, nullable=True),
        sa.Column("redirects", json, nullable=False),
        sa.Column("facts", json, nullable=False),
        sa.Column("dns_failing_since", _when(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_artifact_checks"),
        sa.ForeignKeyConstraint(["run_id"], ["tracking_runs.id"], name="fk_artifact_checks_run_id_tracking_runs"),
        sa.ForeignKeyConstraint(["artifact_id"], ["artifacts.id"], name="fk_artifact_checks_artifact_id_artifacts"),
        sa.UniqueConstraint("run_id", "artifact_id", name="uq_artifact_checks_run_id_artifact_id"),
    )
    op.create_index("ix_artifact_checks_artifact_id_run_id", "artifact_checks", ["artifact_id", "run_id"])
    with op.batch_alter_table("paper_links") as batch:
        batch.add_column(sa.Column("provenance", sa.String, nullable=True))
        batch.add_column(sa.Column("found_at", _when(), nullable=True))
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("promise_looked_at", _when(), nullable=True))
    # Every artifact already linked, in order of first sight, checked as tracker.artifacts.kinds.artifact_kind
    # says; links to papers (arXiv, OpenReview, ...) are references, not watched.
    op.execute(
        "INSERT INTO artifacts (url, kind, first_seen_at) "
        "SELECT l.artifact_url, "
        "MIN(CASE WHEN l.artifact_kind = 'doi' OR LOWER(l.artifact_url) LIKE '%zenodo.org/record%' THEN 'doi' "
        "WHEN l.artifact_kind = 'short_link' THEN 'short_link' ELSE 'page' END), MIN(p.first_seen_at) "
        "FROM paper_links l JOIN papers p ON p.id = l.paper_id "
        "WHERE l.artifact_url IS NOT NULL AND l.artifact_kind <> 'paper' GROUP BY l.artifact_url "
        "ORDER BY MIN(l.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("promise_looked_at")
    with op.batch_alter_table("paper_links") as batch:
        batch.drop_column("found_at")
        batch.drop_column("provenance")
    op.drop_index("ix_artifact_checks_artifact_id_run_id", table_name="artifact_checks")
    op.drop_table("artifact_checks")
    op.drop_table("artifacts")
