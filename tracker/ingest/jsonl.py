"""JSON Lines: one JSON object per line.

Fields: ``title`` and ``abstract`` (required), ``id``, ``url``, ``published``
(ISO 8601 date or timestamp), ``authors`` (a list of strings) and ``repo`` (the
paper's repository, or a list of them, in any form `canonical_repo` reads);
other keys are ignored. ``id`` and ``url`` are searched for an arXiv id or a DOI (see
`tracker.ingest.identity`). A line that is not such an object is reported and
skipped; a line over `MAX_LINE_BYTES` is skipped whole, since a cut JSON
record cannot be parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping

from tracker.ingest.fields import (
    make_paper,
    parse_published,
    parse_repo_field,
    parse_url,
)
from tracker.ingest.lines import MAX_LINE_BYTES, Line
from tracker.ingest.problems import Reporter
from tracker.records import Paper


def read_jsonl(lines: Iterable[Line], source: str, report: Reporter) -> Iterator[tuple[int, Paper]]:
    for line in lines:
        if not line.text.strip():
            continue
        if line.cut:
            report.warn(line.number, f"line is longer than {MAX_LINE_BYTES:,} bytes; record skipped")
            continue
        record = _parse(line, report)
        if record is None:
            continue
        paper = record_to_paper(record, source, line.number, report)
        if paper is not None:
            yield line.number, paper


def _parse(line: Line, report: Reporter) -> Mapping[str, object] | None:
    try:
        value = json.loads(line.text)
    except json.JSONDecodeError as error:
        report.warn(line.number, f"not valid JSON ({error.msg} at column {error.colno}); record skipped")
        return None
    except RecursionError:
        report.warn(line.number, "JSON nested too deeply to read; record skipped")
        return None
    if not isinstance(value, dict):
        report.warn(line.number, f"expected a JSON object, found {type(value).__name__}; record skipped")
        return None
    return value


def record_to_paper(record: Mapping[str, object], source: str, line: int, report: Reporter) -> Paper | None:
    """A paper from one decoded record; shared with the CSV reader's rows."""
    return make_paper(
        title=record.get("title"),
        abstract=record.get("abstract"),
        source=source,
        line=line,
        report=report,
        url=parse_url(record.get("url"), line, report),
        published=parse_published(record.get("published"), line, report),
        authors=_authors(record.get("authors"), line, report),
        id_hints=(_text(record.get("id")), _text(record.get("url"))),
        repo_fields=parse_repo_field(record.get("repo"), line, report),
    )


def _authors(value: object, line: int, report: Reporter) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple) and all(isinstance(name, str) for name in value):
        return tuple(value)
    report.warn(line, "authors is not a list of strings; ignored")
    return ()


def _text(value: object) -> str | None:
    # Not numbers: JSON turns the arXiv id 2401.12340 into 2401.1234, another paper.
    return value if isinstance(value, str) else None
