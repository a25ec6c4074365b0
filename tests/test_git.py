"""GitHost against real repositories, a real HTTP server and closed ports."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import git
import pytest

from tests.gitrepos import (
    DEFAULT_DATE,
    CommitSpec,
    Executable,
    GitHttpServer,
    Symlink,
    add_commit,
    build_repo,
    closed_port_url,
    empty_repo,
    git_subcommands_seen,
    license_text,
    minimal_repo,
    ml_repo,
    route_git,
)
from tracker.hosts.git import TEXT_CAP, GitHost
from tracker.records import RepoRef, Status

NOW = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the "remote" repositories live; https://<host>/ is routed there."""
    path = tmp_path / "remote"
    path.mkdir()
    route_git(monkeypatch, tmp_path, path)
    return path


@pytest.fixture
def host(tmp_path: Path) -> GitHost:
    return GitHost(tmp_path / "cache", timeout=20)


@pytest.fixture
def subcommands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every git subcommand GitHost runs, in order."""
    return git_subcommands_seen(monkeypatch)


class _AnswerWithStatus(BaseHTTPRequestHandler):
    """Answers /<code>/... with that HTTP status; /0/... never answers."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        code = int(self.path.split("/")[1])
        if code == 0:
            self.server.release.wait(30)
            return
        self.send_response(code)
        if code == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    release = threading.Event()


@pytest.fixture
def http_base() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _AnswerWithStatus)
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def faulty_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_base: str) -> Path:
    """github.com served from files; the other hosts answer 401, 404, 500, nothing, or refuse."""
    root = tmp_path / "remote"
    root.mkdir()
    route_git(
        monkeypatch,
        tmp_path,
        root,
        hosts=("github.com",),
        routes={
            "https://gitlab.com/": f"{http_base}401/",
            "https://bitbucket.org/": f"{http_base}404/",
            "https://codeberg.org/": f"{http_base}500/",
            "https://huggingface.co/": f"{http_base}0/",
            "https://git.code.sf.net/": closed_port_url(),
        },
    )
    return root


# --- ls-remote ----------------------------------------------------------------


def test_ls_remote_reports_head_and_branch(root: Path, host: GitHost) -> None:
    repo = ml_repo(root, "github.com/acme/seeing", tags=("v0.1", "v1.0"))

    head = host.ls_remote(repo.ref)

    assert head.status is Status.OK
    assert head.head_commit == repo.head
    assert head.default_branch == "main"


def test_ls_remote_of_repository_without_commits_is_empty(root: Path, host: GitHost) -> None:
    empty_repo(root, "codeberg.org/acme/soon")

    head = host.ls_remote(RepoRef.parse("codeberg.org/acme/soon"))

    assert head.status is Status.EMPTY
    assert head.head_commit is None


def test_ls_remote_of_absent_repository_is_missing(root: Path, host: GitHost) -> None:
    head = host.ls_remote(RepoRef.parse("github.com/acme/deleted"))

    assert head.status is Status.MISSING
    assert "does not exist" in head.detail


def test_host_answering_401_is_missing_and_no_one_is_asked_for_a_password(
    faulty_hosts: Path, host: GitHost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = tmp_path / "askpass-ran"
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\ntouch {asked}\necho hunter2\n")
    askpass.chmod(0o755)
    monkeypatch.setenv("GIT_ASKPASS", str(askpass))
    monkeypatch.setenv("SSH_ASKPASS", str(askpass))

    head = host.ls_remote(RepoRef.parse("gitlab.com/acme/private-or-gone"))

    assert head.status is Status.MISSING
    assert "the host asks for credentials: deleted or private" in head.detail
    assert not asked.exists()


def test_host_answering_404_is_missing(faulty_hosts: Path, host: GitHost) -> None:
    assert host.ls_remote(RepoRef.parse("bitbucket.org/acme/gone")).status is Status.MISSING


@pytest.mark.parametrize(
    ("canonical", "reason"),
    [
        ("codeberg.org/acme/flaky", "returned error: 500"),
        ("git.code.sf.net/p/acme/code", "Failed to connect"),
    ],
)
def test_server_error_and_refused_connection_are_unreachable_not_missing(
    faulty_hosts: Path, host: GitHost, canonical: str, reason: str
) -> None:
    head = host.ls_remote(RepoRef.parse(canonical))

    assert head.status is Status.UNREACHABLE
    assert reason in head.detail


@pytest.mark.parametrize(
    ("canonical", "status", "reason"),
    [
        ("gitlab.com/acme/private-or-gone", Status.MISSING, "the host asks for credentials: deleted or private"),
        ("bitbucket.org/acme/gone", Status.MISSING, "the host says it does not exist"),
        ("codeberg.org/acme/flaky", Status.UNREACHABLE, "returned error: 500"),
        ("git.code.sf.net/p/acme/code", Status.UNREACHABLE, "Failed to connect"),
    ],
)
def test_first_inspect_judges_a_failed_clone_as_ls_remote_would(
    faulty_hosts: Path, host: GitHost, canonical: str, status: Status, reason: str
) -> None:
    ref = RepoRef.parse(canonical)

    facts = host.inspect(ref, now=NOW)

    assert facts.status is status
    assert reason in facts.detail and f"git clone {ref.https_url}" in facts.detail
    assert "Cloning into" not in facts.detail and str(host.cache_dir) not in facts.detail
    assert not host.cache_path(ref).exists()


def test_host_that_never_answers_is_unreachable_after_the_time_limit(faulty_hosts: Path, tmp_path: Path) -> None:
    ticks = itertools.count(step=10.0)  # every look at the clock is 10 s later
    host = GitHost(tmp_path / "cache", timeout=15, clock=lambda: next(ticks))

    facts = host.inspect(RepoRef.parse("huggingface.co/acme/model"), now=NOW)

    assert facts.status is Status.UNREACHABLE
    assert "did not finish within 15 s" in facts.detail
    assert [path.name for path in (tmp_path / "cache" / "huggingface.co" / "acme").iterdir()] == ["model.git.lock"]


# --- inspect: history ---------------------------------------------------------------


def test_activity_counts_follow_the_commit_dates(root: Path, host: GitHost) -> None:
    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    repo = build_repo(
        root,
        "gitlab.com/lab/sub/detector",
        {"README.md": "# detector\n"},
        [
            CommitSpec(at("2022-01-10"), "Alice", "alice@uni.example", "start"),
            CommitSpec(at("2023-09-01"), "Bob", "bob@uni.example", "data loader"),
            CommitSpec(at("2024-04-01"), "Alice", "ALICE@uni.example", "results"),
            CommitSpec(at("2024-05-20"), "Carol", "carol@lab.example", "fix eval"),
        ],
        tags=("v0.1", "v1.0", "v1.1"),
    )

    facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.OK
    assert facts.head_commit == repo.head
    activity = facts.activity
    assert activity is not None
    assert activity.head_commit == repo.head
    assert activity.last_commit_at == at("2024-05-20")
    assert activity.first_commit_at == at("2022-01-10")
    assert activity.commits_90d == 2  # since 2024-03-03
    assert activity.commits_365d == 3  # since 2023-06-02
    assert activity.contributors == 3  # e-mails compare case-insensitively
    assert activity.tags == 3


def test_empty_repository_has_no_activity_and_no_files(root: Path, host: GitHost) -> None:
    empty_repo(root, "github.com/acme/soon")

    facts = host.inspect(RepoRef.parse("github.com/acme/soon"), now=NOW)

    assert facts.status is Status.EMPTY
    assert facts.activity is not None and facts.activity.commits_365d == 0
    assert facts.files is not None and facts.files.paths == ()


def test_hugging_face_dataset_is_a_git_repository_like_any_other(root: Path, host: GitHost) -> None:
    repo = build_repo(root, "huggingface.co/datasets/acme/corpus", {"README.md": "---\nlicense: mit\n---\n# corpus\n"})

    facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.OK
    assert facts.files is not None and facts.files.texts["README.md"].startswith("---\nlicense: mit")
    assert host.cache_path(repo.ref).is_relative_to(host.cache_dir / "huggingface.co" / "datasets")


# --- inspect: cache ---------------------------------------------------------------


def test_second_inspect_reuses_the_clone_and_a_new_commit_is_fetched(
    root: Path, host: GitHost, subcommands: list[str]
) -> None:
    repo = ml_repo(root)
    first = host.inspect(repo.ref, now=NOW)
    cached = host.cache_path(repo.ref)
    assert first.status is Status.OK and "clone" in subcommands
    inode = cached.stat().st_ino

    subcommands.clear()
    again = host.inspect(repo.ref, now=NOW)
    assert again.files == first.files and again.activity == first.activity
    assert "clone" not in subcommands and "fetch" not in subcommands  # remote HEAD unchanged

    newer = add_commit(
        repo,
        CommitSpec(datetime(2024, 5, 1, tzinfo=UTC), changes={"requirements.txt": "torch==2.4.0\n"}),
    )
    subcommands.clear()
    updated = host.inspect(repo.ref, now=NOW)

    assert "clone" not in subcommands and "fetch" in subcommands
    assert cached.stat().st_ino == inode
    assert updated.head_commit == newer.head
    assert updated.activity is not None and updated.activity.commits_90d == 1
    assert updated.files is not None and updated.files.texts["requirements.txt"] == "torch==2.4.0\n"


def test_first_inspect_clones_at_once_and_reads_the_files_in_a_second_round_trip(
    root: Path, host: GitHost, subcommands: list[str]
) -> None:
    repo = ml_repo(root)

    facts = host.inspect(repo.ref, now=NOW)

    # No ls-remote before the clone (the clone says it is there); one after it lists every tag, as GitHub counts them.
    assert subcommands == ["clone", "ls-tree", "fetch", "log", "ls-remote"]
    assert facts.status is Status.OK and facts.head_commit == repo.head
    assert facts.detail == f"HEAD is {repo.head[:12]} on main"
    assert facts.files is not None and "README.md" in facts.files.texts


def test_small_repository_is_cloned_with_its_files_in_one_round_trip(
    root: Path, host: GitHost, subcommands: list[str]
) -> None:
    small = ml_repo(root, "github.com/acme/small")
    large = ml_repo(root, "github.com/acme/large")

    whole = host.inspect(small.ref, now=NOW, size_kb=host.whole_clone_max_kb)
    whole_commands = list(subcommands)
    subcommands.clear()
    partial = host.inspect(large.ref, now=NOW, size_kb=host.whole_clone_max_kb + 1)

    assert whole_commands == ["clone", "ls-tree", "log", "ls-remote"]  # the tags: see above
    assert subcommands == ["clone", "ls-tree", "fetch", "log", "ls-remote"]
    assert whole.files is not None and partial.files is not None
    assert set(whole.files.texts) == set(partial.files.texts)
    assert whole.files.texts["LICENSE"] == partial.files.texts["LICENSE"] and whole.licenses == partial.licenses
    config = (host.cache_path(large.ref) / "config").read_text()
    assert "promisor = true" in config and "promisor" not in (host.cache_path(small.ref) / "config").read_text()


def test_first_inspect_of_absent_repository_is_missing_and_caches_nothing(root: Path, host: GitHost) -> None:
    ref = RepoRef.parse("github.com/acme/deleted")

    facts = host.inspect(ref, now=NOW)

    assert facts.status is Status.MISSING
    assert "does not exist" in facts.detail and "git clone https://github.com/acme/deleted" in facts.detail
    assert [path.name for path in host.cache_path(ref).parent.iterdir()] == ["deleted.git.lock"]


def test_empty_repository_is_asked_again_until_it_has_a_commit(root: Path, host: GitHost) -> None:
    empty_repo(root, "codeberg.org/acme/soon")
    ref = RepoRef.parse("codeberg.org/acme/soon")

    assert host.inspect(ref, now=NOW).status is Status.EMPTY
    assert host.inspect(ref, now=NOW).status is Status.EMPTY
    assert not host.cache_path(ref).exists()


def test_tags_are_counted_on_first_and_later_looks(root: Path, host: GitHost) -> None:
    repo = ml_repo(root, "github.com/acme/tagged", tags=("v0.1",))
    assert host.inspect(repo.ref, now=NOW).activity.tags == 1  # type: ignore[union-attr]

    newer = add_commit(repo, CommitSpec(datetime(2024, 5, 1, tzinfo=UTC), message="v1"))
    git.Git(newer.path).execute(["git", "tag", "-a", "-m", "release", "v1.0"],
                                env={"GIT_CONFIG_GLOBAL": os.devnull, "GIT_COMMITTER_NAME": "Ada",
                                     "GIT_COMMITTER_EMAIL": "ada@example.org"})
    facts = host.inspect(repo.ref, now=NOW)

    assert facts.head_commit == newer.head
    assert facts.activity is not None and facts.activity.tags == 2


def test_tags_off_the_default_branch_count_too_as_github_counts_them(root: Path, host: GitHost) -> None:
    repo = ml_repo(root, "github.com/acme/branched", tags=("v1.0",))
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}
    worktree = git.Git(repo.path)
    worktree.execute(["git", "checkout", "-q", "-b", "release"], env=env)
    worktree.execute(["git", "commit", "-q", "--allow-empty", "-m", "backport"], env=env)
    worktree.execute(["git", "tag", "v0.9-backport"], env=env)
    worktree.execute(["git", "checkout", "-q", "main"], env=env)

    assert host.inspect(repo.ref, now=NOW).activity.tags == 2  # type: ignore[union-attr]  # first look: the clone
    assert host.inspect(repo.ref, now=NOW).activity.tags == 2  # type: ignore[union-attr]  # later: ls-remote


def test_repository_the_host_redirects_elsewhere_is_moved_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: GitHost
) -> None:
    root = tmp_path / "remote"
    repo = build_repo(root, "gitlab.com/lab/vision/detector-v2", {"README.md": "# detector\n",
                                                                  "LICENSE": license_text("MIT")})
    with GitHttpServer() as server:
        server.serve(repo)
        server.rename("gitlab.com/lab/detector", "gitlab.com/lab/vision/detector-v2")
        route_git(monkeypatch, tmp_path, root, hosts=(), routes={"https://gitlab.com/": f"{server.url}gitlab.com/"})
        old = RepoRef.parse("gitlab.com/lab/detector")

        first = host.inspect(old, now=NOW)
        cached = host.inspect(old, now=NOW)  # from the cache: ls-remote meets the redirect too
        new = host.inspect(repo.ref, now=NOW)

    assert first.status is Status.MOVED and first.moved_to == repo.ref
    assert first.detail.startswith("the host redirects it to gitlab.com/lab/vision/detector-v2 (renamed")
    assert first.files is not None and first.files.texts["README.md"] == "# detector\n"
    assert [finding.spdx for finding in first.licenses] == ["MIT"]
    assert cached.status is Status.MOVED and cached.moved_to == repo.ref and cached.head_commit == repo.head
    assert new.status is Status.OK and new.moved_to is None
    facts = first.to_repo_facts(old, NOW)
    assert facts.status is Status.MOVED and facts.moved_to == repo.ref


def test_redirect_that_only_respells_the_name_is_no_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: GitHost
) -> None:
    root = tmp_path / "remote"
    repo = build_repo(root, "gitlab.com/lab/tool", {"README.md": "# tool\n"})
    with GitHttpServer() as server:
        server.serve(repo, at="gitlab.com/lab/tool.git")
        server.rename("gitlab.com/lab/tool", "gitlab.com/lab/tool.git")  # GitLab's own habit
        route_git(monkeypatch, tmp_path, root, hosts=(), routes={"https://gitlab.com/": f"{server.url}gitlab.com/"})

        facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.OK and facts.moved_to is None and facts.head_commit == repo.head


def test_a_clone_killed_mid_way_leaves_nothing_the_next_look_keeps(root: Path, host: GitHost) -> None:
    repo = ml_repo(root)
    cached = host.cache_path(repo.ref)
    leftover = cached.parent / f"{cached.name}.partial" / "repo.git"
    leftover.mkdir(parents=True)
    (leftover / "HEAD").write_text("ref: refs/heads/main\n")

    facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.OK
    assert sorted(path.name for path in cached.parent.iterdir()) == [cached.name, f"{cached.name}.lock"]


def test_an_unchanged_head_is_not_read_again_and_nothing_pushed_is_not_even_asked(
    root: Path, host: GitHost, subcommands: list[str]
) -> None:
    repo = build_repo(root, "github.com/acme/steady", {"README.md": "# steady\n", "LICENSE": license_text("MIT")},
                      [CommitSpec(datetime(2024, 5, 20, tzinfo=UTC), message="only")])
    pushed = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
    first = host.inspect(repo.ref, now=NOW, pushed_at=pushed)

    kept = host.cache_path(repo.ref) / "repro-tracker-reading.json"
    written = kept.stat().st_ino  # a save replaces the file
    subcommands.clear()
    confirmed = host.inspect(repo.ref, now=NOW)  # no word from an API: ask the remote, read nothing again
    assert subcommands == ["ls-remote"]
    assert confirmed == first
    assert kept.stat().st_ino == written  # nothing new learnt, nothing written

    subcommands.clear()
    later = datetime(2024, 9, 1, tzinfo=UTC)
    quiet = host.inspect(repo.ref, now=later, pushed_at=pushed)  # the API says nothing was pushed since
    assert subcommands == []
    assert (quiet.status, quiet.head_commit, quiet.files, quiet.licenses) == (
        first.status, first.head_commit, first.files, first.licenses)
    assert first.activity is not None and quiet.activity is not None
    assert (first.activity.commits_90d, quiet.activity.commits_90d) == (1, 0)  # the window moved with the clock

    subcommands.clear()
    host.inspect(repo.ref, now=NOW, pushed_at=pushed + timedelta(hours=1))  # a push somewhere: ask
    assert subcommands == ["ls-remote"]


def test_a_damaged_reading_is_made_again(root: Path, host: GitHost, subcommands: list[str]) -> None:
    repo = ml_repo(root)
    first = host.inspect(repo.ref, now=NOW)
    reading = host.cache_path(repo.ref) / "repro-tracker-reading.json"
    reading.write_text('{"format": 1, "head": ')

    subcommands.clear()
    again = host.inspect(repo.ref, now=NOW)

    assert subcommands == ["ls-remote", "ls-tree", "log"]
    assert again == first and reading.read_text().startswith('{"format": 2')


def test_clone_over_the_size_limit_is_unreachable_and_leaves_nothing(root: Path, tmp_path: Path) -> None:
    repo = ml_repo(root)
    host = GitHost(tmp_path / "cache", max_clone_bytes=2_000)

    facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.UNREACHABLE
    assert "size limit of 2,000 bytes" in facts.detail
    leftovers = [p.name for p in host.cache_path(repo.ref).parent.iterdir()]
    assert leftovers == ["seeing.git.lock"]


# --- inspect: files and licenses -----------------------------------------------------------


def test_files_lists_the_tree_and_reads_only_relevant_small_files(root: Path, host: GitHost) -> None:
    repo = ml_repo(root)
    add_commit(
        repo,
        CommitSpec(
            DEFAULT_DATE,
            changes={
                "docker/requirements-gpu.txt": "cupy\n",
                "src/deep/requirements.txt": "too deep\n",
                "Makefile": "all:\n" + "\t@echo x\n" * 20_000,
                "notes.txt": b"caf\xe9 latin-1\n",
                "environment.yml": b"name: caf\xe9\n",
            },
        ),
    )

    facts = host.inspect(repo.ref, now=NOW)

    files = facts.files
    assert files is not None
    assert {"train.py", "eval.py", "tests/test_train.py", ".github/workflows/ci.yml", "notes.txt"} <= set(files.paths)
    assert files.readme_path == "README.md"
    assert set(files.texts) == {
        "README.md", "LICENSE", "CITATION.cff", "Dockerfile", "requirements.txt",
        "docker/requirements-gpu.txt", "Makefile", "environment.yml",
        "train.py", "eval.py",  # entry points, whose options the checklist checks read; tests/ are not
    }
    assert files.texts["requirements.txt"] == "torch==2.3.1\nnumpy==1.26.4\npyyaml>=6.0\n"
    assert "| ours-large | 81.4 | 95.6 |" in files.texts["README.md"]
    assert len(files.texts["Makefile"]) == TEXT_CAP
    assert files.texts["environment.yml"] == "name: caf\ufffd\n"


@pytest.mark.parametrize(("license", "spdx"), [("MIT", "MIT"), ("Apache-2.0", "Apache-2.0"), ("GPL-3.0", "GPL-3.0-")])
def test_license_file_is_identified_with_confidence(root: Path, host: GitHost, license: str, spdx: str) -> None:
    repo = ml_repo(root, license=license)

    facts = host.inspect(repo.ref, now=NOW)

    [finding] = facts.licenses
    assert finding.spdx is not None and finding.spdx.startswith(spdx)
    assert finding.source == "file" and finding.path == "LICENSE"
    assert finding.confidence >= 0.95


def test_license_only_in_readme_is_a_weaker_finding(root: Path, host: GitHost) -> None:
    readme = "# tool\n\nRun `python tool.py`.\n\n## License\n\n" + license_text("MIT") + "\n## Contact\n\nmail us\n"
    repo = build_repo(root, "codeberg.org/acme/tool", {"README.md": readme, "tool.py": "print(1)\n"})

    facts = host.inspect(repo.ref, now=NOW)

    [finding] = facts.licenses
    assert (finding.spdx, finding.source, finding.path) == ("MIT", "readme", "README.md")
    assert 0.4 < finding.confidence < 0.8


def test_no_license_and_unrecognised_license(root: Path, host: GitHost) -> None:
    bare = minimal_repo(root)
    odd = build_repo(root, "github.com/acme/odd", {"LICENSE": "All rights reserved. Ask us before you use this.\n"})

    assert host.inspect(bare.ref, now=NOW).licenses == ()
    [finding] = host.inspect(odd.ref, now=NOW).licenses
    assert finding.spdx is None and finding.path == "LICENSE" and finding.confidence < 0.8


# --- hostile repositories ---------------------------------------------------------------------


def test_hostile_repository_cannot_reach_outside_the_cache(root: Path, tmp_path: Path, host: GitHost) -> None:
    elsewhere = build_repo(root, "github.com/other/secret", {"secret.txt": "submodule content\n"})
    marker = tmp_path / "hook-ran"
    hook = Executable(f"#!/bin/sh\ntouch {marker}\n")
    big = b"\0" * (20 * 1024 * 1024)
    repo = build_repo(
        root,
        "github.com/mallory/trap",
        {
            "README.md": Symlink("/etc/passwd"),
            "LICENSE": Symlink("../../../../etc/passwd"),
            "weights.bin": big,
            "hooks/post-checkout": hook,
            "hooks/post-merge": hook,
            ".githooks/pre-commit": hook,
            "--upload-pack=touch pwned": "an option-looking file name\n",
            "requirements.txt": "numpy\n",
            ".gitmodules": f'[submodule "vendor"]\n\tpath = vendor\n\turl = file://{elsewhere.path}\n',
        },
    )
    git.Git(repo.path).execute(
        ["git", "update-index", "--add", "--cacheinfo", f"160000,{elsewhere.head},vendor"],
        env={"GIT_CONFIG_GLOBAL": os.devnull},
    )
    repo = add_commit(repo, CommitSpec(DEFAULT_DATE, message="add submodule"))

    facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.OK
    files = facts.files
    assert files is not None
    assert {"README.md", "LICENSE", "weights.bin", "--upload-pack=touch pwned"} <= set(files.paths)
    assert "vendor" not in files.paths  # a submodule is not a file
    # Symlinks are never read; .gitmodules is, as text, so that the checks know the submodules' paths.
    assert set(files.texts) == {"requirements.txt", ".gitmodules"}
    assert facts.licenses == ()
    cached = host.cache_path(repo.ref)
    odb = git.GitDB(str(cached / "objects"))
    big_blob = git.Git(repo.path).execute(["git", "rev-parse", "HEAD:weights.bin"])
    assert not odb.has_object(bytes.fromhex(big_blob))
    assert not odb.has_object(bytes.fromhex(elsewhere.head))
    assert not marker.exists()
    assert not (tmp_path / "pwned").exists() and not (Path.cwd() / "pwned").exists()
    inside = list(host.cache_dir.rglob("*"))
    assert not any(path.is_symlink() for path in inside)
    assert sum(path.stat().st_size for path in inside if path.is_file()) < 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "gitconfig-routing", "remote"]


@pytest.mark.parametrize(
    "ref",
    [
        RepoRef("github.com", "-oupload-pack=touch /tmp/x", "repo"),
        RepoRef("github.com", "acme", "--upload-pack=sh"),
        RepoRef("github.com", "acme", "repo/../../etc"),
        RepoRef("github.com", "ac me", "repo"),
        RepoRef("github.com", "acme", "repo\n"),
        RepoRef("github.com", "acme", "re\x1bpo"),
        RepoRef("ext::sh -c touch% /tmp/x", "acme", "repo"),
        RepoRef("file:", "", "etc"),
        RepoRef("example.org", "acme", "repo"),
        RepoRef("gitlab.com", "group/../..", "repo"),
    ],
)
def test_unsafe_references_are_refused_before_git_runs(
    host: GitHost, ref: RepoRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("git ran")

    monkeypatch.setattr(git.Git, "execute", no_git)

    with pytest.raises(ValueError, match="refusing"):
        host.ls_remote(ref)
    with pytest.raises(ValueError, match="refusing"):
        host.inspect(ref, now=NOW)
    assert not host.cache_dir.exists()


def test_a_repository_around_the_cache_lends_it_no_config(root: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    git.Git().execute(["git", "init", "-q", str(project)], env={"GIT_CONFIG_GLOBAL": os.devnull})
    git.Git(project).execute(
        ["git", "config", "url.file:///nowhere/.insteadOf", "https://github.com/acme/"],
        env={"GIT_CONFIG_GLOBAL": os.devnull},
    )
    repo = minimal_repo(root)
    host = GitHost(project / ".cache" / "repos")

    facts = host.inspect(repo.ref, now=NOW)

    assert facts.status is Status.OK and facts.head_commit == repo.head
