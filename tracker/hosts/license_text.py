"""Which licenses a repository's files grant, by matching their text.

Keyword rules ("contains 'MIT'") misread READMEs that merely mention a
license and miss modified headers; askalono compares a whole text against
the SPDX corpus and returns a similarity score, which becomes the finding's
confidence. A LICENSE file is often more than one license: the repository's
own terms, then the licenses of code it vendors, separated by rules, headings
or a new license's title (Megatron-LM's BSD-3-Clause preamble, then Apache-2.0
and MIT). askalono (pyaskalono) only matches one text against one license, so
the file is cut into sections and each is matched; the confident matches, in
the file's order (the repository's own first), make an SPDX expression.

A README that only *declares* a license ("This project is licensed under the
MIT License", a shields.io badge) is a weaker finding, kept with a lower
confidence and marked with how it was read.

Pure functions over file texts: no I/O but askalono's own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import askalono

from tracker import spdx
from tracker.records import LicenseFinding
from tracker.spdx import is_third_party_notice

# askalono's own command line treats scores below 0.8 as "no confident match".
MATCH_THRESHOLD = 0.8
# A license pasted into a README is a weaker promise than a LICENSE file: it
# may describe only part of the code, or be a leftover from a template.
README_WEIGHT = 0.6
# A sentence or a badge naming a license is weaker still: nobody checked the
# terms themselves, only a name.
DECLARATION_CONFIDENCE = 0.5
BADGE_CONFIDENCE = 0.4
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

_LICENSE_FILE = re.compile(r"(un)?(licen[cs]es?|copying)([-_.][^/]*)?", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)[ \t]*$")
_LICENSE_TITLE = re.compile(r"licen[cs](e|es|ing)\b", re.IGNORECASE)

# license.py or licenses.json are code that handles licenses, not a grant.
_CODE_SUFFIXES = frozenset(
    {"py", "js", "ts", "go", "rs", "c", "h", "cc", "cpp", "java", "rb", "sh", "json", "yml", "yaml", "toml", "html",
     "css"}
)


def is_license_file(path: str) -> bool:
    """LICENSE, LICENCE, COPYING, UNLICENSE and their variants (LICENSE.md, LICENSE-MIT) at the top level.

    Only the root counts: a LICENSE under third_party/ or vendor/ is the
    license of a copied library, not of the repository.
    """
    if "/" in path or _LICENSE_FILE.fullmatch(path) is None:
        return False
    return path.rsplit(".", 1)[-1].lower() not in _CODE_SUFFIXES if "." in path else True


@dataclass(frozen=True, slots=True)
class Match:
    """What one text grants: an SPDX expression (None: nothing recognised), how sure, how it was read."""

    spdx: str | None
    confidence: float
    how: str
    closest: str | None = None  # askalono's best guess when nothing was confident


# --- one text ------------------------------------------------------------------

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
    said = _declaring_sentences(body, in_section=False)
    if len(title.split()) <= _TITLE_WORDS // 2 and _LICENSE_TITLE.search(title):
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
    if not _LICENSE_TITLE.search(bare) or declared_licenses(f"{bare} {following}") is None:
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


# --- what a README declares ---------------------------------------------------------

_VERSION = r"[\s,]*(?:version\s*|v\.?\s*|-\s*)?"
# Names authors give licenses, each to its SPDX id; tried in order, so longer names come first.
_NAMES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), spdx_id) for pattern, spdx_id in (
        ((rf"(?:gnu\s+)?(?:affero\s+general\s+public\s+licen[cs]e|agpl){_VERSION}3(?:\.0)?"
         r"(?:\+|\s+or\s+(?:any\s+)?later|-or-later)"), "AGPL-3.0-or-later"),
        (rf"(?:gnu\s+)?(?:affero\s+general\s+public\s+licen[cs]e|agpl){_VERSION}3(?:\.0)?", "AGPL-3.0-only"),
        (rf"(?:gnu\s+)?(?:lesser|library)\s+general\s+public\s+licen[cs]e{_VERSION}2\.1|lgpl{_VERSION}2\.1",
         "LGPL-2.1-only"),
        (rf"(?:gnu\s+)?(?:lesser|library)\s+general\s+public\s+licen[cs]e{_VERSION}3(?:\.0)?|lgpl{_VERSION}3(?:\.0)?",
         "LGPL-3.0-only"),
        ((rf"(?:gnu\s+)?(?:general\s+public\s+licen[cs]e|gpl){_VERSION}3(?:\.0)?"
         r"(?:\+|\s+or\s+(?:any\s+)?later|-or-later)"), "GPL-3.0-or-later"),
        (rf"(?:gnu\s+)?(?:general\s+public\s+licen[cs]e|gpl){_VERSION}3(?:\.0)?", "GPL-3.0-only"),
        ((rf"(?:gnu\s+)?(?:general\s+public\s+licen[cs]e|gpl){_VERSION}2(?:\.0)?"
         r"(?:\+|\s+or\s+(?:any\s+)?later|-or-later)"), "GPL-2.0-or-later"),
        (rf"(?:gnu\s+)?(?:general\s+public\s+licen[cs]e|gpl){_VERSION}2(?:\.0)?", "GPL-2.0-only"),
        (rf"apache(?:\s+software)?(?:\s+licen[cs]e)?{_VERSION}2(?:\.0)?", "Apache-2.0"),
        (rf"mozilla\s+public\s+licen[cs]e{_VERSION}2(?:\.0)?|\bmpl{_VERSION}2(?:\.0)?", "MPL-2.0"),
        (rf"eclipse\s+public\s+licen[cs]e{_VERSION}2(?:\.0)?|\bepl{_VERSION}2(?:\.0)?", "EPL-2.0"),
        (r"bsd[\s-]*3[\s-]*clause|(?:new|modified|revised)\s+bsd|\bbsd[\s-]*3\b", "BSD-3-Clause"),
        (r"bsd[\s-]*2[\s-]*clause|simplified\s+bsd|freebsd\s+licen[cs]e|\bbsd[\s-]*2\b", "BSD-2-Clause"),
        (r"\bmit[\s-]*0\b|mit\s+no\s+attribution", "MIT-0"),
        (r"\bmit\b", "MIT"),
        (r"\bisc\b(?=\s+licen[cs]e|\s*$|[\s.,;)])", "ISC"),
        (r"\bthe\s+unlicen[cs]e\b|\bunlicen[cs]e\b", "Unlicense"),
        (r"\bcc[\s-]*0\b|creative\s+commons\s+zero", "CC0-1.0"),
        (r"boost\s+software\s+licen[cs]e", "BSL-1.0"),
        (r"\bwtfpl\b", "WTFPL"),
    )
)
# Creative Commons: attribution plus any of NC, SA, ND, then a version.
_CREATIVE_COMMONS = re.compile(
    r"(?:\bcc\b|creative[\s-]+commons)[\s-]*(?:attribution|by)\b"
    r"((?:[\s-]*(?:non-?commercial|nc|share-?alike|sa|no-?deriv(?:ative)?s?|nd)\b)*)"
    r"[\s-]*(?:international\s+|public\s+)*(?:licen[cs]e\s+)?(?:version\s*|v\.?\s*)?([1-4])\.0",
    re.IGNORECASE,
)
_CC_PARTS = (("nc", r"non-?commercial|\bnc\b"), ("sa", r"share-?alike|\bsa\b"), ("nd", r"no-?deriv|\bnd\b"))
# An SPDX id written as such (Apache-2.0, CC-BY-NC-SA-4.0, GPL-3.0-or-later).
_SPDX_TOKEN = re.compile(r"(?<![\w.-])[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)+(?:\+)?(?![\w-])")
_ALTERNATIVE = re.compile(r"\b(?:either|dual[-\s]?licen[cs]ed|at\s+your\s+(?:option|choice))\b|\bor\b", re.IGNORECASE)


def declared_licenses(text: str) -> str | None:
    """The licenses a short text names, as one expression: ``MIT``, ``MIT OR Apache-2.0``.

    Several names are alternatives when the text offers a choice ("either",
    "dual-licensed", "or"), otherwise all apply.
    """
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, spdx_id: str) -> None:
        if not any(start < t_end and t_start < end for t_start, t_end in taken):
            taken.append((start, end))
            found.append((start, spdx_id))

    for token in _SPDX_TOKEN.finditer(text):
        spelled = spdx.known(token.group(0).rstrip("+"))
        if spelled is not None and not spelled.startswith("LicenseRef-"):
            add(token.start(), token.end(), spdx.normalise(token.group(0)) or spelled)
    for cc in _CREATIVE_COMMONS.finditer(text):
        parts = "".join(f"-{name.upper()}" for name, pattern in _CC_PARTS
                        if re.search(pattern, cc.group(1), re.IGNORECASE))
        add(cc.start(), cc.end(), f"CC-BY{parts}-{cc.group(2)}.0")
    for pattern, spdx_id in _NAMES:
        for named in pattern.finditer(text):
            add(named.start(), named.end(), spdx_id)
    names = [spdx_id for _, spdx_id in sorted(found)]
    if not names:
        return None
    return spdx.combine(names, "OR" if len(set(names)) > 1 and _ALTERNATIVE.search(text) else "AND")


# A sentence that grants: "licensed under", "released under the", "License: MIT".
_GRANT = re.compile(
    r"\b(?:licen[cs]ed|released|distributed|available|provided|published|made\s+available|covered)\s+under\b"
    r"|\bunder\s+(?:the\s+)?(?:terms\s+of\s+(?:the\s+)?)?[\w .,-]{0,40}licen[cs]e\b"
    r"|^\W*licen[cs]e\W*[:：]",
    re.IGNORECASE | re.MULTILINE,
)
# Sentences about someone else's code, whatever else they say.
_OTHERS = re.compile(
    r"\b(?:third[- ]party|based\s+(?:on|upon)|adapted|borrowed|derived|built\s+(?:up)?on|forked|inherits?|"
    r"original(?:ly)?|taken\s+from|copied|modified\s+from|portions?|parts?\s+of|some\s+(?:of\s+the\s+)?"
    r"(?:files|code)|submodules?|vendored|bundled|dependenc(?:y|ies)|depends)\b",
    re.IGNORECASE,
)
# Sentences about something other than code, unless they also name the repository's own.
_NOT_OURS = re.compile(
    r"\b(?:weights?|checkpoints?|models?|datasets?|data|images?|videos?|figures?|documentation|docs|"
    r"follows?|following\s+the|uses?|using)\b",
    re.IGNORECASE,
)
_OURS = re.compile(r"\b(?:this|our|the)\s+(?:code|project|repo(?:sitory)?|software|library|package|work|tool|"
                   r"implementation|source(?:\s+code)?|codebase)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[(])|\n\s*\n|;\s+|,\s+(?:and|while|whereas|but)\s+")


def _declaring_sentences(text: str, *, in_section: bool) -> list[str]:
    """Sentences of `text` that grant the repository's own code a license."""
    kept = []
    for sentence in _SENTENCE_END.split(_without_markup(text)):
        sentence = " ".join(sentence.split())
        if not sentence or (not in_section and _GRANT.search(sentence) is None):
            continue
        if _OTHERS.search(sentence) or (_NOT_OURS.search(sentence) and not _OURS.search(sentence)):
            continue
        kept.append(sentence)
    return kept


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")


def _without_markup(text: str) -> str:
    text = _MARKDOWN_LINK.sub(r"\1", _HTML_TAG.sub(" ", text))
    return re.sub(r"[*_`]+", "", text)


# shields.io's static badge: /badge/<label>-<message>-<color>; "--" is a dash, "_" a space, "__" an underscore.
_BADGE = re.compile(
    r"(?:img\.shields\.io|badgen\.net|badge\.fury\.io|flat\.badgen\.net)/badge/([^\s)\"'>?#]+)", re.IGNORECASE
)


def badge_licenses(readme: str) -> str | None:
    """The license a static shields.io (or badgen) badge labelled "license" shows.

    Dynamic badges (``/github/license/owner/name``) only repeat GitHub's own
    detection and are not a declaration of their own.
    """
    for badge in _BADGE.finditer(readme):
        path = unquote(badge.group(1))
        path = re.sub(r"\.(svg|png)$", "", path, flags=re.IGNORECASE)
        if "/" in path:  # badgen: /badge/<label>/<message>/<color>
            parts = path.split("/")
        else:
            parts = [part.replace("\0", "-") for part in path.replace("--", "\0").split("-")]
        parts = [part.replace("__", "\0").replace("_", " ").replace("\0", "_") for part in parts]
        if len(parts) >= 3 and _LICENSE_TITLE.search(parts[0]):
            found = declared_licenses(parts[1])
            if found is not None:
                return found
    return None


def readme_license_section(readme: str) -> str | None:
    """The body of a Markdown/reStructuredText "License" section, without its heading."""
    lines = readme.splitlines()
    start: int | None = None
    level = 0
    for index, line in enumerate(lines):
        heading = _heading_level(lines, index)
        if start is None:
            if heading and _LICENSE_TITLE.search(line.lstrip("# ")):
                start, level = index, heading
        elif heading and heading <= level:
            body = lines[start + 1 : index]
            return _strip_underline("\n".join(body)) or None
    if start is None:
        return None
    return _strip_underline("\n".join(lines[start + 1 :])) or None


def readme_license(readme: str) -> Match | None:
    """What a README says about the repository's license: a pasted text, a declaration, or a badge."""
    section = readme_license_section(readme)
    if section:
        name, score = identify(section)
        if name is not None:
            return Match(spdx.normalise(name) or name, round(score * README_WEIGHT, 4), "text")
        declared = spdx.combine(
            found for sentence in _declaring_sentences(section, in_section=True)
            if (found := declared_licenses(sentence)) is not None
        )
        if declared is not None:
            return Match(declared, DECLARATION_CONFIDENCE, "declaration")
    badge = badge_licenses(readme)
    if badge is not None:
        return Match(badge, BADGE_CONFIDENCE, "badge")
    declared = next((found for sentence in _declaring_sentences(readme, in_section=False)
                     if (found := declared_licenses(sentence)) is not None), None)
    if declared is not None:
        return Match(declared, DECLARATION_CONFIDENCE, "declaration")
    return None


# --- a repository ------------------------------------------------------------------

def license_findings(texts: Mapping[str, str], readme_path: str | None = None) -> tuple[LicenseFinding, ...]:
    """Findings for every top-level license file, then for what the README declares.

    A license file that matches nothing known still yields a finding (spdx
    None): the repository says *something* about licensing. A README yields
    one only when it names a license.
    """
    findings = []
    for path in sorted((p for p in texts if is_license_file(p)), key=_file_order):
        match = license_of(texts[path])
        findings.append(LicenseFinding(spdx=match.spdx, confidence=match.confidence, source="file", path=path,
                                       how=match.how, closest=match.closest))
    readme = texts.get(readme_path) if readme_path else None
    said = readme_license(readme) if readme else None
    if said is not None:
        findings.append(LicenseFinding(spdx=said.spdx, confidence=said.confidence, source="readme",
                                       path=readme_path, how=said.how))
    return tuple(findings)


def _file_order(path: str) -> tuple[int, int, str]:
    """The plain LICENSE first (it is the repository's own), then variants, then notices about others' code."""
    stem = path.split(".", 1)[0]
    return (is_third_party_notice(path), len(stem) > len("license") + 2, path.lower())


def _heading_level(lines: list[str], index: int) -> int:
    """1-6 for an ATX heading, 1/2 for a setext (or rST) title line, 0 otherwise."""
    atx = _ATX_HEADING.match(lines[index])
    if atx:
        return len(atx.group(1))
    following = lines[index + 1] if index + 1 < len(lines) else ""
    underline = _SETEXT_UNDERLINE.match(following)
    if lines[index].strip() and underline and len(following.strip()) >= 3:
        return 1 if underline.group(1)[0] == "=" else 2
    return 0


def _strip_underline(body: str) -> str:
    return re.sub(r"\A\s*(=+|-+)[ \t]*\n", "", body).strip()
