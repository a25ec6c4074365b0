"""The SQL schema as SQLAlchemy tables: the head revision of the migrations.

Every change here needs a new migration in ``migrations/versions``; a test
compares these tables with the migrated database so the two cannot drift.
Times are stored as UTC and always come back timezone-aware, whatever the
dialect does with time zones.

Core tables, not ORM classes: the store writes SQL statements and hands out
plain rows, never ORM objects, and importing the ORM (with the mapping of
its classes) cost every `repro-tracker status` about 0.1 s. Each table is
named after one of its rows (`Repository`), so statements read
``select(Repository.c.key)``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine


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

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _required(name: str, type_: Any, *args: Any, **kwargs: Any) -> Column[Any]:
    return Column(name, type_, *args, nullable=False, **kwargs)


def _optional(name: str, type_: Any, *args: Any) -> Column[Any]:
    return Column(name, type_, *args, nullable=True)


Paper = Table(
    "papers",
    metadata,
    Column("id", String, primary_key=True),  # arxiv:.. / doi:.. / title:<hash>
    _required("title", Text),
    _required("abstract", Text),
    _required("source", String),
    _optional("url", Text),
    _optional("published", Date),
    _required("authors", JSONType),
    _required("code_promised", Boolean),
    _required("first_seen_at", UTCDateTime),
    # What the paper said of code it does not link (a PromiseKind value) and the sentence that said it.
    _optional("promise_kind", String),
    _optional("promise_sentence", Text),
    # Migration 0010: when the tracker last looked for the code a paper promised without a link (at most daily).
    _optional("promise_looked_at", UTCDateTime),
    # Migration 0008: the hash of the normalised title (as in `title:<hash>` ids), so
    # that a title-only paper and the arXiv paper of the same title become one row.
    _optional("title_key", String),
    Index(None, "title_key"),
)

# Migration 0008: every kind of source a paper was read from ("file", "arxiv",
# "arxiv-list", "hf-daily", "hf-paper", "pwc-links", "pwc-papers").
PaperSource = Table(
    "paper_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("paper_id", String, ForeignKey("papers.id")),
    _required("source", String),
    _required("first_seen_at", UTCDateTime),
    UniqueConstraint("paper_id", "source"),
)

Repository = Table(
    "repositories",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("host", String),
    _required("owner", String),
    _required("name", String),
    _required("kind", String),  # a RepoKind value
    _required("canonical", String),  # as first written
    _required("key", String, unique=True),  # lowercase canonical: the identity
    _optional("moved_to_id", Integer, ForeignKey("repositories.id")),
    _required("first_seen_at", UTCDateTime),
)

PaperLink = Table(
    "paper_links",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("paper_id", String, ForeignKey("papers.id")),
    _optional("repository_id", Integer, ForeignKey("repositories.id")),
    _optional("artifact_url", Text),
    _optional("artifact_kind", String),
    _required("raw_text", Text),
    UniqueConstraint("paper_id", "repository_id"),
    UniqueConstraint("paper_id", "artifact_url"),
    Index(None, "repository_id"),
)

# Migration 0008: where each link was found (a `tracker.records.Provenance` value), one row each: in the
# paper or by an aggregator when the paper was read, and (migration 0013, which moved them here from
# `paper_links`) through a short link the paper wrote (raw_text is the short link), or later, for a paper that
# promised code without a link (raw_text says where). `found_at`: when; NULL for what was found on reading.
LinkProvenance = Table(
    "link_provenance",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("link_id", Integer, ForeignKey("paper_links.id")),
    _required("provenance", String),
    _optional("found_at", UTCDateTime),
    UniqueConstraint("link_id", "provenance"),
)

# Migration 0008: where an OAI-PMH harvest of one source (its spec) stands
# (`tracker.sources.HarvestPlace`), so that a harvest is incremental and resumable.
HarvestState = Table(
    "harvest_state",
    metadata,
    Column("source", String, primary_key=True),
    _optional("datestamp", String),
    _optional("resumption_token", Text),
    _optional("seen_datestamp", String),
    _required("updated_at", UTCDateTime),
)

TrackingRun = Table(
    "tracking_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("started_at", UTCDateTime),
    _optional("finished_at", UTCDateTime),
    _required("status", String),  # a RunStatus value
    _optional("flow_run_id", String),
    _required("sources", JSONType),
    _required("papers", Integer),
    _required("repositories_checked", Integer),
    _required("requests_made", Integer),
    _required("requests_rate_limited", Integer),
    _optional("note", Text),
    # Migration 4: where the run's process runs, so that a run killed before it
    # could finish reads as interrupted rather than running forever.
    _optional("host", String),
    _optional("pid", Integer),
)

RepositoryCheck = Table(
    "repository_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("run_id", Integer, ForeignKey("tracking_runs.id")),
    _required("repository_id", Integer, ForeignKey("repositories.id")),
    _required("checked_at", UTCDateTime),
    _required("status", String),  # a tracker.records.Status value
    # Migration 2 onwards; NULL on checks recorded by the first release.
    _optional("http_status", Integer),
    _optional("detail", Text),
    _optional("moved_to", String),  # canonical of the new identity
    _optional("stars", Integer),
    _optional("forks", Integer),
    _optional("open_issues", Integer),
    _optional("description", Text),
    _optional("homepage", Text),
    _optional("default_branch", String),
    _optional("created_at", UTCDateTime),
    _optional("pushed_at", UTCDateTime),
    _optional("fork_parent", String),
    _optional("topics", JSONType),  # NULL: no metadata was gathered
    _optional("language", String),
    _optional("license_api", String),
    _optional("license_file", String),
    _optional("license_confidence", Float),
    _optional("licenses", JSONType),  # every LicenseFinding, for reuse
    _optional("latest_release", String),
    _optional("latest_release_at", UTCDateTime),
    _optional("head_commit", String),
    _optional("last_commit_at", UTCDateTime),
    _optional("first_commit_at", UTCDateTime),
    _optional("commits_90d", Integer),  # NULL: no git activity was gathered
    _optional("commits_365d", Integer),
    _optional("contributors", Integer),
    _optional("tags", Integer),
    _optional("health", String),
    _optional("repro_score", Integer),  # 0-100
    _optional("results", JSONType),  # CheckResult dicts
    # Migration 3: {check name: outcome}, a copy of what `results` says, because
    # a status listing needs only that and decoding every full verdict was a
    # fifth of its time. NULL where `results` is.
    _optional("outcomes", JSONType),
    # Migration 0011: history records changes, not repetitions. A check whose facts and results equal the
    # repository's latest check's is an observation: run, repository, time and status, `same_as_id` the full
    # row it repeats, every other column NULL (about 100 bytes instead of 4.7 kB). A full row carries
    # `digest` (`check_row.content_digest`), so the writer tells "unchanged" by one comparison. Reads take
    # the identity from the row and the rest from the full row (`check_row.check_column`).
    _optional("same_as_id", Integer, ForeignKey("repository_checks.id")),
    _optional("digest", String),
    UniqueConstraint("run_id", "repository_id"),
    # Serves "latest check per repository (up to a run)" and history: one
    # index seek per repository whatever the number of runs.
    Index(None, "repository_id", "run_id"),
    # Finds a full row's observations when it is deleted (`forget`): without it the foreign key's check
    # scans the whole table per deleted row.
    Index(None, "same_as_id"),
)

# What a listing (`status`, the report's table) shows of a check, copied into `latest_checks` for the newest
# two: reading them from `repository_checks` meant a page per check (a full row is ~4 kB, and `outcomes` is
# its last column), 200,000 pages at 100,000 repositories (bench/results.md, fifth session).
LISTED_COLUMNS = (
    "checked_at", "status", "detail", "health", "stars", "repro_score", "license_file", "license_api", "licenses",
    "last_commit_at", "pushed_at", "moved_to", "outcomes",
)

# Migration 0011: each checked repository's newest check and the one before it, by run, kept in step by
# `record_check` in the check's own transaction (and by `forget`), so `status` reads one row per repository
# instead of seeking the newest two among its checks. The run ids are kept to order a check recorded out of
# run order without reading the checks; `latest_<column>` and `previous_<column>` copy their LISTED_COLUMNS.
LatestCheck = Table(
    "latest_checks",
    metadata,
    Column("repository_id", Integer, ForeignKey("repositories.id"), primary_key=True),
    _required("latest_id", Integer, ForeignKey("repository_checks.id")),
    _required("latest_run_id", Integer),
    _optional("previous_id", Integer, ForeignKey("repository_checks.id")),
    _optional("previous_run_id", Integer),
    *(_optional(f"{which}_{name}", RepositoryCheck.c[name].type) for which in ("latest", "previous")
      for name in LISTED_COLUMNS),
    # Migration 0014: what a listing counts (by status, changed status or not), without reading the rows.
    Index("ix_latest_checks_listing", "latest_status", "repository_id", "previous_status", "previous_id"),
)

# Migration 0010: the artifacts papers link besides repositories (web pages, DOIs, short links), one row per
# address, and each one's check per run, as for repositories. Hugging Face models, datasets and spaces are
# repositories of their own kinds, not artifacts.
ArtifactRecord = Table(
    "artifacts",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("url", Text, unique=True),
    _required("kind", String),  # a tracker.artifacts.kinds.LinkKind value: page, doi, short_link
    _required("first_seen_at", UTCDateTime),
)

ArtifactCheckRecord = Table(
    "artifact_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("run_id", Integer, ForeignKey("tracking_runs.id")),
    _required("artifact_id", Integer, ForeignKey("artifacts.id")),
    _required("checked_at", UTCDateTime),
    _required("state", String),  # a tracker.artifacts.verdict.LinkState value
    _required("reason", Text),
    _required("evidence", JSONType),  # list of strings
    _optional("final_url", Text),
    _required("redirects", JSONType),  # ["301 http://...", "200 https://..."], first request first
    _required("facts", JSONType),  # title, http_status, versions, files, doi target, ...
    # When the name first failed to resolve in the current streak; NULL once it resolves. A streak of a day
    # or more makes a page `gone`.
    _optional("dns_failing_since", UTCDateTime),
    UniqueConstraint("run_id", "artifact_id"),
    Index(None, "artifact_id", "run_id"),
)

# One conditional-request answer (`tracker.http.Validators`): GitHub's, a web page's (validators only), Zenodo's.
HttpCacheEntry = Table(
    "http_cache",
    metadata,
    Column("key", String, primary_key=True),
    _optional("etag", String),
    _optional("last_modified", String),
    _required("body", Text),
    _required("stored_at", UTCDateTime),
)

# Migration 9: what Software Heritage holds of a repository, one row per look.
# A table of its own rather than columns of `repository_checks`: archival is its
# own stage with its own budget, and a repository whose HEAD is archived is not
# asked again until HEAD moves, so most check rows would carry nothing or a
# copy. `status` reads the newest row per repository with one seek in
# (repository_id, id), beside the unchanged read of the checks.
ArchiveCheck = Table(
    "archive_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("repository_id", Integer, ForeignKey("repositories.id")),
    _optional("run_id", Integer, ForeignKey("tracking_runs.id")),  # the tracking run it ran in, if any
    _required("checked_at", UTCDateTime),
    _required("state", String),  # a tracker.archive.state.ArchiveState value
    _required("detail", Text),
    _required("origin_url", Text),
    _optional("head_commit", String),  # the HEAD judged against
    _optional("visit_date", UTCDateTime),
    _optional("visit_status", String),
    _optional("snapshot", String),  # hex id: swh:1:snp:<snapshot>
    _optional("revision", String),  # hex id of the archived revision pointed at
    _optional("days_behind", Integer),
    Index(None, "repository_id", "id"),
)

# Migration 9: each save request sent to Software Heritage, and how it fared.
SaveRequest = Table(
    "save_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    _required("repository_id", Integer, ForeignKey("repositories.id")),
    _required("origin_url", Text),
    _required("requested_at", UTCDateTime),
    _required("reason", Text),  # why it was at risk
    _optional("request_id", Integer),  # the archive's id for it
    _required("save_request_status", String),  # accepted, rejected, pending
    _optional("save_task_status", String),  # not created, pending, scheduled, running, succeeded, failed
    _optional("visit_date", UTCDateTime),
    _optional("visit_status", String),
    _optional("snapshot_swhid", String),
    _optional("note", Text),
    _required("updated_at", UTCDateTime),
    Index(None, "repository_id", "id"),
)
