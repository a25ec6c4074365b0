"""The checks on whole repositories, built by hand: no network, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tracker.checks import ALL_CHECKS, CHECK_NAMES, run_checks
from tracker.checks.score import Health, health, repro_breakdown, repro_score
from tracker.records import (
    Activity,
    CheckResult,
    LicenseFinding,
    Metadata,
    Outcome,
    RepoFacts,
    RepoFiles,
    RepoRef,
    Status,
)

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
REF = RepoRef("github.com", "alice", "vision")

COMPLETE_README = """\
# Vision

Code for our paper.

## Install

```bash
pip install -r requirements.txt
```

## Pretrained models

Download the weights from https://huggingface.co/alice/vision-base .

## Training

```bash
torchrun --nproc_per_node 8 train.py --config configs/base.yaml
```

## Results

| Model | Top-1 | Params |
|-------|------:|-------:|
| Base  | 81.2  | 86M    |
| Large | **84.0** | 307M |

Reproduce with `python eval.py --ckpt base.ckpt`.

## Citation

```bibtex
@inproceedings{alice2026vision,
  title = {Vision},
}
```
"""

COMPLETE_PATHS = (
    "README.md",
    "LICENSE",
    "requirements.txt",
    "train.py",
    "eval.py",
    "scripts/train_large.sh",
    "configs/base.yaml",
    "tests/test_model.py",
    "tests/conftest.py",
    ".github/workflows/ci.yml",
    "Dockerfile",
    "CITATION.cff",
    "notebooks/demo.ipynb",
    "vision/model.py",
)


def make(status: Status = Status.OK, **changes: object) -> RepoFacts:
    """A complete, well-kept ML repository; each test takes away what it is about."""
    facts = RepoFacts(
        ref=REF,
        status=status,
        detail="GitHub API answered 200 for alice/vision.",
        checked_at=NOW,
        http_status=200,
        metadata=Metadata(
            stars=120,
            default_branch="main",
            pushed_at=NOW - timedelta(days=3),
            license_spdx="MIT",
            latest_release="v1.0",
            latest_release_at=datetime(2026, 9, 1, tzinfo=UTC),
        ),
        activity=Activity(
            head_commit="0123456789abcdef0123456789abcdef01234567",
            last_commit_at=NOW - timedelta(days=10),
            first_commit_at=datetime(2025, 1, 2, tzinfo=UTC),
            commits_90d=12,
            commits_365d=80,
            contributors=4,
            tags=3,
        ),
        files=RepoFiles(
            paths=COMPLETE_PATHS,
            texts={
                "README.md": COMPLETE_README,
                "requirements.txt": "torch==2.3.1\nnumpy==1.26.4  # arrays\n\n-r extra.txt\n",
            },
        ),
        licenses=(
            LicenseFinding(spdx="MIT", confidence=0.99, source="file", path="LICENSE"),
            LicenseFinding(spdx="MIT", confidence=1.0, source="api"),
        ),
    )
    return replace(facts, **changes)


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def readme_only(status: Status = Status.OK) -> RepoFacts:
    return make(
        status,
        files=RepoFiles(paths=("README.md",), texts={"README.md": "# Vision\n\nCode coming soon.\n"}),
        licenses=(),
        metadata=Metadata(pushed_at=NOW - timedelta(days=3)),
        activity=None,
    )


def test_complete_repository_passes_everything_with_the_right_evidence() -> None:
    facts = make()
    results = by_name(run_checks(facts, NOW))

    assert {name: result.outcome for name, result in results.items()} == dict.fromkeys(CHECK_NAMES, Outcome.PASS)
    assert repro_score(results.values()) == 100
    assert health(facts, results.values()) is Health.ALIVE
    assert results["existence"].evidence == ("host: GitHub API answered 200 for alice/vision.", "HTTP 200")
    assert results["license"].evidence == ("LICENSE: MIT (file, confidence 0.99)", "GitHub API: MIT")
    assert results["license"].reason == "Licensed MIT (LICENSE)."
    assert results["dependencies"].evidence == ("requirements.txt",)
    assert results["pinned_dependencies"].evidence == ("requirements.txt: 2 of 2 pinned",)
    assert results["training_code"].evidence == (
        "train.py",
        "scripts/train_large.sh",
        "README.md:18: torchrun --nproc_per_node 8 train.py --config configs/base.yaml",
    )
    assert results["evaluation_code"].evidence == (
        "eval.py",
        "README.md:28: Reproduce with `python eval.py --ckpt base.ckpt`.",
    )
    assert results["pretrained_models"].evidence == (
        "README.md:13: Download the weights from https://huggingface.co/alice/vision-base .",
    )
    assert results["results"].evidence == (
        "README.md:25: | Base  | 81.2  | 86M    |",
        "README.md:18: torchrun --nproc_per_node 8 train.py --config configs/base.yaml",
        "README.md:28: Reproduce with `python eval.py --ckpt base.ckpt`.",
    )
    assert results["tests"].evidence == ("tests/",)
    assert results["ci"].evidence == (".github/workflows/ci.yml",)
    assert results["container"].evidence == ("Dockerfile",)
    assert results["citation"].evidence == ("CITATION.cff", "README.md:33: @inproceedings{alice2026vision,")
    assert results["notebooks"].evidence == ("notebooks/demo.ipynb",)
    assert results["activity"].reason == (
        "Maintained. Last commit on 2026-10-05; 80 commits in the last 365 days; 4 contributors; "
        "latest release v1.0."
    )


def test_bare_repository_with_only_a_readme_fails_every_content_check() -> None:
    facts = readme_only()
    results = by_name(run_checks(facts, NOW))

    assert results["existence"].outcome is Outcome.PASS
    content = [name for name in CHECK_NAMES if name not in ("existence", "activity")]
    assert {name: (results[name].outcome, results[name].score) for name in content} == dict.fromkeys(
        content, (Outcome.FAIL, 0)
    )
    assert repro_score(results.values()) == 0
    # No git history was read, so the API's last push stands in.
    assert results["activity"].outcome is Outcome.PASS
    assert results["activity"].reason.startswith("Maintained. Last push on ")
    assert "nobody can retrain" in results["training_code"].reason
    assert "No dependency file" in results["dependencies"].reason
    assert results["pinned_dependencies"].reason == "No dependency file and no lock file, so no version is pinned."
    assert health(facts, results.values()) is Health.ALIVE


def test_repository_without_license() -> None:
    facts = make(
        files=RepoFiles(paths=tuple(p for p in COMPLETE_PATHS if p != "LICENSE"), texts=make().files.texts),
        licenses=(),
        metadata=replace(make().metadata, license_spdx=None),
    )
    results = by_name(run_checks(facts, NOW))

    assert (results["license"].outcome, results["license"].score) == (Outcome.FAIL, 0)
    assert results["license"].reason == (
        "No license file; GitHub detects none either. Without a license nobody may reuse this code."
    )
    assert results["license"].evidence == ()
    assert repro_score(results.values()) == 85


def test_api_and_file_disagree_keeps_both_and_says_so() -> None:
    facts = make(licenses=(
        LicenseFinding(spdx="MIT", confidence=0.97, source="file", path="LICENSE"),
        LicenseFinding(spdx="Apache-2.0", confidence=1.0, source="api"),
    ))
    result = by_name(run_checks(facts, NOW))["license"]

    assert (result.outcome, result.score) == (Outcome.PASS, 8)
    assert result.evidence == ("LICENSE: MIT (file, confidence 0.97)", "GitHub API: Apache-2.0")
    assert "disagree" in result.reason
    assert "LICENSE says MIT but GitHub API reports Apache-2.0" in result.reason


def test_api_answer_from_metadata_alone_counts_and_gpl_only_suffix_is_not_a_disagreement() -> None:
    facts = make(
        licenses=(LicenseFinding(spdx="GPL-3.0-only", confidence=0.95, source="file", path="COPYING"),),
        metadata=replace(make().metadata, license_spdx="GPL-3.0"),
    )
    result = by_name(run_checks(facts, NOW))["license"]

    assert (result.outcome, result.score) == (Outcome.PASS, 10)
    assert result.evidence == ("COPYING: GPL-3.0-only (file, confidence 0.95)", "GitHub API: GPL-3.0")


def test_license_named_only_in_the_readme() -> None:
    facts = make(
        files=RepoFiles(paths=("README.md", "train.py"), texts={"README.md": "Released under the MIT license.\n"}),
        licenses=(LicenseFinding(spdx="MIT", confidence=0.6, source="readme", path="README.md"),),
        metadata=replace(make().metadata, license_spdx=None),
    )
    result = by_name(run_checks(facts, NOW))["license"]

    assert (result.outcome, result.score) == (Outcome.PASS, 5)
    assert result.evidence == ("README.md: MIT (readme, confidence 0.60)",)
    assert "no license file" in result.reason
    assert "will not find it" in result.reason


def test_unrecognised_license_file_fails() -> None:
    facts = make(
        licenses=(
            LicenseFinding(spdx=None, confidence=0.2, source="file", path="LICENSE"),
            LicenseFinding(spdx="NOASSERTION", confidence=1.0, source="api"),
        ),
        metadata=replace(make().metadata, license_spdx="NOASSERTION"),
    )
    result = by_name(run_checks(facts, NOW))["license"]

    assert (result.outcome, result.score) == (Outcome.FAIL, 0)
    assert "a license file exists but is not a recognised license" in result.reason.lower()
    assert result.evidence == ("LICENSE: not a recognised license", "GitHub API: not a recognised license")


def test_license_file_in_tree_without_any_finding_is_unrecognised() -> None:
    facts = make(licenses=(), metadata=replace(make().metadata, license_spdx=None))
    result = by_name(run_checks(facts, NOW))["license"]

    assert (result.outcome, result.score) == (Outcome.FAIL, 0)
    assert result.reason.startswith("A license file exists but is not a recognised license (LICENSE)")
    assert result.evidence == ("LICENSE: not a recognised license",)


def test_stale_repository_relative_to_injected_now() -> None:
    facts = make(activity=Activity(
        last_commit_at=datetime(2024, 10, 1, 9, 30, tzinfo=UTC),
        commits_90d=0,
        commits_365d=0,
        contributors=1,
        tags=0,
    ), metadata=replace(make().metadata, latest_release=None, latest_release_at=None))
    results = by_name(run_checks(facts, NOW))
    result = results["activity"]

    assert (result.outcome, result.score) == (Outcome.FAIL, 0)
    assert result.reason == (
        "Stale: no commit for over a year. Last commit on 2024-10-01; 0 commits in the last 365 days; "
        "1 contributor."
    )
    assert result.evidence == (
        "last commit: 2024-10-01T09:30:00+00:00",
        "commits in 90 days: 0",
        "commits in 365 days: 0",
        "contributors: 1",
        "tags: 0",
    )
    assert health(facts, results.values()) is Health.STALE
    # The same facts a year earlier describe a maintained repository.
    earlier = by_name(run_checks(facts, datetime(2025, 3, 1, tzinfo=UTC)))
    assert (earlier["activity"].outcome, earlier["activity"].score) == (Outcome.PASS, 7)
    assert health(facts, earlier.values()) is Health.ALIVE


def test_archived_repository_exists_but_is_not_maintained() -> None:
    facts = make(Status.ARCHIVED)
    results = by_name(run_checks(facts, NOW))

    assert (results["existence"].outcome, results["existence"].score) == (Outcome.PASS, 10)
    assert "archived" in results["existence"].reason
    assert (results["activity"].outcome, results["activity"].score) == (Outcome.FAIL, 0)
    assert results["activity"].reason.startswith("Archived: the owner made it read-only.")
    assert health(facts, results.values()) is Health.ARCHIVED
    # Its content is still there to judge.
    assert repro_score(results.values()) == 100


def test_moved_repository_names_its_new_home() -> None:
    facts = make(Status.MOVED, moved_to=RepoRef("github.com", "vision-lab", "vision"), http_status=301,
                 detail="GitHub redirects alice/vision to vision-lab/vision.")
    results = by_name(run_checks(facts, NOW))
    result = results["existence"]

    assert (result.outcome, result.score) == (Outcome.PASS, 8)
    assert result.evidence == (
        "host: GitHub redirects alice/vision to vision-lab/vision.",
        "HTTP 301",
        "moved to github.com/vision-lab/vision",
    )
    assert "moved to github.com/vision-lab/vision" in result.reason
    assert health(facts, results.values()) is Health.ALIVE


@pytest.mark.parametrize("status", [Status.MISSING, Status.BLOCKED, Status.DISABLED])
def test_gone_repository_fails_existence_and_is_unknown_on_content(status: Status) -> None:
    facts = RepoFacts(ref=REF, status=status, detail="GitHub API answered 404 for alice/vision.",
                      checked_at=NOW, http_status=404 if status is Status.MISSING else 451)
    results = by_name(run_checks(facts, NOW))

    assert (results["existence"].outcome, results["existence"].score) == (Outcome.FAIL, 0)
    assert results["existence"].evidence[0] == "host: GitHub API answered 404 for alice/vision."
    assert status.value in results["existence"].reason
    others = [result for name, result in results.items() if name != "existence"]
    assert {(result.outcome, result.score) for result in others} == {(Outcome.UNKNOWN, None)}
    assert all(f"is {status.value}" in result.reason for result in others)
    assert repro_score(results.values()) is None
    assert health(facts, results.values()) is Health.GONE


@pytest.mark.parametrize(("status", "existence", "content"), [
    (Status.UNREACHABLE, "that says nothing about whether it exists", "the host could not be reached"),
    (Status.NOT_CHECKED, "has not been checked yet", "has not been checked yet"),
])
def test_unreachable_repository_is_unknown_everywhere_never_failing(status: Status, existence: str,
                                                                      content: str) -> None:
    # Facts left over from an earlier run must not leak into a verdict: the host did not answer now.
    facts = make(status, detail="Connection to api.github.com timed out.", http_status=None)
    results = by_name(run_checks(facts, NOW))

    assert {(result.outcome, result.score) for result in results.values()} == {(Outcome.UNKNOWN, None)}
    assert existence in results["existence"].reason
    assert all(content in result.reason for name, result in results.items() if name != "existence")
    assert results["existence"].evidence == ("host: Connection to api.github.com timed out.",)
    assert repro_score(results.values()) is None
    assert health(facts, results.values()) is Health.UNKNOWN


def test_empty_repository_fails_existence_and_content_is_seen_as_nothing() -> None:
    facts = RepoFacts(ref=REF, status=Status.EMPTY, detail="alice/vision has no commits.", checked_at=NOW,
                      http_status=200, metadata=Metadata(pushed_at=None))
    results = by_name(run_checks(facts, NOW))

    assert (results["existence"].outcome, results["existence"].score) == (Outcome.FAIL, 0)
    assert "empty" in results["existence"].reason
    assert {(result.outcome, result.score) for result in results.values()} == {(Outcome.FAIL, 0)}
    assert results["activity"].reason == "No commits at all: the repository is empty."
    assert repro_score(results.values()) == 0
    assert health(facts, results.values()) is Health.EMPTY


def test_tree_that_could_not_be_read_leaves_content_unknown_but_keeps_api_facts() -> None:
    facts = make(files=None, licenses=())
    results = by_name(run_checks(facts, NOW))

    assert results["license"].outcome is Outcome.PASS  # GitHub's API named it
    assert results["activity"].outcome is Outcome.PASS
    assert results["training_code"].outcome is Outcome.UNKNOWN
    assert "file tree could not be read" in results["training_code"].reason
    assert repro_score(results.values()) is None


SCENARIOS = {
    "complete": make(),
    "readme only": readme_only(),
    "archived": make(Status.ARCHIVED),
    "moved": make(Status.MOVED, moved_to=RepoRef("github.com", "bob", "vision")),
    "missing": RepoFacts(ref=REF, status=Status.MISSING, detail="404", checked_at=NOW),
    "unreachable": make(Status.UNREACHABLE),
    "not checked": RepoFacts(ref=REF, status=Status.NOT_CHECKED, detail="", checked_at=NOW),
    "empty": RepoFacts(ref=REF, status=Status.EMPTY, detail="empty", checked_at=NOW),
    "no tree": make(files=None),
    "naive dates": make(activity=Activity(last_commit_at=datetime(2026, 10, 1), commits_365d=3, contributors=1)),
}


@pytest.mark.parametrize("facts", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_check_returns_the_same_shape(facts: RepoFacts) -> None:
    results = run_checks(facts, NOW)

    assert [result.name for result in results] == [check.NAME for check in ALL_CHECKS]
    for result in results:
        assert isinstance(result, CheckResult)
        assert isinstance(result.outcome, Outcome)
        assert (result.score is None) == (result.outcome is Outcome.UNKNOWN), result
        assert result.score is None or 0 <= result.score <= 10, result
        assert result.reason and result.reason[0].isupper() and result.reason.endswith("."), result
        assert isinstance(result.evidence, tuple) and all(isinstance(item, str) for item in result.evidence)
    score = repro_score(results)
    assert score is None or 0 <= score <= 100
    assert health(facts, results) in set(Health)
    assert [line.check for line in repro_breakdown(results)] == [
        "license", "dependencies", "pinned_dependencies", "training_code", "evaluation_code", "pretrained_models",
        "results", "tests", "ci", "container", "citation",
    ]


def test_hostile_readme_text_is_kept_verbatim_as_data() -> None:
    readme = (
        "# [bold red]Pwned[/bold red]\n"
        "Run `python train.py --name \"[bold red]x[/]\"` <script>alert(1)</script>\n"
        "Weights: https://huggingface.co/alice/vision <img src=x onerror=alert(1)> \x1b[31mred\x1b[0m\n"
    )
    facts = make(files=RepoFiles(paths=("README.md",), texts={"README.md": readme}))
    results = by_name(run_checks(facts, NOW))

    assert results["training_code"].evidence == (
        "README.md:2: Run `python train.py --name \"[bold red]x[/]\"` <script>alert(1)</script>",
    )
    assert results["pretrained_models"].evidence == (
        "README.md:3: Weights: https://huggingface.co/alice/vision <img src=x onerror=alert(1)> \x1b[31mred\x1b[0m",
    )
    assert "README.md:2" in results["training_code"].reason
