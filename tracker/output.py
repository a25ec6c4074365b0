"""The JSON that `--json` (and `links --format jsonl`) prints: every shape and convention in one place.

Conventions, the same for every command (README, "Output for scripts"):

- a stream is JSON lines, one object per line, printed as it is found: `links`
  (one paper a line) and `check --json` (one repository a line, as it is checked);
- every other command prints one JSON document on one line: an array for a list
  (`status`, `runs`, `papers`, `history`), an object for one thing (`ingest`,
  `preserve`, `show`, `forget`, `report`);
- times are ISO 8601 in UTC with a ``Z`` and whole seconds (``2026-12-03T07:36:02Z``),
  days are ``YYYY-MM-DD``; ids that are numbers in the store are JSON numbers.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any


def utc_iso(value: datetime | date | None) -> str | None:
    """``2026-12-03T07:36:02Z`` for a time (a naive one is taken as UTC, as the store keeps them), a day as is."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def plain(value: Any) -> Any:
    """`value` as JSON-ready values under the conventions above (dataclasses, enums, paths, sets, times)."""
    if isinstance(value, datetime | date):
        return utc_iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(value: Any) -> str:
    """One JSON document (or one line of a stream) on one line."""
    return json.dumps(plain(value), ensure_ascii=False)


def dumps_plain(value: Any) -> str:
    """`dumps` for a value already made of JSON values (`status --json`'s 10,000 rows skip the walk)."""
    return json.dumps(value, ensure_ascii=False)


def links_record(paper_links: Any) -> dict[str, Any]:
    """The JSON shape of `links`: one object per paper."""
    return {
        "paper": {"id": paper_links.paper.id, "title": paper_links.paper.title},
        "repos": [repo.canonical for repo in paper_links.repos],
        "artifacts": [{"url": a.url, "kind": str(a.kind)} for a in paper_links.artifacts],
        "code_promised": paper_links.code_promised,
        "promise": (
            {"kind": str(paper_links.promise.kind), "sentence": paper_links.promise.sentence}
            if paper_links.promise is not None
            else None
        ),
    }


def checked_record(checked: Any) -> dict[str, Any]:
    """One check as a plain object (a line of `check --json`): status, scores and every check's reason."""
    from tracker.artifacts.kinds import repository_kind

    facts = checked.facts
    return {
        "repository": facts.ref.canonical,
        "kind": str(repository_kind(facts.ref.kind)),
        "status": str(facts.status),
        "detail": facts.detail,
        "moved_to": facts.moved_to.canonical if facts.moved_to else None,
        "health": checked.health,
        "repro_score": checked.repro_score,
        "checks": [
            {"name": r.name, "outcome": str(r.outcome), "score": r.score, "reason": r.reason,
             "evidence": list(r.evidence)}
            for r in checked.results
        ],
    }


def artifact_record(checked: Any) -> dict[str, Any]:
    """One artifact check as a plain object (a line of `check --artifacts --json`)."""
    verdict = checked.verdict
    return {
        "url": checked.url,
        "kind": str(checked.kind),
        "state": str(verdict.state),
        "reason": verdict.reason,
        "evidence": list(verdict.evidence),
        "final_url": verdict.final_url,
        "redirects": list(checked.redirects),
        "facts": checked.facts,
        "leads_to": checked.leads_to.canonical if checked.leads_to else None,
    }


def history_records(checks: Sequence[Any], archive: Any, archive_fields: Any) -> list[dict[str, Any]]:
    """`history --json`: every check, oldest first; the newest carries the latest archive look, wherever made."""
    rows = [{**dataclasses.asdict(check), **archive_fields(check.archive)} for check in checks]
    if rows:
        rows[-1].update(archive_fields(archive))
    return [plain(row) for row in rows]


def records(items: Iterable[Any]) -> list[Any]:
    """A list command's array (`runs`, `papers`)."""
    return [plain(item) for item in items]
