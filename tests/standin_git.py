"""Reading the real git repositories behind the stand-in GitHub's GraphQL and git-trees answers.

Why a module of its own: both `standin_graphql`'s resolvers and the REST trees
endpoint of `standin_github` answer from git, and what makes that affordable
(read once per repository directory and HEAD commit, from the files where
possible, git itself otherwise) is the same for both and has nothing to do with
HTTP or GraphQL. Thousands of repositories that are symbolic links to one
template cost one read.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HEX = re.compile(r"[0-9a-f]{4,64}")


@dataclass(frozen=True)
class GitCommit:
    oid: str
    parents: tuple[str, ...]
    tree: str
    committed: datetime
    authored: datetime
    author: tuple[str, str]  # name, e-mail
    committer: tuple[str, str]
    message: str


@dataclass(frozen=True)
class _TreeItem:
    path: str  # relative to the listed tree
    mode: str  # "100644", "040000", ... as GitHub's REST API spells it
    type: str  # "blob", "tree" or "commit"
    oid: str
    size: int | None  # blobs only


def _git_env() -> dict[str, str]:
    """Read repositories as they are: no user, system or test routing config."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {**env, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _run_git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """Git's stdout, or None when git fails (an unknown object, say)."""
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], input=stdin,
                          capture_output=True, env=_git_env(), timeout=60)
    return done.stdout if done.returncode == 0 else None


def _find_git_dir(path: Path) -> Path | None:
    """The git directory of a worktree (``.git`` directory or file) or of a bare repository."""
    dot = path / ".git"
    if dot.is_dir():
        return dot.resolve()
    if dot.is_file():
        text = dot.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            return (path / text[len("gitdir:"):].strip()).resolve()
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path.resolve()
    return None


def _read_head(git_dir: Path) -> tuple[str | None, str | None]:
    """(branch HEAD points at, its commit), read from the files: no process per repository.

    The commit is None for a repository without commits. Reftable repositories
    and symbolic refs to symbolic refs ask git itself.
    """
    head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    if not head.startswith("ref:"):
        return None, head if HEX.fullmatch(head) else None
    ref = head[len("ref:"):].strip()
    branch = ref.removeprefix("refs/heads/")
    common = git_dir
    if (git_dir / "commondir").is_file():
        common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    if (common / "reftable").is_dir():
        oid = _run_git(git_dir, "rev-parse", "--verify", "-q", "HEAD")
        return branch, oid.decode().strip() if oid else None
    for base in (git_dir, common):
        loose = base / ref
        if loose.is_file():
            value = loose.read_text(encoding="utf-8").strip()
            if HEX.fullmatch(value):
                return branch, value
            oid = _run_git(git_dir, "rev-parse", "--verify", "-q", "HEAD")
            return branch, oid.decode().strip() if oid else None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            oid, _, name = line.partition(" ")
            if name == ref and HEX.fullmatch(oid):
                return branch, oid
    return branch, None


def _git_time(seconds: str) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


class GitSnapshot:
    """A repository's commits and refs as of one HEAD, read once; trees, blobs
    and other objects are read when first asked for and kept."""

    def __init__(self, git_dir: Path, branch: str | None, head: str) -> None:
        self.git_dir = git_dir
        self.branch = branch
        self.head = head
        self.commits: dict[str, GitCommit] = {}
        log = _run_git(git_dir, "log", "--all", "--format=%H%x1f%P%x1f%T%x1f%ct%x1f%at%x1f%an%x1f%ae"
                       "%x1f%cn%x1f%ce%x1f%B%x1e") or b""
        for record in log.decode("utf-8", "replace").split("\x1e"):
            parts = record.lstrip("\n").split("\x1f")
            if len(parts) != 10:
                continue
            oid, parents, tree, committed, authored, an, ae, cn, ce, message = parts
            self.commits[oid] = GitCommit(oid, tuple(parents.split()), tree, _git_time(committed),
                                           _git_time(authored), (an, ae), (cn, ce), message)
        # (full ref name, object id, peeled commit id or "")
        refs = _run_git(git_dir, "for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)") or b""
        self.refs = [tuple(line.split("\0")) for line in refs.decode("utf-8", "replace").splitlines()
                     if line.count("\0") == 2]
        self._lock = threading.Lock()
        self._history: dict[str, list[GitCommit]] = {}
        self._objects: dict[str, tuple[str, str, int] | None] = {}
        self._trees: dict[tuple[str, bool], list[_TreeItem]] = {}
        self._blobs: dict[str, bytes] = {}

    def history(self, oid: str) -> list[GitCommit]:
        """`oid` and its ancestors, newest committer date first."""
        with self._lock:
            cached = self._history.get(oid)
        if cached is not None:
            return cached
        seen: set[str] = set()
        stack = [oid]
        while stack:
            current = stack.pop()
            if current in seen or current not in self.commits:
                continue
            seen.add(current)
            stack.extend(self.commits[current].parents)
        ordered = sorted((self.commits[c] for c in seen), key=lambda c: c.committed, reverse=True)
        with self._lock:
            self._history[oid] = ordered
        return ordered

    def lookup(self, name: str) -> tuple[str, str, int] | None:
        """(full object id, type, size) for an object id or a revision expression; None when unknown."""
        if not name or any(c.isspace() for c in name):
            return None
        with self._lock:
            if name in self._objects:
                return self._objects[name]
        answer = _run_git(self.git_dir, "cat-file", "--batch-check", stdin=name.encode() + b"\n")
        found = None
        if answer:
            parts = answer.decode().split()
            if len(parts) == 3 and HEX.fullmatch(parts[0]):
                found = (parts[0], parts[1], int(parts[2]))
        with self._lock:
            self._objects[name] = found
        return found

    def tree(self, oid: str, recursive: bool) -> list[_TreeItem]:
        key = (oid, recursive)
        with self._lock:
            cached = self._trees.get(key)
        if cached is not None:
            return cached
        args = ["ls-tree", "-z", "-l", *(["-r", "-t"] if recursive else []), oid]
        items = []
        for line in (_run_git(self.git_dir, *args) or b"").decode("utf-8", "replace").split("\0"):
            if not line:
                continue
            meta, _, path = line.partition("\t")
            mode, kind, object_id, size = meta.split()
            items.append(_TreeItem(path, mode, kind, object_id, int(size) if size != "-" else None))
        with self._lock:
            self._trees[key] = items
        return items

    def blob(self, oid: str) -> bytes:
        with self._lock:
            cached = self._blobs.get(oid)
        if cached is not None:
            return cached
        data = _run_git(self.git_dir, "cat-file", "blob", oid) or b""
        with self._lock:
            self._blobs[oid] = data
        return data

    def tag(self, oid: str) -> tuple[str, str, str]:
        """An annotated tag's (name, target object id, message)."""
        raw = (_run_git(self.git_dir, "cat-file", "tag", oid) or b"").decode("utf-8", "replace")
        header, _, message = raw.partition("\n\n")
        fields_ = dict(line.split(" ", 1) for line in header.splitlines() if " " in line)
        return fields_.get("tag", ""), fields_.get("object", ""), message


class GitCache:
    """Snapshots per (resolved git directory, HEAD commit): repositories that are
    symbolic links to one template cost one read, and a new commit a new one."""

    def __init__(self) -> None:
        self.reads = 0
        self._lock = threading.Lock()
        self._snapshots: dict[tuple[Path, str], GitSnapshot] = {}
        self._reading: dict[tuple[Path, str], threading.Lock] = {}

    def snapshot(self, path: Path) -> GitSnapshot | None:
        git_dir = _find_git_dir(path)
        if git_dir is None:
            return None
        branch, head = _read_head(git_dir)
        if head is None:
            return None
        key = (git_dir, head)
        with self._lock:
            if key in self._snapshots:
                return self._snapshots[key]
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            with self._lock:
                if key in self._snapshots:
                    return self._snapshots[key]
            snapshot = GitSnapshot(git_dir, branch, head)
            with self._lock:
                self.reads += 1
                self._snapshots[key] = snapshot
                self._reading.pop(key, None)
            return snapshot
