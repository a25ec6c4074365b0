"""Can a reader get the whole environment at once? Container definitions.

Passes with 10 on a Dockerfile, a Compose file, an Apptainer/Singularity
definition, a dev container, or a README command that pulls or runs a
published image (``docker run``, ``singularity pull``). Nothing found fails
with 0. ``*.def`` is also Delphi's and others' extension, so it counts only
when its path names Singularity/Apptainer/container or its text opens with
``Bootstrap:`` as an Apptainer definition does.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import (
    content_unknown,
    files_of,
    find_paths,
    readme_lines,
    search_lines,
    unread_readme,
    verdict,
)
from tracker.records import CheckResult, RepoFacts

NAME = "container"

PATTERNS = (
    "Dockerfile", "Dockerfile.*", "*.Dockerfile", "docker-compose*.yml", "docker-compose*.yaml", "compose.yml",
    "compose.yaml", "Singularity", "Singularity.*", "Apptainer", "Apptainer.*", ".devcontainer/",
    ".devcontainer.json",
)
README = re.compile(
    r"\b(?:docker\s+(?:run|pull)|(?:singularity|apptainer)\s+(?:pull|run|exec|build))\b", re.IGNORECASE
)
_DEF_PATH = re.compile(r"singularity|apptainer|container", re.IGNORECASE)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    definitions = [
        path for path in find_paths(files, ("*.def",))
        if _DEF_PATH.search(path) or files.texts.get(path, "").lstrip().lower().startswith("bootstrap:")
    ]
    return verdict(
        NAME,
        paths=[*find_paths(files, PATTERNS), *definitions],
        lines=search_lines(readme_lines(files), README),
        unread=unread_readme(files),
        found="Container: ",
        missing="No Dockerfile, Compose file, Apptainer definition or published image; "
                "readers must rebuild the environment by hand.",
    )
