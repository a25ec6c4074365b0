"""Where each run's process runs (host name and process id), to tell a killed run from a live one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Only adds nullable columns. Runs recorded before have neither; a run of those
still marked running is judged by its last recorded check alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tracking_runs", sa.Column("host", sa.String(), nullable=True))
    op.add_column("tracking_runs", sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracking_runs") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
