"""Can a reader check the paper's numbers? (ML Code Completeness Checklist, item 3.)

Passes with 10 on an evaluation script in the tree or a README command that
runs one; nothing found fails with 0. Evaluation scripts are ``eval*``,
``evaluate*``, ``*_eval*``, ``benchmark*``, ``validate.py``/``val.py`` and, as ML
repositories name them, ``test.py`` and ``tools/test*``/``scripts/test*``.
Anything under a tests/ directory is a unit test, not an evaluation (that is
the `tests` check), and so is ``pytest``/``unittest`` in the README.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import presence, script_command
from tracker.records import CheckResult, RepoFacts

NAME = "evaluation_code"

PATTERNS = (
    "eval*.py", "evaluate*.py", "*_eval.py", "*_eval_*.py", "*_evaluation.py", "benchmark*.py", "validate.py",
    "validation.py", "val.py", "test.py", "eval*.sh", "eval*.ipynb", "**/scripts/eval*", "**/tools/test*",
    "**/scripts/test*",
)
EXCLUDE = ("tests/", "test/", "unit_tests/")
README = script_command(r"eval|(?<!py)(?<!unit)test|benchmark|validat")


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    return presence(
        NAME,
        facts,
        patterns=PATTERNS,
        exclude=EXCLUDE,
        readme=README,
        found="Evaluation code: ",
        missing="No evaluation script (eval*.py, test.py, benchmark*) and no evaluation command in the README; "
                "nobody can check the reported numbers.",
    )
