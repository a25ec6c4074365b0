"""Any git host, through git itself: liveness, history, files, licenses.

Every code host speaks git over HTTPS, so one code path covers GitLab,
Bitbucket, Codeberg, SourceForge, Hugging Face and GitHub (whose API adds more,
see `tracker.hosts.github`). Repositories are untrusted input, so:

- URLs are only ever ``https://<host>/<owner>/<name>`` built from a
  validated `RepoRef`, on a known forge or a host the user allows
  (`Settings.git_hosts`); a user's own git config may rewrite them (that is
  the user's choice), nothing from a paper can.
- A paper's link must not make the tracker probe an intranet: before git
  contacts a host the user did not list by name, the host's name is resolved
  and every address must be a public one (no loopback, private, link-local
  or reserved address), unless the user's ``insteadOf`` rules send the URL
  elsewhere. A refused repository is `not_checked`, with the reason.
- Clones are bare and, unless the host's API says the repository is small,
  partial (``--filter=blob:none``): history and trees arrive, file contents
  only for the few files we read, fetched by object id. Nothing is ever
  checked out; files are read from the object database, so symlinks, odd
  paths, submodules and hooks never reach the file system or run.
- Every git process has a time limit, clones also a size limit; exceeding
  either is "unreachable" (our attempt failed), never "missing".
- Git must never wait for a person: no terminal prompt, no askpass helper.
  Public hosts answer 401 for a private repository *and* for a deleted one
  (so as not to reveal which private names exist); git then wants
  credentials. We refuse to give any and report `missing` with the detail
  "the host asks for credentials: deleted or private".
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
from gitdb.util import mman as gitdb_window_manager

from tracker.hosts.license_text import is_license_file, license_findings
from tracker.links import NotARepository, canonical_repo
from tracker.netguard import non_public_address
from tracker.records import Activity, LicenseFinding, RepoFacts, RepoFiles, RepoRef, Status

# Known forges. SourceForge serves git from its own host: git.code.sf.net/p/<project>/<repo>.
GIT_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitea.com", "git.sr.ht",
                       "huggingface.co", "git.code.sf.net"})
ALLOW_HINT = "add it to REPRO_TRACKER_GIT_HOSTS"
TEXT_CAP = 64 * 1024
MAX_TEXT_FILES = 40

# Owner/name path segments as the hosts allow them. A leading "-" would read
# as an option; "..", whitespace, control characters, "%", "@", ":" or "?"
# could change what the URL means.
_SEGMENT = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.+-]*")
# A host name or IPv4 address as `RepoRef` keeps it (lowercase, no port).
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
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
_POLL_SECONDS = 0.05
_SAFE_CONFIG = (
    # Hooks of our own cache never run, whatever the global config says.
    "core.hooksPath=/dev/null",
    "protocol.ext.allow=never",
    # Reject malformed objects before anything parses them; old repositories
    # often carry these harmless defects, which must not make them unreadable.
    "transfer.fsckObjects=true",
    "fetch.fsck.badTimezone=ignore",
    "fetch.fsck.missingSpaceBeforeDate=ignore",
    "fetch.fsck.zeroPaddedFilemode=ignore",
    "fetch.recurseSubmodules=false",
    "submodule.recurse=false",
    # Housekeeping would run for an unbounded time inside our time limit.
    "gc.auto=0",
    "maintenance.auto=false",
)
# Environment for every git process. An empty GIT_ASKPASS also overrides
# core.askPass and SSH_ASKPASS; GIT_NO_LAZY_FETCH (git >= 2.44) stops a read
# from silently downloading a blob we did not choose to fetch.
_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GCM_INTERACTIVE": "never",
    "GIT_NO_LAZY_FETCH": "1",
}
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True, slots=True)
class RemoteHead:
    """What ``git ls-remote`` says: is the repository there, and where is HEAD."""

    status: Status
    detail: str
    head_commit: str | None = None
    default_branch: str | None = None  # "main", not "refs/heads/main"
    redirected_to: str | None = None  # the URL the host sent git to instead, as git wrote it
    tags: int | None = None  # every tag the remote has (refs/tags/*); None: not listed


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


class _LimitExceeded(Exception):
    """A git process ran past its time or size limit and was killed."""


class _Refused(Exception):
    """Git must not contact this host (see `address_refusal`); not evidence of anything."""


class _GitFailed(Exception):
    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """A file (blob or symlink) of a tree, as ``git ls-tree`` and GitHub's trees API both list it."""

    mode: str
    oid: str
    path: str


@dataclass(frozen=True, slots=True)
class _Reading:
    """What was read at one commit (file list, the relevant texts, the log), kept in its clone as JSON.

    A commit's tree and history never change, so a reading stays true as
    long as HEAD is that commit; only activity windows move with the clock,
    and they are counted from the log each time. A reading that cannot be
    loaded (absent, damaged, another format) is simply made again.
    """

    head: str
    detail: str  # what the remote said of HEAD when it was read or last confirmed
    pushed_at: str | None  # the host API's "last pushed" when last confirmed, ISO 8601
    paths: tuple[str, ...]
    texts: dict[str, str]
    log: str
    tags: int = 0  # every tag of the repository when last confirmed (tags move without HEAD moving)

    FILE = "repro-tracker-reading.json"
    FORMAT = 2  # 2: READMEs one folder down and entry-point scripts are read; the tag count is kept

    @classmethod
    def load(cls, repo_dir: Path) -> _Reading | None:
        try:
            data = json.loads((repo_dir / cls.FILE).read_text(encoding="utf-8"))
            if data.get("format") != cls.FORMAT:
                return None
            return cls(data["head"], data["detail"], data["pushed_at"], tuple(data["paths"]), dict(data["texts"]),
                       data["log"], int(data["tags"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, repo_dir: Path) -> None:
        """Write atomically: a crash leaves the old reading or the new one, never half of one."""
        data = {"format": self.FORMAT, "head": self.head, "detail": self.detail, "pushed_at": self.pushed_at,
                "paths": list(self.paths), "texts": self.texts, "log": self.log, "tags": self.tags}
        scratch = repo_dir / f"{self.FILE}.new"
        scratch.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, repo_dir / self.FILE)


def fetch_allowed(host: str, git_hosts: frozenset[str]) -> bool:
    """Whether git may fetch from `host`: a known forge, or a host `git_hosts` names or matches.

    An entry of `git_hosts` is a host (``git.example.org``), every host under a
    domain (``*.example.org``) or any host (``*``). Only a host named exactly
    may be at a private or loopback address (see `address_refusal`).
    """
    if host in GIT_HOSTS or host in git_hosts or "*" in git_hosts:
        return True
    return any(entry.startswith("*.") and host.endswith(entry[1:]) for entry in git_hosts)


def git_url(ref: RepoRef, git_hosts: frozenset[str] = frozenset()) -> str:
    """The ``https://`` URL git may fetch `ref` from; ValueError when it is not safe to.

    The check runs before any git process starts, so nothing a paper wrote
    can become a git option, a transport (``ext::``, ``file://``) or a path
    outside the host, and only known forges and the hosts in `git_hosts` are
    fetched. A self-hosted server of unknown make is asked for ``name.git``,
    the path plain git servers (``git http-backend``, cgit) serve and GitLab,
    Gitea and Forgejo accept too.
    """
    known = ref.host in GIT_HOSTS
    if not fetch_allowed(ref.host, git_hosts):
        raise ValueError(f"refusing {ref.canonical!r}: host {ref.host} not allowed; {ALLOW_HINT}")
    if not _HOST.fullmatch(ref.host):
        raise ValueError(f"refusing {ref.canonical!r}: {ref.host!r} is not a host name")
    segments = [*ref.owner.split("/"), ref.name]
    if ref.host == "git.sr.ht":  # SourceHut owners are written ``~owner``
        segments[0] = segments[0].removeprefix("~")
    for segment in segments:
        if segment in ("", ".") or ".." in segment or not _SEGMENT.fullmatch(segment):
            raise ValueError(
                f"refusing {ref.canonical!r}: path segment {segment!r} is empty, begins with '-', contains '..', "
                "or holds characters other than letters, digits, '.', '_', '-', '+'"
            )
    return ref.https_url if known else f"{ref.https_url}.git"


def address_refusal(host: str, addresses: Iterable[str]) -> str | None:
    """Why git must not contact `host` at these addresses (one not public, see `tracker.netguard`), or None."""
    found = non_public_address(addresses)
    if found is None:
        return None
    return (f"not fetched: {host} resolves to {found.address}, {found.kind} address; a paper's link must not make "
            f"the tracker probe a local network. If this server is yours, {ALLOW_HINT}")


def classify_failure(stderr: str) -> tuple[Status, str]:
    """Status and a readable reason from a failed git command's stderr.

    Only an answer *from the host* may say the repository is gone; everything
    else (DNS, refused connection, TLS, 5xx, 403 rate limits, our own limits)
    says only that we could not look, hence `unreachable`.
    """
    text = _redact(stderr)
    lowered = text.lower()
    evidence = _evidence(text)
    if "dmca" in lowered:
        return Status.BLOCKED, f"the host blocks it (DMCA takedown): {evidence}"
    if "access to this repository has been disabled" in lowered or "repository access blocked" in lowered:
        return Status.DISABLED, f"the host has disabled it: {evidence}"
    if (
        "repository not found" in lowered
        or re.search(r"repository '[^']*' not found", lowered)
        or re.search(r"returned error: (404|410)\b", lowered)
        or "does not appear to be a git repository" in lowered
    ):
        return Status.MISSING, f"the host says it does not exist: {evidence}"
    if (
        "could not read username" in lowered
        or "could not read password" in lowered
        or "authentication failed" in lowered
        or re.search(r"returned error: 401\b", lowered)
    ):
        return Status.MISSING, f"the host asks for credentials: deleted or private ({evidence})"
    return Status.UNREACHABLE, f"could not reach the repository: {evidence}"


_REDIRECT = re.compile(r"^warning: redirecting to (\S+)$", re.MULTILINE)


def redirect_in(stderr: str) -> str | None:
    """The URL git says the host redirected it to (its "warning: redirecting to <url>"), or None."""
    match = _REDIRECT.search(stderr)
    return match.group(1) if match else None


def parse_ls_remote(output: str) -> RemoteHead:
    """`RemoteHead` from the output of ``git ls-remote --symref``."""
    head: str | None = None
    branch: str | None = None
    refs = 0
    tags = 0
    for line in output.splitlines():
        target, _, name = line.partition("\t")
        if target.startswith("ref: ") and name == "HEAD":
            branch = target.removeprefix("ref: ").removeprefix("refs/heads/")
            continue
        refs += 1
        if name == "HEAD":
            head = target
        elif name.startswith("refs/tags/") and not name.endswith("^{}"):  # "^{}": an annotated tag, peeled
            tags += 1
    if refs == 0:
        return RemoteHead(Status.EMPTY, "the repository has no commits")
    if head is None:
        return RemoteHead(Status.OK, "the repository has branches but no default branch (HEAD)", tags=tags)
    return RemoteHead(Status.OK, f"HEAD is {head[:12]} on {branch or 'a detached HEAD'}", head, branch, tags=tags)


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


class GitHost:
    """Checks repositories with the git command line, keeping partial clones in `cache_dir`.

    `timeout` bounds each git process (seconds); `max_clone_bytes` bounds a
    cached repository's size on disk; a repository whose host says it weighs
    at most `whole_clone_max_kb` is cloned with its file contents. `clock` is a monotonic clock in seconds,
    injectable so tests can make a limit pass without waiting for it.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        timeout: float = 60,
        max_clone_bytes: int = 500_000_000,
        whole_clone_max_kb: int = 2048,
        git_hosts: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.timeout = timeout
        self.max_clone_bytes = max_clone_bytes
        self.whole_clone_max_kb = whole_clone_max_kb
        self.git_hosts = git_hosts
        self._clock = clock
        self._guard_lock = threading.Lock()
        self._resolved: dict[str, str | None] = {}  # host -> why it is refused, or None

    def refusal(self, ref: RepoRef) -> str | None:
        """Why git will not read `ref` (a host not allowed, a name that could pass for a git option), or None."""
        try:
            git_url(ref, self.git_hosts)
        except ValueError as refused:
            return f"not checked: {refused}"
        return None

    def _guard(self, ref: RepoRef, url: str) -> None:
        """Raise `_Refused` when git must not contact `ref`'s host (see the module's docstring).

        Resolved once per host and `GitHost`; git resolves the name again
        itself, so this keeps papers' links away from local addresses, not a
        DNS server that lies on purpose. A name that does not resolve is let
        through: git then fails to resolve it too, which is `unreachable`.
        A URL the user's own config rewrites (``insteadOf``) goes where the
        user chose, which is asked of git only for a host that needs it.
        """
        if ref.host in self.git_hosts:
            return
        with self._guard_lock:
            known = ref.host in self._resolved
            reason = self._resolved.get(ref.host)
        if not known:
            try:
                infos = socket.getaddrinfo(ref.host, 443, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError):
                reason = None
            else:
                reason = address_refusal(ref.host, [str(info[4][0]) for info in infos])
            with self._guard_lock:
                self._resolved[ref.host] = reason
        if reason is not None and not self._rewritten(url):
            raise _Refused(reason)

    def _rewritten(self, url: str) -> bool:
        """Whether the user's git config sends `url` elsewhere (``ls-remote --get-url``: no network)."""
        try:
            target = self._git(["ls-remote", "--get-url", "--", url]).decode("utf-8", errors="replace").strip()
        except (_GitFailed, _LimitExceeded):
            return False
        return target != url

    def cache_path(self, ref: RepoRef) -> Path:
        """Where `ref`'s bare clone lives; spellings that differ in case share it."""
        git_url(ref, self.git_hosts)
        path = self.cache_dir / f"{ref.key}.git"
        if not path.resolve().is_relative_to(self.cache_dir.resolve()):
            raise ValueError(f"refusing {ref.canonical!r}: its cache path leaves {self.cache_dir}")
        return path

    def ls_remote(self, ref: RepoRef) -> RemoteHead:
        """Is the repository there, and at which commit is its HEAD."""
        url = git_url(ref, self.git_hosts)
        try:
            self._guard(ref, url)
            output, stderr = self._git_output(["ls-remote", "--symref", "--", url, "HEAD", "refs/heads/*",
                                               "refs/tags/*"])
        except _Refused as refused:
            return RemoteHead(Status.NOT_CHECKED, str(refused))
        except _LimitExceeded as exc:
            return RemoteHead(Status.UNREACHABLE, f"git ls-remote {url}: {exc}")
        except _GitFailed as exc:
            status, reason = classify_failure(exc.stderr)
            return RemoteHead(status, f"git ls-remote {url}: {reason}")
        head = parse_ls_remote(output.decode("utf-8", errors="replace"))
        return dataclasses.replace(head, redirected_to=redirect_in(stderr))

    def inspect(self, ref: RepoRef, *, now: datetime, size_kb: int | None = None,
                pushed_at: datetime | None = None) -> GitFacts:
        """Liveness, activity, relevant files and licenses of `ref`'s default branch.

        A repository seen before is asked first whether its HEAD moved
        (``ls-remote``, one round trip) and fetched only if it did. One never
        seen is cloned at once: the clone answers "is it there" as well as
        ``ls-remote`` would, and git processes, not the network, are what a
        first run spends its time on. `size_kb` is the host API's estimate of
        the repository's size; one at most `whole_clone_max_kb` is cloned with
        its file contents, which saves the second round trip for the files we
        read, while a larger one (or one of unknown size) is cloned without them.

        What a commit holds never changes, so the files and history read at
        one are kept beside its clone (`_Reading`) and an unchanged HEAD costs
        one ``ls-remote``. `pushed_at` is when the host's API says anything was
        last pushed: when it equals the time kept with that reading, nothing
        was pushed since and git is not asked at all.
        """
        url = git_url(ref, self.git_hosts)
        repo_dir = self.cache_path(ref)
        repo_dir.parent.mkdir(parents=True, exist_ok=True)
        pushed = pushed_at.isoformat() if pushed_at is not None else None
        with _locked(repo_dir.parent / f"{repo_dir.name}.lock"):
            try:
                whole = size_kb is not None and size_kb <= self.whole_clone_max_kb
                # A reading is saved only after the clone reached its head, and the
                # clone moves only on a push, which moves pushed_at too.
                reading = _Reading.load(repo_dir)
                if reading is not None and pushed is not None and reading.pushed_at == pushed:
                    return self._facts(ref, RemoteHead(Status.OK, reading.detail, reading.head), reading, now)
                local = _local_head(repo_dir)
                moved = False
                if local is None:
                    shutil.rmtree(repo_dir, ignore_errors=True)  # a broken cache: start over
                    self._guard(ref, url)
                    remote = self._clone(url, repo_dir, whole=whole)
                else:
                    remote = self.ls_remote(ref)
                    moved = remote.head_commit is not None and remote.head_commit != local
                    if moved and remote.default_branch is not None:
                        self._fetch_branch(repo_dir, remote.default_branch)
                    elif moved:
                        shutil.rmtree(repo_dir)  # the remote's HEAD moved off any branch: clone afresh
                        remote = self._clone(url, repo_dir, whole=whole)
                if remote.status is Status.EMPTY:
                    return GitFacts(Status.EMPTY, remote.detail, None, Activity(), RepoFiles(), ())
                if remote.status is not Status.OK or remote.head_commit is None:
                    return GitFacts(remote.status, remote.detail)
                head = _local_head(repo_dir) if moved else remote.head_commit
                if head is None:
                    raise _GitFailed("the clone has no HEAD commit")
                kept = reading if reading is not None and reading.head == head else None
                if kept is None:
                    entries = self._tree(repo_dir, head)
                    texts = self._read_texts(repo_dir, entries)
                    log = self._git(["--git-dir", str(repo_dir), "log", f"--format={LOG_FORMAT}", head])
                    reading = _Reading(head, remote.detail, pushed, tuple(entry.path for entry in entries), texts,
                                       log.decode("utf-8", errors="replace"), self._tag_count(url, remote, repo_dir))
                else:
                    reading = dataclasses.replace(kept, detail=remote.detail, pushed_at=pushed or kept.pushed_at,
                                                  tags=self._tag_count(url, remote, repo_dir))
                if reading != kept:  # a confirmation that changes nothing is not written again
                    reading.save(repo_dir)
            except _Refused as refused:
                return GitFacts(Status.NOT_CHECKED, str(refused))
            except _LimitExceeded as exc:
                shutil.rmtree(repo_dir, ignore_errors=True)
                return GitFacts(Status.UNREACHABLE, f"{url}: {exc}; the partial copy was removed")
            except _GitFailed as exc:
                status, reason = classify_failure(exc.stderr)
                return GitFacts(status, f"{url}: {reason}")
        return self._facts(ref, remote, reading, now)

    def _tag_count(self, url: str, remote: RemoteHead, repo_dir: Path) -> int:
        """Every tag of the repository, as GitHub's API counts them (not only those git's tag following
        brought along with the default branch): from ``ls-remote`` when it ran, else one more asked for the
        tags alone (after a first clone, which cannot fetch tags off its branch); failing that, the clone's."""
        if remote.tags is not None:
            return remote.tags
        try:
            output = self._git(["ls-remote", "--tags", "--refs", "--", url])
            return sum(1 for line in output.splitlines() if b"\trefs/tags/" in line)
        except (_GitFailed, _LimitExceeded):
            try:
                return len(git.Repo(repo_dir).tags)
            except (ValueError, OSError, git.exc.GitError):
                return 0

    def _facts(self, ref: RepoRef, remote: RemoteHead, reading: _Reading, now: datetime) -> GitFacts:
        """`GitFacts` from what the remote said and what was read at its HEAD; activity is counted up to `now`."""
        activity = activity_from_log(reading.log, head=reading.head, now=now, tags=reading.tags)
        files = RepoFiles(paths=reading.paths, texts=reading.texts)
        licenses = license_findings(reading.texts, files.readme_path)
        moved_to = self._redirect_target(ref, remote.redirected_to) if remote.redirected_to else None
        if moved_to is not None:
            detail = f"the host redirects it to {moved_to.canonical} (renamed or transferred); {remote.detail}"
            return GitFacts(Status.MOVED, detail, reading.head, activity, files, licenses, moved_to)
        return GitFacts(Status.OK, remote.detail, reading.head, activity, files, licenses)

    def _redirect_target(self, ref: RepoRef, redirected: str) -> RepoRef | None:
        """The repository a host redirected git to, in the host's own terms; None when it is `ref` itself.

        Hosts redirect for spelling too (GitLab adds ``.git``; case differs),
        which is no move. The user's ``insteadOf`` rules may have rewritten
        the URL before git asked, so the redirect is read relative to what
        git made of ``https://<host>/`` (``ls-remote --get-url``, no network).
        """
        url = git_url(ref, self.git_hosts)
        rewritten = self._git(["ls-remote", "--get-url", "--", url]).decode("utf-8", errors="replace").strip()
        path = url.removeprefix(f"https://{ref.host}/")
        base = rewritten.removesuffix(path) if rewritten.endswith(path) else None
        if base and redirected.startswith(base):
            redirected = f"https://{ref.host}/{redirected.removeprefix(base)}"
        try:
            target = canonical_repo(redirected.rstrip("/"), git_hosts=self.git_hosts | {ref.host})
        except NotARepository:
            return None
        return None if target.key == ref.key else target

    # --- cache -----------------------------------------------------------

    def _fetch_branch(self, repo_dir: Path, branch: str) -> None:
        """Fetch the remote's default branch into the cache and make it HEAD.

        Tags that point into the fetched history come along (git's tag following).
        """
        self._git(
            ["--git-dir", str(repo_dir), "fetch", "--quiet", "--force", "origin",
             f"+refs/heads/{branch}:refs/heads/{branch}"],
            watch=repo_dir,
        )
        self._git(["--git-dir", str(repo_dir), "symbolic-ref", "HEAD", f"refs/heads/{branch}"])

    def _clone(self, url: str, repo_dir: Path, *, whole: bool) -> RemoteHead:
        """Clone `url` and say what it holds, as `ls_remote` would.

        The clone goes into a scratch directory and is moved into place only
        when it has a commit, so a killed clone never leaves a half-filled
        cache behind and an empty repository is asked again next time.
        """
        # One scratch name per repository: whatever is there is from a clone
        # killed mid-way, whose owner held the lock we hold now. (Searching the
        # directory for leftovers instead cost a listing of every sibling per
        # clone: quadratic in an owner with 10,000 repositories.)
        scratch = repo_dir.parent / f"{repo_dir.name}.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        target = scratch / "repo.git"
        contents = [] if whole else ["--filter=blob:none"]
        try:
            try:
                # Not --quiet: that would also silence the warning naming a redirect.
                _, stderr = self._git_output(
                    ["clone", "--bare", *contents, "--single-branch", "--no-recurse-submodules",
                     "--", url, str(target)],
                    watch=scratch,
                )
            except _GitFailed as exc:
                status, reason = classify_failure(exc.stderr)
                return RemoteHead(status, f"git clone {url}: {reason}")
            head, branch = _local_head_and_branch(target)
            if head is None:
                return RemoteHead(Status.EMPTY, "the repository has no commits")
            target.rename(repo_dir)
            return RemoteHead(Status.OK, f"HEAD is {head[:12]} on {branch or 'a detached HEAD'}", head, branch,
                              redirected_to=redirect_in(stderr))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _tree(self, repo_dir: Path, head: str) -> list[TreeEntry]:
        """Files and symlinks at `head` (submodules are commits, not files)."""
        out = self._git(["--git-dir", str(repo_dir), "ls-tree", "-r", "-z", "--full-tree", head])
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split(" ")
            if kind == "blob":
                entries.append(TreeEntry(mode, oid, raw_path.decode("utf-8", errors="replace")))
        return entries

    def _read_texts(self, repo_dir: Path, entries: Sequence[TreeEntry]) -> dict[str, str]:
        """Fetch the relevant blobs by id, then read at most `TEXT_CAP` bytes of each.

        Symlinks are never read: their blob is only a link target. The object
        database is read by GitPython in-process, which cannot trigger git's
        lazy fetch of objects we did not ask for.
        """
        wanted = texts_to_read(entries)
        if not wanted:
            return {}
        with _object_database(repo_dir) as odb:
            missing = sorted({e.oid for e in wanted if not odb.has_object(bytes.fromhex(e.oid))})
        if missing:
            self._git(
                ["--git-dir", str(repo_dir), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "origin",
                 *missing],
                watch=repo_dir,
            )
        texts = {}
        with _object_database(repo_dir) as odb:
            for entry in wanted:
                stream = odb.stream(bytes.fromhex(entry.oid))
                texts[entry.path] = stream.read(min(stream.size, TEXT_CAP)).decode("utf-8", errors="replace")
        return texts

    # --- processes -------------------------------------------------------

    def _git(self, args: Sequence[str], *, watch: Path | None = None) -> bytes:
        """Run git with our safety settings and limits; stdout, or _GitFailed / _LimitExceeded."""
        return self._git_output(args, watch=watch)[0]

    def _git_output(self, args: Sequence[str], *, watch: Path | None = None) -> tuple[bytes, str]:
        """`_git`, with what git wrote to stderr on success too (warnings such as redirects).

        The process gets its own session so that killing it also kills the
        helpers it started (remote-https, index-pack, upload-pack), and so no
        helper can open the terminal to ask for a password.
        """
        argv = ["git"]
        for setting in _SAFE_CONFIG:
            argv += ["-c", setting]
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # Run inside the cache and stop git's repository discovery there: a
        # repository around the working directory (or around the cache) would
        # otherwise lend its config, hooks and fsmonitor to ls-remote and clone.
        env = {**_ENV, "GIT_CEILING_DIRECTORIES": str(self.cache_dir.resolve().parent)}
        handle = git.Git(self.cache_dir).execute([*argv, *args], as_process=True, env=env, start_new_session=True)
        proc: subprocess.Popen[bytes] = handle.proc
        started = self._clock()
        try:
            while True:
                try:
                    stdout, stderr = proc.communicate(timeout=_POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    if self._clock() - started > self.timeout:
                        raise _LimitExceeded(
                            f"git {_subcommand(args)} did not finish within {self.timeout:g} s"
                        ) from None
                    if watch is not None and _disk_usage(watch) > self.max_clone_bytes:
                        raise _LimitExceeded(
                            f"the repository grew past the size limit of {self.max_clone_bytes:,} bytes"
                        ) from None
        except BaseException:
            _kill(proc)
            raise
        if proc.returncode != 0:
            raise _GitFailed(stderr.decode("utf-8", errors="replace"))
        # A transfer quicker than one poll is only measured here.
        if watch is not None and _disk_usage(watch) > self.max_clone_bytes:
            raise _LimitExceeded(f"the repository grew past the size limit of {self.max_clone_bytes:,} bytes")
        return stdout, stderr.decode("utf-8", errors="replace")


def _subcommand(args: Sequence[str]) -> str:
    return args[2] if args[0] == "--git-dir" else args[0]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


def _disk_usage(root: Path) -> int:
    total = 0
    for directory, _, names in os.walk(root):
        for name in names:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except FileNotFoundError:
                continue  # git renames temporary files while we count
    return total


# gitdb maps pack files through one process-wide window manager that keeps
# every file it opened open (no handle limit): three descriptors per checked
# repository, "Too many open files" after ~6,000 (bench/results.md). The
# manager is not thread-safe, so its use is serialized and released after.
_object_database_lock = threading.Lock()


@contextmanager
def _object_database(repo_dir: Path) -> Iterator[git.GitDB]:
    with _object_database_lock:
        try:
            yield git.GitDB(str(repo_dir / "objects"))
        finally:
            gitdb_window_manager.collect()


def _local_head(repo_dir: Path) -> str | None:
    """The commit HEAD names in a cached clone, or None when there is no clone or no commit."""
    return _local_head_and_branch(repo_dir)[0]


def _local_head_and_branch(repo_dir: Path) -> tuple[str | None, str | None]:
    """HEAD's commit and branch ("main"; None when detached) in a cached clone.

    GitPython reads the ref files itself: no git process for a question the
    file system answers.
    """
    if not (repo_dir / "HEAD").is_file():
        return None, None
    try:
        repo = git.Repo(repo_dir)
        sha = git.SymbolicReference.dereference_recursive(repo, "HEAD")
        branch = None if repo.head.is_detached else repo.head.reference.name
    except (ValueError, OSError, git.exc.GitError):
        return None, None
    return (sha, branch) if re.fullmatch(r"[0-9a-f]{40}", sha) else (None, None)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """One process at a time per cached repository (Prefect runs checks concurrently)."""
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _redact(text: str) -> str:
    """Remove credentials a user's URL rewrite may carry, and the GitHub token."""
    text = _USERINFO.sub("", text)
    token = os.environ.get("GITHUB_TOKEN")
    return text.replace(token, "***") if token else text


def _evidence(stderr: str) -> str:
    """The lines of git's message that say what happened, as one line.

    Clone's opening line names our scratch directory: no evidence, and no
    business in a report.
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("Cloning into")]
    return " / ".join(lines[:3])[:300] or "git gave no reason"
