"""Which licenses a short text *names*: a README's sentence, a badge, a file's title line.

Authors write "released under the MIT License", "Apache 2.0", "GPLv3+" or a
shields.io badge rather than an SPDX id; these functions turn such wording into
an SPDX expression, and pick out the sentences that grant the repository's
*own* code a license (not a vendored library's, not the weights'). Nothing here
compares whole license texts: that is `license_match`'s.

Pure functions over strings.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from tracker import spdx

# A sentence or a badge naming a license is weaker than the license's text:
# nobody checked the terms themselves, only a name.
DECLARATION_CONFIDENCE = 0.5
BADGE_CONFIDENCE = 0.4

# A heading or a badge label about licensing ("License", "Licence", "Licensing").
LICENSE_TITLE = re.compile(r"licen[cs](e|es|ing)\b", re.IGNORECASE)

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


def declaring_sentences(text: str, *, in_section: bool) -> list[str]:
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
        if len(parts) >= 3 and LICENSE_TITLE.search(parts[0]):
            found = declared_licenses(parts[1])
            if found is not None:
                return found
    return None

