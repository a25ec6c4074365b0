"""arXiv API answers: Atom feeds, one ``<entry>`` per paper.

Parsed with `defusedxml` and DTDs forbidden outright: an Atom feed never needs
one, and a DTD is how external entities (XXE, reading local files) and entity
bombs get in. The feed is fed in blocks and each entry is released once read,
so memory stays at one entry; text beyond `MAX_ENTRY_CHARS` in one entry is
dropped as it arrives, so even one enormous element stays bounded.

From each entry: ``id`` (the abs URL, which names the arXiv id), ``title``,
``summary`` (the abstract), ``published``, ``author/name``, the
``rel="alternate"`` link as the paper's url, ``arxiv:doi`` and ``arxiv:comment``
(where authors often write "Code: https://..."). The arXiv
API reports a bad query as an entry whose id is under ``/api/errors``; that
is reported with the API's own explanation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from tracker.ingest.fields import MAX_ABSTRACT_CHARS, make_paper, parse_published, parse_url
from tracker.ingest.problems import Reporter
from tracker.records import Paper

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
MAX_ENTRY_CHARS = 4 * MAX_ABSTRACT_CHARS
_BLOCK = 1 << 16


class _EntryCollector:
    """An ElementTree parser target that hands out each finished entry with its line."""

    def __init__(self) -> None:
        self._tree = TreeBuilder()
        self._entry_line = 0
        self._entry_chars = 0
        self._in_entry = False
        self.oversized = False
        self.line_now = lambda: 0
        self.finished: list[tuple[int, Element, bool]] = []

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        if tag == f"{ATOM}entry":
            self._in_entry = True
            self._entry_line = self.line_now()
            self._entry_chars = 0
            self.oversized = False
        return self._tree.start(tag, attrs)

    def end(self, tag: str) -> Element:
        element = self._tree.end(tag)
        if tag == f"{ATOM}entry":
            self._in_entry = False
            self.finished.append((self._entry_line, element, self.oversized))
        return element

    def data(self, text: str) -> None:
        if self._in_entry:
            self._entry_chars += len(text)
            if self._entry_chars > MAX_ENTRY_CHARS:
                self.oversized = True
                return
        self._tree.data(text)

    def close(self) -> Element:
        return self._tree.close()


def read_atom(handle: BinaryIO, source: str, report: Reporter) -> Iterator[tuple[int, Paper]]:
    collector = _EntryCollector()
    parser = DefusedXMLParser(target=collector, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    expat = parser.parser  # the pure-Python parser exposes expat, which knows the line
    collector.line_now = lambda: expat.CurrentLineNumber
    try:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            parser.feed(block)
            yield from _papers(collector, source, report)
        parser.close()
        yield from _papers(collector, source, report)
    except DefusedXmlException as error:
        yield from _papers(collector, source, report)  # none: a DTD comes first
        report.fatal(
            expat.CurrentLineNumber,
            f"XML declares a DTD or entities ({type(error).__name__}); refused, "
            "since Atom feeds never need one and it is how XXE and entity bombs work",
        )
    except ParseError as error:
        # Entries completed in the same block as the break are still good.
        yield from _papers(collector, source, report)
        line, column = error.position
        report.fatal(line, f"malformed XML ({_reason(error)}, column {column + 1}); stopped reading")


def _papers(collector: _EntryCollector, source: str, report: Reporter) -> Iterator[tuple[int, Paper]]:
    finished, collector.finished = collector.finished, []
    for line, entry, oversized in finished:
        paper = entry_to_paper(entry, source, line, report, oversized)
        entry.clear()  # the feed keeps an empty shell, not the entry's text
        if paper is not None:
            yield line, paper


def entry_to_paper(entry: Element, source: str, line: int | None, report: Reporter, oversized: bool) -> Paper | None:
    entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
    if "/api/errors" in entry_id:
        report.warn(line, f"the arXiv API answered with an error: {(entry.findtext(f'{ATOM}summary') or '').strip()}")
        return None
    if oversized:
        report.warn(line, f"entry holds over {MAX_ENTRY_CHARS:,} characters of text; the rest was dropped")
    url = None
    for link in entry.iter(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            url = parse_url(link.get("href"), line, report)
            break
    authors = tuple(name.text or "" for name in entry.iterfind(f"{ATOM}author/{ATOM}name"))
    return make_paper(
        title=entry.findtext(f"{ATOM}title"),
        abstract=entry.findtext(f"{ATOM}summary"),
        source=source,
        line=line,
        report=report,
        url=url,
        published=parse_published(entry.findtext(f"{ATOM}published"), line, report),
        authors=authors,
        arxiv_id=entry_id or None,
        doi=entry.findtext(f"{ARXIV}doi"),
        comments=entry.findtext(f"{ARXIV}comment"),
    )


def _reason(error: ParseError) -> str:
    # ParseError's text ends with "line X, column Y", which the problem says already.
    return str(error).split(":")[0]
