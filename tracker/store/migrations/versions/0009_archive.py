"""Software Heritage: `archive_checks` (what the archive holds of a repository, per look) and `save_requests`.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-03

Two new tables; nothing existing changes. Their own tables rather than columns
of `repository_checks` because archival is its own stage and budget, and an
archived HEAD is not asked about again (see `tracker/store/models.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "archive_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", _utc(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("origin_url", sa.Text(), nullable=False),
        sa.Column("head_commit", sa.String(), nullable=True),
        sa.Column("visit_date", _utc(), nullable=True),
        sa.Column("visit_status", sa.String(), nullable=True),
        sa.Column("snapshot", sa.String(), nullable=True),
        sa.Column("revision", sa.String(), nullable=True),
        sa.Column("days_behind", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["repository_id"], ["repositories.id"],
                                name="fk_archive_checks_repository_id_repositories"),
        sa.ForeignKeyConstraint(["run_id"], ["tracking_runs.id"], name="fk_archive_checks_run_id_tracking_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_archive_checks"),
    )
    op.create_index("ix_archive_checks_repository_id_id", "archive_checks", ["repository_id", "id"])
    op.create_table(
        "save_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("origin_url", sa.Text(), nullable=False),
        sa.Column("requested_at", _utc(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("save_request_status", sa.String(), nullable=False),
        sa.Column("save_task_status", sa.String(), nullable=True),
        sa.Column("visit_date", _utc(), nullable=True),
        sa.Column("visit_status", sa.String(), nullable=True),
        sa.Column("snapshot_swhid", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["repository_id"], ["repositories.id"],
                                name="fk_save_requests_repository_id_repositories"),
        sa.PrimaryKeyConstraint("id", name="pk_save_requests"),
    )
    op.create_index("ix_save_requests_repository_id_id", "save_requests", ["repository_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_save_requests_repository_id_id", table_name="save_requests")
    op.drop_table("save_requests")
    op.drop_index("ix_archive_checks_repository_id_id", table_name="archive_checks")
    op.drop_table("archive_checks")
