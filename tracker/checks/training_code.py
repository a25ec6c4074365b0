"""Can a reader retrain the model? (ML Code Completeness Checklist, item 2.)

Passes with 10 on a training script in the tree (``train*.py``,
``finetune*.py``, ``pretrain*.py``, ``scripts/train*``, a ``train*.ipynb``) or
a README command that runs one (``python train.py``, ``torchrun ...
tools/train.py``, ``bash scripts/train.sh``, ``python -m pkg.train``). Files
under tests/ do not count: a unit test of the training loop trains nothing.
Nothing found fails with 0.
"""

from __future__ import annotations

from datetime import datetime

from tracker.checks.common import presence, script_command
from tracker.records import CheckResult, RepoFacts

NAME = "training_code"

PATTERNS = (
    "train*.py", "*_train.py", "*-train.py", "finetune*.py", "fine_tune*.py", "pretrain*.py", "train*.sh",
    "train*.ipynb", "**/scripts/train*", "**/tools/train*",
)
EXCLUDE = ("tests/", "test/")
README = script_command(r"train|finetun|fine_tun")


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    return presence(
        NAME,
        facts,
        patterns=PATTERNS,
        exclude=EXCLUDE,
        readme=README,
        found="Training code: ",
        missing="No training script (train*.py, scripts/train*) and no training command in the README; "
                "nobody can retrain the model.",
    )
