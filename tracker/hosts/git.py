"""Any git host, through git itself: liveness, history, files, licenses.

`GitHost` holds the clone, fetch and cache mechanics; what its answers mean is
`tracker.hosts.git_status`'s, what is read at a commit `tracker.hosts.git_read`'s,
and how a git process runs `tracker.hosts.git_process`'s.

Every code host speaks git over HTTPS, so one code path covers GitLab,
Bitbucket, Codeberg, Hugging Face and GitHub (whose API adds more,
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
import shutil
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import git

from tracker.hosts.git_process import (
    GitFailed,
    LimitExceeded,
    Refused,
    local_head,
    local_head_and_branch,
    locked,
    object_database,
    run_git,
)
from tracker.hosts.git_read import (
    HISTORY_DEPTH,
    LOG_FORMAT,
    TEXT_CAP,
    GitFacts,
    TreeEntry,
    activity_from_log,
    is_relevant,
    texts_to_read,
)
from tracker.hosts.git_status import (
    ALLOW_HINT,
    GIT_HOSTS,
    RemoteHead,
    address_refusal,
    classify_failure,
    fetch_allowed,
    git_url,
    parse_ls_remote,
    redirect_in,
)
from tracker.hosts.license_text import license_findings
from tracker.hosts.reading import Reading
from tracker.links import NotARepository, canonical_repo
from tracker.records import Activity, RepoFiles, RepoRef, Status

# What git read at a commit, kept in its clone (see `tracker.hosts.reading`).
READING_FILE = "repro-tracker-reading.json"

__all__ = ["ALLOW_HINT", "GIT_HOSTS", "HISTORY_DEPTH", "TEXT_CAP", "GitFacts", "GitHost", "RemoteHead", "TreeEntry",
           "activity_from_log", "address_refusal", "classify_failure", "fetch_allowed", "git_url", "is_relevant",
           "parse_ls_remote", "redirect_in", "texts_to_read"]


class GitHost:
    """Checks repositories with the git command line, keeping partial clones in `cache_dir`.

    `timeout` bounds each git process (seconds); `max_clone_bytes` bounds a
    cached repository's size on disk; a repository whose host says it weighs
    at most `whole_clone_max_kb` is cloned with its file contents; `secrets` (the GitHub token)
    never appear in a detail, should a user's URL rewrite put them in git's words. `clock` is a monotonic
    clock in seconds, injectable so tests can make a limit pass without waiting for it.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        timeout: float = 60,
        max_clone_bytes: int = 500_000_000,
        whole_clone_max_kb: int = 2048,
        git_hosts: frozenset[str] = frozenset(),
        secrets: tuple[str, ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.timeout = timeout
        self.max_clone_bytes = max_clone_bytes
        self.whole_clone_max_kb = whole_clone_max_kb
        self.git_hosts = git_hosts
        self.secrets = tuple(secret for secret in secrets if secret)
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
        """Raise `Refused` when git must not contact `ref`'s host (see the module's docstring).

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
            raise Refused(reason)

    def _rewritten(self, url: str) -> bool:
        """Whether the user's git config sends `url` elsewhere (``ls-remote --get-url``: no network)."""
        try:
            target = self._git(["ls-remote", "--get-url", "--", url]).decode("utf-8", errors="replace").strip()
        except (GitFailed, LimitExceeded):
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
        except Refused as refused:
            return RemoteHead(Status.NOT_CHECKED, str(refused))
        except LimitExceeded as exc:
            return RemoteHead(Status.UNREACHABLE, f"git ls-remote {url}: {exc}")
        except GitFailed as exc:
            status, reason = classify_failure(exc.stderr, self.secrets)
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
        one are kept beside its clone (`Reading`) and an unchanged HEAD costs
        one ``ls-remote``. `pushed_at` is when the host's API says anything was
        last pushed: when it equals the time kept with that reading, nothing
        was pushed since and git is not asked at all.
        """
        url = git_url(ref, self.git_hosts)
        repo_dir = self.cache_path(ref)
        repo_dir.parent.mkdir(parents=True, exist_ok=True)
        pushed = pushed_at.isoformat() if pushed_at is not None else None
        with locked(repo_dir.parent / f"{repo_dir.name}.lock"):
            try:
                whole = size_kb is not None and size_kb <= self.whole_clone_max_kb
                # A reading is saved only after the clone reached its head, and the
                # clone moves only on a push, which moves pushed_at too.
                reading = Reading.load(repo_dir / READING_FILE)
                if reading is not None and pushed is not None and reading.pushed_at == pushed:
                    return self._facts(ref, RemoteHead(Status.OK, reading.detail, reading.head), reading, now)
                local = local_head(repo_dir)
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
                head = local_head(repo_dir) if moved else remote.head_commit
                if head is None:
                    raise GitFailed("the clone has no HEAD commit")
                kept = reading if reading is not None and reading.head == head else None
                if kept is None:
                    entries = self._tree(repo_dir, head)
                    texts = self._read_texts(repo_dir, entries)
                    log = self._git(["--git-dir", str(repo_dir), "log", f"--format={LOG_FORMAT}", head])
                    reading = Reading(head, tuple(entry.path for entry in entries), texts,
                                      log=log.decode("utf-8", errors="replace"), detail=remote.detail,
                                      pushed_at=pushed, tags=self._tag_count(url, remote, repo_dir))
                else:
                    reading = dataclasses.replace(kept, detail=remote.detail, pushed_at=pushed or kept.pushed_at,
                                                  tags=self._tag_count(url, remote, repo_dir))
                if reading != kept:  # a confirmation that changes nothing is not written again
                    reading.save(repo_dir / READING_FILE)
            except Refused as refused:
                return GitFacts(Status.NOT_CHECKED, str(refused))
            except LimitExceeded as exc:
                shutil.rmtree(repo_dir, ignore_errors=True)
                return GitFacts(Status.UNREACHABLE, f"{url}: {exc}; the partial copy was removed")
            except GitFailed as exc:
                status, reason = classify_failure(exc.stderr, self.secrets)
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
        except (GitFailed, LimitExceeded):
            try:
                return len(git.Repo(repo_dir).tags)
            except (ValueError, OSError, git.exc.GitError):
                return 0

    def _facts(self, ref: RepoRef, remote: RemoteHead, reading: Reading, now: datetime) -> GitFacts:
        """`GitFacts` from what the remote said and what was read at its HEAD; activity is counted up to `now`."""
        activity = activity_from_log(reading.log or "", head=reading.head, now=now, tags=reading.tags)
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
            except GitFailed as exc:
                status, reason = classify_failure(exc.stderr, self.secrets)
                return RemoteHead(status, f"git clone {url}: {reason}")
            head, branch = local_head_and_branch(target)
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
        with object_database(repo_dir) as odb:
            missing = sorted({e.oid for e in wanted if not odb.has_object(bytes.fromhex(e.oid))})
        if missing:
            self._git(
                ["--git-dir", str(repo_dir), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "origin",
                 *missing],
                watch=repo_dir,
            )
        texts = {}
        with object_database(repo_dir) as odb:
            for entry in wanted:
                stream = odb.stream(bytes.fromhex(entry.oid))
                texts[entry.path] = stream.read(min(stream.size, TEXT_CAP)).decode("utf-8", errors="replace")
        return texts

    # --- processes -------------------------------------------------------

    def _git(self, args: Sequence[str], *, watch: Path | None = None) -> bytes:
        """Run git with our safety settings and limits; stdout, or GitFailed / LimitExceeded."""
        return self._git_output(args, watch=watch)[0]

    def _git_output(self, args: Sequence[str], *, watch: Path | None = None) -> tuple[bytes, str]:
        """`_git`, with what git wrote to stderr on success too (warnings such as redirects)."""
        return run_git(args, cwd=self.cache_dir, timeout=self.timeout, clock=self._clock,
                       max_bytes=self.max_clone_bytes, watch=watch)
