"""What kind of link a paper's link is, in the one vocabulary every listing uses.

`status --json` and the report name each thing a paper links by one of these
kinds, so one listing holds everything: a code repository, a Hugging Face
model, dataset or space, a web page, a DOI (or a Zenodo record) and a short
link. Pure: records in, a kind out.
"""

from __future__ import annotations

import enum
import re

from tracker.records import ArtifactKind, RepoKind

_ZENODO_DOI = re.compile(r"^10\.5281/zenodo\.(\d+)$", re.IGNORECASE)


def zenodo_record_id(doi_or_url: str) -> str | None:
    """The record number of a Zenodo DOI (`10.5281/zenodo.123`) or record address (`zenodo.org/records/123`)."""
    text = doi_or_url.strip()
    match = _ZENODO_DOI.match(text.removeprefix("https://doi.org/").removeprefix("doi:"))
    if match:
        return match.group(1)
    match = re.search(r"zenodo\.org/(?:record|records|deposit)/(\d+)", text, re.IGNORECASE)
    return match.group(1) if match else None


class LinkKind(enum.StrEnum):
    REPOSITORY = "repository"
    MODEL = "model"
    DATASET = "dataset"
    SPACE = "space"
    PAGE = "page"
    DOI = "doi"
    SHORT_LINK = "short_link"


_OF_REPOSITORY = {
    RepoKind.CODE: LinkKind.REPOSITORY,
    RepoKind.MODEL: LinkKind.MODEL,
    RepoKind.DATASET: LinkKind.DATASET,
    RepoKind.SPACE: LinkKind.SPACE,
}
# Web artifacts the tracker watches; links to papers (arXiv, OpenReview, ...) are references, not artifacts.
_WATCHED = frozenset(set(LinkKind) - {LinkKind.REPOSITORY, LinkKind.MODEL, LinkKind.DATASET, LinkKind.SPACE})


def repository_kind(kind: RepoKind | str) -> LinkKind:
    return _OF_REPOSITORY[RepoKind(kind)]


def artifact_kind(url: str, kind: ArtifactKind | str) -> LinkKind | None:
    """The kind an artifact is checked as, or None for one that is not watched (a link to another paper)."""
    found = ArtifactKind(kind)
    if found is ArtifactKind.PAPER:
        return None
    if found is ArtifactKind.DOI or (found is ArtifactKind.ARCHIVE and zenodo_record_id(url) is not None):
        return LinkKind.DOI
    if found is ArtifactKind.SHORT_LINK:
        return LinkKind.SHORT_LINK
    return LinkKind.PAGE


def watched(kind: LinkKind | str) -> bool:
    return LinkKind(kind) in _WATCHED
