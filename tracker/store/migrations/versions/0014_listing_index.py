"""An index that answers a listing's counts without reading `latest_checks`' rows.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-04

`status` counts every repository by latest status and tells which changed
status (`tracker.store.listing`). `latest_checks` rows are ~1.1 kB (the listed
columns of two checks), so that count read 112 MB of rows at 100,000
repositories; this index holds the four columns it needs, and PostgreSQL
answers it with an index-only scan once the table was vacuumed (autovacuum
does after a run's writes), SQLite always. 0.17 s became 0.07 s of server time
on PostgreSQL (bench/results.md, seventh session).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_latest_checks_listing"


def upgrade() -> None:
    op.create_index(NAME, "latest_checks", ["latest_status", "repository_id", "previous_status", "previous_id"])


def downgrade() -> None:
    op.drop_index(NAME, "latest_checks")
