"""Does the repository say how to cite it? CITATION.cff or a BibTeX entry.

Passes with 10 on CITATION.cff, CITATION.bib, CITATION (R's form) or a
``.bib`` file at the root, or a BibTeX entry (``@inproceedings{...``) in the
README. Nothing found fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import presence
from tracker.records import CheckResult, RepoFacts

NAME = "citation"

PATTERNS = ("CITATION.cff", "CITATION.bib", "CITATION", "CITATION.md", "/*.bib")
README = re.compile(
    r"^\s*@(?:article|inproceedings|misc|book|incollection|inbook|conference|phdthesis|mastersthesis"
    r"|techreport|unpublished|online|software|dataset)\s*\{",
    re.IGNORECASE,
)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    return presence(
        NAME,
        facts,
        patterns=PATTERNS,
        readme=README,
        found="Citation: ",
        missing="No CITATION.cff and no BibTeX entry in the README; readers must work out how to cite it.",
    )
