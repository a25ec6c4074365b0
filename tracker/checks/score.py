"""Two summaries of one repository's check results: its health and a reproducibility score.

**Health** is one word, from the host's status and the `activity` check:

| health   | when                                                              |
|----------|-------------------------------------------------------------------|
| alive    | exists (ok or moved) and has a commit within the last 365 days    |
| stale    | exists (ok or moved) and has had no commit for 365 days           |
| archived | the owner made it read-only                                       |
| gone     | missing, blocked or disabled: the host says the code is not there |
| empty    | exists but no code was ever pushed                                |
| unknown  | unreachable or not checked, or the last commit date is unknown    |

**Reproducibility score** (0-100) weighs the content checks, each scored
0-10, by how much they matter for rerunning the paper. The five items of the
ML Code Completeness Checklist (dependencies, training, evaluation,
pretrained models, results) carry 60; a license 15, since without one nobody
may reuse the code at all; the engineering signals the rest.

| check               | weight | why                                              |
|---------------------|-------:|--------------------------------------------------|
| license             | 15     | without one nobody may reuse the code            |
| dependencies        | 15     | checklist 1: what to install                     |
| pinned_dependencies | 5      | the same install next year                       |
| training_code       | 15     | checklist 2: retrain the model                   |
| evaluation_code     | 10     | checklist 3: check the numbers                   |
| pretrained_models   | 10     | checklist 4: use the model without retraining    |
| results             | 10     | checklist 5: numbers and the command behind them |
| tests               | 5      | the code still works after a change              |
| ci                  | 5      | something runs it on every change                |
| container           | 5      | the whole environment at once                    |
| citation            | 5      | credit the authors correctly                     |

``score = round(100 * sum(weight * check score / 10) / sum(weight of checks not
unknown))``, rounded half up. Unknown checks drop out rather than count as zero,
so one file the host layer could not fetch does not sink it; when less than
half the weight is known (a repository that is gone, unreachable or whose tree
could not be read) the score is None. `existence`, `activity` and `notebooks`
carry no weight: the first two are what `health` says, notebooks are a style.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tracker.checks import activity
from tracker.records import AUTHORITATIVE_GONE, INCONCLUSIVE, CheckResult, Outcome, RepoFacts, Status

REPRO_WEIGHTS: Mapping[str, int] = MappingProxyType({
    "license": 15,
    "dependencies": 15,
    "pinned_dependencies": 5,
    "training_code": 15,
    "evaluation_code": 10,
    "pretrained_models": 10,
    "results": 10,
    "tests": 5,
    "ci": 5,
    "container": 5,
    "citation": 5,
})
# Below this much known weight the score would rest on too little to mean anything.
MIN_KNOWN_WEIGHT = 50


class Health(enum.StrEnum):
    ALIVE = "alive"
    STALE = "stale"
    ARCHIVED = "archived"
    GONE = "gone"
    EMPTY = "empty"
    UNKNOWN = "unknown"


def health(facts: RepoFacts, results: Iterable[CheckResult]) -> Health:
    """The one-word health of a repository, per the table in this module's docstring."""
    if facts.status in INCONCLUSIVE:
        return Health.UNKNOWN
    if facts.status in AUTHORITATIVE_GONE:
        return Health.GONE
    if facts.status is Status.ARCHIVED:
        return Health.ARCHIVED
    if facts.status is Status.EMPTY:
        return Health.EMPTY
    verdict = _by_name(results).get(activity.NAME)
    if verdict is None or verdict.outcome is Outcome.UNKNOWN:
        return Health.UNKNOWN
    return Health.ALIVE if verdict.outcome is Outcome.PASS else Health.STALE


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One row of the score's table: a check, its weight, its 0-10 score, the points it earned."""

    check: str
    weight: int
    score: int | None
    points: float | None


def repro_breakdown(results: Iterable[CheckResult]) -> tuple[ScoreLine, ...]:
    """Every weighted check with what it contributed, in `REPRO_WEIGHTS` order; for the report."""
    found = _by_name(results)
    lines = []
    for check, weight in REPRO_WEIGHTS.items():
        result = found.get(check)
        score = result.score if result is not None and result.outcome is not Outcome.UNKNOWN else None
        lines.append(ScoreLine(check, weight, score, None if score is None else weight * score / 10))
    return tuple(lines)


def repro_score(results: Iterable[CheckResult]) -> int | None:
    """The 0-100 reproducibility score, or None when too little of the content was seen."""
    lines = repro_breakdown(results)
    known = sum(line.weight for line in lines if line.points is not None)
    if known < MIN_KNOWN_WEIGHT:
        return None
    earned = sum(line.points for line in lines if line.points is not None)
    return int(100 * earned / known + 0.5)


def _by_name(results: Iterable[CheckResult]) -> dict[str, CheckResult]:
    found: dict[str, CheckResult] = {}
    for result in results:
        if result.name in found:
            raise ValueError(f"two results for check {result.name!r}; run each check once per repository")
        found[result.name] = result
    return found
