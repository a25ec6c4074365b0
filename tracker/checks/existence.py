"""Is the code still where the paper says it is?

Scores: ok 10; archived 10 (read-only, but every line is still there); moved 8
(the old link redirects for now, but GitHub drops the redirect as soon as
someone reuses the old name); empty 0 (the code was never pushed); missing,
blocked and disabled 0. Unreachable and not checked are unknown: a network
fault is never evidence that a repository is gone.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import failed, passed, unknown
from tracker.records import CheckResult, RepoFacts, Status

NAME = "existence"


def _evidence(facts: RepoFacts) -> tuple[str, ...]:
    evidence = [f"host: {facts.detail}"] if facts.detail else []
    if facts.http_status is not None:
        evidence.append(f"HTTP {facts.http_status}")
    if facts.moved_to is not None:
        evidence.append(f"moved to {facts.moved_to.canonical}")
    return tuple(evidence)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    where = f"The repository {facts.ref.canonical}"
    evidence = _evidence(facts)
    match facts.status:
        case Status.OK:
            return passed(NAME, f"{where} exists.", evidence)
        case Status.ARCHIVED:
            return passed(NAME, f"{where} exists but is archived: read-only, nobody will change it again.", evidence)
        case Status.MOVED:
            target = facts.moved_to.canonical if facts.moved_to is not None else "a new location"
            return passed(
                NAME,
                f"{where} moved to {target}; the old link works only while the host keeps a redirect.",
                evidence,
                score=8,
            )
        case Status.EMPTY:
            return failed(NAME, f"{where} exists but is empty: no code was ever pushed to it.", evidence)
        case Status.MISSING:
            return failed(NAME, f"{where} is missing: the host says it does not exist (deleted, renamed or private).",
                          evidence)
        case Status.BLOCKED:
            return failed(NAME, f"{where} is blocked by the host (for example a DMCA takedown).", evidence)
        case Status.DISABLED:
            return failed(NAME, f"{where} is disabled by the host.", evidence)
        case Status.UNREACHABLE:
            return unknown(NAME, f"Unknown: the host could not be reached about {facts.ref.canonical}; "
                                 "that says nothing about whether it exists.", evidence)
        case Status.NOT_CHECKED:
            return unknown(NAME, f"Unknown: {facts.ref.canonical} has not been checked yet.", evidence)
    raise AssertionError(f"unhandled status {facts.status!r}")
