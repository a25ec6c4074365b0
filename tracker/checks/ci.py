"""Does a machine run the code on every change? Continuous integration configuration.

Passes with 10 on any common CI configuration at the repository root:
GitHub Actions workflows, GitLab CI, Travis, CircleCI, Azure Pipelines,
Jenkins, Drone, Bitbucket, AppVeyor, Buildkite. Nothing found fails with 0.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import presence
from tracker.records import CheckResult, RepoFacts

NAME = "ci"

PATTERNS = (
    ".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", ".travis.yml", ".circleci/*",
    "azure-pipelines.yml", "Jenkinsfile", ".drone.yml", "bitbucket-pipelines.yml", "appveyor.yml",
    ".appveyor.yml", ".buildkite/*",
)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    return presence(
        NAME,
        facts,
        patterns=PATTERNS,
        found="Continuous integration: ",
        missing="No continuous integration (.github/workflows, .gitlab-ci.yml, ...); "
                "nothing runs the code when it changes.",
    )
