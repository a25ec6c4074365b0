"""What every check shares: when content is unknowable, path patterns, README lines.

Checks read `RepoFacts` and nothing else, so a check is a pure function that a
test drives with hand-built facts. The helpers here keep the rules that must be
the same for every check in one place: which statuses make content unknown, how
a file pattern matches a path, how a README line becomes evidence.

Path patterns (all case-insensitive, because authors are not consistent):

* ``name/`` -- a directory of that name (a glob) at any depth; the evidence is
  the directory, not every file under it.
* a pattern containing ``/`` -- a glob against the whole path from the
  repository root, one segment at a time: ``*`` stays within a segment and
  ``**`` stands for any number of directories (``**/scripts/train*``). A
  leading ``/`` only anchors (``/*.bib`` is a ``.bib`` file at the root).
* anything else -- a glob against the file's base name at any depth.

A signal that only the README could show is unknown, not failing, when the
tree has a README whose text was not fetched.

Files under vendored or environment directories (``node_modules/``,
``third_party/``, ``ext/``, ``pybind11-*/``, ``venv/``, ..., and the git
submodules ``.gitmodules`` names) are ignored: a copied library's ``train.py``
says nothing about the paper's own code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import pathspec

from tracker.records import (
    AUTHORITATIVE_GONE,
    INCONCLUSIVE,
    CheckResult,
    Outcome,
    RepoFacts,
    RepoFiles,
    Status,
)

# Evidence is shown in tables; a README line longer than this is cut.
MAX_LINE = 120
# Beyond this many items the evidence says how many more there were.
MAX_EVIDENCE = 8

# Directories of other people's code or of an environment, as gitignore patterns (at any depth).
VENDORED_PATTERNS = (
    "node_modules/", "site-packages/", "vendor/", "vendors/", "third_party/", "third-party/", "thirdparty/",
    "3rdparty/", "ext/", "external/", "extern/", "pybind11*/", "eigen-*/", ".git/", "venv/", ".venv/",
    ".ipynb_checkpoints/", "__pycache__/",
)
# One regex of pathspec's translations, so a tree of 100,000 paths is one match per path.
_VENDORED_RE = re.compile("|".join(
    f"(?:{pattern.regex.pattern})" for pattern in pathspec.PathSpec.from_lines("gitignore", VENDORED_PATTERNS).patterns
    if isinstance(pattern, pathspec.RegexPattern) and pattern.regex is not None
).replace("(?P<ps_d>", "(?:"))
_SUBMODULE_PATH = re.compile(r"^\s*path\s*=\s*(.+?)\s*$", re.MULTILINE)


def status_unknown(name: str, facts: RepoFacts) -> CheckResult | None:
    """The `unknown` result when the host's answer leaves nothing to judge, else None.

    A fault on our side (unreachable, not checked) says nothing about the
    repository, and a repository that is gone has no content to judge: both are
    unknown rather than failing, so that a flaky network never lowers a score.
    """
    if facts.status in INCONCLUSIVE:
        if facts.status is Status.UNREACHABLE:
            return unknown(name, "Unknown: the host could not be reached, so the repository's content was not seen.")
        return unknown(name, "Unknown: the repository has not been checked yet.")
    if facts.status in AUTHORITATIVE_GONE:
        return unknown(name, f"Unknown: the repository is {facts.status.value}, so there is no content to check.")
    return None


def content_unknown(name: str, facts: RepoFacts) -> CheckResult | None:
    """Like `status_unknown`, and also unknown when the file tree was not read.

    An empty repository is the exception: its content was seen, and is nothing.
    """
    gate = status_unknown(name, facts)
    if gate is None and facts.files is None and facts.status is not Status.EMPTY:
        return unknown(name, "Unknown: the repository exists but its file tree could not be read.")
    return gate


def files_of(facts: RepoFacts) -> RepoFiles:
    """The tree to inspect; an empty repository has an empty tree even if none was sent."""
    return facts.files if facts.files is not None else RepoFiles()


def unknown(name: str, reason: str, evidence: Sequence[str] = ()) -> CheckResult:
    return CheckResult(name=name, outcome=Outcome.UNKNOWN, score=None, reason=reason, evidence=tuple(evidence))


def passed(name: str, reason: str, evidence: Sequence[str] = (), score: int = 10) -> CheckResult:
    return CheckResult(name=name, outcome=Outcome.PASS, score=score, reason=reason, evidence=tuple(evidence))


def failed(name: str, reason: str, evidence: Sequence[str] = (), score: int = 0) -> CheckResult:
    return CheckResult(name=name, outcome=Outcome.FAIL, score=score, reason=reason, evidence=tuple(evidence))


def _segment(glob: str) -> str:
    """A regex for one path segment's glob: ``*`` and ``?`` never cross ``/``."""
    out, index = [], 0
    while index < len(glob):
        char = glob[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (close := glob.find("]", index + 1)) != -1:
            inside = glob[index:close].replace("\\", "\\\\")
            out.append(f"[^{inside[1:]}]" if inside.startswith("!") else f"[{inside}]")
            index = close + 1
        else:
            out.append(re.escape(char))
    return "".join(out)


def _regex(pattern: str) -> str:
    """One pattern of the language in this module's docstring, as a regex over a lowercased path.

    Its one group is the evidence: the whole path, or the directory for ``name/``.
    """
    pattern = pattern.lower()
    if pattern.endswith("/"):
        # Lazy, so the evidence is the shallowest directory of that name.
        return rf"((?:[^/]+/)*?{_segment(pattern[:-1])}/)"
    if "/" in pattern:
        *directories, name = pattern.strip("/").split("/")
        body = "".join(r"(?:[^/]+/)*" if part == "**" else _segment(part) + "/" for part in directories)
        return rf"({body}{_segment(name)})$"
    return rf"((?:[^/]+/)*{_segment(pattern)})$"


@lru_cache(maxsize=256)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """All patterns as one regex; alternatives are tried in order, so the first pattern wins."""
    if not patterns:
        return None
    return re.compile("^(?:" + "|".join(_regex(pattern) for pattern in patterns) + ")")


@lru_cache(maxsize=64)
def _submodules(gitmodules: str) -> pathspec.PathSpec:
    return pathspec.PathSpec.from_lines("gitignore", [f"/{path.strip('/')}/" for path in
                                                          _SUBMODULE_PATH.findall(gitmodules)])


def is_vendored(path: str, files: RepoFiles | None = None) -> bool:
    """Whether `path` is in vendored code: a `VENDORED_PATTERNS` directory or a git submodule of `files`."""
    lowered = path.lower()
    if _VENDORED_RE.match(lowered):
        return True
    gitmodules = files.texts.get(".gitmodules") if files is not None else None
    return gitmodules is not None and _submodules(gitmodules).match_file(path)


def _match(path: str, lowered: str, patterns: tuple[str, ...]) -> str | None:
    """The evidence for `path` under the first matching pattern: the path, its directory, or None."""
    compiled = _compile(patterns)
    found = compiled.match(lowered) if compiled is not None else None
    return path[: found.end(found.lastindex or 0)] if found is not None else None


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether one path (or a directory it is in) matches any of the patterns."""
    return _match(path, path.lower(), tuple(patterns)) is not None


@lru_cache(maxsize=16)
def _own_paths(paths: tuple[str, ...], gitmodules: str | None) -> tuple[tuple[str, str], ...]:
    """`paths` outside vendored code, each with its lowercase form.

    Every presence check asks `find_paths` of the same tree (a dozen times per
    repository); which paths are the repository's own is worked out once.
    """
    files = RepoFiles(paths=paths, texts={".gitmodules": gitmodules} if gitmodules is not None else {})
    return tuple((path, path.lower()) for path in paths if not is_vendored(path, files))


def find_paths(files: RepoFiles, patterns: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """Paths (or directories) matching any pattern, shallowest first.

    `exclude` uses the same pattern language; a path matching it is skipped.
    Shallow first because the root's ``requirements.txt`` is the one a reader
    finds, not the tenth copy in an example folder.
    """
    patterns = tuple(patterns)
    exclude = tuple(exclude)
    found: dict[str, None] = {}
    for path, lowered in _own_paths(files.paths, files.texts.get(".gitmodules")):
        if _match(path, lowered, exclude) is not None:
            continue
        hit = _match(path, lowered, patterns)
        if hit is not None:
            found.setdefault(hit, None)
    return sorted(found, key=lambda hit: (hit.rstrip("/").count("/"), hit.lower()))


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a file, numbered from 1, kept verbatim (escaping is the report's job)."""

    path: str
    number: int
    text: str

    @property
    def evidence(self) -> str:
        text = self.text.strip()
        if len(text) > MAX_LINE:
            text = text[: MAX_LINE - 1] + "…"
        return f"{self.path}:{self.number}: {text}"


def lines_of(files: RepoFiles, path: str) -> list[Line]:
    text = files.texts.get(path)
    if text is None:
        return []
    return [Line(path, number, line) for number, line in enumerate(text.splitlines(), start=1)]


def readme_lines(files: RepoFiles) -> list[Line]:
    """The root README's lines; empty when there is none or its text was not fetched."""
    path = files.readme_path
    return lines_of(files, path) if path is not None else []


def unread_readme(files: RepoFiles) -> str | None:
    """The root README's path when the tree has one but its text was not fetched.

    Then a signal that only the README could show is unknown, not absent.
    """
    path = files.readme_path
    return path if path is not None and path not in files.texts else None


def search_lines(lines: Iterable[Line], pattern: re.Pattern[str]) -> list[Line]:
    return [line for line in lines if pattern.search(line.text)]


# Where a command starts: not in the middle of a word or a path.
_LAUNCHER = r"(?<![\w./-])(?:python3?|torchrun|accelerate\s+launch|deepspeed|bash|sh|sbatch|srun)"
# `python -m` runs of tools, not of the paper's code.
_TOOL_MODULES = r"(?!(?:pip|venv|ensurepip|pytest|unittest|jupyter|notebook)\b)"


def script_command(word: str) -> re.Pattern[str]:
    """README lines that run a script whose name contains `word` (a regex; "" for any script).

    Matches ``python train.py``, ``torchrun --nproc 8 tools/train.py``,
    ``python -m pkg.train``, ``bash scripts/train_all.sh``, ``./train.sh``.
    """
    script = rf"(?<![\w./-])[\w./-]*(?:{word})[\w.-]*\.(?:py|sh)\b"
    return re.compile(
        rf"{_LAUNCHER}\s[^\n]*?{script}"
        rf"|(?<![\w./-])python3?\s+-m\s+{_TOOL_MODULES}(?=\w)[\w.]*(?:{word})\w*"
        rf"|(?<![\w./-])\./[\w./-]*(?:{word})[\w.-]*\.(?:sh|py)\b",
        re.IGNORECASE,
    )


def cap(items: Sequence[str], limit: int = MAX_EVIDENCE) -> tuple[str, ...]:
    """At most `limit` evidence items, the last saying how many were left out."""
    if len(items) <= limit:
        return tuple(items)
    return (*items[: limit - 1], f"… and {len(items) - limit + 1} more")


def listing(items: Sequence[str], limit: int = 3) -> str:
    """A short human list for a reason string: ``a, b, c and 4 more``."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def verdict(
    name: str,
    *,
    paths: Sequence[str],
    lines: Sequence[Line],
    found: str,
    missing: str,
    unread: str | None = None,
) -> CheckResult:
    """A presence signal's result: pass (10) when files or README lines show it, else fail (0).

    `found` opens the reason (``"Training code: "``) and is followed by where
    the signal was seen; `missing` is the whole reason when it was not.
    `unread` names a README that was not fetched: nothing found is then unknown.
    """
    if not paths and not lines and unread is not None:
        return unknown(name, f"Unknown: no file shows it and {unread} was not read, so it may be described there.")
    if not paths and not lines:
        return failed(name, missing)
    shown = [*paths, *(f"{line.path}:{line.number}" for line in lines)]
    evidence = [*paths, *(line.evidence for line in lines)]
    return passed(name, f"{found}{listing(shown)}.", cap(evidence))


def presence(
    name: str,
    facts: RepoFacts,
    *,
    patterns: Sequence[str] = (),
    exclude: Sequence[str] = (),
    readme: re.Pattern[str] | None = None,
    found: str,
    missing: str,
) -> CheckResult:
    """The whole of a simple signal check: files matching `patterns`, README lines matching `readme`."""
    if (gate := content_unknown(name, facts)) is not None:
        return gate
    files = files_of(facts)
    paths = find_paths(files, patterns, exclude=exclude) if patterns else []
    lines = search_lines(readme_lines(files), readme) if readme is not None else []
    unread = unread_readme(files) if readme is not None else None
    return verdict(name, paths=paths, lines=lines, found=found, missing=missing, unread=unread)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive time is taken to be UTC, as git and GitHub report it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
