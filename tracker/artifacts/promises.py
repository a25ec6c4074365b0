"""Looking again for the code a paper promised without linking it.

A paper that says "code will be released" and links nothing is asked about
again on later runs (at most once a day, `Store.promises_due`): first the
Hugging Face paper page (`GET {HF_ENDPOINT}/api/papers/{arxiv_id}`), whose
`githubRepo` field its authors or the community fill in. A paper known only
by its title (a scraped listing) is first found by the Hub's paper search
(`GET /api/papers/search?q=...`), trusted only for a result whose title is
the same, word for word, ignoring case and punctuation. Then, with a GitHub
token and within a budget of its own per run (code search allows 10 requests
a minute), GitHub's code search for the arXiv id in README files. A search is
trusted only when exactly one repository matches: a README that cites the
paper (a survey list, a follow-up) also holds the id, and two or more matches
cannot be told apart. A fault is a fault: nothing is found, and the paper is
asked about again next day.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tracker.http import HttpClient, HttpFault
from tracker.links import NotARepository, canonical_repo
from tracker.records import RepoRef
from tracker.settings import Settings

_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})$")


@dataclass(frozen=True, slots=True)
class FoundCode:
    """A repository found for a paper, and where (the link's text in the store)."""

    ref: RepoRef
    where: str


def arxiv_id_of(paper_id: str) -> str | None:
    """The arXiv id of a stored paper (``arxiv:2401.01234`` -> ``2401.01234``, version dropped), or None."""
    if not paper_id.startswith("arxiv:"):
        return None
    found = re.sub(r"v\d+$", "", paper_id.removeprefix("arxiv:"))
    return found if _ARXIV_ID.match(found) else None


class PromiseFinder:
    """Asks the Hugging Face paper page and, with a token, GitHub's code search."""

    def __init__(self, hub: HttpClient, github: HttpClient | None, *, search_budget: int = 20,
                 git_hosts: frozenset[str] = frozenset()) -> None:
        self._hub = hub
        self._github = github
        self._searches_left = search_budget if github is not None else 0
        self._git_hosts = git_hosts

    @classmethod
    def from_settings(cls, settings: Settings, *, search_budget: int = 20) -> PromiseFinder:
        # One attempt each: a paper not answered for is asked about again the next day.
        hub = HttpClient(settings.hf_endpoint, timeout=settings.http_timeout, attempts=1, token=settings.hf_token)
        github = None
        if settings.github_token:
            # Code search allows 10 requests a minute with a token: one every 6 s keeps within it.
            github = HttpClient(settings.github_api_url, timeout=settings.http_timeout, attempts=1,
                                min_interval=6.0, token=settings.github_token,
                                headers={"Accept": "application/vnd.github+json"})
        return cls(hub, github, search_budget=search_budget, git_hosts=settings.git_hosts)

    def close(self) -> None:
        self._hub.close()
        if self._github is not None:
            self._github.close()

    def look(self, arxiv_id: str | None, title: str = "") -> FoundCode | None:
        """The repository found for a paper, by its arXiv id or, without one, its exact title on the Hub."""
        if arxiv_id is None:
            arxiv_id = self._arxiv_id_by_title(title) if title.strip() else None
            if arxiv_id is None:
                return None
        return self._paper_page(arxiv_id) or self._search(arxiv_id)

    def _arxiv_id_by_title(self, title: str) -> str | None:
        try:
            answer = self._hub.get("api/papers/search", params={"q": title.strip()[:300]})
        except HttpFault:
            return None
        body = _json(answer.content) if answer.status == 200 else None
        wanted = _words(title)
        found: set[str] = set()
        for item in body if isinstance(body, list) else ():
            paper = _paper_of(item)
            if paper is not None and paper.get("id") and _words(str(paper.get("title") or "")) == wanted:
                found.add(str(paper["id"]))
        if len(found) != 1:
            return None
        arxiv_id = found.pop()
        return arxiv_id if _ARXIV_ID.match(arxiv_id) else None

    def _paper_page(self, arxiv_id: str) -> FoundCode | None:
        try:
            answer = self._hub.get(f"api/papers/{arxiv_id}")
        except HttpFault:
            return None
        body = _json(answer.content) if answer.status == 200 else None
        link = body.get("githubRepo") if isinstance(body, dict) else None
        if not isinstance(link, str) or not link.strip():
            return None
        ref = self._repository(link)
        return FoundCode(ref, f"githubRepo of huggingface.co/papers/{arxiv_id}: {link.strip()}") if ref else None

    def _search(self, arxiv_id: str) -> FoundCode | None:
        if self._github is None or self._searches_left <= 0:
            return None
        self._searches_left -= 1
        try:
            answer = self._github.get("search/code", params={"q": f'"{arxiv_id}" in:file filename:README',
                                                             "per_page": 10})
        except HttpFault:
            return None
        body = _json(answer.content) if answer.status == 200 else None
        items = body.get("items") if isinstance(body, dict) else None
        names = {str(item["repository"]["full_name"]) for item in items or ()
                 if isinstance(item, dict) and isinstance(item.get("repository"), dict)
                 and item["repository"].get("full_name")}
        if len(names) != 1:
            return None
        name = names.pop()
        ref = self._repository(f"github.com/{name}")
        return FoundCode(ref, f"GitHub code search for {arxiv_id} in README files: github.com/{name}") if ref else None

    def _repository(self, text: str) -> RepoRef | None:
        try:
            return canonical_repo(text.strip(), git_hosts=self._git_hosts)
        except NotARepository:
            return None


def _paper_of(item: Any) -> dict[str, Any] | None:
    """A search result's paper: the Hub nests it under ``paper``."""
    if not isinstance(item, dict):
        return None
    paper = item.get("paper", item)
    return paper if isinstance(paper, dict) else None


def _words(title: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", title.casefold()))


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None
