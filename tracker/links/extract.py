"""Find links in running text and repair what abstracts do to them.

Abstracts reach us through LaTeX, PDF extraction and web scraping, which glue
punctuation to URLs, break them across lines, leave ``{this url}`` behind or
drop the scheme. Candidates are found with one regular expression whose every
repetition is possessive or bounded, so a 100 kB "URL" or 10,000 links cost
linear time; each candidate is then repaired and resolved by `canonical`.

What the limits make us ignore is returned as notes, not logged: only the
caller knows which file and line the text came from.
"""

from __future__ import annotations

import dataclasses
import re

from tracker.links.canonical import (
    GENERIC_TLDS,
    NotARepository,
    Target,
    artifact_of,
    canonical_repo,
    known_host,
    parse_url,
    repair,
    repo_of,
    trim,
    wants_more,
)
from tracker.links.promise import find_promise
from tracker.records import Artifact, ArtifactKind, FoundLink, Paper, PaperLinks, Provenance, RepoRef

# No real repository or artifact address is this long; longer runs are garbage.
MAX_URL_LENGTH = 2_000
MAX_LINKS = 1_000
# Enough of an ignored URL for a person to find it in the abstract.
_NOTE_PREFIX_CHARS = 40

# Characters a URL may hold as it appears in text. Braces, brackets, quotes and
# backslashes end it (LaTeX's ``\url{..}``, ``{this url}``, markdown ``[..]``),
# except the LaTeX escapes ``\_ \% \# \& \~`` that arXiv sources leave inside.
_URL_CHAR = r"""(?:[^\s<>"{}|\\^`\[\]“”‘’«»，。、；：！？（）【】《》…]|\\[_%#&~])"""
_CANDIDATE = re.compile(
    rf"""
    (?P<scheme>https?://{_URL_CHAR}++)
    | (?P<doi>(?<![\w./])(?:doi:\s?)?10\.\d{{4,9}}/{_URL_CHAR}++)
    | (?P<bare>
        (?<![\w@.:/\\-])
        (?:[\w-]{{1,63}}+\.){{1,8}}[a-z]{{2,24}}(?![\w-])
        (?:[/:]{_URL_CHAR}*+)?
      )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_URL_RUN = re.compile(rf"{_URL_CHAR}*+")
# Words just before a link that make an unknown site the paper's own page.
_PAGE_CUE = re.compile(r"project\s*(?:page|website|site|homepage|webpage)|home\s*page|demo\s*page", re.I)
_CUE_WINDOW = 48


def _continuation(text: str, end: int, raw: str) -> int | None:
    """Where the URL ending at `end` continues after a break, or None.

    Joined: text after a space or line break when the URL is on a code host and
    does not yet name a repository and the break sits at a ``/``
    (``github.com/ owner/name``); and text after a line break that follows
    ``-`` or ``_``. LaTeX breaks URLs at a hyphen without adding one, so the
    hyphen is kept. Elsewhere a URL that ends at a break is complete.
    """
    gap_end = end
    while gap_end < len(text) and gap_end - end < 8 and text[gap_end] in " \t\r\n":
        gap_end += 1
    if gap_end == end or gap_end >= len(text) or not (text[gap_end].isalnum() or text[gap_end] in "_-/"):
        return None
    if "\n" in text[end:gap_end] and raw[-1] in "-_":
        return gap_end
    if raw[-1] == "/" or text[gap_end] == "/":
        target = parse_url(repair(raw))
        if target is not None and wants_more(target):
            return gap_end
    return None


def _resolve(url: str, *, page_hint: bool, git_hosts: frozenset[str]) -> RepoRef | Artifact | None:
    target: Target | None = parse_url(url)
    if target is None:
        return None
    return repo_of(target, git_hosts) or artifact_of(target, project_page_hint=page_hint)


def _scan(text: str, git_hosts: frozenset[str]) -> tuple[list[FoundLink], tuple[str, ...]]:
    """The first MAX_LINKS links in `text` in order of appearance, and notes on what was ignored.

    Links past the cap are still resolved, only to be counted: the note then
    says how many were lost, and the scan stays linear in the text's length.
    """
    found: list[FoundLink] = []
    notes: list[str] = []
    ignored = 0
    pos = 0
    previous_end = 0
    while (match := _CANDIDATE.search(text, pos)) is not None:
        start, end = match.span()
        kind = match.lastgroup
        if kind != "doi":
            while end - start <= MAX_URL_LENGTH and (resume := _continuation(text, end, text[start:end])):
                run = _URL_RUN.match(text, resume)
                end = run.end() if run else resume  # `*+` matches even nothing: `run` is never None
        pos = end
        if end - start > MAX_URL_LENGTH:
            notes.append(_overlong_note(text[start:end]))
            continue
        raw = trim(text[start:end])
        url = repair(raw)
        if kind == "doi":
            doi = re.sub(r"^doi:\s?", "", url, flags=re.I)
            resolved: RepoRef | Artifact | None = Artifact(f"https://doi.org/{doi}", ArtifactKind.DOI)
        else:
            if kind == "bare" and not _bare_host_acceptable(url, git_hosts):
                continue
            cue = _PAGE_CUE.search(text, max(previous_end, start - _CUE_WINDOW), start) is not None
            resolved = _resolve(url, page_hint=cue, git_hosts=git_hosts)
        if resolved is None:
            continue
        previous_end = end
        if len(found) == MAX_LINKS:
            ignored += 1
            continue
        if isinstance(resolved, RepoRef):
            found.append(FoundLink(raw=raw, repo=resolved))
        else:
            found.append(FoundLink(raw=raw, artifact=resolved))
    if ignored:
        notes.append(f"kept the first {MAX_LINKS:,} links; {ignored:,} more were ignored")
    return found, tuple(notes)


def _overlong_note(url: str) -> str:
    # repr, so that control or bidi characters in hostile text cannot act on a terminal.
    start = repr(url[:_NOTE_PREFIX_CHARS])
    return f"ignored a URL of {len(url):,} characters starting {start}... (the limit is {MAX_URL_LENGTH:,})"


def _bare_host_acceptable(url: str, git_hosts: frozenset[str]) -> bool:
    """A host written without a scheme counts if it is known, or plainly a web address.

    Plainly: starting with ``www.``, or written in lowercase with a generic
    top-level domain, which keeps ``asterlab.ai`` and leaves ``architectures.In``
    (a missing space) or ``train.py`` (a file) alone.
    """
    written = re.split(r"[/:]", url, maxsplit=1)[0]
    target = parse_url(url)
    if target is None:
        return False
    if known_host(target.host) or target.bare_host in git_hosts or written.lower().startswith("www."):
        return True
    return written == written.lower() and written.rsplit(".", 1)[-1] in GENERIC_TLDS


def extract_links(text: str, *, git_hosts: frozenset[str] = frozenset()) -> list[FoundLink]:
    """Every link in `text`, in order of appearance, one entry per mention.

    `git_hosts` are the hosts the user allows as git servers besides the known ones
    (`Settings.git_hosts`): a link there is a repository, not a website.

    Within the limits (`MAX_URL_LENGTH`, `MAX_LINKS`); what they make it ignore
    is reported only by `find_code_links`, which knows whose text this is.
    """
    found, _notes = _scan(text, git_hosts)
    return found


def _identity(link: FoundLink) -> str:
    if link.repo is not None:
        return "repo:" + link.repo.key
    assert link.artifact is not None
    return "artifact:" + link.artifact.url


def find_code_links(paper: Paper, *, git_hosts: frozenset[str] = frozenset()) -> PaperLinks:
    """The paper's links from its source's ``repo`` field, title then abstract, then arXiv's comments field, first
    mention of each identity kept.

    A link named in both the abstract and the comments is kept once for each,
    so that its provenance says both. `code_promised` holds, with the `promise`
    found, only when the paper speaks of code (`find_promise`) and names no
    repository. `notes` say what the limits made extraction ignore.
    """
    text = f"{paper.title}\n{paper.abstract}"
    declared, refused = _declared(paper.repo_fields, git_hosts)
    found, notes = _scan(text, git_hosts)
    found = declared + found
    notes = refused + notes
    if paper.comments:
        in_comments, comment_notes = _scan(paper.comments, git_hosts)
        found += [dataclasses.replace(link, provenance=Provenance.ARXIV_COMMENTS) for link in in_comments]
        notes += tuple(f"in arXiv's comments: {note}" for note in comment_notes)
        text = f"{text}\n{paper.comments}"
    unique: dict[tuple[str, Provenance], FoundLink] = {}
    for link in found:
        unique.setdefault((_identity(link), link.provenance), link)
    links = tuple(unique.values())
    has_repo = any(link.repo is not None for link in links)
    spoken = f"{paper.abstract}\n{paper.comments}" if paper.comments else paper.abstract
    promise = None if has_repo else find_promise(spoken, title=paper.title)
    return PaperLinks(paper=paper, links=links, code_promised=promise is not None, notes=notes, promise=promise)


def _declared(fields: tuple[str, ...], git_hosts: frozenset[str]) -> tuple[list[FoundLink], tuple[str, ...]]:
    """Links from a source's own ``repo`` field, and notes on what names no repository."""
    links: list[FoundLink] = []
    notes: list[str] = []
    for written in fields[:MAX_LINKS]:
        try:
            links.append(FoundLink(raw=written, repo=canonical_repo(written, git_hosts=git_hosts)))
        except NotARepository as refused:
            notes.append(f"repo field ignored: {refused}")
    return links, tuple(notes)


def code_promised(text: str, *, git_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether `text` says it has code, models or data (`find_promise`) without linking any repository."""
    return find_promise(text) is not None and not any(
        link.repo is not None for link in extract_links(text, git_hosts=git_hosts))
