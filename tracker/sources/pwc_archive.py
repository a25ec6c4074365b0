"""The Papers with Code archive (frozen July 2025), streamed from disk in bounded memory.

Two of its files: ``links-between-papers-and-code.json`` (one object per
paper-to-repository link: ``paper_url``, ``paper_title``, ``paper_arxiv_id``,
``paper_url_abs``, ``paper_url_pdf``, ``repo_url``, ``is_official``,
``mentioned_in_paper``, ``mentioned_in_github``, ``framework``) and
``papers-with-abstracts.json`` (``paper_url``, ``arxiv_id``, ``title``,
``abstract``, ``url_abs``, ``url_pdf``, ``authors``, ``date``, ...). Each is
one JSON array, often gzipped (``.json.gz``), of up to a few hundred MB: it is
read in blocks and each element decoded as soon as it is whole
(`json.JSONDecoder.raw_decode`), so memory holds one block and one element,
whatever the file's size.

A link's provenance is ``pwc_official`` or ``pwc_unofficial`` (an
implementation someone else wrote), plus ``pwc_mentioned_in_paper`` when Papers
with Code saw the paper itself name it. A paper known only from the links
file has no abstract; the store fills it in when another source brings one.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tracker.ingest.fields import clean_text, make_paper, parse_published, parse_url
from tracker.ingest.identity import paper_id
from tracker.ingest.problems import Reporter
from tracker.links import find_code_links
from tracker.links.extract import canonical_repo
from tracker.records import FoundLink, Paper, PaperLinks, Provenance

_BLOCK = 1 << 20
# No element of the archive is near this; a longer one means the file is not what it claims.
MAX_ELEMENT_CHARS = 8 << 20
_WHITESPACE = " \t\r\n"


def json_array(path: Path, report: Reporter) -> Iterator[tuple[int, Any]]:
    """Each element of the JSON array in `path` (gzip or not) with the line it begins on."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        report.fatal(None, f"cannot open: {exc.strerror or exc}")
        return
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace")
        try:
            yield from _elements(text, report)
        except (OSError, EOFError) as exc:
            report.fatal(None, f"cannot read the rest of the file ({exc}); stopped")


def _elements(text: io.TextIOWrapper, report: Reporter) -> Iterator[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    buffer = ""
    pos = 0
    line = 1  # the line `pos` is on
    at_end = False
    started = False

    def fill() -> bool:
        nonlocal buffer, pos, at_end
        block = text.read(_BLOCK)
        if not block:
            at_end = True
            return False
        buffer = buffer[pos:] + block
        pos = 0
        return True

    def skip(characters: str) -> None:
        nonlocal pos, line
        while True:
            while pos < len(buffer) and buffer[pos] in characters:
                line += buffer[pos] == "\n"
                pos += 1
            if pos < len(buffer) or not fill():
                return

    skip(_WHITESPACE)
    if pos >= len(buffer) or buffer[pos] != "[":
        report.fatal(line, "not a JSON array (the archive's files are one array of objects); stopped")
        return
    pos += 1
    while True:
        skip(_WHITESPACE + ("," if started else ""))
        if pos >= len(buffer):
            report.fatal(line, "the array ends without its closing ]; the file is cut short")
            return
        if buffer[pos] == "]":
            return
        while True:
            try:
                value, end = decoder.raw_decode(buffer, pos)
                break
            except json.JSONDecodeError as exc:
                if at_end or len(buffer) - pos > MAX_ELEMENT_CHARS:
                    report.fatal(line + buffer.count("\n", pos, exc.pos),
                                 f"malformed JSON ({exc.msg}); stopped reading")
                    return
                fill()
        yield line, value
        line += buffer.count("\n", pos, end)
        pos = end
        started = True


def read_links(path: Path, report: Reporter) -> Iterator[PaperLinks]:
    """``links-between-papers-and-code.json``: one paper and its one repository per element."""
    for line, item in json_array(path, report):
        if not isinstance(item, Mapping):
            report.warn(line, "an element that is not an object; skipped")
            continue
        found = _link(item, line, report)
        if found is not None:
            yield found


def _link(item: Mapping[str, Any], line: int, report: Reporter) -> PaperLinks | None:
    title = item.get("paper_title")
    repo_url = item.get("repo_url")
    if not isinstance(title, str) or not clean_text(title) or not isinstance(repo_url, str):
        report.warn(line, "a link without paper_title or repo_url; skipped")
        return None
    repo = canonical_repo(repo_url)
    if repo is None:
        report.warn(line, f"repo_url {repo_url[:80]!r} names no repository; skipped")
        return None
    clean_title = clean_text(title)[:1000]
    arxiv_id = item.get("paper_arxiv_id")
    hints = tuple(value for value in (item.get("paper_url_abs"),) if isinstance(value, str))
    paper = Paper(
        id=paper_id(clean_title, arxiv_id=arxiv_id if isinstance(arxiv_id, str) else None, hints=hints),
        title=clean_title,
        abstract="",
        source=report.path,
        url=parse_url(item.get("paper_url_abs"), line, report),
        line=line,
    )
    provenance = Provenance.PWC_OFFICIAL if item.get("is_official") is True else Provenance.PWC_UNOFFICIAL
    links = [FoundLink(raw=repo_url, repo=repo, provenance=provenance)]
    if item.get("mentioned_in_paper") is True:
        links.append(FoundLink(raw=repo_url, repo=repo, provenance=Provenance.PWC_MENTIONED_IN_PAPER))
    return PaperLinks(paper=paper, links=tuple(links), code_promised=False)


def read_papers(path: Path, report: Reporter) -> Iterator[PaperLinks]:
    """``papers-with-abstracts.json``: papers with abstract and date; links are found in the abstract."""
    for line, item in json_array(path, report):
        if not isinstance(item, Mapping):
            report.warn(line, "an element that is not an object; skipped")
            continue
        authors = item.get("authors")
        arxiv_id = item.get("arxiv_id")
        paper = make_paper(
            title=item.get("title"),
            abstract=item.get("abstract"),
            source=report.path,
            line=line,
            report=report,
            url=parse_url(item.get("url_abs"), line, report),
            published=parse_published(item.get("date"), line, report),
            authors=tuple(a for a in authors if isinstance(a, str)) if isinstance(authors, list) else (),
            arxiv_id=arxiv_id if isinstance(arxiv_id, str) else None,
            id_hints=tuple(v for v in (item.get("url_abs"),) if isinstance(v, str)),
        )
        if paper is not None:
            yield find_code_links(paper)
