"""Artifact checks: every link of a paper that is not a repository (pages, DOIs, short links), watched over time.

A short link that leads to a repository adds it, linked to the papers that
wrote the short link (provenance `short_link`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Row, exists, select

from tracker.artifacts.kinds import LinkKind
from tracker.records import Provenance, RepoRef
from tracker.store.dialect import insert_for
from tracker.store.models import ArtifactCheckRecord, ArtifactRecord, LinkProvenance, Paper, PaperLink
from tracker.store.repositories import ensure_repositories
from tracker.store.retry import run_read, run_write
from tracker.store.rows import ArtifactCheckRow, ArtifactRow
from tracker.store.runs import require_run

if TYPE_CHECKING:
    from tracker.artifacts.check import ArtifactCheck, ArtifactTarget


class ArtifactChecks:
    """The `artifacts` and `artifact_checks` tables."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def artifacts_due(self, *, max_age_hours: float | None = None, run_id: int | None = None,
                      kinds: Iterable[str] | None = None) -> list[ArtifactTarget]:
        """Artifacts to check, in order of first sight, each with its current DNS streak and newest verdict.

        Like `repositories_due`: minus those with a conclusive check younger
        than `max_age_hours` and those already checked in `run_id`.
        """
        from tracker.artifacts.check import ArtifactTarget, PreviousCheck
        from tracker.artifacts.verdict import LinkState, LinkVerdict

        conditions = []
        if max_age_hours is not None:
            cutoff = self._clock() - timedelta(hours=max_age_hours)
            conditions.append(~exists().where(
                ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id,
                ArtifactCheckRecord.c.checked_at >= cutoff,
                ArtifactCheckRecord.c.state.not_in(["unreachable", "not_checked"]),
            ))
        if run_id is not None:
            conditions.append(~exists().where(ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id,
                                              ArtifactCheckRecord.c.run_id == run_id))
        if kinds is not None:
            conditions.append(ArtifactRecord.c.kind.in_(list(kinds)))
        newest_id = (
            select(ArtifactCheckRecord.c.id)
            .where(ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id)
            .order_by(ArtifactCheckRecord.c.run_id.desc())
            .limit(1)
            .scalar_subquery()
        )
        newest = ArtifactCheckRecord.alias("newest")
        statement = (
            select(ArtifactRecord.c.url, ArtifactRecord.c.kind, *(c for c in newest.c if c.name != "artifact_id"))
            .select_from(ArtifactRecord.outerjoin(newest, newest.c.id == newest_id))
            .where(*conditions)
            .order_by(ArtifactRecord.c.id)
        )
        rows = run_read(self._engine, lambda connection: connection.execute(statement).all())
        targets = []
        for row in rows:
            previous = None
            if row.id is not None:
                verdict = LinkVerdict(LinkState(row.state), row.reason, tuple(row.evidence or ()), row.final_url)
                previous = PreviousCheck(row.checked_at, verdict, tuple(row.redirects or ()), dict(row.facts or {}))
            targets.append(ArtifactTarget(row.url, LinkKind(row.kind), row.dns_failing_since, previous))
        return targets

    def record_artifact_check(self, run_id: int, check: ArtifactCheck) -> RepoRef | None:
        """Store one artifact's check in its own transaction; idempotent per (run, artifact).

        A short link that leads to a repository adds that repository and links
        it to every paper that wrote the short link, with the short link as the
        link's text (of a link made here) and `short_link` as its provenance,
        found at the check's time. Returns that
        repository when it is new to the store (so the run can check it), else None.
        """
        verdict = check.verdict
        values = {
            "run_id": run_id,
            "checked_at": check.checked_at,
            "state": verdict.state.value,
            "reason": verdict.reason,
            "evidence": list(verdict.evidence),
            "final_url": verdict.final_url,
            "redirects": list(check.redirects),
            "facts": check.facts,
            "dns_failing_since": check.dns_failing_since,
        }

        def work(connection: Connection) -> RepoRef | None:
            require_run(connection, run_id)
            now = self._clock()
            connection.execute(
                insert_for(connection, ArtifactRecord).on_conflict_do_nothing(),
                {"url": check.url, "kind": check.kind.value, "first_seen_at": now},
            )
            artifact_id = connection.execute(
                select(ArtifactRecord.c.id).where(ArtifactRecord.c.url == check.url)
            ).scalar_one()
            connection.execute(
                insert_for(connection, ArtifactCheckRecord).on_conflict_do_nothing(),
                {"artifact_id": artifact_id, **values},
            )
            if check.leads_to is None:
                return None
            created, ids = ensure_repositories(connection, [check.leads_to], now)
            papers = connection.execute(
                select(PaperLink.c.paper_id).where(PaperLink.c.artifact_url == check.url).distinct()
            ).scalars().all()
            if papers:
                note_found_link(connection, papers, ids[check.leads_to.key], raw_text=check.url,
                                provenance=Provenance.SHORT_LINK, found_at=check.checked_at)
            return check.leads_to if created else None

        return run_write(self._engine, work)

    def latest_artifact_checks(self) -> list[ArtifactRow]:
        """Per checked artifact: its newest check and the one before, with the titles of its papers; by URL."""
        checks = (
            select(ArtifactRecord.c.url, ArtifactRecord.c.kind, *(c for c in ArtifactCheckRecord.c
                                                                 if c.name not in ("id", "artifact_id")))
            .join(ArtifactCheckRecord, ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id)
            .order_by(ArtifactRecord.c.url, ArtifactCheckRecord.c.run_id.desc())
        )
        titles = (
            select(PaperLink.c.artifact_url, Paper.c.title)
            .join(Paper, Paper.c.id == PaperLink.c.paper_id)
            .where(PaperLink.c.artifact_url.is_not(None))
            .order_by(Paper.c.first_seen_at, Paper.c.id)
        )

        def read(connection: Connection) -> tuple[list[Row[Any]], list[Row[Any]]]:
            return list(connection.execute(checks)), list(connection.execute(titles))

        check_rows, title_rows = run_read(self._engine, read)
        by_url: dict[str, list[str]] = {}
        for title_row in title_rows:
            by_url.setdefault(title_row.artifact_url, []).append(title_row.title)
        grouped: dict[str, list[Row[Any]]] = {}
        for row in check_rows:
            found = grouped.setdefault(row.url, [])
            if len(found) < 2:
                found.append(row)
        return [
            ArtifactRow(url=url, kind=found[0].kind, latest=_artifact_check(found[0]),
                        previous=_artifact_check(found[1]) if len(found) > 1 else None,
                        paper_titles=tuple(by_url.get(url, ())))
            for url, found in grouped.items()
        ]

    def artifact_history(self, url: str) -> list[ArtifactCheckRow]:
        """Every check of one artifact, oldest run first."""
        statement = (
            select(*(c for c in ArtifactCheckRecord.c if c.name not in ("id", "artifact_id")))
            .join(ArtifactRecord, ArtifactCheckRecord.c.artifact_id == ArtifactRecord.c.id)
            .where(ArtifactRecord.c.url == url)
            .order_by(ArtifactCheckRecord.c.run_id)
        )
        return [_artifact_check(row) for row in run_read(self._engine, lambda c: c.execute(statement).all())]



def note_found_link(connection: Connection, paper_ids: Iterable[str], repository_id: int, *, raw_text: str,
                    provenance: Provenance, found_at: datetime) -> bool:
    """Link each paper to a repository found after reading, and note how and when in `link_provenance`.

    A paper that links the repository already keeps its link and gains the
    provenance. Returns whether a link was added.
    """
    papers = list(paper_ids)
    added = connection.execute(
        insert_for(connection, PaperLink).on_conflict_do_nothing().returning(PaperLink.c.id),
        [{"paper_id": paper, "repository_id": repository_id, "raw_text": raw_text} for paper in papers],
    ).all()
    link_ids = connection.execute(
        select(PaperLink.c.id).where(PaperLink.c.repository_id == repository_id, PaperLink.c.paper_id.in_(papers))
    ).scalars().all()
    connection.execute(
        insert_for(connection, LinkProvenance).on_conflict_do_nothing(),
        [{"link_id": link_id, "provenance": provenance.value, "found_at": found_at} for link_id in link_ids],
    )
    return bool(added)


def _artifact_check(row: Row[Any]) -> ArtifactCheckRow:
    return ArtifactCheckRow(
        run_id=row.run_id,
        checked_at=row.checked_at,
        state=row.state,
        reason=row.reason,
        evidence=tuple(row.evidence or ()),
        final_url=row.final_url,
        redirects=tuple(row.redirects or ()),
        facts=dict(row.facts or {}),
        dns_failing_since=row.dns_failing_since,
    )
