"""May anyone reuse the code? A recognised license, from the file, the API or the README.

Sources come as `LicenseFinding`s: ``file`` (a license file matched by the
host layer), ``api`` (GitHub's own detection, also in `Metadata.license_spdx`)
and ``readme`` (a sentence naming a license). GitHub reports ``NOASSERTION`` or
``OTHER`` when a license file exists that it cannot identify.

Scores: a recognised license file or API detection 10; sources that disagree 8
(both kept in evidence: a reader must decide which binds); a license named only
in the README 5 (legally a grant, but invisible to GitHub and scanners); a
license file nobody recognises 0, fail; nothing at all 0, fail.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import content_unknown, failed, listing, passed, status_unknown, unknown
from tracker.records import CheckResult, LicenseFinding, RepoFacts, Status

NAME = "license"

# What GitHub's API answers for a license file it found but could not name.
_UNNAMED = frozenset({"noassertion", "other", ""})
_LICENSE_FILE_PREFIXES = ("license", "licence", "copying", "unlicense")


def _recognised(spdx: str | None) -> str | None:
    if spdx is None or spdx.strip().lower() in _UNNAMED:
        return None
    return spdx.strip()


def _same(left: str, right: str) -> bool:
    """SPDX ids equal up to case and the ``-only`` suffix GitHub leaves off."""
    def norm(spdx: str) -> str:
        return spdx.lower().removesuffix("-only")
    return norm(left) == norm(right)


def _where(finding: LicenseFinding) -> str:
    if finding.source == "api":
        return "GitHub API"
    return finding.path or finding.source


def _describe(finding: LicenseFinding) -> str:
    spdx = _recognised(finding.spdx)
    if spdx is None:
        return f"{_where(finding)}: not a recognised license"
    if finding.source == "api":
        return f"GitHub API: {spdx}"
    return f"{_where(finding)}: {spdx} ({finding.source}, confidence {finding.confidence:.2f})"


def _findings(facts: RepoFacts) -> list[LicenseFinding]:
    """Every finding, with the API's metadata answer added when no API finding carries it."""
    findings = list(facts.licenses)
    api_spdx = facts.metadata.license_spdx if facts.metadata is not None else None
    if api_spdx is not None and not any(finding.source == "api" for finding in findings):
        findings.append(LicenseFinding(spdx=api_spdx, confidence=1.0, source="api"))
    return findings


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    gate = status_unknown(NAME, facts)
    if gate is not None:
        return gate
    findings = _findings(facts)
    if not findings and (gate := content_unknown(NAME, facts)) is not None:
        # GitHub's API may name the license even when the tree could not be read.
        return gate
    by_source: dict[str, list[str]] = {"file": [], "api": [], "readme": []}
    for finding in findings:
        spdx = _recognised(finding.spdx)
        if spdx is not None and not any(_same(spdx, seen) for seen in by_source.setdefault(finding.source, [])):
            by_source[finding.source].append(spdx)
    evidence = [_describe(finding) for finding in findings]
    unnamed = [_where(finding) for finding in findings
               if finding.source != "readme" and _recognised(finding.spdx) is None]
    if facts.files is not None and not any(finding.source == "file" for finding in findings):
        # A license file the host layer could not match still shows someone meant to license the code.
        for path in facts.files.paths:
            if "/" not in path and path.lower().startswith(_LICENSE_FILE_PREFIXES):
                unnamed.insert(0, path)
                evidence.append(f"{path}: not a recognised license")

    files, api, readme = by_source["file"], by_source["api"], by_source["readme"]
    if files or api:
        named = files or api
        origin = listing([_where(finding) for finding in findings
                          if finding.source == ("file" if files else "api") and _recognised(finding.spdx)])
        others = [(source, spdx) for source in ("api", "readme") for spdx in by_source[source]
                  if not any(_same(spdx, mine) for mine in named)]
        if not others:
            return passed(NAME, f"Licensed {' and '.join(named)} ({origin}).", evidence)
        said = "; ".join(f"{'GitHub API reports' if source == 'api' else 'the README names'} {spdx}"
                         for source, spdx in others)
        return passed(
            NAME,
            f"The sources disagree: {origin} says {' and '.join(named)} but {said}. "
            "Check which license actually applies before reusing the code.",
            evidence,
            score=8,
        )
    if readme:
        return passed(
            NAME,
            f"The README says the code is under {' and '.join(readme)}, but there is no license file; "
            "GitHub and license scanners will not find it.",
            evidence,
            score=5,
        )
    if unnamed:
        return failed(
            NAME,
            f"A license file exists but is not a recognised license ({listing(list(dict.fromkeys(unnamed)))}); "
            "read it before reusing the code.",
            evidence,
        )
    if facts.files is None and facts.status is not Status.EMPTY:
        return unknown(NAME, "Unknown: the file tree could not be read and no source names a license.", evidence)
    api_said = "GitHub detects none either" if facts.metadata is not None else "no other source names one"
    return failed(NAME, f"No license file; {api_said}. Without a license nobody may reuse this code.", evidence)
