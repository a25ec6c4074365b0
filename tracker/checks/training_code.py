"""Can a reader retrain the model? (ML Code Completeness Checklist, item 2.)

Read as a reviewer reads a repository, strongest evidence first:

1. a README command for training: one that runs a training script
   (``python train.py``, ``torchrun ... tools/train.py``, ``python -m
   pkg.train``), that says so itself (``python run.py train``, ``python main.py
   --mode train``), or that stands under words saying so ("To train the model,
   run:", a "## Training" section), whatever the script is called
   (``python copytask.py``, ``python 1_copying.py``); a README one folder down
   counts too;
2. a training script in the tree (``train*.py``, ``finetune*.py``,
   ``scripts/train*``, a ``train*.ipynb``);
3. an entry-point script that was read (``main.py``, ``run.py``, numbered
   scripts, other scripts at the top such as ``copytask.py``) whose options or
   body train (``--epochs``, ``loss.backward()``, ``.fit(``).

Files under tests/ and vendored code do not count: a unit test of the training
loop trains nothing, and a copied library's ``train.py`` is not the paper's.
Any of these passes with 10; nothing fails with 0.
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
from tracker.checks.reading import TRAIN, commands_for, entry_point_result, script_evidence
from tracker.records import CheckResult, RepoFacts, RepoFiles

NAME = "training_code"

PATTERNS = (
    "train*.py", "*_train.py", "*-train.py", "finetune*.py", "fine_tune*.py", "pretrain*.py", "train*.sh",
    "train*.ipynb", "*_train*.ipynb", "**/scripts/train*", "**/tools/train*", "*train.py", "*_train_*.py",
)
# "constraint.py" and "strain.py" are not training scripts.
_NOT_TRAINING = re.compile(r"(?:con)?strain\w*\.py$|restrain\w*\.py$", re.IGNORECASE)
EXCLUDE = ("tests/", "test/")
# Entry points whose name says nothing: read them to see whether they train.
ENTRY_POINTS = ("main.py", "run*.py", "experiment*.py", "[0-9]*.py", "*/main.py", "*/run*.py")

MISSING = ("No training script (train*.py, scripts/train*), no README command that trains and no entry point that "
           "trains; nobody can retrain the model.")


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    found = [entry.line for entry in commands_for(files, TRAIN)]
    paths = [path for path in find_paths(files, PATTERNS, exclude=EXCLUDE) if not _NOT_TRAINING.search(path)]
    script = None if found or paths else _trains(files)
    return entry_point_result(NAME, "Training", "trains", files, commands=found, paths=paths, script=script,
                              missing=MISSING)



def _trains(files: RepoFiles) -> Line | None:
    """The first line of an entry point with a neutral name that shows it trains."""
    for path in [*find_paths(files, ENTRY_POINTS, exclude=EXCLUDE), *_other_scripts(files)]:
        if (line := script_evidence(files, path, TRAIN)) is not None:
            return line
    return None


def _other_scripts(files: RepoFiles) -> list[str]:
    """Other Python scripts at the top whose text was read (``copytask.py``)."""
    return sorted(path for path in files.texts if "/" not in path and path.endswith(".py")
                  and not matches(path, ENTRY_POINTS))
