"""Are there notebooks a reader can open and run? Informational only.

Passes with 10 on ``*.ipynb`` in the tree or a Colab link in the README; fails
with 0 otherwise. A script-only repository is no worse for it, so this check
carries no weight in `score.repro_score`; the report shows it as a hint.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import presence
from tracker.records import CheckResult, RepoFacts

NAME = "notebooks"

PATTERNS = ("*.ipynb",)
README = re.compile(r"colab\.research\.google\.com|mybinder\.org", re.IGNORECASE)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    return presence(
        NAME,
        facts,
        patterns=PATTERNS,
        readme=README,
        found="Notebooks: ",
        missing="No Jupyter notebooks or Colab links; the code is run from scripts only.",
    )
