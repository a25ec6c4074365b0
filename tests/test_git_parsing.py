"""The pure parts of the git host: classifying git's answers, choosing files, license sections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.gitrepos import license_text
from tracker.hosts.git import activity_from_log, classify_failure, is_relevant, parse_ls_remote, redirect_in
from tracker.hosts.license_text import is_license_file, license_findings, readme_license_section
from tracker.records import Status


@pytest.mark.parametrize(
    ("stderr", "status"),
    [
        ("remote: Repository not found.\nfatal: repository 'https://github.com/a/b/' not found", Status.MISSING),
        ("fatal: unable to access 'https://gitlab.com/a/b/': The requested URL returned error: 410", Status.MISSING),
        ("fatal: could not read Username for 'https://gitlab.com': terminal prompts disabled", Status.MISSING),
        ("fatal: '/srv/github.com/a/b' does not appear to be a git repository", Status.MISSING),
        ("remote: Repository unavailable due to DMCA takedown.\nfatal: ... returned error: 451", Status.BLOCKED),
        ("remote: Access to this repository has been disabled by GitHub Staff.", Status.DISABLED),
        ("fatal: unable to access 'https://github.com/a/b/': Could not resolve host: github.com", Status.UNREACHABLE),
        ("fatal: unable to access 'https://github.com/a/b/': Failed to connect to github.com port 443",
         Status.UNREACHABLE),
        ("fatal: unable to access 'https://github.com/a/b/': SSL certificate problem", Status.UNREACHABLE),
        ("fatal: unable to access 'https://github.com/a/b/': The requested URL returned error: 403",
         Status.UNREACHABLE),
        ("fatal: unable to access 'https://github.com/a/b/': The requested URL returned error: 502",
         Status.UNREACHABLE),
        ("", Status.UNREACHABLE),
    ],
)
def test_only_an_answer_from_the_host_means_gone(stderr: str, status: Status) -> None:
    assert classify_failure(stderr)[0] is status


def test_failure_details_carry_no_credentials() -> None:
    stderr = (
        "fatal: unable to access 'https://x-access-token:ghp_s3cr3tvalue@github.com/a/b/': "
        "Could not resolve host: github.com\nerror: token ghp_s3cr3tvalue rejected"
    )

    status, detail = classify_failure(stderr, secrets=("ghp_s3cr3tvalue",))

    assert status is Status.UNREACHABLE
    assert "ghp_s3cr3tvalue" not in detail and "x-access-token" not in detail
    assert "https://github.com/a/b/" in detail


def test_ls_remote_output_parsing() -> None:
    sha, tag, peeled = "a" * 40, "b" * 40, "c" * 40
    output = (
        f"ref: refs/heads/trunk\tHEAD\n{sha}\tHEAD\n{sha}\trefs/heads/trunk\n"
        f"{tag}\trefs/tags/v1\n{peeled}\trefs/tags/v1^{{}}\n{sha}\trefs/tags/v2\n"
    )

    head = parse_ls_remote(output)

    assert (head.status, head.head_commit, head.default_branch) == (Status.OK, sha, "trunk")
    assert head.tags == 2  # an annotated tag's peeled line is the same tag
    assert parse_ls_remote("").status is Status.EMPTY
    assert parse_ls_remote(f"{tag}\trefs/tags/v1\n").status is Status.OK  # tags alone are commits: not empty
    headless = parse_ls_remote(f"{sha}\trefs/heads/dev\n")
    assert headless.status is Status.OK and headless.head_commit is None


def test_activity_windows_exclude_their_start_and_the_future() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    stamps = [
        ("future", datetime(2024, 7, 1, tzinfo=UTC)),
        ("today", now),
        ("edge90", datetime(2024, 3, 3, tzinfo=UTC)),  # exactly 90 days before: outside
        ("old", datetime(2020, 1, 1, tzinfo=UTC)),
    ]
    log = "\n".join(f"{name}\x00{int(when.timestamp())}\x00{name}@x.example" for name, when in stamps)

    activity = activity_from_log(log, head="future", now=now, tags=3)

    assert (activity.commits_90d, activity.commits_365d, activity.contributors) == (1, 2, 4)
    assert activity.first_commit_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert activity.tags == 3  # what the caller counted: every tag of the repository


def test_contributors_and_the_first_commit_mean_what_they_mean_through_the_api() -> None:
    """The latest 100 commits' authors; the first commit only when the history is no longer than that."""
    now = datetime(2024, 6, 1, tzinfo=UTC)
    start = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())

    def log(commits: int) -> str:  # newest first; the oldest commit has its own author
        return "\n".join(f"c{n}\x00{start + n * 60}\x00{'founder' if n == 0 else f'dev{n % 7}'}@x.example"
                         for n in reversed(range(commits)))

    short, long = activity_from_log(log(100), head="h", now=now), activity_from_log(log(101), head="h", now=now)
    assert (short.contributors, short.first_commit_at) == (8, datetime.fromtimestamp(start, tz=UTC))
    assert (long.contributors, long.first_commit_at) == (7, None)  # the founder is past the latest 100


def test_activity_from_a_log_of_odd_lines_counts_only_commits() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    log = "\n\nnot a commit\nabc\x00not-a-date\x00a@x.example\nabc\x001700000000\x00\n"

    activity = activity_from_log(log, head="abc", now=now)

    assert activity.last_commit_at == datetime.fromtimestamp(1700000000, tz=UTC)
    assert (activity.contributors, activity.tags) == (0, 0)


@pytest.mark.parametrize(
    ("path", "relevant"),
    [
        ("README.md", True),
        ("readme.rst", True),
        ("LICENSE", True),
        ("license.py", True),  # a script at the top, read as one (never as a license)
        ("COPYING.LESSER", True),
        ("CITATION.cff", True),
        ("docs/README.md", False),
        ("requirements-dev.txt", True),
        ("env/requirements.txt", True),
        ("a/b/requirements.txt", False),
        ("environment.yaml", True),
        ("docker/Dockerfile", True),
        ("Dockerfile.cuda", True),
        ("container.def", True),
        ("Singularity", True),
        ("Makefile", True),
        ("train.py", True),
        ("src/main.py", True),
        ("src/README.md", True),
        ("tests/test_model.py", False),
        ("pkg/model.py", False),
        ("copytask.py", True),
        ("__init__.py", False),
        ("a/b/main.py", False),
        (".gitmodules", True),
        ("Project.toml", True),
        ("apt.txt", True),
        ("setup.py", True),
        ("Pipfile", True),
    ],
)
def test_relevant_files(path: str, relevant: bool) -> None:
    assert is_relevant(path) is relevant


def test_license_files_are_top_level_license_licence_copying() -> None:
    assert [p for p in ("LICENSE.md", "LICENCE", "COPYING", "licenses/MIT", "LICENSE_THIRD_PARTY", "license.py")
            if is_license_file(p)] == ["LICENSE.md", "LICENCE", "COPYING", "LICENSE_THIRD_PARTY"]


def test_readme_license_section_in_markdown_setext_and_rst() -> None:
    atx = "# Tool\n\nintro\n\n## License\n\nMIT, see LICENSE.\n\n### Third party\n\nbits\n\n## Citation\n\ncite\n"
    setext = "Tool\n====\n\nLicense\n-------\n\nApache-2.0 applies.\n\nCitation\n--------\n\ncite\n"
    last = "# Tool\n\n## Licensing\nGPL\n"

    assert readme_license_section(atx) == "MIT, see LICENSE.\n\n### Third party\n\nbits"
    assert readme_license_section(setext) == "Apache-2.0 applies."
    assert readme_license_section(last) == "GPL"
    assert readme_license_section("# Tool\n\nno such section\n") is None


def test_readme_that_only_declares_a_license_yields_a_weaker_finding() -> None:
    texts = {"README.md": "# Tool\n\n## License\n\nThis project is released under the MIT license.\n"}

    (finding,) = license_findings(texts, "README.md")

    assert (finding.spdx, finding.source, finding.how) == ("MIT", "readme", "declaration")
    assert finding.confidence < 0.6


def test_readme_that_points_at_the_license_file_yields_no_finding() -> None:
    texts = {"README.md": "# Tool\n\n## License\n\nSee the LICENSE file.\n"}

    assert license_findings(texts, "README.md") == ()


def test_license_file_beats_readme_copy() -> None:
    mit = license_text("MIT")
    texts = {"LICENSE": mit, "README.md": f"# Tool\n\n## License\n\n{mit}"}

    by_source = {f.source: f for f in license_findings(texts, "README.md")}

    assert by_source["file"].spdx == by_source["readme"].spdx == "MIT"
    assert by_source["file"].confidence > by_source["readme"].confidence


def test_redirect_is_read_from_gits_warning_only() -> None:
    stderr = "Cloning into bare repository 'x.git'...\nwarning: redirecting to https://gitlab.com/lab/new/\n"
    assert redirect_in(stderr) == "https://gitlab.com/lab/new/"
    assert redirect_in("Cloning into bare repository 'x.git'...\n") is None
    assert redirect_in("remote: warning: redirecting to https://evil.example/x\n") is None  # the remote's own text
