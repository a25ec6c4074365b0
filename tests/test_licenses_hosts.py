"""Licenses read both ways: the git way and GitHub's API way find the same root licenses, never a vendored one.

A real git repository (built here) holds a LICENSE of several licenses, a
LICENSE in third_party/ and a README with a license badge; the stand-in
GitHub serves it and answers its own (different) license detection. Both
answers are kept, and the check says where they disagree.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gitrepos import CommitSpec, build_repo, route_git
from standin_github import StandinGitHub
from store_support import ok_facts, pg_database, store, store_url  # noqa: F401  (fixtures)

from tracker.checks import license as license_check
from tracker.hosts.git import GitHost
from tracker.hosts.github import GitHubHost
from tracker.http import MemoryCache
from tracker.records import LicenseFinding, RepoFacts, RepoRef, Status
from tracker.report.load import repo_license
from tracker.spdx import repository_license
from tracker.store import Store
from tracker.tracking.checker import RepositoryChecker
from tracker.tracking.pipeline import check_many

TOKEN = "ghp_Secr3tLicenseToken0123456789abcdefAB"
NOW = datetime.now(UTC).replace(microsecond=0)
REF = RepoRef("github.com", "acme", "megamodel")


def shipped(distribution: str, name: str) -> str:
    for file in importlib.metadata.distribution(distribution).files or []:
        if ".dist-info/" in str(file) and str(file).endswith(f"/{name}"):
            return file.read_text(encoding="utf-8")
    pytest.skip(f"{distribution} ships no {name}")


def check_one(checker: RepositoryChecker) -> RepoFacts:
    [checked] = list(check_many(checker, [REF], workers=1))
    return checked.facts


def test_git_way_and_api_way_find_the_root_licenses_and_keep_githubs_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mit, apache, bsd = shipped("rich", "LICENSE"), shipped("tenacity", "LICENSE"), shipped("Jinja2", "LICENSE.txt")
    root = tmp_path / "remote"
    files = {
        "README.md": "# megamodel\n\n![License](https://img.shields.io/badge/License-BSD_3--Clause-blue.svg)\n",
        "LICENSE": f"{bsd}\n\n{'-' * 40}\nLICENSE FOR vendored kernels\n{'-' * 40}\n\n{apache}",
        "third_party/tokenizer/LICENSE": mit,
        "train.py": "print('train')\n",
    }
    build_repo(root, REF.canonical, files,
               [CommitSpec(when=NOW - timedelta(days=3), message="initial", author="Ada", email="ada@lab.org")])
    route_git(monkeypatch, tmp_path, root)
    with StandinGitHub(token=TOKEN, git_root=root, max_hold=3.0) as standin:
        standin.add_repo(REF.full_name, license="Apache-2.0",
                         pushed_at=(NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        github = GitHubHost(standin.api_url, TOKEN, timeout=2.0, answer_cache=MemoryCache(),
                            sleep=lambda _: None)
        through_api = check_one(RepositoryChecker(github, GitHost(tmp_path / "cache"), clock=lambda: NOW))
    with StandinGitHub(token=TOKEN, max_hold=3.0) as rest_only:  # no GraphQL: REST, and git for the content
        rest_only.add_repo(REF.full_name, license="Apache-2.0",
                           pushed_at=(NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        github = GitHubHost(rest_only.api_url, TOKEN, timeout=2.0, answer_cache=MemoryCache())
        through_git = check_one(RepositoryChecker(github, GitHost(tmp_path / "git-cache"), clock=lambda: NOW))

    assert through_api.status is through_git.status is Status.OK
    for facts in (through_api, through_git):
        by_source = {(finding.source, finding.path): finding for finding in facts.licenses}
        assert set(by_source) == {("file", "LICENSE"), ("readme", "README.md"), ("api", None)}
        assert by_source["file", "LICENSE"].spdx == "BSD-3-Clause AND Apache-2.0"
        assert by_source["readme", "README.md"] == LicenseFinding("BSD-3-Clause", 0.4, "readme", "README.md",
                                                                  how="badge")
        assert by_source["api", None].spdx == "Apache-2.0"
        assert repository_license(facts.licenses)[0] == "BSD-3-Clause AND Apache-2.0"
        result = license_check.run(facts, NOW)
        assert result.reason == ("Licensed BSD-3-Clause AND Apache-2.0 (LICENSE). "
                                 "GitHub's API names only Apache-2.0, one of them.")
    assert {f for f in through_api.licenses if f.source != "api"} == \
        {f for f in through_git.licenses if f.source != "api"}


def test_store_keeps_the_files_expression_githubs_answer_and_how_each_was_read(store: Store) -> None:
    findings = (
        LicenseFinding("BSD-3-Clause AND Apache-2.0 AND MIT", 0.97, "file", "LICENSE", how="sections"),
        LicenseFinding("MIT", 1.0, "file", "LICENSE-THIRD-PARTY", how="text"),
        LicenseFinding("MIT", 0.4, "readme", "README.md", how="badge"),
        LicenseFinding("Apache-2.0", 1.0, "api"),
    )
    facts = dataclasses.replace(ok_facts("github.com/a/mega"), licenses=findings)
    run = store.start_run(["test"])
    store.record_check(run, facts, (), health="healthy", repro_score=60)

    check = store.history("github.com/a/mega")[-1]

    assert check is not None
    assert (check.license_file, check.license_confidence) == ("BSD-3-Clause AND Apache-2.0 AND MIT", 0.97)
    assert check.licenses() == findings
    assert repo_license(check) == "BSD-3-Clause AND Apache-2.0 AND MIT"


def test_store_keeps_the_unrecognised_files_closest_guess(store: Store) -> None:
    findings = (LicenseFinding(None, 0.31, "file", "LICENSE", how="text", closest="Beerware"),)
    facts = dataclasses.replace(ok_facts("github.com/a/odd"), licenses=findings)
    store.record_check(store.start_run(["test"]), facts, (), health="healthy", repro_score=60)

    check = store.history("github.com/a/odd")[-1]

    assert check is not None and check.licenses() == findings and check.license_file is None
    assert repo_license(check) == "MIT"  # ok_facts' GitHub answer; the file itself stays NOASSERTION in evidence
