"""Papers from many sources: each paper's sources, each link's provenance, title keys, OAI-PMH harvest state.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03

Adds `papers.title_key` (the normalised title's hash, filled in here for every
stored paper), `paper_sources` (filled with "file" for every stored paper:
until now every paper came from a file), `link_provenance` (filled with
"abstract" for every stored link: until now every link was found in a title or
abstract) and `harvest_state`. Downgrading drops them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    from tracker.ingest.identity import title_hash

    op.add_column("papers", sa.Column("title_key", sa.String(), nullable=True))
    op.create_index("ix_papers_title_key", "papers", ["title_key"])
    op.create_table(
        "paper_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("paper_id", sa.String(), sa.ForeignKey("papers.id", name="fk_paper_sources_paper_id_papers"),
                  nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_paper_sources"),
        sa.UniqueConstraint("paper_id", "source", name="uq_paper_sources_paper_id_source"),
    )
    op.create_table(
        "link_provenance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("link_id", sa.Integer(),
                  sa.ForeignKey("paper_links.id", name="fk_link_provenance_link_id_paper_links"), nullable=False),
        sa.Column("provenance", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_provenance"),
        sa.UniqueConstraint("link_id", "provenance", name="uq_link_provenance_link_id_provenance"),
    )
    op.create_table(
        "harvest_state",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("datestamp", sa.String(), nullable=True),
        sa.Column("resumption_token", sa.Text(), nullable=True),
        sa.Column("seen_datestamp", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_harvest_state"),
    )
    connection = op.get_bind()
    papers = sa.table("papers", sa.column("id", sa.String()), sa.column("title", sa.Text()),
                      sa.column("title_key", sa.String()), sa.column("first_seen_at", sa.DateTime(timezone=True)))
    rows = connection.execute(sa.select(papers.c.id, papers.c.title)).all()
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start:start + _BATCH]
        connection.execute(
            sa.update(papers).where(papers.c.id == sa.bindparam("paper_id")).values(title_key=sa.bindparam("key")),
            [{"paper_id": row.id, "key": title_hash(row.title)} for row in chunk],
        )
    connection.execute(sa.text(
        "INSERT INTO paper_sources (paper_id, source, first_seen_at) SELECT id, 'file', first_seen_at FROM papers"
    ))
    connection.execute(sa.text(
        "INSERT INTO link_provenance (link_id, provenance) SELECT id, 'abstract' FROM paper_links"
    ))


def downgrade() -> None:
    op.drop_table("harvest_state")
    op.drop_table("link_provenance")
    op.drop_table("paper_sources")
    op.drop_index("ix_papers_title_key", table_name="papers")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("title_key")
