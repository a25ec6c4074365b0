"""Does the code test itself? Unit tests are how a reader trusts a change.

Passes with 10 on a tests/ (or test/, spec/, __tests__/) directory, test files
(``test_*.py``, ``*_test.py``, ``*_test.go``, ``*.test.ts``, ``*_spec.rb``) or
test runner configuration (pytest.ini, conftest.py, tox.ini, noxfile.py).
A top-level ``test.py`` and ``tools/test*``/``scripts/test*`` are evaluation
scripts in ML repositories and do not count here. Nothing found fails with 0.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import presence
from tracker.records import CheckResult, RepoFacts

NAME = "tests"

PATTERNS = (
    "tests/", "test/", "__tests__/", "spec/", "unit_tests/", "test_*.py", "*_test.py", "*_test.go",
    "*.test.js", "*.test.ts", "*.spec.js", "*.spec.ts", "*_spec.rb", "*Test.java", "pytest.ini", "conftest.py",
    "tox.ini", "noxfile.py",
)
EXCLUDE = ("**/tools/test*", "**/scripts/test*")


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    return presence(
        NAME,
        facts,
        patterns=PATTERNS,
        exclude=EXCLUDE,
        found="Tests: ",
        missing="No tests (no tests/ directory, no test_*.py, no pytest configuration); "
                "nothing shows the code still works after a change.",
    )
