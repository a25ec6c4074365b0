"""Which license a repository's files grant, by matching their text.

Keyword rules ("contains 'MIT'") misread READMEs that merely mention a
license and miss modified headers; askalono compares the whole text against
the SPDX corpus and returns a similarity score, which becomes the finding's
confidence. Pure functions over file texts: no I/O but askalono's own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

import askalono

from tracker.records import LicenseFinding

# askalono's own command line treats scores below 0.8 as "no confident match".
MATCH_THRESHOLD = 0.8
# A license pasted into a README is a weaker promise than a LICENSE file: it
# may describe only part of the code, or be a leftover from a template.
README_WEIGHT = 0.6

_LICENSE_FILE = re.compile(r"(licen[cs]e|copying)([-_.][^/]*)?", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)[ \t]*$")
_LICENSE_TITLE = re.compile(r"licen[cs](e|es|ing)\b", re.IGNORECASE)


# license.py or licenses.json are code that handles licenses, not a grant.
_CODE_SUFFIXES = frozenset(
    {"py", "js", "ts", "go", "rs", "c", "h", "cc", "cpp", "java", "rb", "sh", "json", "yml", "yaml", "toml", "html", "css"}
)


def is_license_file(path: str) -> bool:
    """LICENSE, LICENCE, COPYING and their variants (LICENSE.md, COPYING-GPL) at the top level."""
    if "/" in path or _LICENSE_FILE.fullmatch(path) is None:
        return False
    return path.rsplit(".", 1)[-1].lower() not in _CODE_SUFFIXES if "." in path else True


def identify(text: str) -> tuple[str | None, float]:
    """The SPDX id askalono matches `text` to, or None below `MATCH_THRESHOLD`, and the score."""
    if not text.strip():
        return None, 0.0
    wording = _wording(text)
    with _known_lock:
        known = _known.get(wording)
    if known is None:
        match = askalono.identify(text)
        score = float(match.score)
        known = (match.name if score >= MATCH_THRESHOLD else None), score
        with _known_lock:
            if len(_known) >= _KNOWN_MAX:
                _known.clear()
            _known[wording] = known
    return known


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


def license_findings(texts: Mapping[str, str], readme_path: str | None = None) -> tuple[LicenseFinding, ...]:
    """Findings for every top-level license file, then for the README's License section.

    A license file that matches nothing known still yields a finding (spdx
    None): the repository says *something* about licensing. A README section
    yields one only when it matches, since most just point at the LICENSE file.
    """
    findings = []
    for path in sorted(p for p in texts if is_license_file(p)):
        spdx, score = identify(texts[path])
        findings.append(LicenseFinding(spdx=spdx, confidence=round(score, 4), source="file", path=path))
    readme = texts.get(readme_path) if readme_path else None
    section = readme_license_section(readme) if readme else None
    if section:
        spdx, score = identify(section)
        if spdx is not None:
            findings.append(
                LicenseFinding(spdx=spdx, confidence=round(score * README_WEIGHT, 4), source="readme", path=readme_path)
            )
    return tuple(findings)


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
