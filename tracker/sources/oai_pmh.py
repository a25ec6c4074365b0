"""arXiv's OAI-PMH 2.0 interface (``ARXIV_OAI_URL``, default https://oaipmh.arxiv.org/oai): harvesting a set.

``ListRecords`` with ``metadataPrefix=arXiv``, a ``set``, and ``from``/``until``
datestamps; every further page is asked with the ``resumptionToken`` alone, as
the protocol requires (it is an exclusive argument). Pages are handed out one
at a time with the token that follows them and the latest datestamp they
hold, so that the caller can store a page and then the harvest's state, and
a harvest killed half-way resumes at the next page.

OAI-PMH answers errors with HTTP 200 and an ``<error code=...>`` element:
``noRecordsMatch`` is a real answer (nothing in that window), ``badResumptionToken``
means the token expired (the caller starts again from the last datestamp), and
the rest (``badArgument``, ``cannotDisseminateFormat``, ``noSetHierarchy``, ...)
say the request was wrong: an `OaiError`, not a fault of the service. Deleted
records (``<header status="deleted">``) carry no metadata and are skipped.
In the ``arXiv`` format, ``created`` is the first version's date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tracker.http import HttpClient, HttpFault
from tracker.ingest.fields import make_paper, parse_published
from tracker.ingest.problems import Reporter
from tracker.records import Paper
from tracker.settings import Settings

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_FORMAT = "{http://arxiv.org/OAI/arXiv/}"
METADATA_PREFIX = "arXiv"


class OaiError(Exception):
    """The repository answered with an OAI-PMH error about our request (code and its message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"OAI-PMH error {code}: {message}".rstrip(": "))
        self.code = code


class BadResumptionToken(OaiError):
    """The token is unknown or expired: start again from the last datestamp."""


@dataclass(frozen=True, slots=True)
class Page:
    """One ``ListRecords`` page: its papers, the token for the next page (None: the last), its latest datestamp."""

    papers: list[Paper]
    token: str | None
    latest_datestamp: str | None
    complete_size: int | None = None


class OaiPmh:
    """Harvests one repository; faults raise `HttpFault`, protocol errors `OaiError`."""

    def __init__(self, http: HttpClient, url: str) -> None:
        self.http = http
        self.url = url

    @classmethod
    def from_settings(cls, settings: Settings) -> OaiPmh:
        # arXiv's politeness holds for its OAI-PMH interface too.
        http = HttpClient(settings.arxiv_oai_url, timeout=max(settings.http_timeout, 60.0),
                          min_interval=settings.arxiv_min_interval)
        return cls(http, settings.arxiv_oai_url)

    def pages(self, oai_set: str | None, *, start: date | str | None = None, end: date | None = None,
              token: str | None = None, report: Reporter) -> Iterator[Page]:
        """Every page of ``ListRecords``; from `token` when resuming, else from the set and window."""
        params: dict[str, str]
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX}
            if oai_set:
                params["set"] = oai_set
            if start:
                params["from"] = start if isinstance(start, str) else start.isoformat()
            if end:
                params["until"] = end.isoformat()
        while True:
            page = self._page(params, report)
            if page is None:
                return
            yield page
            if not page.token:
                return
            params = {"verb": "ListRecords", "resumptionToken": page.token}

    def _page(self, params: dict[str, str], report: Reporter) -> Page | None:
        answer = self.http.get(self.url, params=params)
        if answer.status != 200:
            raise HttpFault(f"the OAI-PMH interface answered HTTP {answer.status}", status=answer.status)
        try:
            root = fromstring(answer.content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, SyntaxError) as exc:
            raise HttpFault(f"the OAI-PMH answer is not XML ({type(exc).__name__})") from None
        if root.tag != f"{OAI}OAI-PMH":
            raise HttpFault(f"the OAI-PMH answer is not an OAI-PMH document (root {root.tag})")
        error = root.find(f"{OAI}error")
        if error is not None:
            code = error.get("code", "")
            message = (error.text or "").strip()
            if code == "noRecordsMatch":
                return None
            if code == "badResumptionToken":
                raise BadResumptionToken(code, message)
            raise OaiError(code, message)
        listing = root.find(f"{OAI}ListRecords")
        if listing is None:
            raise HttpFault("the OAI-PMH answer holds neither ListRecords nor an error")
        papers: list[Paper] = []
        latest: str | None = None
        for record in listing.iterfind(f"{OAI}record"):
            header = record.find(f"{OAI}header")
            stamp = (header.findtext(f"{OAI}datestamp") or "").strip() if header is not None else ""
            if stamp and (latest is None or stamp > latest):
                latest = stamp
            if header is not None and header.get("status") == "deleted":
                continue
            metadata = record.find(f"{OAI}metadata/{ARXIV_FORMAT}arXiv")
            if metadata is None:
                continue
            paper = _paper(metadata, report)
            if paper is not None:
                papers.append(paper)
        resumption = listing.find(f"{OAI}resumptionToken")
        token = (resumption.text or "").strip() if resumption is not None else ""
        size = resumption.get("completeListSize") if resumption is not None else None
        return Page(papers, token or None, latest, int(size) if size and size.isdigit() else None)


def _paper(metadata: Element, report: Reporter) -> Paper | None:
    arxiv_id = (metadata.findtext(f"{ARXIV_FORMAT}id") or "").strip()
    authors = tuple(
        " ".join(part for part in (author.findtext(f"{ARXIV_FORMAT}forenames"),
                                   author.findtext(f"{ARXIV_FORMAT}keyname")) if part)
        for author in metadata.iterfind(f"{ARXIV_FORMAT}authors/{ARXIV_FORMAT}author")
    )
    if not arxiv_id:
        report.warn(None, "a record without an arXiv id; skipped")
        return None
    return make_paper(
        title=metadata.findtext(f"{ARXIV_FORMAT}title"),
        abstract=metadata.findtext(f"{ARXIV_FORMAT}abstract"),
        source=report.path,
        line=None,
        report=report,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        published=parse_published(metadata.findtext(f"{ARXIV_FORMAT}created"), None, report),
        authors=authors,
        arxiv_id=arxiv_id,
        doi=metadata.findtext(f"{ARXIV_FORMAT}doi"),
        comments=metadata.findtext(f"{ARXIV_FORMAT}comments"),
    )
