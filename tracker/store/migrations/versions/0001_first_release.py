"""First release: papers, repositories, links, runs, and bare check statuses.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand and frozen: it must keep creating exactly the schema the first
release shipped, because databases made by that release upgrade from here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("authors", JSON, nullable=False),
        sa.Column("code_promised", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_papers"),
    )
    op.create_table(
        "repositories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("canonical", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("moved_to_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["moved_to_id"], ["repositories.id"], name="fk_repositories_moved_to_id_repositories"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_repositories"),
        sa.UniqueConstraint("key", name="uq_repositories_key"),
    )
    op.create_table(
        "tracking_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("papers", sa.Integer(), nullable=False),
        sa.Column("repositories_checked", sa.Integer(), nullable=False),
        sa.Column("requests_made", sa.Integer(), nullable=False),
        sa.Column("requests_rate_limited", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tracking_runs"),
    )
    op.create_table(
        "paper_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.String(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=True),
        sa.Column("artifact_url", sa.Text(), nullable=True),
        sa.Column("artifact_kind", sa.String(), nullable=True),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name="fk_paper_links_paper_id_papers"),
        sa.ForeignKeyConstraint(
            ["repository_id"], ["repositories.id"], name="fk_paper_links_repository_id_repositories"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_paper_links"),
        sa.UniqueConstraint("paper_id", "artifact_url", name="uq_paper_links_paper_id_artifact_url"),
        sa.UniqueConstraint("paper_id", "repository_id", name="uq_paper_links_paper_id_repository_id"),
    )
    op.create_index("ix_paper_links_repository_id", "paper_links", ["repository_id"])
    op.create_table(
        "repository_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"], ["repositories.id"], name="fk_repository_checks_repository_id_repositories"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["tracking_runs.id"], name="fk_repository_checks_run_id_tracking_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_repository_checks"),
        sa.UniqueConstraint("run_id", "repository_id", name="uq_repository_checks_run_id_repository_id"),
    )
    op.create_index("ix_repository_checks_repository_id_run_id", "repository_checks", ["repository_id", "run_id"])


def downgrade() -> None:
    op.drop_table("repository_checks")
    op.drop_table("paper_links")
    op.drop_table("tracking_runs")
    op.drop_table("repositories")
    op.drop_table("papers")
