"""Will the same install give the same versions next year? Lock files or ``==`` pins.

A lock file (poetry.lock, uv.lock, package-lock.json, ...) passes with 10.
Otherwise the requirements in requirements*.txt, environment*.yml,
pyproject.toml and Pipfile are read: the score is the pinned share of them,
0-10, and the check passes from 8 (80 % pinned) up. A pin is ``==``/``===``, a
conda ``=version``, a git URL at a commit, or a direct link to a wheel or
archive. No dependency file at all fails with 0; files whose pins we cannot
read (setup.py, or a text the host layer did not fetch) are unknown.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement

from tracker.checks.common import (
    Line,
    cap,
    content_unknown,
    failed,
    files_of,
    find_paths,
    lines_of,
    listing,
    matches,
    passed,
    unknown,
)
from tracker.checks.dependencies import LOCK_PATTERNS, SPEC_PATTERNS
from tracker.records import CheckResult, RepoFacts, RepoFiles

NAME = "pinned_dependencies"

PASS_SCORE = 8

_REQUIREMENTS = ("requirements*.txt", "requirements*.in", "**/requirements/*.txt")
_CONDA = ("environment*.yml", "environment*.yaml", "conda*.yml", "conda*.yaml")
_COMMIT = re.compile(r"@[0-9a-f]{7,40}(?:#|$)", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|zip)(?:#|$)", re.IGNORECASE)
_CONDA_PIN = re.compile(r"^[A-Za-z0-9_.\-]+(?:::[A-Za-z0-9_.\-]+)?\s*==?\s*[0-9][^*,<>|]*$")
_TRAILING_OPTIONS = re.compile(r"\s+(?:\\|--\w[\w-]*).*$")
_POETRY_EXACT = re.compile(r"^(?:==?)?\s*[0-9][0-9A-Za-z.+\-]*$")


@dataclass(frozen=True, slots=True)
class Declared:
    """One requirement as written, whether it pins a version, and the line it is on."""

    text: str
    pinned: bool
    line: Line | None


def pinned_requirement(text: str) -> bool | None:
    """Whether a pip requirement pins one version; None when it is no requirement at all."""
    # pip-compile writes `pkg==1.0 \` and `--hash=...` after the pin; only the requirement is read.
    text = _TRAILING_OPTIONS.sub("", text.split(" #", 1)[0]).strip()
    if not text or text.startswith("#"):
        return None
    if text.startswith("-"):
        # An editable or option line pins only when it names a commit (-e git+...@abc123).
        return bool(_COMMIT.search(text)) if "git+" in text else None
    if "git+" in text:
        return bool(_COMMIT.search(text))
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.url:
        return bool(_COMMIT.search(requirement.url) or _ARCHIVE.search(requirement.url))
    return any(spec.operator in ("==", "===") and "*" not in spec.version for spec in requirement.specifier)


def _conda(data: Any) -> Iterator[tuple[str, bool]]:
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    for item in dependencies or []:
        if isinstance(item, str):
            yield item, bool(_CONDA_PIN.match(item.strip()))
        elif isinstance(item, dict):
            for pip_line in item.get("pip") or []:
                pinned = pinned_requirement(str(pip_line))
                if pinned is not None:
                    yield str(pip_line), pinned


def _poetry(dependencies: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    for name, spec in dependencies.items():
        if name.lower() == "python":
            continue
        if isinstance(spec, dict):
            if "rev" in spec or "path" in spec:
                yield name, "rev" in spec
                continue
            spec = spec.get("version", "*")
        yield name, bool(_POETRY_EXACT.match(str(spec).strip()))


def _pyproject(data: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    for text in data.get("project", {}).get("dependencies", []):
        pinned = pinned_requirement(str(text))
        if pinned is not None:
            yield str(text), pinned
    yield from _poetry(data.get("tool", {}).get("poetry", {}).get("dependencies", {}))


def _pipfile(data: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    for name, spec in data.get("packages", {}).items():
        if isinstance(spec, dict):
            spec = spec.get("version", "*") if "ref" not in spec else "==ref"
        yield name, str(spec).strip().startswith("==")


def _locate(lines: list[Line], text: str) -> Line | None:
    for line in lines:
        if text in line.text:
            return line
    return None


def requirements(files: RepoFiles, path: str) -> list[Declared] | None:
    """The requirements declared in one file; None when we cannot read its pins.

    Raises ValueError naming the file and line when the file is not valid TOML
    or YAML, so the caller can say which file is broken.
    """
    text = files.texts.get(path)
    if text is None:
        return None
    lines = lines_of(files, path)
    name = path.rsplit("/", 1)[-1].lower()
    found: Iterable[tuple[str, bool]]
    if matches(path, _REQUIREMENTS):
        return [Declared(line.text.strip(), pinned, line) for line in lines
                if (pinned := pinned_requirement(line.text)) is not None]
    try:
        if matches(path, _CONDA):
            found = list(_conda(yaml.safe_load(text)))
        elif name == "pyproject.toml":
            found = list(_pyproject(tomllib.loads(text)))
        elif name == "pipfile":
            found = list(_pipfile(tomllib.loads(text)))
        else:
            return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise ValueError(f"{where}: not valid YAML") from error
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from error
    return [Declared(text, pinned, _locate(lines, text)) for text, pinned in found]


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    locks = find_paths(files, LOCK_PATTERNS)
    if locks:
        return passed(NAME, f"Exact versions are locked in {listing(locks)}.", cap(locks))
    specs = find_paths(files, (*_REQUIREMENTS, *SPEC_PATTERNS))
    specs = [path for path in specs if not path.endswith("/")]
    if not find_paths(files, SPEC_PATTERNS):
        return failed(NAME, "No dependency file and no lock file, so no version is pinned.")

    read: list[str] = []
    broken: list[str] = []
    summary: list[str] = []
    declared: list[Declared] = []
    for path in specs:
        try:
            found = requirements(files, path)
        except ValueError as error:
            broken.append(str(error))
            continue
        if found is None:
            continue
        read.append(path)
        declared += found
        summary.append(f"{path}: {sum(r.pinned for r in found)} of {len(found)} pinned")
    if not read:
        return unknown(
            NAME,
            f"Unknown: the pins in {listing(specs)} could not be read, and there is no lock file.",
            cap([*specs, *broken]),
        )
    if not declared:
        return failed(NAME, f"{listing(read)} list{'s' if len(read) == 1 else ''} no packages, so nothing is pinned.",
                      cap([*summary, *broken]))

    pinned = sum(requirement.pinned for requirement in declared)
    score = int(10 * pinned / len(declared) + 0.5)
    loose = [requirement for requirement in declared if not requirement.pinned]
    evidence = cap([*summary, *broken, *(r.line.evidence if r.line else r.text for r in loose)])
    counted = f"{pinned} of {len(declared)} requirements pinned to an exact version ({listing(read)})"
    if not loose:
        return passed(NAME, f"All {pinned} requirements are pinned to an exact version ({listing(read)}), "
                            "though there is no lock file.", evidence, score=score)
    reason = f"{counted}; unpinned: {listing([r.text for r in loose])}."
    if score >= PASS_SCORE:
        return passed(NAME, reason, evidence, score=score)
    return failed(NAME, f"{reason} A later install may get different versions.", evidence, score=score)
