"""What a check found: host answer, metadata, licenses, git activity, verdicts; HTTP cache.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01

Only adds nullable columns and a table, so a first-release database upgrades
in place and keeps its rows (their new columns stay NULL: "not recorded").
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_TIME = sa.DateTime(timezone=True)

CHECK_COLUMNS: list[tuple[str, sa.types.TypeEngine]] = [
    ("http_status", sa.Integer()),
    ("detail", sa.Text()),
    ("moved_to", sa.String()),
    ("stars", sa.Integer()),
    ("forks", sa.Integer()),
    ("open_issues", sa.Integer()),
    ("description", sa.Text()),
    ("homepage", sa.Text()),
    ("default_branch", sa.String()),
    ("created_at", UTC_TIME),
    ("pushed_at", UTC_TIME),
    ("fork_parent", sa.String()),
    ("topics", JSON),
    ("language", sa.String()),
    ("license_api", sa.String()),
    ("license_file", sa.String()),
    ("license_confidence", sa.Float()),
    ("licenses", JSON),
    ("latest_release", sa.String()),
    ("latest_release_at", UTC_TIME),
    ("head_commit", sa.String()),
    ("last_commit_at", UTC_TIME),
    ("first_commit_at", UTC_TIME),
    ("commits_90d", sa.Integer()),
    ("commits_365d", sa.Integer()),
    ("contributors", sa.Integer()),
    ("tags", sa.Integer()),
    ("health", sa.String()),
    ("repro_score", sa.Integer()),
    ("results", JSON),
    ("signals", JSON),
]


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite supports it without rebuilding the table.
    for name, type_ in CHECK_COLUMNS:
        op.add_column("repository_checks", sa.Column(name, type_, nullable=True))
    op.create_table(
        "http_cache",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stored_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_http_cache"),
    )


def downgrade() -> None:
    op.drop_table("http_cache")
    with op.batch_alter_table("repository_checks") as batch:
        for name, _ in reversed(CHECK_COLUMNS):
            batch.drop_column(name)
