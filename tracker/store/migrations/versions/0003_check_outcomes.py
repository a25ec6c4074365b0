"""Each check's outcomes by name, next to its full verdicts, for listings that show only those.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Adds one nullable column and fills it from `results` on the checks already
stored, so a database upgraded in place lists the same outcomes as before.
First-release checks, which have no `results`, keep it NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Checks read per round trip: bounds memory on a database with years of runs.
BATCH = 1000

checks = sa.table(
    "repository_checks",
    sa.column("id", sa.Integer()),
    sa.column("results", JSON),
    sa.column("outcomes", JSON),
)


def upgrade() -> None:
    op.add_column("repository_checks", sa.Column("outcomes", JSON, nullable=True))
    connection = op.get_bind()
    fill = (
        sa.update(checks)
        .where(checks.c.id == sa.bindparam("check_id"))
        .values(outcomes=sa.bindparam("check_outcomes"))
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(checks.c.id, checks.c.results)
            .where(checks.c.id > last_id, checks.c.results.is_not(None))
            .order_by(checks.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            fill,
            [
                {"check_id": row.id, "check_outcomes": {item["name"]: item["outcome"] for item in row.results or []}}
                for row in rows
            ],
        )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("repository_checks") as batch:
        batch.drop_column("outcomes")
