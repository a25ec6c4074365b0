"""History that records changes, not repetitions; each repository's latest two checks in a table.

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-03

`repository_checks` gains `same_as_id` and `digest`: a check that says what the
check before it (by run) said becomes an observation, its run, time and status
kept, `same_as_id` pointing at the full row it repeats, every other column
NULL. Full rows get their `digest` (`tracker.store.check_row.content_digest`,
the writer's own function, so the next unchanged check finds them equal).
`latest_checks` is filled with each repository's newest two checks.

Rows are read per block of repositories, in run order, so memory stays
bounded whatever the history. On SQLite the space of the emptied columns is
free inside the file but the file keeps its size until `VACUUM` (README).
Downgrading copies each observation's facts back from its full row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tracker.store.check_row import content_digest

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Repositories whose checks are read per round trip: 200 x 30 runs is ~6,000 rows, ~100 MB of Python objects.
BLOCK = 200
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_FK_SAME_AS = "fk_repository_checks_same_as_id_repository_checks"

# What a check said at revision 0010, besides its identity (id, run, repository, time) and status.
_TIMES = ("created_at", "pushed_at", "latest_release_at", "last_commit_at", "first_commit_at")
_JSONS = ("topics", "licenses", "results", "outcomes")
_PLAIN = (
    "http_status", "detail", "moved_to", "stars", "forks", "open_issues", "description", "homepage",
    "default_branch", "fork_parent", "language", "license_api", "license_file", "license_confidence",
    "latest_release", "head_commit", "commits_90d", "commits_365d", "contributors", "tags", "health", "repro_score",
)
FACTS = _PLAIN + _TIMES + _JSONS

checks = sa.table(
    "repository_checks",
    sa.column("id", sa.Integer()),
    sa.column("run_id", sa.Integer()),
    sa.column("repository_id", sa.Integer()),
    sa.column("checked_at", sa.DateTime(timezone=True)),
    sa.column("status", sa.String()),
    sa.column("same_as_id", sa.Integer()),
    sa.column("digest", sa.String()),
    *(sa.column(name, sa.DateTime(timezone=True)) for name in _TIMES),
    *(sa.column(name, _JSON) for name in _JSONS),
    *(sa.column(name) for name in _PLAIN),
)
# What `latest_checks` copies of its two checks (`models.LISTED_COLUMNS` at this revision), and their types.
LISTED = (
    "checked_at", "status", "detail", "health", "stars", "repro_score", "license_file", "license_api", "licenses",
    "last_commit_at", "pushed_at", "moved_to", "outcomes",
)
_TYPES: dict[str, Any] = {
    "checked_at": sa.DateTime(timezone=True), "last_commit_at": sa.DateTime(timezone=True),
    "pushed_at": sa.DateTime(timezone=True), "status": sa.String(), "detail": sa.Text(), "health": sa.String(),
    "stars": sa.Integer(), "repro_score": sa.Integer(), "license_file": sa.String(), "license_api": sa.String(),
    "licenses": _JSON, "moved_to": sa.String(), "outcomes": _JSON,
}
latest = sa.table(
    "latest_checks",
    sa.column("repository_id", sa.Integer()),
    sa.column("latest_id", sa.Integer()),
    sa.column("latest_run_id", sa.Integer()),
    sa.column("previous_id", sa.Integer()),
    sa.column("previous_run_id", sa.Integer()),
    *(sa.column(f"{which}_{name}", _TYPES[name]) for which in ("latest", "previous") for name in LISTED),
)
repositories = sa.table("repositories", sa.column("id", sa.Integer()))


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        # ADD COLUMN with its REFERENCES clause: a named constraint otherwise means rebuilding the whole table.
        op.execute(f"ALTER TABLE repository_checks ADD COLUMN same_as_id INTEGER CONSTRAINT {_FK_SAME_AS} "
                   "REFERENCES repository_checks (id)")
    else:
        op.add_column("repository_checks", sa.Column("same_as_id", sa.Integer, nullable=True))
        op.create_foreign_key(_FK_SAME_AS, "repository_checks", "repository_checks", ["same_as_id"], ["id"])
    op.add_column("repository_checks", sa.Column("digest", sa.String, nullable=True))
    op.create_index("ix_repository_checks_same_as_id", "repository_checks", ["same_as_id"])
    op.create_table(
        "latest_checks",
        sa.Column("repository_id", sa.Integer, nullable=False),
        sa.Column("latest_id", sa.Integer, nullable=False),
        sa.Column("latest_run_id", sa.Integer, nullable=False),
        sa.Column("previous_id", sa.Integer, nullable=True),
        sa.Column("previous_run_id", sa.Integer, nullable=True),
        *(sa.Column(f"{which}_{name}", _TYPES[name], nullable=True) for which in ("latest", "previous")
          for name in LISTED),
        sa.PrimaryKeyConstraint("repository_id", name="pk_latest_checks"),
        sa.ForeignKeyConstraint(["repository_id"], ["repositories.id"],
                                name="fk_latest_checks_repository_id_repositories"),
        sa.ForeignKeyConstraint(["latest_id"], ["repository_checks.id"],
                                name="fk_latest_checks_latest_id_repository_checks"),
        sa.ForeignKeyConstraint(["previous_id"], ["repository_checks.id"],
                                name="fk_latest_checks_previous_id_repository_checks"),
    )
    last_id = 0
    while True:
        ids = connection.execute(
            sa.select(repositories.c.id).where(repositories.c.id > last_id).order_by(repositories.c.id).limit(BLOCK)
        ).scalars().all()
        if not ids:
            return
        _collapse(connection, ids[0], ids[-1])
        last_id = ids[-1]


def _collapse(connection: sa.Connection, first: int, last: int) -> None:
    """Digest, collapse and note the latest two checks of repositories `first`..`last`."""
    rows = connection.execute(
        sa.select(checks.c.id, checks.c.run_id, checks.c.repository_id, checks.c.checked_at, checks.c.status,
                  *(checks.c[name] for name in FACTS))
        .where(checks.c.repository_id.between(first, last))
        .order_by(checks.c.repository_id, checks.c.run_id)
    ).all()
    digests: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    newest: dict[int, list[Any]] = {}
    full: Any = None  # (repository_id, id, digest) of the repository's latest full row so far
    for row in rows:
        digest = content_digest(dict(row._mapping))
        if full is not None and full[0] == row.repository_id and full[2] == digest:
            repeats.append({"check_id": row.id, "full_id": full[1]})
        else:
            full = (row.repository_id, row.id, digest)
            digests.append({"check_id": row.id, "check_digest": digest})
        newest.setdefault(row.repository_id, []).append(row)
    if digests:
        connection.execute(
            sa.update(checks).where(checks.c.id == sa.bindparam("check_id"))
            .values(digest=sa.bindparam("check_digest")),
            digests,
        )
    if repeats:
        emptied = dict.fromkeys(FACTS, None)
        connection.execute(
            sa.update(checks).where(checks.c.id == sa.bindparam("check_id"))
            .values(same_as_id=sa.bindparam("full_id"), **emptied),
            repeats,
        )
    if newest:
        connection.execute(sa.insert(latest), [_latest_row(repository_id, seen)
                                               for repository_id, seen in newest.items()])


def _latest_row(repository_id: int, seen: list[Any]) -> dict[str, Any]:
    """The `latest_checks` row of a repository whose checks, in run order, are `seen` (read before collapsing)."""
    row: dict[str, Any] = {"repository_id": repository_id}
    for which, check in (("latest", seen[-1]), ("previous", seen[-2] if len(seen) > 1 else None)):
        row[f"{which}_id"] = check.id if check is not None else None
        row[f"{which}_run_id"] = check.run_id if check is not None else None
        row |= {f"{which}_{name}": check._mapping[name] if check is not None else None for name in LISTED}
    return row


def downgrade() -> None:
    facts = ", ".join(FACTS)
    picked = ", ".join(f"f.{name}" for name in FACTS)
    op.execute(
        f"UPDATE repository_checks SET ({facts}) = (SELECT {picked} FROM repository_checks AS f "
        "WHERE f.id = repository_checks.same_as_id) WHERE same_as_id IS NOT NULL"
    )
    op.drop_table("latest_checks")
    op.drop_index("ix_repository_checks_same_as_id", table_name="repository_checks")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(_FK_SAME_AS, "repository_checks", type_="foreignkey")
    with op.batch_alter_table("repository_checks") as batch:
        batch.drop_column("digest")
        batch.drop_column("same_as_id")
