"""Which licenses a repository's files grant: its license files' texts, then what its README says.

The repository's own LICENSE (and COPYING, LICENSE-MIT, ...) at the root is
matched as a whole text (`license_match`); a README that pastes a license under
a "License" heading is matched the same way but counts for less, and one that
only *declares* a license ("This project is licensed under the MIT License", a
shields.io badge) is a weaker finding still (`license_declared`), marked with
how it was read.

Pure functions over file texts; each text's reading is kept for the process by
its digest (`license_findings`), since many repositories ship the same text.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from tracker import spdx
from tracker.hosts.license_declared import (
    BADGE_CONFIDENCE,
    DECLARATION_CONFIDENCE,
    LICENSE_TITLE,
    badge_licenses,
    declared_licenses,
    declaring_sentences,
)
from tracker.hosts.license_match import Match, front_matter, identify, license_of
from tracker.records import LicenseFinding
from tracker.spdx import is_third_party_notice

__all__ = [
    "Match",
    "badge_licenses",
    "declared_licenses",
    "front_matter",
    "identify",
    "is_license_file",
    "license_findings",
    "license_of",
    "readme_license",
    "readme_license_section",
]

# A license pasted into a README is a weaker promise than a LICENSE file: it
# may describe only part of the code, or be a leftover from a template.
README_WEIGHT = 0.6

_LICENSE_FILE = re.compile(r"(un)?(licen[cs]es?|copying)([-_.][^/]*)?", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)[ \t]*$")
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


def readme_license_section(readme: str) -> str | None:
    """The body of a Markdown/reStructuredText "License" section, without its heading."""
    lines = readme.splitlines()
    start: int | None = None
    level = 0
    for index, line in enumerate(lines):
        heading = _heading_level(lines, index)
        if start is None:
            if heading and LICENSE_TITLE.search(line.lstrip("# ")):
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
            found for sentence in declaring_sentences(section, in_section=True)
            if (found := declared_licenses(sentence)) is not None
        )
        if declared is not None:
            return Match(declared, DECLARATION_CONFIDENCE, "declaration")
    badge = badge_licenses(readme)
    if badge is not None:
        return Match(badge, BADGE_CONFIDENCE, "badge")
    declared = next((found for sentence in declaring_sentences(readme, in_section=False)
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
        match = _known("file", texts[path], license_of)
        findings.append(LicenseFinding(spdx=match.spdx, confidence=match.confidence, source="file", path=path,
                                       how=match.how, closest=match.closest))
    readme = texts.get(readme_path) if readme_path else None
    said = _known("readme", readme, readme_license) if readme else None
    if said is not None:
        findings.append(LicenseFinding(spdx=said.spdx, confidence=said.confidence, source="readme",
                                       path=readme_path, how=said.how))
    return tuple(findings)


# What a text grants, by a digest of the text: reading one costs milliseconds
# (askalono, section cutting, SPDX parsing), and the same text comes back in
# every fork and every repository that ships a verbatim license. Cleared
# when full: a run rarely meets a text again after thousands of others.
_KNOWN_MAX = 4096
_Read = TypeVar("_Read", Match, Match | None)
_known_matches: dict[tuple[str, bytes], Any] = {}
_known_lock = threading.Lock()


def _known(role: str, text: str, read: Callable[[str], _Read]) -> _Read:
    key = (role, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest())
    with _known_lock:
        if key in _known_matches:
            return cast(_Read, _known_matches[key])
    match = read(text)
    with _known_lock:
        if len(_known_matches) >= _KNOWN_MAX:
            _known_matches.clear()
        _known_matches[key] = match
    return match


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
