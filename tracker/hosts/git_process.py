"""Running git safely: our settings and environment, time and size limits, cache locks.

Every git process runs in its own session with a prompt-free environment and
the settings below; a process past its time or size limit is killed with its
helpers (`LimitExceeded`), and a failed one raises `GitFailed` with its stderr
for `tracker.hosts.git_status` to judge.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import git
from gitdb.util import mman as gitdb_window_manager  # type: ignore[import-untyped]

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



class LimitExceeded(Exception):
    """A git process ran past its time or size limit and was killed."""


class Refused(Exception):
    """Git must not contact this host (see `address_refusal`); not evidence of anything."""


class GitFailed(Exception):
    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr




def subcommand(args: Sequence[str]) -> str:
    return args[2] if args[0] == "--git-dir" else args[0]


def kill(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def disk_usage(root: Path) -> int:
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
def object_database(repo_dir: Path) -> Iterator[git.GitDB]:
    with _object_database_lock:
        try:
            yield git.GitDB(str(repo_dir / "objects"))
        finally:
            gitdb_window_manager.collect()


def local_head(repo_dir: Path) -> str | None:
    """The commit HEAD names in a cached clone, or None when there is no clone or no commit."""
    return local_head_and_branch(repo_dir)[0]


def local_head_and_branch(repo_dir: Path) -> tuple[str | None, str | None]:
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
def locked(lock_path: Path) -> Iterator[None]:
    """One process at a time per cached repository (Prefect runs checks concurrently)."""
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_git(args: Sequence[str], *, cwd: Path, timeout: float, clock: Callable[[], float], max_bytes: int,
        watch: Path | None = None) -> tuple[bytes, str]:
    """Run git in `cwd` with our safety settings and limits: stdout and stderr, or `GitFailed` / `LimitExceeded`.

    The process gets its own session so that killing it also kills the
    helpers it started (remote-https, index-pack, upload-pack), and so no
    helper can open the terminal to ask for a password.
    """
    argv = ["git"]
    for setting in _SAFE_CONFIG:
        argv += ["-c", setting]
    cwd.mkdir(parents=True, exist_ok=True)
    # Run inside the cache and stop git's repository discovery there: a
    # repository around the working directory (or around the cache) would
    # otherwise lend its config, hooks and fsmonitor to ls-remote and clone.
    env = {**_ENV, "GIT_CEILING_DIRECTORIES": str(cwd.resolve().parent)}
    handle = git.Git(cwd).execute([*argv, *args], as_process=True, env=env, start_new_session=True)
    proc = handle.proc
    assert proc is not None  # as_process=True always starts one
    started = clock()
    try:
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if clock() - started > timeout:
                    raise LimitExceeded(
                        f"git {subcommand(args)} did not finish within {timeout:g} s"
                    ) from None
                if watch is not None and disk_usage(watch) > max_bytes:
                    raise LimitExceeded(
                        f"the repository grew past the size limit of {max_bytes:,} bytes"
                    ) from None
    except BaseException:
        kill(proc)
        raise
    if proc.returncode != 0:
        raise GitFailed(stderr.decode("utf-8", errors="replace"))
    # A transfer quicker than one poll is only measured here.
    if watch is not None and disk_usage(watch) > max_bytes:
        raise LimitExceeded(f"the repository grew past the size limit of {max_bytes:,} bytes")
    return stdout, stderr.decode("utf-8", errors="replace")
