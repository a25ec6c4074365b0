"""Source specs: what a user names on the command line beside files.

``arxiv:2401.12345`` (old style ``hep-th/9901001`` too), ``arxiv-list:cs.LG``,
``arxiv-list:cs@2024-01-01..2024-01-31``, ``hf-daily:2025-01-15|today|last-7-days``,
``hf-paper:2401.12345``, ``pwc-links:FILE.json[.gz]``, ``pwc-papers:FILE.json[.gz]``.
Parsing is pure and strict: a spec that names a kind but says nothing it can
read (``arxiv:banana``) is a `SpecError`, which the CLI turns into exit 2
naming the argument, before anything is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tracker.ingest.identity import arxiv_id_in

KINDS = ("arxiv", "arxiv-list", "hf-daily", "hf-paper", "pwc-links", "pwc-papers")
# What `papers --source` calls a paper read from a file.
FILE_KIND = "file"
_HF_DAILY_MAX_DAYS = 31
# An OAI-PMH set (``cs``, ``physics:hep-th``) or a category (``cs.LG``, ``hep-th``, ``math.CO``).
_SET = re.compile(r"[a-z][a-z-]*(?:[.:][A-Za-z][A-Za-z.-]*)*", re.ASCII)
# Archives that arXiv's OAI-PMH interface files under the ``physics`` set.
_PHYSICS_ARCHIVES = frozenset({
    "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nlin", "nucl-ex",
    "nucl-th", "physics", "quant-ph",
})


class SpecError(ValueError):
    """A source spec that cannot be read; the message names it."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One parsed source. Exactly the fields its kind uses are set."""

    kind: str
    text: str  # as the user wrote it: names the source in messages and in the store
    ids: tuple[str, ...] = ()  # arxiv, hf-paper: arXiv ids, version stripped
    oai_set: str | None = None  # arxiv-list
    start: date | None = None  # arxiv-list (from), hf-daily (first day)
    end: date | None = None  # arxiv-list (until), hf-daily (last day)
    path: Path | None = None  # pwc-links, pwc-papers

    @property
    def days(self) -> list[date]:
        """hf-daily: every day asked, oldest first."""
        if self.start is None or self.end is None:
            return []
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def is_spec(text: str) -> bool:
    """Whether `text` names a source rather than a file (``kind:...`` with a known kind)."""
    kind, sep, _ = text.partition(":")
    return bool(sep) and kind in KINDS


def source_kind(source: str) -> str:
    """The kind a paper's `source` (a spec or a file path) belongs to, as `papers --source` filters."""
    kind, sep, _ = source.partition(":")
    return kind if sep and kind in KINDS else FILE_KIND


def parse_spec(text: str, *, today: date) -> SourceSpec:
    """Parse one spec; `today` resolves ``today`` and ``last-7-days``. Raises `SpecError`."""
    kind, _, rest = text.partition(":")
    rest = rest.strip()
    if kind not in KINDS:
        raise SpecError(f"{text!r}: unknown source kind {kind!r}; use one of {', '.join(KINDS)}")
    if not rest:
        raise SpecError(f"{text!r}: says nothing after {kind}:")
    if kind in ("arxiv", "hf-paper"):
        return SourceSpec(kind, text, ids=_arxiv_ids(text, rest))
    if kind == "arxiv-list":
        return _arxiv_list(text, rest)
    if kind == "hf-daily":
        start, end = _hf_days(text, rest, today)
        return SourceSpec(kind, text, start=start, end=end)
    return SourceSpec(kind, text, path=Path(rest))


def _arxiv_ids(text: str, rest: str) -> tuple[str, ...]:
    ids: list[str] = []
    for item in rest.split(","):
        found = arxiv_id_in(item.strip())
        if found is None:
            raise SpecError(f"{text!r}: {item.strip()!r} is not an arXiv id (2401.12345 or hep-th/9901001)")
        if found not in ids:
            ids.append(found)
    return tuple(ids)


def oai_set_of(name: str) -> str:
    """The OAI-PMH setSpec of a category or archive: ``cs.LG`` → ``cs:cs:LG``, ``hep-th`` → ``physics:hep-th``.

    A name with a colon is taken as a setSpec already.
    """
    if ":" in name:
        return name
    archive, dot, category = name.partition(".")
    group = "physics" if archive in _PHYSICS_ARCHIVES else archive
    if not dot:
        return archive if group == archive else f"{group}:{archive}"
    return f"{group}:{archive}:{category}"


def _arxiv_list(text: str, rest: str) -> SourceSpec:
    name, at, window = rest.partition("@")
    if not _SET.fullmatch(name):
        raise SpecError(f"{text!r}: {name!r} is not an arXiv set or category (cs, cs.LG, physics:hep-th)")
    if not at:
        return SourceSpec("arxiv-list", text, oai_set=oai_set_of(name))
    first, dots, last = window.partition("..")
    try:
        start = date.fromisoformat(first) if first else None
        end = date.fromisoformat(last) if last else None
    except ValueError:
        raise SpecError(f"{text!r}: the range must be YYYY-MM-DD..YYYY-MM-DD") from None
    if not dots or (start is None and end is None):
        raise SpecError(f"{text!r}: the range must be YYYY-MM-DD..YYYY-MM-DD")
    if start and end and end < start:
        raise SpecError(f"{text!r}: the range ends before it starts")
    return SourceSpec("arxiv-list", text, oai_set=oai_set_of(name), start=start, end=end)


def _hf_days(text: str, rest: str, today: date) -> tuple[date, date]:
    if rest == "today":
        return today, today
    match = re.fullmatch(r"last-(\d{1,3})-days?", rest)
    if match:
        count = int(match.group(1))
        if not 1 <= count <= _HF_DAILY_MAX_DAYS:
            raise SpecError(f"{text!r}: between 1 and {_HF_DAILY_MAX_DAYS} days")
        return today - timedelta(days=count - 1), today
    try:
        day = date.fromisoformat(rest)
    except ValueError:
        raise SpecError(f"{text!r}: expected a date (YYYY-MM-DD), today or last-N-days") from None
    return day, day
