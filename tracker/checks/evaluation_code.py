"""Can a reader check the paper's numbers? (ML Code Completeness Checklist, item 3.)

Read as a reviewer reads a repository, strongest evidence first:

1. a README command for evaluation: one that runs an evaluation script
   (``python eval.py``, ``bash scripts/test.sh``), that switches evaluation on
   by a flag (``python runner.py --evaluate``, ``--only-eval``, ``--test``,
   ``--mode test``) or subcommand (``python run.py eval``), or that stands under
   words saying so ("To evaluate the model, run:", "## Evaluation",
   "reproduce the results"); a README one folder down counts too;
2. a script named after what it does in the tree: ``eval*``, ``*eval*.py``
   (``experiments/planeeval.py``), ``evaluate*``, ``benchmark*``,
   ``validate.py``, ``test.py``, ``tools/test*``, and ``test_*.py`` outside a
   tests/ folder when it is not a unit test (it imports neither pytest nor
   unittest, or, at the top, its text was not read and the repository has
   no unit-test set-up);
3. an entry-point script that was read whose options switch evaluation on
   (``parser.add_argument('--evaluate')``) or that defines ``evaluate()``.

Anything under a tests/ folder is a unit test (that is the `tests` check), and
so is ``pytest``/``unittest`` in the README. Any of these passes with 10;
nothing fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import (
    Line,
    content_unknown,
    files_of,
    find_paths,
    matches,
)
from tracker.checks.reading import (
    EVAL,
    commands_for,
    entry_point_result,
    is_unit_test,
    script_evidence,
)
from tracker.records import CheckResult, RepoFacts, RepoFiles

NAME = "evaluation_code"
# "retrieval.py" is not an evaluation script.
_RETRIEVAL = re.compile(r"retrieval")

PATTERNS = (
    "eval*.py", "evaluate*.py", "*eval.py", "*_eval_*.py", "*evaluat*.py", "*eval*.py", "benchmark*.py",
    "validate.py", "validation.py", "val.py", "test.py", "eval*.sh", "*eval*.ipynb", "**/scripts/eval*",
    "**/tools/test*", "**/scripts/test*", "test*.sh", "*eval*.sh", "*_test.sh", "**/eval/*.py", "**/evaluation/*.py",
    "**/eval/*.sh", "**/evaluation/*.sh",
)
EXCLUDE = ("tests/", "test/", "unit_tests/", "unittests/", "testing/")
# `test_*.py` beside the code is an evaluation script unless it is a unit test.
TEST_SCRIPTS = ("test_*.py", "test-*.py")
# Where pytest or unittest is set up, an unread `test_*.py` is taken to be a unit test.
UNIT_TEST_SETUP = ("conftest.py", "pytest.ini", "tox.ini", "tests/", "test/")
ENTRY_POINTS = ("main.py", "run*.py", "experiment*.py", "[0-9]*.py", "*/main.py", "*/run*.py", "train*.py")

MISSING = ("No evaluation script (eval*.py, test.py, benchmark*), no README command that evaluates and no entry "
           "point with an evaluation option; nobody can check the reported numbers.")


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    paths = [path for path in find_paths(files, PATTERNS, exclude=EXCLUDE) if _RETRIEVAL.sub("", path.lower())
             .count("eval") or "eval" not in path.lower()]
    paths += [path for path in _test_scripts(files) if path not in paths]
    found = [entry.line for entry in commands_for(files, EVAL)]
    script = None if found or paths else _evaluates(files)
    return entry_point_result(NAME, "Evaluation", "evaluates", files, commands=found, paths=paths, script=script,
                              missing=MISSING)




def _test_scripts(files: RepoFiles) -> list[str]:
    """``test_*.py`` outside tests/ folders that are evaluation scripts, not unit tests."""
    candidates = find_paths(files, TEST_SCRIPTS, exclude=EXCLUDE)
    if not candidates:
        return []
    has_setup = bool(find_paths(files, UNIT_TEST_SETUP))
    found = []
    for path in candidates:
        unit = is_unit_test(files, path)
        # Unread, only a script at the top of a repository without unit-test set-up is taken for evaluation.
        if unit is False or (unit is None and not has_setup and "/" not in path):
            found.append(path)
    return found


def _evaluates(files: RepoFiles) -> Line | None:
    """The first line of an entry point that shows it evaluates (an option or an ``evaluate()``)."""
    for path in [*find_paths(files, ENTRY_POINTS, exclude=EXCLUDE), *_other_scripts(files)]:
        if (line := script_evidence(files, path, EVAL)) is not None:
            return line
    return None


def _other_scripts(files: RepoFiles) -> list[str]:
    """Other Python scripts at the top whose text was read (``copytask.py``)."""
    return sorted(path for path in files.texts if "/" not in path and path.endswith(".py")
                  and not matches(path, ENTRY_POINTS))
