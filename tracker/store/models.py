"""The SQL schema as SQLAlchemy models: the head revision of the migrations.

Every change here needs a new migration in ``migrations/versions``; a test
compares these models with the migrated database so the two cannot drift.
Times are stored as UTC and always come back timezone-aware, whatever the
dialect does with time zones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from tracker.records import RepoKind, RepoRef


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time is ambiguous (local? UTC?); refusing it finds the bug.
            raise ValueError(f"naive datetime {value.isoformat()}: the store keeps timezone-aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general

        def process(value: Any) -> datetime | None:
            # What `process_bind_param` writes: naive UTC text, microseconds included.
            # Parsing it with its zone in one C call is ~8x cheaper than SQLAlchemy's
            # parse and then `replace(tzinfo=...)`, and a 10,000-repository status
            # reads 70,000 of them. Anything else (a first-release row, say) takes
            # the general path.
            if isinstance(value, str) and len(value) == 26 and value[19] == ".":
                return datetime.fromisoformat(value + "+00:00")
            return general(value)

        return process


class JSONType(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL so the JSON columns can be queried and indexed there.

    The PostgreSQL type is looked up only when a PostgreSQL connection asks for
    it: importing that dialect cost every `repro-tracker status` on SQLite
    about 60 ms.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


# Explicit constraint names, identical on every dialect, so that migrations
# can name what they alter and autogenerate comparisons are exact.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONType, list[Any]: JSONType}


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # arxiv:.. / doi:.. / title:<hash>
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    authors: Mapped[list[Any]] = mapped_column(JSONType)
    code_promised: Mapped[bool] = mapped_column(Boolean)
    first_seen_at: Mapped[datetime]


class Repository(Base):
    __tablename__ = "repositories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String)
    owner: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)  # a RepoKind value
    canonical: Mapped[str] = mapped_column(String)  # as first written
    key: Mapped[str] = mapped_column(String, unique=True)  # lowercase canonical: the identity
    moved_to_id: Mapped[int | None] = mapped_column(ForeignKey("repositories.id"))
    first_seen_at: Mapped[datetime]

    @property
    def ref(self) -> RepoRef:
        return RepoRef(host=self.host, owner=self.owner, name=self.name, kind=RepoKind(self.kind))


class PaperLink(Base):
    __tablename__ = "paper_links"
    __table_args__ = (
        UniqueConstraint("paper_id", "repository_id"),
        UniqueConstraint("paper_id", "artifact_url"),
        Index(None, "repository_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id"))
    repository_id: Mapped[int | None] = mapped_column(ForeignKey("repositories.id"))
    artifact_url: Mapped[str | None] = mapped_column(Text)
    artifact_kind: Mapped[str | None] = mapped_column(String)
    raw_text: Mapped[str] = mapped_column(Text)


class TrackingRun(Base):
    __tablename__ = "tracking_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String)  # a RunStatus value
    flow_run_id: Mapped[str | None] = mapped_column(String)
    sources: Mapped[list[Any]] = mapped_column(JSONType)
    papers: Mapped[int] = mapped_column(Integer)
    repositories_checked: Mapped[int] = mapped_column(Integer)
    requests_made: Mapped[int] = mapped_column(Integer)
    requests_rate_limited: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class RepositoryCheck(Base):
    __tablename__ = "repository_checks"
    __table_args__ = (
        UniqueConstraint("run_id", "repository_id"),
        # Serves "latest check per repository (up to a run)" and history: one
        # index seek per repository whatever the number of runs.
        Index(None, "repository_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tracking_runs.id"))
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id"))
    checked_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String)  # a tracker.records.Status value
    # Migration 2 onwards; NULL on checks recorded by the first release.
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    moved_to: Mapped[str | None] = mapped_column(String)  # canonical of the new identity
    stars: Mapped[int | None] = mapped_column(Integer)
    forks: Mapped[int | None] = mapped_column(Integer)
    open_issues: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    homepage: Mapped[str | None] = mapped_column(Text)
    default_branch: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime | None]
    pushed_at: Mapped[datetime | None]
    fork_parent: Mapped[str | None] = mapped_column(String)
    topics: Mapped[list[Any] | None] = mapped_column(JSONType)  # NULL: no metadata was gathered
    language: Mapped[str | None] = mapped_column(String)
    license_api: Mapped[str | None] = mapped_column(String)
    license_file: Mapped[str | None] = mapped_column(String)
    license_confidence: Mapped[float | None] = mapped_column(Float)
    licenses: Mapped[list[Any] | None] = mapped_column(JSONType)  # every LicenseFinding, for reuse
    latest_release: Mapped[str | None] = mapped_column(String)
    latest_release_at: Mapped[datetime | None]
    head_commit: Mapped[str | None] = mapped_column(String)
    last_commit_at: Mapped[datetime | None]
    first_commit_at: Mapped[datetime | None]
    commits_90d: Mapped[int | None] = mapped_column(Integer)  # NULL: no git activity was gathered
    commits_365d: Mapped[int | None] = mapped_column(Integer)
    contributors: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[int | None] = mapped_column(Integer)
    health: Mapped[str | None] = mapped_column(String)
    repro_score: Mapped[int | None] = mapped_column(Integer)  # 0-100
    results: Mapped[list[Any] | None] = mapped_column(JSONType)  # CheckResult dicts
    signals: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Migration 3: {check name: outcome}, a copy of what `results` says, because
    # a status listing needs only that and decoding every full verdict was a
    # fifth of its time. NULL where `results` is.
    outcomes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class HttpCacheEntry(Base):
    """One conditional-request answer (`tracker.hosts.cache.CachedAnswer`)."""

    __tablename__ = "http_cache"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    etag: Mapped[str | None] = mapped_column(String)
    last_modified: Mapped[str | None] = mapped_column(String)
    body: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime]
