"""Checks: pure verdicts on one repository's facts, in OpenSSF Scorecard's shape.

Each check is a module with ``NAME`` and ``run(facts, now) -> CheckResult``;
`ALL_CHECKS` lists them in the order a report shows them: can the code be
found, may it be used, is it looked after, can it be run. `score` turns the
results into a health word and a 0-100 reproducibility score.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from typing import Protocol

from tracker.checks import (
    activity,
    ci,
    citation,
    container,
    dependencies,
    evaluation_code,
    existence,
    license,
    notebooks,
    pinned_dependencies,
    pretrained_models,
    results,
    tests,
    training_code,
)
from tracker.records import CheckResult, RepoFacts, RepoFiles, Status


class Check(Protocol):
    """What a check module provides; the modules themselves satisfy it."""

    NAME: str

    def run(self, facts: RepoFacts, now: datetime) -> CheckResult: ...


ALL_CHECKS: tuple[Check, ...] = (
    existence,
    license,
    activity,
    dependencies,
    pinned_dependencies,
    training_code,
    evaluation_code,
    pretrained_models,
    results,
    tests,
    ci,
    container,
    citation,
    notebooks,
)

CHECK_NAMES: tuple[str, ...] = tuple(check.NAME for check in ALL_CHECKS)


# The checks that read the host's answer, its metadata or the clock; every
# other check reads the status and the files alone (`content_unknown`, `files_of`).
_BY_FACTS = frozenset({existence.NAME, license.NAME, activity.NAME})
_BY_CONTENT: tuple[Check, ...] = tuple(check for check in ALL_CHECKS if check.NAME not in _BY_FACTS)


def run_checks(facts: RepoFacts, now: datetime) -> list[CheckResult]:
    """Every check on one repository, in `ALL_CHECKS` order.

    `now` is passed in rather than read so that "stale" means the same thing
    in a test, in a re-run of old facts, and across one batch of repositories.
    """
    by_content = dict(zip((check.NAME for check in _BY_CONTENT), _content_results(facts, now), strict=True))
    return [by_content[check.NAME] if check.NAME in by_content else check.run(facts, now) for check in ALL_CHECKS]


def _content_results(facts: RepoFacts, now: datetime) -> tuple[CheckResult, ...]:
    """The content checks' results, kept per status and tree: the same files give the same verdicts.

    Forks, templates and a project's several papers share trees, and these
    eleven checks are most of a check's CPU (README sections, path patterns).
    """
    if facts.files is None:
        return tuple(check.run(facts, now) for check in _BY_CONTENT)
    key = (facts.status, _tree_digest(facts.files))
    with _known_lock:
        known = _known.get(key)
    if known is None:
        known = tuple(check.run(facts, now) for check in _BY_CONTENT)
        with _known_lock:
            if len(_known) >= _KNOWN_MAX:
                _known.clear()
            _known[key] = known
    return known


_KNOWN_MAX = 1024
_known: dict[tuple[Status, bytes], tuple[CheckResult, ...]] = {}
_known_lock = threading.Lock()


def _tree_digest(files: RepoFiles) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    paths = "\0".join(files.paths)
    digest.update(f"{len(files.paths)}:{len(paths)}:{paths}".encode("utf-8", "surrogatepass"))
    for path in sorted(files.texts):
        text = files.texts[path]
        digest.update(f"\1{len(path)}:{path}{len(text)}:".encode("utf-8", "surrogatepass"))
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


__all__ = ["ALL_CHECKS", "CHECK_NAMES", "Check", "run_checks"]
