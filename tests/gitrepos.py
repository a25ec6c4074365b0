"""Real git repositories for tests, and the git config that makes them "remote".

Tests never reach the internet, yet the code under test only ever builds
``https://<known host>/...`` URLs. Git's own ``url.<base>.insteadOf`` bridges
the two: `routing_config` writes a global git config that rewrites
``https://github.com/`` (and the other hosts) to ``file://<root>/github.com/``,
and `build_repo` creates repositories at ``<root>/<canonical>``. Use it as::

    root = tmp_path / "remote"
    repo = ml_repo(root, "github.com/acme/vision")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(routing_config(tmp_path, root)))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

(`route_git` does those last two lines.) Building is hermetic: the builder
ignores the user's and the system's git config, and every commit has a set
author, e-mail and date, so history-derived numbers are exact.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import git
import pytest

from tracker.records import RepoRef

KNOWN_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co", "git.code.sf.net")
DEFAULT_DATE = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
DEFAULT_AUTHOR = "Ada Researcher"
DEFAULT_EMAIL = "ada@example.org"


@dataclass(frozen=True, slots=True)
class Symlink:
    """A symbolic link stored in the repository; `target` is the link text."""

    target: str


@dataclass(frozen=True, slots=True)
class Executable:
    """A file committed with mode 100755."""

    content: str | bytes


FileContent = str | bytes | Symlink | Executable


@dataclass(frozen=True, slots=True)
class CommitSpec:
    """One commit: who, when, and what it changes (``None`` deletes a path).

    Author and committer get the same name, e-mail and date.
    """

    when: datetime
    author: str = DEFAULT_AUTHOR
    email: str = DEFAULT_EMAIL
    message: str = "update"
    changes: Mapping[str, FileContent | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LocalRepo:
    """A built repository: its working tree, its identity and its commits."""

    path: Path
    ref: RepoRef
    commits: tuple[str, ...]  # shas, oldest first

    @property
    def head(self) -> str:
        return self.commits[-1]


# The builder must not see the test's routing config nor the developer's own.
_HERMETIC_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    return git.Git(cwd).execute(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        env={**_HERMETIC_ENV, **(env or {})},
    )


def _write(worktree: Path, changes: Mapping[str, FileContent | None]) -> None:
    for rel, content in changes.items():
        path = worktree / rel
        if content is None:
            _git(worktree, "rm", "-q", "-r", "--", rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        if isinstance(content, Symlink):
            os.symlink(content.target, path)
        else:
            data = content.content if isinstance(content, Executable) else content
            path.write_bytes(data.encode() if isinstance(data, str) else data)
            path.chmod(0o755 if isinstance(content, Executable) else 0o644)
        _git(worktree, "add", "--", rel)


def _commit(worktree: Path, spec: CommitSpec) -> str:
    _write(worktree, spec.changes)
    stamp = f"@{int(spec.when.timestamp())} +0000"
    env = {
        "GIT_AUTHOR_NAME": spec.author,
        "GIT_AUTHOR_EMAIL": spec.email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": spec.author,
        "GIT_COMMITTER_EMAIL": spec.email,
        "GIT_COMMITTER_DATE": stamp,
    }
    _git(worktree, "commit", "-q", "--allow-empty", "-m", spec.message, env=env)
    return _git(worktree, "rev-parse", "HEAD")


def build_repo(
    root: Path,
    canonical: str,
    files: Mapping[str, FileContent],
    commits: Iterable[CommitSpec] | None = None,
    *,
    tags: Iterable[str] = (),
    branch: str = "main",
) -> LocalRepo:
    """Create a repository at ``root/<canonical>`` and commit into it.

    The first commit adds `files` (plus the first spec's own changes); each
    further `CommitSpec` is one more commit. Without `commits`, one commit by
    `DEFAULT_AUTHOR` at `DEFAULT_DATE`. `tags` are lightweight tags on HEAD.
    """
    ref = RepoRef.parse(canonical)
    worktree = root / ref.canonical
    worktree.mkdir(parents=True)
    _git(worktree, "init", "-q", "-b", branch)
    specs = list(commits) if commits is not None else [CommitSpec(when=DEFAULT_DATE, message="initial")]
    if not specs:
        raise ValueError("commits must hold at least one CommitSpec; use empty_repo() for a repository without any")
    first = specs[0]
    specs[0] = CommitSpec(first.when, first.author, first.email, first.message, {**files, **first.changes})
    shas = tuple(_commit(worktree, spec) for spec in specs)
    for tag in tags:
        _git(worktree, "tag", tag)
    return LocalRepo(path=worktree, ref=ref, commits=shas)


def add_commit(repo: LocalRepo, spec: CommitSpec) -> LocalRepo:
    """Commit `spec` on top of `repo` (e.g. to see that a cache fetches it)."""
    sha = _commit(repo.path, spec)
    return LocalRepo(path=repo.path, ref=repo.ref, commits=(*repo.commits, sha))


def empty_repo(root: Path, canonical: str) -> Path:
    """A repository with no commit at all: hosts show it as "empty"."""
    path = root / RepoRef.parse(canonical).canonical
    path.mkdir(parents=True)
    _git(path, "init", "-q", "-b", "main")
    return path


def routing_config(
    tmp: Path,
    root: Path,
    hosts: Iterable[str] = KNOWN_HOSTS,
    *,
    routes: Mapping[str, str] | None = None,
) -> Path:
    """Write a git config that sends ``https://<host>/`` to ``file://<root>/<host>/``.

    `routes` adds rewrites of your own, ``{"https://gitlab.com/": "http://127.0.0.1:9/"}``,
    e.g. to route a host to a closed port or a local HTTP server. The config
    also lets the local upload-pack serve partial clones (filters and fetches of
    single objects), which file:// refuses by default. Returns the file's path,
    to be used as ``GIT_CONFIG_GLOBAL``.
    """
    path = tmp / "gitconfig-routing"
    path.unlink(missing_ok=True)
    rewrites = {f"https://{host}/": f"file://{root.resolve()}/{host}/" for host in hosts}
    rewrites.update(routes or {})
    for original, target in rewrites.items():
        _git(tmp, "config", "-f", str(path), "--add", f"url.{target}.insteadOf", original)
    for key, value in {
        "uploadpack.allowFilter": "true",
        "uploadpack.allowAnySHA1InWant": "true",
        "protocol.file.allow": "always",
    }.items():
        _git(tmp, "config", "-f", str(path), key, value)
    return path


def route_git(monkeypatch: pytest.MonkeyPatch, tmp: Path, root: Path, **kwargs: object) -> Path:
    """`routing_config` and set it as the process's only git config."""
    path = routing_config(tmp, root, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return path


def closed_port_url() -> str:
    """An ``http://127.0.0.1:<port>/`` nothing listens on: connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class GitHttpServer:
    """Repositories over git's "dumb" HTTP protocol (plain files) on 127.0.0.1, renames answered with 301.

    A host that renamed a project redirects the old URL to the new one, as
    GitLab does; git follows and warns "redirecting to <url>". Route a host
    here with ``route_git(..., routes={"https://gitlab.com/": server.url + "gitlab.com/"})``.
    """

    def __init__(self) -> None:
        self.repos: dict[str, Path] = {}  # canonical -> .git directory
        self.renames: dict[str, str] = {}  # old canonical -> new canonical
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def serve(self, repo: LocalRepo, *, at: str | None = None) -> None:
        """Serve `repo` under its canonical name, or under `at`."""
        _git(repo.path, "update-server-info")
        self.repos[at or repo.ref.canonical] = repo.path / ".git"

    def rename(self, old: str, new: str) -> None:
        self.renames[old] = new

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                path = parts.path.lstrip("/")
                for old, new in server.renames.items():
                    if path.startswith(old + "/"):
                        query = f"?{parts.query}" if parts.query else ""
                        self._answer(301, b"", {"Location": f"/{new}{path[len(old):]}{query}"})
                        return
                for canonical, git_dir in server.repos.items():
                    if path.startswith(canonical + "/"):
                        file = (git_dir / path[len(canonical) + 1:]).resolve()
                        if file.is_relative_to(git_dir.resolve()) and file.is_file():
                            self._answer(200, file.read_bytes(), {"Content-Type": "application/octet-stream"})
                            return
                self._answer(404, b"not found", {})

            def _answer(self, code: int, body: bytes, headers: Mapping[str, str]) -> None:
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> GitHttpServer:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- license texts -----------------------------------------------------------

_COMMON_LICENSES = Path("/usr/share/common-licenses")
# SPDX id -> Debian's file name; Debian ships these verbatim.
_DEBIAN_FILES = {
    "Apache-2.0": "Apache-2.0",
    "GPL-2.0": "GPL-2",
    "GPL-3.0": "GPL-3",
    "BSD-3-Clause": "BSD",
    "MPL-2.0": "MPL-2.0",
    "CC0-1.0": "CC0-1.0",
}

MIT_TEXT = """MIT License

Copyright (c) {year} {holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def license_text(spdx: str, *, year: int = 2024, holder: str = "Example Lab") -> str:
    """The full text of a license: MIT written here, the others from Debian.

    Skips the calling test when the Debian file is not installed.
    """
    if spdx == "MIT":
        return MIT_TEXT.format(year=year, holder=holder)
    if spdx not in _DEBIAN_FILES:
        raise ValueError(f"no text for {spdx!r}; known: MIT, {', '.join(_DEBIAN_FILES)}")
    path = _COMMON_LICENSES / _DEBIAN_FILES[spdx]
    if not path.is_file():
        pytest.skip(f"{path} is not installed (Debian package base-files)")
    return path.read_text(encoding="utf-8")


# --- recipes -----------------------------------------------------------------

ML_README = """# {name}: learning to see in the dark

Code for the paper. Results on the benchmark:

| Model | Top-1 | Top-5 |
|-------|------:|------:|
| ours-small | 78.1 | 94.0 |
| ours-large | 81.4 | 95.6 |

## Installation

```bash
pip install -r requirements.txt
```

## Training

```bash
python train.py --config configs/base.yaml --seed 0
```

## Evaluation

```bash
python eval.py --checkpoint checkpoints/ours-large.pt
```

## Citation

See CITATION.cff.
"""

ML_FILES: dict[str, str] = {
    "requirements.txt": "torch==2.3.1\nnumpy==1.26.4\npyyaml>=6.0\n",
    "train.py": "import yaml\n\n\ndef main() -> None:\n    print('training')\n\n\nif __name__ == '__main__':\n    main()\n",
    "eval.py": "def main() -> None:\n    print('evaluating')\n\n\nif __name__ == '__main__':\n    main()\n",
    "configs/base.yaml": "lr: 0.001\nepochs: 90\nseed: 0\n",
    "tests/test_train.py": "def test_imports():\n    import train  # noqa: F401\n",
    ".github/workflows/ci.yml": (
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt pytest\n      - run: pytest\n"
    ),
    "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . /app\n",
    "CITATION.cff": (
        "cff-version: 1.2.0\nmessage: If you use this software, please cite it.\ntitle: Learning to see in the dark\n"
        "authors:\n  - family-names: Researcher\n    given-names: Ada\ndate-released: 2024-01-15\n"
    ),
}


def ml_repo(
    root: Path,
    canonical: str = "github.com/acme/seeing",
    *,
    license: str | None = "MIT",
    commits: Iterable[CommitSpec] | None = None,
    tags: Iterable[str] = ("v1.0",),
) -> LocalRepo:
    """A tidy research repository: README with results table and commands,
    requirements.txt, train.py, eval.py, tests/, CI workflow, Dockerfile,
    CITATION.cff and (unless `license` is None) a LICENSE file.
    """
    name = RepoRef.parse(canonical).name
    files: dict[str, FileContent] = {"README.md": ML_README.format(name=name), **ML_FILES}
    if license is not None:
        files["LICENSE"] = license_text(license)
    return build_repo(root, canonical, files, commits, tags=tags)


def minimal_repo(root: Path, canonical: str = "github.com/acme/bare-bones") -> LocalRepo:
    """A repository with one short README and nothing else: the usual "code coming soon"."""
    return build_repo(root, canonical, {"README.md": "# Code coming soon\n"})


def git_subcommands_seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every git subcommand a `GitHost` runs from now on, in order (a spy on its one way of running git)."""
    from tracker.hosts import git_process
    from tracker.hosts.git import GitHost

    seen: list[str] = []
    real = GitHost._git_output

    def spy(self: GitHost, args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(git_process.subcommand(args))
        return real(self, args, **kwargs)

    monkeypatch.setattr(GitHost, "_git_output", spy)
    return seen
