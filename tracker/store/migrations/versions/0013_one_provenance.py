"""One provenance mechanism: `link_provenance` rows, with when each was found.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03

Until now a link's provenance lived in two places: `link_provenance` rows (where
ingest found it: abstract, arXiv comments, Papers with Code, the Hugging Face
paper page) and `paper_links.provenance` + `found_at` (a repository reached
through a short link, or found later for a paper that promised code). The
second moves into the first: `link_provenance` gains `found_at` (NULL: found
when the paper was read), every `paper_links.provenance` becomes a
`link_provenance` row with its `found_at`, and the two columns are dropped.
Downgrading moves them back.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The provenances 0010 kept on `paper_links` (tracker.records.Provenance.SHORT_LINK, FOUND_LATER).
_MOVED = ("short_link", "found_later")


def upgrade() -> None:
    with op.batch_alter_table("link_provenance") as batch:
        batch.add_column(sa.Column("found_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "INSERT INTO link_provenance (link_id, provenance, found_at) "
        "SELECT id, provenance, found_at FROM paper_links WHERE provenance IS NOT NULL ORDER BY id"
    )
    _drop_columns("paper_links", "found_at", "provenance")


def _drop_columns(table: str, *columns: str) -> None:
    """SQLite's own DROP COLUMN (3.35 and later): a batch copy of the table would drop the table that
    `link_provenance` rows refer to, which SQLite refuses with foreign keys on."""
    for column in columns:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)


def downgrade() -> None:
    with op.batch_alter_table("paper_links") as batch:
        batch.add_column(sa.Column("provenance", sa.String, nullable=True))
        batch.add_column(sa.Column("found_at", sa.DateTime(timezone=True), nullable=True))
    # 0010 kept one such provenance per link; where a link has both, the later find wins, as it would have.
    for value in _MOVED:
        op.execute(sa.text(
            "UPDATE paper_links SET provenance = :value, found_at = (SELECT p.found_at FROM link_provenance p "
            "WHERE p.link_id = paper_links.id AND p.provenance = :value) "
            "WHERE id IN (SELECT link_id FROM link_provenance WHERE provenance = :value)"
        ).bindparams(value=value))
    op.execute(sa.text("DELETE FROM link_provenance WHERE provenance IN ('short_link', 'found_later')"))
    _drop_columns("link_provenance", "found_at")
