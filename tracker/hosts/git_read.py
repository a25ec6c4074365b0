"""What is read at a commit, and what it says: the files worth reading and the activity in the log.

Pure: the same selection of texts serves git
(`tracker.hosts.git`) and GitHub's API (`tracker.hosts.github_content`), so
both ways mean the same by a repository's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracker.hosts.license_text import is_license_file
from tracker.records import Activity, LicenseFinding, RepoFacts, RepoFiles, RepoRef, Status

TEXT_CAP = 64 * 1024
MAX_TEXT_FILES = 40

_TOP_LEVEL_FILES = re.compile(r"readme([-_.][^/]*)?|citation\.cff|\.gitmodules", re.IGNORECASE)
_README = re.compile(r"readme([-_.][^/]*)?", re.IGNORECASE)
# repo2docker's environment files (Julia's and R's too), container specs and build files.
_BUILD_FILES = re.compile(
    r"requirements[^/]*\.txt|environment\.ya?ml|pyproject\.toml|setup\.py|setup\.cfg|pipfile"
    r"|project\.toml|description|install\.r|apt\.txt|runtime\.txt|postbuild"
    r"|dockerfile([-_.][^/]*)?|[^/]+\.dockerfile|[^/]+\.def|singularity([-_.][^/]*)?|makefile",
    re.IGNORECASE,
)
# Scripts a README is likely to tell a reader to run, whose argument parsers say what they do
# (``--evaluate``, ``--train``); read at the top or one folder down, a few at most.
_ENTRY_POINTS = re.compile(
    r"(?:main|run\w*|train\w*|\w*eval\w*|test(?:_\w+)?|experiment\w*|\d+[_-]\w+|finetune\w*|demo\w*"
    r"|reproduce\w*|benchmark\w*)\.py",
    re.IGNORECASE,
)
_NOT_ENTRY_FOLDERS = frozenset({"tests", "test", "docs", "doc", "examples", "third_party", "vendor", "ext"})
MAX_SUB_READMES = 4
MAX_SCRIPTS = 6
MAX_OTHER_SCRIPTS = 4
_REGULAR_MODES = frozenset({"100644", "100755"})



@dataclass(frozen=True, slots=True)
class GitFacts:
    """Everything git tells about a repository, at one moment."""

    status: Status
    detail: str
    head_commit: str | None = None
    activity: Activity | None = None
    files: RepoFiles | None = None
    licenses: tuple[LicenseFinding, ...] = ()
    moved_to: RepoRef | None = None

    def to_repo_facts(self, ref: RepoRef, checked_at: datetime) -> RepoFacts:
        return RepoFacts(
            ref=ref,
            status=self.status,
            detail=self.detail,
            checked_at=checked_at,
            moved_to=self.moved_to,
            activity=self.activity,
            files=self.files,
            licenses=self.licenses,
        )



@dataclass(frozen=True, slots=True)
class TreeEntry:
    """A file (blob or symlink) of a tree, as ``git ls-tree`` and GitHub's trees API both list it."""

    mode: str
    oid: str
    path: str



LOG_FORMAT = "%H%x00%ct%x00%ae"
# Commits whose authors count as contributors, newest first: as many as GitHub's API way reads
# (`tracker.hosts.github_graphql.HISTORY_DEPTH`), so that both ways mean the same by it.
HISTORY_DEPTH = 100


def activity_from_log(log: str, *, head: str, now: datetime, tags: int = 0) -> Activity:
    """`Activity` from ``git log --format=LOG_FORMAT`` lines, newest first; `tags` is the repository's tag count.

    Windows count commits with committer dates in ``(now - N days, now]``.
    The committer date is when a change entered the branch (rebased or
    applied patches keep their old author date), which is what "active" means.
    Facts mean what they mean when read through GitHub's API: contributors are
    the distinct author e-mails of the latest `HISTORY_DEPTH` commits, and the
    first commit is known only when the history is no longer than that.
    """
    dates: list[datetime] = []
    emails: set[str] = set()
    for line in log.splitlines():
        parts = line.split("\0")
        if len(parts) < 3 or not parts[1].isdigit():
            continue
        _, seconds, email = parts[:3]
        dates.append(datetime.fromtimestamp(int(seconds), tz=UTC))
        if email and len(dates) <= HISTORY_DEPTH:
            emails.add(email.lower())
    if not dates:
        return Activity(head_commit=head, tags=tags)

    def since(days: int) -> int:
        start = now - timedelta(days=days)
        return sum(1 for when in dates if start < when <= now)

    return Activity(
        head_commit=head,
        last_commit_at=dates[0],
        first_commit_at=min(dates) if len(dates) <= HISTORY_DEPTH else None,
        commits_90d=since(90),
        commits_365d=since(365),
        contributors=len(emails),
        tags=tags,
    )


def _rank(path: str) -> int | None:
    """Which kind of text checks read `path` as, most needed first; None when they read it not at all.

    0: README, license and citation files and ``.gitmodules`` at the top; 1:
    dependency and container specs at the top or one folder down; 2: READMEs
    one folder down (where the code of a repository often lives); 3:
    entry-point scripts at the top or one folder down; 4: other Python scripts at the top
    (``copytask.py``), which a reviewer opens too.
    """
    depth = path.count("/")
    if depth > 1:
        return None
    folder, _, name = path.rpartition("/")
    if depth == 0 and (_TOP_LEVEL_FILES.fullmatch(name) or is_license_file(name)):
        return 0
    if _BUILD_FILES.fullmatch(name) is not None:
        return 1
    if folder.lower() in _NOT_ENTRY_FOLDERS or folder.startswith("."):
        return None
    if _README.fullmatch(name):
        return 2
    if _ENTRY_POINTS.fullmatch(name):
        return 3
    if depth == 0 and name.lower().endswith(".py") and name not in ("__init__.py", "conftest.py"):
        return 4
    return None


def is_relevant(path: str) -> bool:
    """Whether checks read this file (see `_rank`)."""
    return _rank(path) is not None


_RANK_CAPS = {2: MAX_SUB_READMES, 3: MAX_SCRIPTS, 4: MAX_OTHER_SCRIPTS}


def texts_to_read(entries: Iterable[TreeEntry]) -> list[TreeEntry]:
    """The files whose texts checks read, whichever way the tree was listed: regular files (never a
    symlink's target) that `is_relevant`, most needed kind first and shallowest first within a kind, at most
    `MAX_SUB_READMES` READMEs below the top, `MAX_SCRIPTS` entry points, `MAX_OTHER_SCRIPTS` other scripts
    and `MAX_TEXT_FILES` in all. Each text is
    read up to `TEXT_CAP` bytes, so one repository costs at most ``MAX_TEXT_FILES * TEXT_CAP``."""
    ranked = sorted(
        ((rank, entry) for entry in entries
         if entry.mode in _REGULAR_MODES and (rank := _rank(entry.path)) is not None),
        key=lambda item: (item[0], item[1].path.count("/"), item[1].path),
    )
    taken: dict[int, int] = {}
    chosen = []
    for rank, entry in ranked:
        taken[rank] = taken.get(rank, 0) + 1
        if taken[rank] <= _RANK_CAPS.get(rank, MAX_TEXT_FILES):
            chosen.append(entry)
    return chosen[:MAX_TEXT_FILES]

