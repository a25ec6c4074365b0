"""Does the repository say what it needs to run? (ML Code Completeness Checklist, item 1.)

A dependency file of any common ecosystem passes with 10. Install commands in
the README alone (``pip install torch``, ``conda env create``) pass with 6: a
reader can follow them, but no tool can. Nothing fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import (
    cap,
    content_unknown,
    failed,
    files_of,
    find_paths,
    listing,
    passed,
    readme_lines,
    search_lines,
    unknown,
    unread_readme,
)
from tracker.records import CheckResult, RepoFacts

NAME = "dependencies"

# Shared with `pinned_dependencies`, which reads the pins out of these same files.
SPEC_PATTERNS = (
    "requirements*.txt", "requirements*.in", "requirements/", "environment*.yml", "environment*.yaml",
    "conda*.yml", "conda*.yaml", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "package.json",
    "Cargo.toml", "go.mod", "Gemfile", "DESCRIPTION", "Project.toml", "pom.xml", "build.gradle*",
    "vcpkg.json", "conanfile.*",
)
LOCK_PATTERNS = (
    "poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock", "conda-lock.yml", "*.conda-lock.yml", "requirements*.lock",
    "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "Gemfile.lock", "renv.lock",
    "Manifest.toml", "composer.lock",
)

_INSTALL = re.compile(
    r"\b(?:pip3?\s+install|conda\s+(?:env\s+create|create|install)|mamba\s+(?:env\s+create|create|install)"
    r"|uv\s+(?:pip\s+install|sync)|poetry\s+install|pipenv\s+install|npm\s+(?:install|ci)|cargo\s+build)\b",
    re.IGNORECASE,
)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    paths = find_paths(files, (*SPEC_PATTERNS, *LOCK_PATTERNS))
    if paths:
        return passed(NAME, f"Dependencies are declared in {listing(paths)}.", cap(paths))
    if (unread := unread_readme(files)) is not None:
        return unknown(NAME, f"Unknown: no dependency file, and {unread} was not read for install commands.")
    lines = search_lines(readme_lines(files), _INSTALL)
    if lines:
        return passed(
            NAME,
            f"No dependency file, but the README says how to install them ({lines[0].path}:{lines[0].number}); "
            "tools cannot read that.",
            cap([line.evidence for line in lines]),
            score=6,
        )
    return failed(NAME, "No dependency file (requirements.txt, environment.yml, pyproject.toml, ...) and no install "
                        "command in the README; a reader must guess what the code needs.")
