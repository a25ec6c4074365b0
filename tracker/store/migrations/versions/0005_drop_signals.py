"""Drop `repository_checks.signals`: free-form JSON for the checks to keep, which no check ever wrote.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Every row holds `{}` (or NULL, from the first release), so nothing is lost.
Downgrading brings the column back empty.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite rebuilds the table (batch mode); PostgreSQL drops the column in place.
    with op.batch_alter_table("repository_checks") as batch:
        batch.drop_column("signals")


def downgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.add_column("repository_checks", sa.Column("signals", json, nullable=True))
