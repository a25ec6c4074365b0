"""May anyone reuse the code? A recognised license, from the file, the API or the README.

Sources come as `LicenseFinding`s: ``file`` (a license file matched by the
host layer), ``api`` (GitHub's own detection, also in `Metadata.license_spdx`)
and ``readme`` (a pasted text, a sentence or a badge naming a license). GitHub
reports ``NOASSERTION`` or ``OTHER`` when a license file exists that it cannot
identify. The files' findings make one SPDX expression (`spdx.repository_license`:
several licenses in one file, LICENSE-MIT beside LICENSE-APACHE as a choice);
GitHub's answer is kept beside it, and a disagreement is said in the reason.

Scores: a recognised license file or API detection 10 (GitHub naming only one of
a file's several licenses is said, not a disagreement); sources that disagree 8
(both kept in evidence: a reader must decide which binds); a license named only
in the README 5 (legally a grant, but invisible to GitHub and scanners); a
license file nobody recognises 0, fail; nothing at all 0, fail.
"""

from __future__ import annotations

from datetime import datetime

from tracker import spdx
from tracker.checks.common import content_unknown, failed, listing, passed, status_unknown, unknown
from tracker.records import CheckResult, LicenseFinding, RepoFacts, Status

NAME = "license"

# What GitHub's API answers for a license file it found but could not name.
_UNNAMED = frozenset({"noassertion", "other", ""})
_LICENSE_FILE_PREFIXES = ("license", "licence", "copying", "unlicense")


def _recognised(spdx_id: str | None) -> str | None:
    if spdx_id is None or spdx_id.strip().lower() in _UNNAMED:
        return None
    return spdx_id.strip()


def _where(finding: LicenseFinding) -> str:
    if finding.source == "api":
        return "GitHub API"
    return finding.path or finding.source


def _describe(finding: LicenseFinding) -> str:
    spdx_id = _recognised(finding.spdx)
    if spdx_id is None:
        closest = f" (closest: {finding.closest}, confidence {finding.confidence:.2f})" if finding.closest else ""
        return f"{_where(finding)}: not a recognised license{closest}"
    if finding.source == "api":
        return f"GitHub API: {spdx_id}"
    how = f", {_HOW[finding.how]}" if finding.how in _HOW else ""
    return f"{_where(finding)}: {spdx_id} ({finding.source}{how}, confidence {finding.confidence:.2f})"


# How a finding was read, as evidence says it; a whole text matched needs no word.
_HOW = {
    "sections": "several licenses in one file",
    "front matter": "its front matter's spdx-id",
    "declaration": "a sentence naming it",
    "badge": "a license badge",
}
_README_HOW = {"declaration": "a sentence naming it", "badge": "a license badge", "text": "a license text"}


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
    evidence = [_describe(finding) for finding in findings]
    files, _, paths = spdx.repository_license(findings)
    api_findings = [finding for finding in findings if finding.source == "api"]
    api = next((spdx_id for f in api_findings if (spdx_id := _recognised(f.spdx)) is not None), None)
    readme_finding = next((f for f in findings if f.source == "readme" and _recognised(f.spdx)), None)
    readme = _recognised(readme_finding.spdx) if readme_finding is not None else None
    unnamed = [_where(finding) for finding in findings
               if finding.source != "readme" and _recognised(finding.spdx) is None]
    if facts.files is not None and not any(finding.source == "file" for finding in findings):
        # A license file the host layer could not match still shows someone meant to license the code.
        for path in facts.files.paths:
            if "/" not in path and path.lower().startswith(_LICENSE_FILE_PREFIXES):
                unnamed.insert(0, path)
                evidence.append(f"{path}: not a recognised license")

    if files or api:
        named = files or api
        origin = listing(paths) if files else "GitHub API"
        said = []
        if files and api and not spdx.same(api, files) and not spdx.within(api, files):
            said.append(f"GitHub API reports {api}")
        if readme and not spdx.within(readme, named):
            said.append(f"the README names {readme}")
        if said:
            return passed(
                NAME,
                f"The sources disagree: {origin} says {named} but {'; '.join(said)}. "
                "Check which license actually applies before reusing the code.",
                evidence,
                score=8,
            )
        reason = f"Licensed {named} ({origin})."
        if files and api and not spdx.same(api, files):
            reason += f" GitHub's API names only {api}, one of them."
        elif files and api_findings and api is None:
            reason += " GitHub's API could not name it (NOASSERTION)."
        return passed(NAME, reason, evidence)
    if readme and readme_finding is not None:
        how = _README_HOW.get(readme_finding.how or "text", "a license text")
        return passed(
            NAME,
            f"Only the README declares a license ({readme}, from {how}): a weaker finding, since there is "
            "no license file; GitHub and license scanners will not find it.",
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
