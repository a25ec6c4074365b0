"""Paper lists as scraped from a "trending papers" page: title line, abstract line.

The page's text comes with its chrome: banners, buttons, footers, as short
lines of their own, and sometimes a button's word glued to the first title
("Subscribe" + "Large-scale ..." = "SubscribeLarge-scale ..."). The rules use
only the page's structure, never particular strings:

* an abstract is a long line (at least `MIN_ABSTRACT_CHARS`); its title is the
  non-blank title-sized line just before it (at most `MAX_TITLE_LINE_CHARS`);
  blank lines are ignored;
* every other line is page text and skipped; a long line with no title before
  it is reported, because it is likely a paper whose title went missing;
* in a run short, long, long where the middle line is title-sized and the last
  one longer, the middle line is the title (a long title after a short banner);
* a title that starts right after page text may carry a glued prefix: the
  capitalised words before a lowercase-to-uppercase join ("…eL…") are removed
  when neither the glued word nor the prefix occurs in the paper's own text. "ThunderKittens"
  stays (its abstract names it), "PipeOffload" stays ("pipeline" is in its
  text), "SubscribeLarge-scale" loses "Subscribe".
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator

from tracker.ingest.fields import make_paper
from tracker.ingest.lines import Line
from tracker.ingest.problems import Reporter
from tracker.records import Paper

MIN_ABSTRACT_CHARS = 200
MAX_TITLE_LINE_CHARS = 300
# A glued prefix is page chrome: a button or a label, a few words at most.
_MAX_PREFIX_CHARS = 40


def read_paper_list(lines: Iterable[Line], source: str, report: Reporter) -> Iterator[tuple[int, Paper]]:
    for title, abstract, after_page_text in _pairs(lines, report):
        title_text = title.text.strip()
        if after_page_text:
            title_text = strip_glued_prefix(title_text, abstract.text)
        paper = make_paper(
            title=title_text,
            abstract=abstract.text,
            source=source,
            line=title.number,
            abstract_line=abstract.number,
            report=report,
        )
        if paper is not None:
            yield title.number, paper


def _pairs(lines: Iterable[Line], report: Reporter) -> Iterator[tuple[Line, Line, bool]]:
    """(title, abstract, whether page text came right before the title).

    Looks at most two lines ahead, so a file of any length streams.
    """
    stream = (line for line in lines if line.text.strip())
    window: deque[Line] = deque()
    after_page_text = True  # the start of the page is a boundary too
    while True:
        while len(window) < 3:
            line = next(stream, None)
            if line is None:
                break
            window.append(line)
        if not window:
            return
        first = window[0]
        if len(window) >= 2 and _is_title(first) and _is_abstract(window[1], first):
            second = window[1]
            if len(window) == 3 and _is_title(second) and _is_abstract(window[2], second):
                window.popleft()  # `first` was page text before a long title
                after_page_text = True
                continue
            window.popleft()
            window.popleft()
            yield first, second, after_page_text
            after_page_text = False
            continue
        window.popleft()
        if _is_long(first):
            report.warn(first.number, "long line with no title line before it; skipped as page text")
        after_page_text = True


def _is_long(line: Line) -> bool:
    return len(line.text.strip()) >= MIN_ABSTRACT_CHARS


def _is_title(line: Line) -> bool:
    text = line.text.strip()
    return len(text) <= MAX_TITLE_LINE_CHARS and any(c.isalpha() for c in text)


def _is_abstract(line: Line, title: Line) -> bool:
    return _is_long(line) and len(line.text.strip()) > len(title.text.strip())


def strip_glued_prefix(title: str, abstract: str) -> str:
    """`title` without page text glued to its start, if there is any.

    The evidence for glue is negative: a real name like "ThunderKittens" or
    "PipeOffload" recurs in the paper's own words, a button label does not.
    """
    join = next(
        (i for i in range(1, min(len(title), _MAX_PREFIX_CHARS + 1)) if title[i - 1].islower() and title[i].isupper()),
        None,
    )
    if join is None:
        return title
    prefix, rest = title[:join], title[join:]
    # Labels are capitalised words ("Subscribe", "Log in"); names such as
    # iPhone, vLLM or mRNA start lowercase and are never page text.
    if not (prefix[0].isupper() and prefix.replace(" ", "").isalpha()):
        return title
    token_start = prefix.rfind(" ") + 1
    token_end = next((i for i in range(join, len(title)) if title[i].isspace()), len(title))
    glued_word = title[token_start:token_end].strip(".,:;!?()[]\"'")
    own_text = f"{rest} {abstract}".casefold()
    if glued_word.casefold() in abstract.casefold():
        return title
    if re.search(rf"(?<!\w){re.escape(prefix.strip().casefold())}", own_text):
        return title
    return rest
