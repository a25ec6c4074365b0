"""Checks: pure verdicts on one repository's facts, in OpenSSF Scorecard's shape.

Each check is a module with ``NAME`` and ``run(facts, now) -> CheckResult``;
`ALL_CHECKS` lists them in the order a report shows them: can the code be
found, may it be used, is it looked after, can it be run. `score` turns the
results into a health word and a 0-100 reproducibility score.
"""

from __future__ import annotations

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
from tracker.records import CheckResult, RepoFacts


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


def run_checks(facts: RepoFacts, now: datetime) -> list[CheckResult]:
    """Every check on one repository, in `ALL_CHECKS` order.

    `now` is passed in rather than read so that "stale" means the same thing
    in a test, in a re-run of old facts, and across one batch of repositories.
    """
    return [check.run(facts, now) for check in ALL_CHECKS]


__all__ = ["ALL_CHECKS", "CHECK_NAMES", "Check", "run_checks"]
