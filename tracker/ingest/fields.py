"""Turning one record's raw fields into a `Paper`, the same way for every format.

Every reader ends here so that the limits, the text cleaning and the identity
rule cannot drift apart between formats.

Limits, and what happens past them:

* a title longer than `MAX_TITLE_CHARS` refuses the record: no real title is
  that long, so the columns are most likely swapped or shifted;
* an abstract longer than `MAX_ABSTRACT_CHARS` is cut there and the record
  kept, with a warning: real abstracts are a few kB, and the start of an
  over-long one still carries its links.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from tracker.ingest.identity import paper_id
from tracker.ingest.problems import Reporter
from tracker.records import Paper

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 100_000
# C0/C1 controls other than whitespace: terminal escapes and the like have no
# place in a title, and whitespace is collapsed anyway.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """One line of plain text: controls dropped, whitespace runs made one space.

    Abstracts lose their line wraps too; arXiv wraps at a fixed width, so the
    breaks carry no meaning, and one form for every source keeps hashes and
    comparisons stable.
    """
    # A substitution, not split/join: a 1 MiB line must not become a list of words.
    return _WHITESPACE.sub(" ", _CONTROLS.sub("", text)).strip()


def parse_published(value: object, line: int | None, report: Reporter) -> date | None:
    """An ISO 8601 date or timestamp as a date; anything else is reported and dropped."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
    report.warn(line, f"published {_quote(value)} is not an ISO 8601 date (YYYY-MM-DD); ignored")
    return None


def parse_url(value: object, line: int | None, report: Reporter) -> str | None:
    """An http(s) URL, or None; other schemes (javascript:, file:) are reported."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        url = value.strip()
        if re.match(r"https?://[^\s/]+", url, re.IGNORECASE) and not re.search(r"\s", url):
            return url
    report.warn(line, f"url {_quote(value)} is not an http(s) URL; ignored")
    return None


def parse_repo_field(value: object, line: int | None, report: Reporter) -> tuple[str, ...]:
    """The repositories a ``repo`` field names, as written: a string (several separated by
    spaces or ``;``) or a list of strings. Whether each names a repository is link extraction's
    to decide (`canonical_repo`), which reports what it refuses."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(item for item in re.split(r"[\s;]+", value) if item)
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value if item.strip())
    report.warn(line, f"repo {_quote(value)} is not text or a list of text; ignored")
    return ()


def make_paper(
    *,
    title: object,
    abstract: object,
    source: str,
    line: int | None,
    report: Reporter,
    abstract_line: int | None = None,
    url: str | None = None,
    published: date | None = None,
    authors: tuple[str, ...] = (),
    id_hints: tuple[str | None, ...] = (),
    arxiv_id: str | None = None,
    doi: str | None = None,
    repo_fields: tuple[str, ...] = (),
    comments: object = None,
) -> Paper | None:
    """A `Paper`, or None after reporting why this record cannot be one."""
    if not isinstance(title, str) or not isinstance(abstract, str):
        wrong = "title" if not isinstance(title, str) else "abstract"
        report.warn(line, f"{wrong} is missing or not text; record skipped")
        return None
    # Cleaning only shrinks text, so cutting first keeps a 1 MiB field cheap
    # while still filling the cap whenever the field could fill it.
    clean_title = clean_text(title[: 4 * MAX_TITLE_CHARS])
    clean_abstract = clean_text(abstract[: 4 * MAX_ABSTRACT_CHARS])
    if not clean_title:
        report.warn(line, "title is empty; record skipped")
        return None
    if not clean_abstract:
        report.warn(abstract_line or line, "abstract is empty; record skipped")
        return None
    if len(clean_title) > MAX_TITLE_CHARS:
        report.warn(
            line,
            f"title is over the {MAX_TITLE_CHARS:,}-character limit "
            "(title and abstract swapped?); record skipped",
        )
        return None
    if len(clean_abstract) > MAX_ABSTRACT_CHARS or len(abstract) > 4 * MAX_ABSTRACT_CHARS:
        report.warn(
            abstract_line or line,
            f"abstract is over the {MAX_ABSTRACT_CHARS:,}-character limit; "
            f"kept its first {MAX_ABSTRACT_CHARS:,} characters",
        )
        clean_abstract = clean_abstract[:MAX_ABSTRACT_CHARS]
    return Paper(
        id=paper_id(clean_title, arxiv_id=arxiv_id, doi=doi, hints=id_hints),
        title=clean_title,
        abstract=clean_abstract,
        source=source,
        url=url,
        published=published,
        authors=tuple(a for a in (clean_text(name) for name in authors) if a),
        comments=clean_text(comments[:MAX_ABSTRACT_CHARS]) or None if isinstance(comments, str) else None,
        line=line,
        abstract_line=abstract_line,
        repo_fields=repo_fields,
    )


def _quote(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
