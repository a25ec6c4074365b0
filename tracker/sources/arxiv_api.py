"""The arXiv API (``ARXIV_API_URL``, default https://export.arxiv.org/api/query): papers by id.

Ids are asked in batches (``id_list=a,b,c&max_results=N``), paced by the HTTP
layer to arXiv's published one request every 3 s. The answer is an Atom feed
read by the same entry parser as Atom files (`tracker.ingest.atom`), so title,
abstract, first-version date (``published``), DOI and ``arxiv:comment`` mean
the same from a file and from the API. An id arXiv does not know comes back
as a feed without its entry (``opensearch:totalResults`` 0 for a single id):
that is reported as an unknown id, not as a fault of the service. A feed that
says it holds more entries than it carries was cut short: a fault.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tracker.http import HttpClient, HttpFault
from tracker.ingest.atom import ATOM, entry_to_paper
from tracker.ingest.problems import Reporter
from tracker.records import Paper
from tracker.settings import Settings

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# arXiv's manual suggests slices of no more than a few hundred; 100 keeps an answer around 300 kB.
ID_BATCH = 100


class ArxivApi:
    """Reads papers by arXiv id. Faults (network, 5xx and 429 after retries, a broken feed) raise `HttpFault`."""

    def __init__(self, http: HttpClient, url: str) -> None:
        self.http = http
        self.url = url

    @classmethod
    def from_settings(cls, settings: Settings) -> ArxivApi:
        http = HttpClient(settings.arxiv_api_url, timeout=settings.http_timeout,
                          min_interval=settings.arxiv_min_interval)
        return cls(http, settings.arxiv_api_url)

    def papers(self, ids: Sequence[str], report: Reporter) -> Iterator[Paper]:
        """The papers of `ids` (bare, version-free), in batches; an unknown id is reported and skipped."""
        for start in range(0, len(ids), ID_BATCH):
            batch = list(ids[start:start + ID_BATCH])
            found = self._batch(batch, report)
            for arxiv_id in batch:
                paper = found.get(f"arxiv:{arxiv_id}")
                if paper is None:
                    report.warn(None, f"unknown arXiv id {arxiv_id}: arXiv has no paper of that id")
                else:
                    yield paper

    def _batch(self, ids: list[str], report: Reporter) -> dict[str, Paper]:
        answer = self.http.get(self.url, params={"id_list": ",".join(ids), "start": 0, "max_results": len(ids)})
        if answer.status != 200:
            raise HttpFault(f"the arXiv API answered HTTP {answer.status}", status=answer.status)
        try:
            feed = fromstring(answer.content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, SyntaxError) as exc:
            raise HttpFault(f"the arXiv API's answer is not an Atom feed ({type(exc).__name__})") from None
        if feed.tag != f"{ATOM}feed":
            raise HttpFault(f"the arXiv API's answer is not an Atom feed (root {feed.tag})")
        entries = feed.findall(f"{ATOM}entry")
        total = _int(feed.findtext(f"{OPENSEARCH}totalResults"))
        if total is not None and total > len(entries) and total <= len(ids):
            raise HttpFault(f"the arXiv API's feed says {total} entries but holds {len(entries)}")
        papers: dict[str, Paper] = {}
        for entry in entries:
            paper = entry_to_paper(entry, report.path, None, report, False)
            if paper is not None:
                papers[paper.id] = paper
        return papers


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
