"""Hugging Face Papers (``HF_ENDPOINT``, default https://huggingface.co): daily papers and paper pages.

``GET /api/daily_papers?date=YYYY-MM-DD`` lists a day's papers, each as
``{"paper": {"id", "title", "summary", "publishedAt", "authors": [{"name"}],
"githubRepo", "projectPage", ...}, ...}``; ``GET /api/papers/{arxiv id}`` is
one paper page, the inner object alone (404 when the Hub has no page for it).
The page's ``githubRepo`` and ``projectPage`` are links the abstract often
never names; they are kept with provenance ``hf_paper_page``.

These go through `tracker.http` rather than `huggingface_hub`, whose
`HfApi.list_daily_papers` (2.4) builds each `PaperInfo` from the item's top
level while the answer keeps ``githubRepo`` and ``projectPage`` inside its
``paper`` object, so the two links this source exists for are lost; and it asks
once, without the retries on 5xx/429 and `Retry-After` that keep a fault from
reading as "no papers". The request shapes (``date``, ``limit``, ``p`` for the
next page) are the ones `huggingface_hub` sends. `HF_ENDPOINT` and `HF_TOKEN`
are the Hub's own variables, read by `Settings`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from tracker.http import HttpClient, HttpFault
from tracker.ingest.fields import make_paper, parse_published, parse_url
from tracker.ingest.problems import Reporter
from tracker.links import find_code_links
from tracker.links.extract import canonical_repo
from tracker.records import Artifact, ArtifactKind, FoundLink, PaperLinks, Provenance
from tracker.settings import Settings

# The Hub answers at most this many of a day's papers at once.
DAILY_LIMIT = 100
# A day has had a few hundred papers at most; this bounds a service that never stops paging.
MAX_DAILY_PAGES = 20


class HfPapers:
    """Reads the Hub's paper pages; faults raise `HttpFault`."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    @classmethod
    def from_settings(cls, settings: Settings) -> HfPapers:
        return cls(HttpClient(settings.hf_endpoint, timeout=settings.http_timeout, token=settings.hf_token))

    def daily(self, day: date, report: Reporter) -> Iterator[PaperLinks]:
        """The papers of one day of the Hub's daily papers, with their pages' links."""
        for item in self._daily_items(day):
            page = item.get("paper") if isinstance(item, Mapping) else None
            if not isinstance(page, Mapping):
                report.warn(None, f"{day}: an item without a paper object; skipped")
                continue
            found = paper_links(page, report)
            if found is not None:
                yield found

    def _daily_items(self, day: date) -> Iterator[Any]:
        for page_number in range(MAX_DAILY_PAGES):
            params: dict[str, Any] = {"date": day.isoformat(), "limit": DAILY_LIMIT}
            if page_number:
                params["p"] = page_number
            answer = self.http.get("api/daily_papers", params=params)
            if answer.status != 200:
                raise HttpFault(f"the Hub's daily papers answered HTTP {answer.status}", status=answer.status)
            items = _json(answer.content)
            if not isinstance(items, list):
                raise HttpFault("the Hub's daily papers answer is not a JSON list")
            yield from items
            if len(items) < DAILY_LIMIT:
                return

    def paper(self, arxiv_id: str, report: Reporter) -> PaperLinks | None:
        """One paper page; None (reported) when the Hub has no page for the id."""
        answer = self.http.get(f"api/papers/{quote(arxiv_id, safe='')}")
        if answer.status == 404:
            report.warn(None, f"unknown paper {arxiv_id}: the Hub has no paper page for it")
            return None
        if answer.status != 200:
            raise HttpFault(f"the Hub's paper page answered HTTP {answer.status}", status=answer.status)
        page = _json(answer.content)
        if not isinstance(page, Mapping):
            raise HttpFault("the Hub's paper page is not a JSON object")
        return paper_links(page, report)


def _json(content: bytes) -> Any:
    import json

    try:
        return json.loads(content)
    except ValueError:
        raise HttpFault("the Hub's answer is not JSON") from None


def paper_links(page: Mapping[str, Any], report: Reporter) -> PaperLinks | None:
    """A paper page as a paper with its links: the abstract's, then the page's repository and project page."""
    arxiv_id = page.get("id")
    authors = tuple(a.get("name", "") for a in page.get("authors") or () if isinstance(a, Mapping))
    paper = make_paper(
        title=page.get("title"),
        abstract=page.get("summary"),
        source=report.path,
        line=None,
        report=report,
        url=f"https://huggingface.co/papers/{arxiv_id}" if isinstance(arxiv_id, str) else None,
        published=parse_published(page.get("publishedAt"), None, report),
        authors=tuple(name for name in authors if isinstance(name, str)),
        arxiv_id=arxiv_id if isinstance(arxiv_id, str) else None,
    )
    if paper is None:
        return None
    found = find_code_links(paper)
    extra: list[FoundLink] = []
    github = parse_url(page.get("githubRepo"), None, report)
    if github:
        repo = canonical_repo(github)
        if repo is not None:
            extra.append(FoundLink(raw=github, repo=repo, provenance=Provenance.HF_PAPER_PAGE))
        else:
            report.warn(None, f"paper {paper.id}: githubRepo {github!r} names no repository; ignored")
    project = parse_url(page.get("projectPage"), None, report)
    if project:
        extra.append(FoundLink(raw=project, artifact=Artifact(project, ArtifactKind.PROJECT_PAGE),
                               provenance=Provenance.HF_PAPER_PAGE))
    has_repo = bool(found.repos) or any(link.repo is not None for link in extra)
    return PaperLinks(paper=paper, links=found.links + tuple(extra),
                      code_promised=found.code_promised and not has_repo, notes=found.notes)
