"""Issue 11, part 1: one parser for every repository string, refusals that say why, and `forget`.

`canonical_repo` is what `check --repo`, `history`, `forget` and a host's redirect read a repository with;
link extraction resolves what it finds in text by the same rules. The CLI tests run against the GitHub
stand-in and git repositories built by the tests, as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy
from gitrepos import ml_repo, route_git
from standin_github import StandinGitHub
from typer.testing import CliRunner

from tracker.cli import app
from tracker.links import NotARepository, canonical_repo, extract_links
from tracker.records import RepoRef
from tracker.store import open_store

runner = CliRunner()
SEEING = RepoRef("github.com", "acme", "seeing")


@pytest.mark.parametrize(
    "text",
    [
        "github.com/acme/seeing",
        "https://github.com/acme/seeing.git",
        "HTTPS://WWW.GITHUB.COM/acme/seeing",
        "http://github.com/acme/seeing/",
        "https://github.com/acme/seeing/tree/master",
        "https://github.com/acme/seeing/tree/main/src/models",
        "https://github.com/acme/seeing/blob/main/x.py",
        "https://github.com/acme/seeing/issues",
        "https://github.com/acme/seeing/issues/12?q=is%3Aopen",
        "https://github.com/acme/seeing/pulls",
        "https://github.com/acme/seeing/wiki",
        "https://github.com/acme/seeing/releases/tag/v1.0",
        "https://github.com/acme/seeing#readme",
        "https://github.com/acme/seeing?tab=readme-ov-file",
        "git@github.com:acme/seeing.git",
        "git@github.com:acme/seeing",
        "ssh://git@github.com/acme/seeing.git",
        "ssh://git@github.com:22/acme/seeing",
        "git://github.com/acme/seeing.git",
        "git+https://github.com/acme/seeing.git@v1.0#egg=seeing",
        "  https://github.com/acme/seeing).  ",
        "<https://github.com/acme/seeing>",
        "https://github.com/acme/seeing.",
    ],
)
def test_every_spelling_of_a_repository_is_one_identity(text: str) -> None:
    assert canonical_repo(text) == SEEING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://gitlab.com/group/sub/name/-/issues", RepoRef("gitlab.com", "group/sub", "name")),
        ("git@gitlab.com:group/sub/name.git", RepoRef("gitlab.com", "group/sub", "name")),
        ("https://codeberg.org/owner/name/src/branch/main/README.md", RepoRef("codeberg.org", "owner", "name")),
        ("https://gitea.com/owner/name/releases", RepoRef("gitea.com", "owner", "name")),
        ("https://bitbucket.org/owner/name/src/master/", RepoRef("bitbucket.org", "owner", "name")),
        ("https://git.sr.ht/~owner/name/tree/main/item/x.c", RepoRef("git.sr.ht", "~owner", "name")),
        ("https://sr.ht/~owner/name", RepoRef("git.sr.ht", "~owner", "name")),
        ("https://git.example.org/group/name.git", RepoRef("git.example.org", "group", "name")),
        ("https://git.example.org/cgit/name.git/tree/src", RepoRef("git.example.org", "cgit", "name")),
        ("https://git.example.org/group/name", RepoRef("git.example.org", "group", "name")),
        ("https://gitea.lab.example/owner/name/src/branch/main", RepoRef("gitea.lab.example", "owner", "name")),
        ("https://git.kernel.org/pub/scm/git/git.git", RepoRef("git.kernel.org", "pub/scm/git", "git")),
        ("https://git.code.sf.net/p/tool/code", RepoRef("git.code.sf.net", "p/tool", "code")),
    ],
)
def test_forges_and_git_urls(text: str, expected: RepoRef) -> None:
    assert canonical_repo(text) == expected


@pytest.mark.parametrize("url", ["https://git.example.org/explore/repos", "https://git.example.org/user/login",
                                 "https://forgejo.org/docs/latest", "https://git.io/abc", "https://git.example.org/"])
def test_pages_of_git_servers_and_sites_named_like_them_are_not_repositories(url: str) -> None:
    assert [link.repo for link in extract_links(url)] in ([None], [])


def test_an_allowed_host_reads_like_a_forge() -> None:
    allowed = frozenset({"code.lab.test"})
    assert canonical_repo("https://code.lab.test/team/sub/tool/-/tree/main", git_hosts=allowed) == RepoRef(
        "code.lab.test", "team/sub", "tool")
    assert canonical_repo("code.lab.test/team/tool/src/branch/main", git_hosts=allowed) == RepoRef(
        "code.lab.test", "team", "tool")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ftp://github.com/x/y", "ftp:// is not a way to fetch one"),
        ("file:///home/me/repo", "file:// is not a way to fetch one"),
        ("example.com/foo/bar", "example.com is not a known git host; add it to REPRO_TRACKER_GIT_HOSTS"),
        ("https://github.com/only-owner", "names an owner alone or a page of github.com"),
        ("https://github.com/topics/nlp", "names an owner alone or a page of github.com"),
        ("https://gіthub.com/owner/repo", "non-ASCII letters"),
        ("", "is empty"),
        ("owner/name", "has no host name"),
    ],
)
def test_what_names_no_repository_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(NotARepository, match="not a repository") as refused:
        canonical_repo(text)
    assert reason in str(refused.value)


def test_extraction_and_the_parser_agree_on_every_link_they_both_read() -> None:
    urls = ["https://github.com/acme/seeing.git", "https://github.com/Acme/Seeing/tree/master",
            "https://gitlab.com/g/s/n/-/blob/main/x", "https://git.example.org/group/name.git",
            "https://codeberg.org/o/n/src/branch/main"]
    for url in urls:
        [link] = extract_links(f"Code: {url}.")
        assert link.repo == canonical_repo(url), url


@pytest.fixture
def seeing_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """github.com/acme/seeing live on the GitHub stand-in, its git repository routed by insteadOf."""
    root = tmp_path / "remotes"
    ml_repo(root, "github.com/acme/seeing")
    route_git(monkeypatch, tmp_path, root)
    with StandinGitHub() as github:
        github.add_repo("acme/seeing", license="MIT")
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        yield github


def _check(db: str, *names: str) -> list[dict[str, object]]:
    args = ["check", "--db", db, "--json"]
    for name in names:
        args += ["--repo", name]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_urls_of_one_live_repository_record_one_identity_ok(seeing_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "tracker.db")
    spellings = ["https://github.com/acme/seeing.git", "https://github.com/acme/seeing/tree/master",
                 "https://github.com/acme/seeing/blob/main/x.py", "HTTPS://GitHub.com/ACME/Seeing",
                 "git@github.com:Acme/SEEING.git"]
    for spelling in spellings:
        [row] = _check(db, spelling)
        assert (row["repository"], row["status"]) == ("github.com/acme/seeing", "ok"), (spelling, row)
        assert "could not be read" not in str(row["detail"])
    store = open_store(db)
    assert [ref.canonical for ref in store.repositories_due()] == ["github.com/acme/seeing"]
    assert len(store.history("github.com/acme/seeing")) == len(spellings)
    history = runner.invoke(app, ["history", "https://github.com/ACME/seeing/issues", "--db", db, "--json"])
    assert history.exit_code == 0, history.output
    assert [entry["status"] for entry in json.loads(history.stdout)] == ["ok"] * len(spellings)


@pytest.mark.parametrize("bad", ["example.com/foo/bar", "ftp://github.com/x/y", "github.com/only-owner",
                                 "https://git.example.org/group/name.git", "github.com/-upload-pack=x/y"])
def test_refused_names_exit_2_with_the_reason_and_store_nothing(tmp_path: Path, bad: str) -> None:
    db = tmp_path / "tracker.db"
    result = runner.invoke(app, ["check", "--repo", "github.com/acme/fine", "--repo", bad, "--db", str(db)])
    assert result.exit_code == 2
    [message] = result.stderr.strip().splitlines()  # one line, no traceback
    assert message.startswith("error:") and repr(bad) in message
    assert "Traceback" not in result.output
    assert not db.exists()  # not even the good name before it was stored


def test_a_refused_name_leaves_an_existing_database_as_it_was(seeing_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "tracker.db")
    _check(db, "github.com/acme/seeing")
    assert runner.invoke(app, ["check", "--repo", "ftp://github.com/x/y", "--db", db]).exit_code == 2
    assert [ref.canonical for ref in open_store(db).repositories_due()] == ["github.com/acme/seeing"]


def _paper_links(db: str) -> list[tuple[str, int | None, str | None]]:
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text(
            "SELECT raw_text, repository_id, artifact_url FROM paper_links ORDER BY id")).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_forget_removes_the_repository_and_its_checks_and_the_paper_keeps_its_link_text(
        seeing_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "tracker.db")
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps({"title": "Seeing Things", "abstract": "Code: https://github.com/acme/seeing.git "
                                  "and a video https://youtu.be/abc."}) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(source), "--db", db]).exit_code == 0
    _check(db, "github.com/acme/seeing")

    result = runner.invoke(app, ["forget", "https://github.com/ACME/seeing/tree/main", "--yes", "--db", db, "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"canonical": "github.com/acme/seeing", "checks": 1, "paper_links": 1}
    store = open_store(db)
    assert store.repositories_due() == [] and store.history("github.com/acme/seeing") == []
    assert _paper_links(db) == [("https://github.com/acme/seeing.git", None, None),
                                ("https://youtu.be/abc", None, "https://youtu.be/abc")]
    [paper] = store.papers_with_links()
    assert paper.repositories == () and [artifact.url for artifact in paper.artifacts] == ["https://youtu.be/abc"]
    status = runner.invoke(app, ["status", "--db", db, "--json"])
    assert status.exit_code == 0 and json.loads(status.stdout) == []
    again = runner.invoke(app, ["forget", "github.com/acme/seeing", "--yes", "--db", db])
    assert again.exit_code == 1 and "nothing removed" in again.stderr


def test_forget_without_yes_and_without_a_terminal_exits_2_and_removes_nothing(
        seeing_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "tracker.db")
    _check(db, "github.com/acme/seeing")
    result = runner.invoke(app, ["forget", "github.com/acme/seeing", "--db", db], input="y\n")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert len(open_store(db).history("github.com/acme/seeing")) == 1
    assert runner.invoke(app, ["forget", "ftp://github.com/x/y", "--yes", "--db", db]).exit_code == 2
    elsewhere = tmp_path / "other.db"
    assert runner.invoke(app, ["forget", "github.com/acme/seeing", "--db", str(elsewhere)]).exit_code == 2
    assert not elsewhere.exists()  # refused before any database was opened


def test_repo_fields_of_jsonl_and_csv_go_through_the_same_parser(tmp_path: Path) -> None:
    jsonl = tmp_path / "papers.jsonl"
    jsonl.write_text(
        json.dumps({"title": "One", "abstract": "No link here.", "repo": "git@github.com:Acme/One.git"}) + "\n"
        + json.dumps({"title": "Two", "abstract": "See https://github.com/acme/two.", "repo": [
            "https://github.com/ACME/two/tree/main", "https://gitlab.com/g/three/-/issues"]}) + "\n"
        + json.dumps({"title": "Three", "abstract": "Nothing.", "repo": "ftp://github.com/x/y"}) + "\n"
        + json.dumps({"title": "Four", "abstract": "Nothing.", "repo": 42}) + "\n",
        encoding="utf-8",
    )
    csv = tmp_path / "papers.csv"
    csv.write_text('title,abstract,repo\nFive,"No link.","https://github.com/acme/five.git; github.com/acme/six"\n',
                   encoding="utf-8")
    result = runner.invoke(app, ["links", str(jsonl), str(csv)])
    assert result.exit_code == 0, result.output
    repos = {record["paper"]["title"]: record["repos"] for record in map(json.loads, result.stdout.splitlines())}
    assert repos == {
        "One": ["github.com/Acme/One"],
        "Two": ["github.com/ACME/two", "gitlab.com/g/three"],  # the abstract's link is the same identity
        "Three": [],
        "Four": [],
        "Five": ["github.com/acme/five", "github.com/acme/six"],
    }
    stderr = result.stderr.replace("\n", "")
    assert f"{jsonl}:3:" in stderr and "ftp:// is not a way to fetch one" in stderr
    assert f"{jsonl}:4:" in stderr and "repo 42 is not text" in stderr
