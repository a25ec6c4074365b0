"""Does the repository say what it needs to run? (ML Code Completeness Checklist, item 1.)

A dependency file of any common ecosystem passes with 10: repo2docker's
environment files (``environment.yml``, ``requirements.txt``, ``Pipfile``,
``setup.py``, ``setup.cfg``, ``pyproject.toml``, Julia's ``Project.toml`` and
``Manifest.toml``, R's ``DESCRIPTION`` and ``install.R``, ``apt.txt``,
``runtime.txt``, ``postBuild``, a ``Dockerfile``) and other ecosystems'
manifests, outside vendored code. Dependencies stated only in a README (the
root's or one folder down) pass with 6: a reader can follow them, but no tool
can. A README states them with an install command (``pip install torch==1.1``,
``conda install``, ``conda env create``), with a list under a "Dependencies",
"Requirements", "Prerequisites", "Installation" or "Setup" heading whose items
name packages or versions, or with versions in prose ("Python 3.6 and PyTorch
1.1"). Nothing fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import (
    Line,
    cap,
    content_unknown,
    failed,
    files_of,
    find_paths,
    listing,
    passed,
    unknown,
    unread_readme,
)
from tracker.checks.reading import documents
from tracker.records import CheckResult, RepoFacts, RepoFiles

NAME = "dependencies"

# Shared with `pinned_dependencies`, which reads the pins out of these same files.
SPEC_PATTERNS = (
    "requirements*.txt", "requirements*.in", "requirements/", "environment*.yml", "environment*.yaml",
    "conda*.yml", "conda*.yaml", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "package.json",
    "Cargo.toml", "go.mod", "Gemfile", "DESCRIPTION", "Project.toml", "pom.xml", "build.gradle*",
    "vcpkg.json", "conanfile.*",
)
# repo2docker's other environment files; a Dockerfile only when nothing else declares them.
ENVIRONMENT_PATTERNS = ("install.R", "apt.txt", "runtime.txt", "postBuild", "REQUIRE", "env*.yml", "env*.yaml",
                        "requirements*.yml")
CONTAINER_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.dockerfile")
LOCK_PATTERNS = (
    "poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock", "conda-lock.yml", "*.conda-lock.yml", "requirements*.lock",
    "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "Gemfile.lock", "renv.lock",
    "Manifest.toml", "composer.lock",
)

_INSTALL = re.compile(
    r"\b(?:pip3?\s+install|conda\s+(?:env\s+create|create|install)|mamba\s+(?:env\s+create|create|install)"
    r"|uv\s+(?:pip\s+install|sync)|poetry\s+install|pipenv\s+install|npm\s+(?:install|ci)|cargo\s+build"
    r"|install\.packages\(|Pkg\.(?:add|instantiate)\(|apt(?:-get)?\s+install|luarocks\s+install)",
    re.IGNORECASE,
)
# A package someone would name with its version: "PyTorch 1.1", "python>=3.6", "`numpy` v1.14.5".
_PACKAGES = (r"python|pytorch|torch\w*|tensorflow(?:-gpu)?|keras|jax|jaxlib|flax|numpy|scipy|pandas|"
             r"scikit-learn|sklearn|cuda|cudnn|opencv(?:-python)?|mxnet|chainer|theano|julia|matlab|gcc|"
             r"transformers|pillow|matplotlib|gym|dgl|pyg|torch-geometric|networkx|h5py|tqdm|cupy|horovod|apex|"
             r"mujoco(?:-py)?|spacy|nltk|gensim|xgboost|lightgbm|sympy|seaborn|pyyaml|hydra|wandb|tensorboard\w*|"
             r"fairseq|detectron2|mmcv|timm|dm-haiku|optax|numba|cython|cmake|boost|eigen|opencv")
_VERSIONED = re.compile(
    rf"(?<![\w/.-])`?(?:{_PACKAGES})`?\)?\s*(?:\(`?\w+`?\)\s*)?(?:version\s*|v\.?\s*|==|>=|<=|~=|=|:\s*)?\d+\.\d+",
    re.IGNORECASE,
)
_DEPENDENCY_HEADING = re.compile(
    r"dependenc|requirement|prerequisite|install|set\s*-?up|environment|getting started|software|packages",
    re.IGNORECASE,
)
# "Requirements: numpy, scipy, jupyter." -- a sentence that names what is needed.
_NEEDS = re.compile(rf"\b(?:requirements?|dependencies|depends\s+on|requires?|required(?:\s+packages)?|"
                    rf"prerequisites?|needs)\b\s*:?\s+"
                    rf"(?:the\s+following\s*:?\s*)?`?(?:{_PACKAGES})(?![\w-])", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
_PACKAGE_NAME = re.compile(rf"(?<![\w/.-])(?:{_PACKAGES})(?![\w-])|\b[\w.-]+\s*(?:==|>=|<=|~=)\s*\d|\d+\.\d+",
                           re.IGNORECASE)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    paths = find_paths(files, (*SPEC_PATTERNS, *LOCK_PATTERNS, *ENVIRONMENT_PATTERNS)) or find_paths(
        files, CONTAINER_PATTERNS)
    if paths:
        return passed(NAME, f"Dependencies: declared in {listing(paths)}.", cap(paths))
    if (unread := unread_readme(files)) is not None:
        return unknown(NAME, f"Unknown: no dependency file, and {unread} was not read for install commands.")
    lines = stated_in_readme(files)
    if lines:
        first = lines[0]
        return passed(
            NAME,
            f"Dependencies: no dependency file, but {first.path}:{first.number} states them "
            f"(`{first.text.strip()[:60]}`); tools cannot read that.",
            cap([line.evidence for line in lines]),
            score=6,
        )
    return failed(NAME, "No dependency file (requirements.txt, environment.yml, pyproject.toml, ...) and no install "
                        "command or list of requirements in the README; a reader must guess what the code needs.")


def stated_in_readme(files: RepoFiles) -> list[Line]:
    """README lines (root, or one folder down) that state dependencies: install commands, requirement lists,
    versions in prose."""
    found: list[Line] = []
    for doc in documents(files):
        for entry in doc:
            text = entry.line.text
            listed = bool(_LIST_ITEM.match(text)) and bool(_DEPENDENCY_HEADING.search(entry.heading)) and bool(
                _PACKAGE_NAME.search(text))
            if _INSTALL.search(text) or _VERSIONED.search(text) or listed or _NEEDS.search(text):
                found.append(entry.line)
    return found
