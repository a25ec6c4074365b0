"""A paper's identity across sources and runs.

The same paper arrives as an arXiv entry, a CSV row with a DOI, or a scraped
title; the store keys every check on `Paper.id`, so the id must depend only on
what identifies the paper, never on how it was written down. Precedence:
``arxiv:<id>`` (version stripped), then ``doi:<doi, lowercased>``, then
``title:<first 16 hex of sha256(normalized title)>``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

# New-style ids (0704.0001 onward) and old-style archive/YYMMNNN ids, whose
# optional ".XX" subject class is not part of the identifier.
_NEW_ARXIV = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?", re.ASCII)
_OLD_ARXIV = re.compile(r"([a-z][a-z-]*)(?:\.[A-Za-z]{2})?/(\d{7})(?:v\d+)?", re.ASCII)
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)", re.ASCII)
# arXiv mints DOIs for its own papers; those name an arXiv id, not a publisher copy.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_HOSTS = ("arxiv.org", "export.arxiv.org", "www.arxiv.org", "alphaxiv.org", "www.alphaxiv.org")
_DOI_HOSTS = ("doi.org", "dx.doi.org", "www.doi.org")


# ASCII punctuation (Unicode category P), for the fast path of `normalize_title`.
_ASCII_PUNCTUATION = str.maketrans({c: " " for c in map(chr, range(128)) if unicodedata.category(c).startswith("P")})


def normalize_title(title: str) -> str:
    """Fold away what differs between two spellings of one title.

    Punctuation becomes a space rather than vanishing so that "Large-scale"
    and "Large scale" agree, as they would to a reader. An ASCII title takes
    a table lookup that gives the same result (NFKC leaves ASCII as it is),
    since most titles are ASCII and an archive brings hundreds of thousands.
    """
    if title.isascii():
        return " ".join(title.lower().translate(_ASCII_PUNCTUATION).split())
    folded = unicodedata.normalize("NFKC", title).casefold()
    unpunctuated = "".join(" " if unicodedata.category(c).startswith("P") else c for c in folded)
    return " ".join(unpunctuated.split())


def title_hash(title: str) -> str:
    return hashlib.sha256(normalize_title(title).encode("utf-8")).hexdigest()[:16]


def arxiv_id_in(text: str) -> str | None:
    """The arXiv id a field names, version stripped; None if it names none.

    Accepts bare ids (``2401.12345v2``), ``arXiv:`` prefixes, arXiv and
    Hugging Face paper URLs, and arXiv's own DOIs. Other URLs are not searched:
    a GitHub path that happens to contain digits is not an arXiv id.
    """
    text = text.strip()
    if not text:
        return None
    if "://" in text or text.lower().startswith(("arxiv.org/", "www.arxiv.org/")):
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = parts.netloc.lower()
        path = unquote(parts.path)
        if host in _DOI_HOSTS:
            return _arxiv_from_doi(path.lstrip("/"))
        if host == "huggingface.co" and path.startswith("/papers/"):
            path = path[len("/papers/"):]
        elif host in _ARXIV_HOSTS:
            path = re.sub(r"^/(abs|pdf|html|format)/", "", path)
            path = re.sub(r"\.pdf$", "", path)
        else:
            return None
        return _bare_arxiv(path.strip("/"))
    lowered = text.lower()
    if lowered.startswith("arxiv:"):
        return _bare_arxiv(text[len("arxiv:"):].strip())
    if lowered.startswith(("doi:", "10.")):
        return _arxiv_from_doi(re.sub(r"^doi:\s*", "", text, flags=re.IGNORECASE))
    return _bare_arxiv(text)


def doi_in(text: str) -> str | None:
    """The DOI a field names (``10.x/y``, ``doi:``, doi.org URL), lowercased.

    DOIs are case-insensitive by specification, so lowercasing makes two
    spellings one identity. arXiv DOIs are left to `arxiv_id_in`.
    """
    text = text.strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.netloc.lower() not in _DOI_HOSTS:
            return None
        text = unquote(parts.path).lstrip("/")
    text = re.sub(r"^doi:\s*", "", text, flags=re.IGNORECASE)
    match = _DOI.match(text)
    if match is None:
        return None
    doi = match.group(1).rstrip(".,;)]}>\"'").lower()
    return None if _ARXIV_DOI.match(doi) else doi


def paper_id(
    title: str,
    *,
    arxiv_id: str | None = None,
    doi: str | None = None,
    hints: Iterable[str | None] = (),
) -> str:
    """The id of a paper: ``arxiv:<id>``, ``doi:<doi>`` or ``title:<hash>``.

    `arxiv_id`, `doi` and `hints` (free fields such as a source's id or url
    column) may be in any form `arxiv_id_in` / `doi_in` accept. Every value is
    tried for an arXiv id before any for a DOI, so the precedence holds
    whichever column carries which; a value naming nothing recognisable is
    ignored, so an opaque source id never splits one paper into two.
    """
    values = [v for v in (arxiv_id, doi, *hints) if v]
    for value in values:
        found = arxiv_id_in(value)
        if found:
            return f"arxiv:{found}"
    for value in values:
        found = doi_in(value)
        if found:
            return f"doi:{found}"
    return f"title:{title_hash(title)}"


def _bare_arxiv(text: str) -> str | None:
    new = _NEW_ARXIV.fullmatch(text)
    if new:
        return new.group(1)
    old = _OLD_ARXIV.fullmatch(text)
    if old:
        return f"{old.group(1)}/{old.group(2)}"
    return None


def _arxiv_from_doi(doi: str) -> str | None:
    match = _ARXIV_DOI.match(doi.strip())
    return _bare_arxiv(match.group(1)) if match else None
