"""Which licenses a license file's text grants, by comparing it with SPDX's texts (askalono).

Keyword rules ("contains 'MIT'") misread READMEs that merely mention a
license and miss modified headers; askalono compares a whole text against
the SPDX corpus and returns a similarity score, which becomes the finding's
confidence. A LICENSE file is often more than one license: the repository's
own terms, then the licenses of code it vendors, separated by rules, headings
or a new license's title (Megatron-LM's BSD-3-Clause preamble, then Apache-2.0
and MIT). askalono (pyaskalono) only matches one text against one license, so
the file is cut into sections and each is matched; the confident matches, in
the file's order (the repository's own first), make an SPDX expression.

Pure functions over texts: no I/O but askalono's own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import askalono

from tracker import spdx
from tracker.hosts.license_declared import (
    DECLARATION_CONFIDENCE,
    LICENSE_TITLE,
    declared_licenses,
    declaring_sentences,
)

# askalono's own command line treats scores below 0.8 as "no confident match".
MATCH_THRESHOLD = 0.8
# A file's own front matter naming its SPDX id (choosealicense.com templates).
FRONT_MATTER_CONFIDENCE = 0.95
# Fewer words than this cannot be a license's text (the shortest, 0BSD, has ~90):
# titles, notes and "see below" between sections are not matched.
MIN_SECTION_WORDS = 40
# A license file this short that matches no text is read as a declaration ("MIT License",
# "Licensed under the Apache License 2.0"): a long unmatched text is a license of its own.
SHORT_FILE_WORDS = 60
# askalono's guess is taken below the threshold only when the text's own title names it.
TITLED_THRESHOLD = 0.25


@dataclass(frozen=True, slots=True)
class Match:
    """What one text grants: an SPDX expression (None: nothing recognised), how sure, how it was read."""

    spdx: str | None
    confidence: float
    how: str
    closest: str | None = None  # askalono's best guess when nothing was confident


def identify(text: str) -> tuple[str | None, float]:
    """The SPDX id askalono matches `text` to, or None below `MATCH_THRESHOLD`, and the score."""
    name, score = _guess(text)
    return (name if score >= MATCH_THRESHOLD else None), score


def _guess(text: str) -> tuple[str | None, float]:
    """askalono's best guess for `text`, whatever its score."""
    if not text.strip():
        return None, 0.0
    wording = _wording(text)
    with _known_lock:
        known = _known.get(wording)
    if known is None:
        # One askalono call at a time: eight workers meeting the same new text
        # at once would otherwise each pay the corpus load for one answer.
        with _identify_lock:
            with _known_lock:
                known = _known.get(wording)
            if known is None:
                match = askalono.identify(text)
                known = _corrected(str(match.name), text.lower()), float(match.score)
                with _known_lock:
                    if len(_known) >= _KNOWN_MAX:
                        _known.clear()
                    _known[wording] = known
    return known


# Licenses that are another license with a few words changed; askalono picks
# the variant when the text lacks an optional part of the original (Apache-2.0
# without its appendix scores higher as Pixar's). The variant is kept only
# when the text carries the words that make it that variant.
_VARIANT_OF: dict[str, tuple[str, str]] = {
    "Pixar": ("pixar", "Apache-2.0"),
    # "The name of the author may not be used ..." in place of "Neither the name of ...".
    "BSD-3-Clause-HP": ("hewlett", "BSD-3-Clause"),
}


def _corrected(name: str, lowered: str) -> str:
    variant = _VARIANT_OF.get(name)
    if variant is not None and variant[0] not in lowered:
        return variant[1]
    return name


# pyaskalono loads its whole license corpus on every call (~0.3 s of CPU and
# tens of MB), which dominated checking 1,000 repositories (bench/results.md).
# askalono ignores copyright lines, so texts that differ only there (the usual
# case: MIT, BSD, Apache with another holder or year) are matched once.
_COPYRIGHT_LINE = re.compile(r"^[ \t]*(copyright\b|\(c\)|©).*$", re.IGNORECASE | re.MULTILINE)
_KNOWN_MAX = 4096
_known: dict[str, tuple[str | None, float]] = {}
_known_lock = threading.Lock()
_identify_lock = threading.Lock()


def _wording(text: str) -> str:
    return " ".join(_COPYRIGHT_LINE.sub("", text).split()).lower()


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_SPDX_KEY = re.compile(r"^spdx-id[ \t]*:[ \t]*[\"']?([^\"'\r\n#]+?)[\"']?[ \t]*$", re.IGNORECASE | re.MULTILINE)


def front_matter(text: str) -> tuple[str | None, str]:
    """The ``spdx-id`` of a choosealicense.com-style YAML front matter, and the text after it."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        return None, text
    key = _SPDX_KEY.search(found.group(1))
    return (spdx.normalise(key.group(1)) if key else None), text[found.end():]


def license_of(text: str) -> Match:
    """What a license file's text grants: its front matter's id, or every license its sections hold."""
    declared, body = front_matter(text)
    if declared is not None:
        matched, matched_score = identify(body)
        agrees = matched is not None and spdx.same(matched, declared)
        return Match(declared, max(matched_score, FRONT_MATTER_CONFIDENCE) if agrees else FRONT_MATTER_CONFIDENCE,
                     "front matter")
    several = _several(body)
    if several is not None:
        return several
    name, score = _titled(body)
    if name is not None:
        return Match(spdx.normalise(name) or name, round(score, 4), "text")
    short = _short_declaration(body) if len(body.split()) <= SHORT_FILE_WORDS else None
    if short is not None:
        return short
    closest, _ = _guess(body)
    return Match(None, round(score, 4), "text", closest=closest)


def _several(body: str) -> Match | None:
    """Every license the sections of `body` hold confidently, in order; None when it has no sections to cut."""
    sections = [section for section in _sections(body) if len(section.text.split()) >= MIN_SECTION_WORDS]
    if len(sections) < 2:
        return None
    found: dict[str, tuple[str, float]] = {}
    for name, score in _matched(sections):
        # GPL-3.0's own "how to apply" notice matches GPL-3.0-or-later: one license, kept once.
        found.setdefault(_family(name), (name, score))
    names = spdx.without_included([name for name, _ in found.values()])
    expression = spdx.combine(names)
    if expression is None:
        return None
    how = "sections" if len(names) > 1 else "text"
    return Match(expression, round(min(score for _, score in found.values()), 4), how)


def _short_declaration(body: str) -> Match | None:
    """A short file that names a license and no terms ("MIT License. Copyright (c) 2024 Lab") declares it."""
    title = next((line.strip().lstrip("#* ").strip() for line in body.splitlines() if line.strip()), "")
    said = declaring_sentences(body, in_section=False)
    if len(title.split()) <= _TITLE_WORDS // 2 and LICENSE_TITLE.search(title):
        said.insert(0, title)
    declared = spdx.combine(found for sentence in said if (found := declared_licenses(sentence)) is not None)
    return Match(declared, DECLARATION_CONFIDENCE, "declaration") if declared is not None else None


def _matched(sections: Sequence[_Section]) -> list[tuple[str, float]]:
    """The confident matches of `sections`, in order.

    A section cut off at a copyright line may be the next part of one license
    (Python's composite license has a copyright line before each of its four
    parts): it is put back when the two together match the first part's
    license at least as well.
    """
    kept: list[tuple[str, str | None, float]] = []  # text, match, score
    for section in sections:
        name, score = identify(section.text)
        previous = kept[-1][1] if kept else None
        # Only a different license needs the second look: the same one is kept once anyway.
        if section.by_copyright and previous is not None and name is not None and _family(name) != _family(previous):
            text, before, before_score = kept[-1]
            joined = f"{text}\n\n{section.text}"
            together, together_score = identify(joined)
            if together == before and together_score >= before_score:
                kept[-1] = (joined, together, together_score)
                continue
        kept.append((section.text, name, score))
    return [(name, score) for _, name, score in kept if name is not None]


def _family(name: str) -> str:
    return re.sub(r"-(only|or-later)$", "", name.lower())


def _titled(text: str) -> tuple[str | None, float]:
    """askalono's match; below the threshold, its guess when the text's own title names that license.

    COPYING.LESSER holds only the LGPL's additional permissions, which SPDX's
    text follows with the whole GPL, so it scores about 0.3 against LGPL-3.0
    although its title says exactly what it is.
    """
    name, score = _guess(text)
    if name is None:
        return None, score
    if score >= MATCH_THRESHOLD:
        return name, score
    if score >= TITLED_THRESHOLD:
        head = " ".join(line.strip() for line in text.strip().splitlines()[:4])
        titled = declared_licenses(head)
        if titled and spdx.same(titled, name):
            return name, score
    return None, score


# A rule line ("-----", "=====", "-- LICENSE FROM X ---", "*****") starts a new section.
_RULE = re.compile(r"^[ \t]*(?:([-=*_~+#])\1{2,}|--(?:\s|$)|([-=*_~+#])(?:[ \t]+\2){2,}[ \t]*$).*$")
# A title that opens a license of its own: short, names a license, and is not part of a sentence.
_TITLE_WORDS = 12


def _is_title(line: str, following: str) -> bool:
    """A line that opens a license: short, naming one (with the version line under it), and standing
    alone (a heading, capitals, or a blank line or the version/copyright after it). A numbered clause
    ("13. Use with the GNU Affero General Public License.") or a sentence is not one."""
    bare = line.strip().lstrip("#*/ \t").strip()
    if not bare or bare[0].isdigit() or bare[0] in "(\"'" or len(bare.split()) > _TITLE_WORDS:
        return False
    if not LICENSE_TITLE.search(bare) or declared_licenses(f"{bare} {following}") is None:
        return False
    return (line.lstrip().startswith("#") or bare.isupper() or not following
            or re.match(r"(version|copyright|\(c\)|©)\b", following, re.IGNORECASE) is not None)


@dataclass(frozen=True, slots=True)
class _Section:
    text: str
    by_copyright: bool  # cut off at a copyright line, not at a rule or a title


def _sections(text: str) -> list[_Section]:
    """`text` cut where another license begins: at a rule line (not a heading's underline), at a
    license's title, and at a copyright line that follows a finished text."""
    sections: list[tuple[list[str], bool]] = [([], False)]
    lines = text.splitlines()
    for index, line in enumerate(lines):
        before = lines[index - 1].strip() if index else ""
        if _RULE.match(line):
            if not _is_underline(line, before):
                sections.append(([], False))
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        current = sections[-1][0]
        if not before and current:
            if _is_title(line, following):
                sections.append(([], False))
            elif _COPYRIGHT_OPENS.match(line) and _words(current) >= MIN_SECTION_WORDS:
                sections.append(([], True))
        sections[-1][0].append(line)
    return [_Section("\n".join(lines_).strip(), by_copyright) for lines_, by_copyright in sections
            if "".join(lines_).strip()]


# A new holder's notice after a finished text; "(c)" alone also opens clauses of Apache-2.0.
_COPYRIGHT_OPENS = re.compile(r"^[ \t#*/]*copyright\b", re.IGNORECASE)


def _is_underline(line: str, before: str) -> bool:
    """A plain rule right under a short line is that line's heading (MPL-2.0 underlines its clauses)."""
    return bool(before) and not line.strip().strip(line.strip()[0]) and len(before.split()) <= _TITLE_WORDS


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines if not _COPYRIGHT_LINE.match(line))

