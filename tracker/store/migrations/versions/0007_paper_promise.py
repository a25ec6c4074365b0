"""Keep what a paper said of code it does not link: the kind of statement and the sentence.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03

Only adds nullable columns. Papers stored before have neither: their
`code_promised` stays as it was found, and re-ingesting them adds nothing (a
paper is stored once), so their promise reads as not recorded.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("papers", sa.Column("promise_kind", sa.String(), nullable=True))
    op.add_column("papers", sa.Column("promise_sentence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("promise_sentence")
        batch.drop_column("promise_kind")
