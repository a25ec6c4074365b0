"""Answers in the formats of arXiv's API (Atom), arXiv's OAI-PMH interface and the Hugging Face Hub's papers API.

Built on `standin_http.ScriptedService`: a test scripts what each path (with its
query) answers, in the service's own shape, and points the client at it with
ARXIV_API_URL, ARXIV_OAI_URL or HF_ENDPOINT. The documents follow the services'
published formats: the arXiv API user manual's Atom feed (``opensearch``
counts, ``arxiv:comment``, ``arxiv:primary_category``), OAI-PMH 2.0's
``ListRecords`` with ``resumptionToken`` and ``error`` codes, arXiv's
``metadataPrefix=arXiv`` records, and the Hub's ``/api/daily_papers`` and
``/api/papers/{id}`` JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import httpx


def _path(path: str, params: dict[str, Any]) -> str:
    """`path` with `params` encoded exactly as the clients' httpx sends them."""
    return httpx.URL(path, params=params).raw_path.decode("ascii")


@dataclass
class ArxivPaper:
    """One paper as the stand-ins describe it."""

    arxiv_id: str
    title: str
    abstract: str
    published: str = "2024-01-15T18:00:00Z"  # first version
    updated: str = "2024-02-01T10:00:00Z"
    comments: str | None = None
    categories: tuple[str, ...] = ("cs.LG",)
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    datestamp: str = "2024-01-16"
    github_repo: str | None = None  # the Hub page's githubRepo
    project_page: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def api_query(ids: list[str]) -> str:
    """The path (with query) the arXiv client asks for a batch of ids."""
    return _path("/api/query", {"id_list": ",".join(ids), "start": 0, "max_results": len(ids)})


def atom_feed(papers: list[ArxivPaper], *, query: str = "", total: int | None = None) -> str:
    entries = "".join(_atom_entry(paper) for paper in papers)
    count = len(papers) if total is None else total
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query?{escape(query)}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {escape(query)}</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-02-02T00:00:00-05:00</updated>
  <opensearch:totalResults>{count}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>{max(count, 1)}</opensearch:itemsPerPage>
{entries}</feed>
"""


def _atom_entry(paper: ArxivPaper) -> str:
    authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in paper.authors)
    comment = f"<arxiv:comment>{escape(paper.comments)}</arxiv:comment>" if paper.comments else ""
    categories = "".join(f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in paper.categories)
    return f"""  <entry>
    <id>http://arxiv.org/abs/{paper.arxiv_id}v2</id>
    <updated>{paper.updated}</updated>
    <published>{paper.published}</published>
    <title>{escape(paper.title)}</title>
    <summary>  {escape(paper.abstract)}
</summary>
    {authors}
    {comment}
    <link href="http://arxiv.org/abs/{paper.arxiv_id}v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{paper.arxiv_id}v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="{paper.categories[0]}" scheme="http://arxiv.org/schemas/atom"/>
    {categories}
  </entry>
"""


def oai_path(**params: str) -> str:
    """The path (with query) the OAI-PMH client asks."""
    return _path("/oai", {"verb": "ListRecords", **params})


def oai_list_records(papers: list[ArxivPaper], *, token: str | None = None, cursor: int = 0,
                     size: int | None = None, deleted: tuple[str, ...] = ()) -> str:
    records = "".join(_oai_record(paper) for paper in papers)
    records += "".join(
        f"<record><header status=\"deleted\"><identifier>oai:arXiv.org:{arxiv_id}</identifier>"
        f"<datestamp>2024-01-17</datestamp><setSpec>cs</setSpec></header></record>"
        for arxiv_id in deleted
    )
    if token is not None or size is not None:
        complete = f' completeListSize="{size}"' if size is not None else ""
        resumption = f'<resumptionToken cursor="{cursor}"{complete}>{escape(token or "")}</resumptionToken>'
    else:
        resumption = ""
    return _oai(f"<ListRecords>{records}{resumption}</ListRecords>")


def oai_error(code: str, message: str) -> str:
    return _oai(f'<error code="{code}">{escape(message)}</error>')


def _oai(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>2024-02-02T12:00:00Z</responseDate>
<request verb="ListRecords">http://oaipmh.arxiv.org/oai</request>
{body}
</OAI-PMH>
"""


def _oai_record(paper: ArxivPaper) -> str:
    authors = "".join(
        f"<author><keyname>{escape(name.split()[-1])}</keyname><forenames>{escape(' '.join(name.split()[:-1]))}"
        "</forenames></author>"
        for name in paper.authors
    )
    comments = f"<comments>{escape(paper.comments)}</comments>" if paper.comments else ""
    return f"""<record><header><identifier>oai:arXiv.org:{paper.arxiv_id}</identifier>
<datestamp>{paper.datestamp}</datestamp><setSpec>cs</setSpec></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">
<id>{paper.arxiv_id}</id><created>{paper.published[:10]}</created><updated>{paper.updated[:10]}</updated>
<authors>{authors}</authors><title>{escape(paper.title)}</title><categories>{' '.join(paper.categories)}</categories>
{comments}<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>
<abstract>  {escape(paper.abstract)}
</abstract></arXiv></metadata></record>
"""


def hf_paper_object(paper: ArxivPaper) -> dict[str, object]:
    """The inner ``paper`` object of the Hub's papers API."""
    page: dict[str, object] = {
        "id": paper.arxiv_id,
        "authors": [{"_id": f"6{n:023x}", "name": name, "hidden": False} for n, name in enumerate(paper.authors)],
        "publishedAt": paper.published.replace("Z", ".000Z"),
        "submittedOnDailyAt": "2024-01-16T01:23:45.678Z",
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": 12,
        "discussionId": "65a6b0c1d2e3f4a5b6c7d8e9",
        "ai_summary": "A summary the Hub wrote.",
    }
    if paper.github_repo:
        page["githubRepo"] = paper.github_repo
        page["githubStars"] = 42
    if paper.project_page:
        page["projectPage"] = paper.project_page
    page.update(paper.extra)
    return page


def hf_daily(papers: list[ArxivPaper]) -> str:
    return json.dumps([
        {
            "paper": hf_paper_object(paper),
            "publishedAt": "2024-01-16T01:23:45.678Z",
            "title": paper.title,
            "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper.arxiv_id}.png",
            "numComments": 1,
            "submittedBy": {"_id": "60f1abf1", "fullname": "A Submitter", "name": "submitter", "type": "user"},
            "isAuthorParticipating": False,
        }
        for paper in papers
    ])


def hf_daily_path(day: str, page: int = 0) -> str:
    params: dict[str, object] = {"date": day, "limit": 100}
    if page:
        params["p"] = page
    return _path("/api/daily_papers", params)
