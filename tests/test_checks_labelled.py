"""The five checklist checks against a labelled set of repositories of our own writing (`labelled_repos`).

Each repository is built into `RepoFacts` the way the read path builds them:
its tree is listed, `texts_to_read` picks the texts (the same choice the git
way and GitHub's API way make), each capped at `TEXT_CAP`. A few are built
into real git repositories and read with `GitHost`, to show the read path
delivers the texts the checks need, and through GitHub's tree answer
(`files_in`) to show the API way picks the same ones.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitrepos import build_repo, route_git
from labelled_repos import CASES, ITEMS, Labelled

from tracker.checks import (
    dependencies,
    evaluation_code,
    pretrained_models,
    results,
    training_code,
)
from tracker.hosts.git import TEXT_CAP, GitHost, TreeEntry, texts_to_read
from tracker.hosts.github_content import files_in
from tracker.records import CheckResult, Outcome, RepoFacts, RepoFiles, RepoRef, Status
from tracker.report.analysis import checklist_coverage
from tracker.report.model import RepoEntry

NOW = datetime(2026, 10, 15, tzinfo=UTC)
CHECKS = {
    "dependencies": dependencies, "training_code": training_code, "evaluation_code": evaluation_code,
    "pretrained_models": pretrained_models, "results": results,
}
MIN_PRECISION = MIN_RECALL = 0.9


def _oid(content: str | bytes) -> str:
    data = content.encode() if isinstance(content, str) else content
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def facts_of(case: Labelled) -> RepoFacts:
    """`RepoFacts` as a read of this repository would give them: every path, the texts `texts_to_read` picks."""
    entries = [TreeEntry("100644", _oid(content), path) for path, content in case.files.items()]
    texts = {}
    for entry in texts_to_read(entries):
        content = case.files[entry.path]
        raw = content.encode() if isinstance(content, str) else content
        texts[entry.path] = raw[:TEXT_CAP].decode("utf-8", errors="replace")
    return RepoFacts(ref=RepoRef("github.com", "lab", case.name), status=Status.OK, detail="ok", checked_at=NOW,
                     files=RepoFiles(paths=tuple(sorted(case.files)), texts=texts))


def decide(facts: RepoFacts) -> dict[str, CheckResult]:
    return {item: CHECKS[item].run(facts, NOW) for item in ITEMS}


def test_the_set_covers_every_item_positive_and_negative() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)
    for item in ITEMS:
        labels = [case.labels[item] for case in CASES]
        assert labels.count(True) >= 8 and labels.count(False) >= 8, item


def test_precision_and_recall_per_item_on_the_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    wrong: list[str] = []
    counts = {item: {"tp": 0, "fp": 0, "fn": 0} for item in ITEMS}
    for case in CASES:
        for item, result in decide(facts_of(case)).items():
            assert result.outcome is not Outcome.UNKNOWN, f"{case.name}/{item}: {result.reason}"
            said, truth = result.outcome is Outcome.PASS, case.labels[item]
            if said and truth:
                counts[item]["tp"] += 1
            elif said:
                counts[item]["fp"] += 1
                wrong.append(f"{case.name}/{item}: passed, labelled no: {result.reason}")
            elif truth:
                counts[item]["fn"] += 1
                wrong.append(f"{case.name}/{item}: failed, labelled yes: {result.reason}")
    with capsys.disabled():
        print(f"\nchecklist items on {len(CASES)} labelled repositories:")
        for item, count in counts.items():
            precision = count["tp"] / max(count["tp"] + count["fp"], 1)
            recall = count["tp"] / max(count["tp"] + count["fn"], 1)
            print(f"  {item:<18} precision {precision:.2f}  recall {recall:.2f}  ({count})")
        for line in wrong:
            print(f"  miss: {line}")
    for item, count in counts.items():
        assert count["tp"] / max(count["tp"] + count["fp"], 1) >= MIN_PRECISION, (item, wrong)
        assert count["tp"] / max(count["tp"] + count["fn"], 1) >= MIN_RECALL, (item, wrong)


def test_reasons_say_what_a_reviewer_would_cite() -> None:
    by_name = {case.name: case for case in CASES}
    template = decide(facts_of(by_name["template"]))
    assert template["training_code"].reason.startswith("Training: README.md:18 runs `python train.py --input-data")
    assert template["evaluation_code"].reason.startswith("Evaluation: README.md:26 runs `python eval.py")
    assert template["pretrained_models"].reason == (
        "Pretrained weights: README.md:33 links them on drive.google.com.")
    assert template["results"].reason.startswith("Results: README.md:43 reports a results table, and README.md:26 runs `python eval.py")
    imagenet = decide(facts_of(by_name["imagenet-main"]))
    assert imagenet["evaluation_code"].reason.startswith("Evaluation: main.py evaluates (main.py:9:")
    assert "--evaluate" in imagenet["evaluation_code"].evidence[0]
    plane = decide(facts_of(by_name["planeeval"]))
    assert "model_released/model.cptk.index" in plane["pretrained_models"].evidence
    assert plane["evaluation_code"].reason.startswith("Evaluation: README.md:6 runs `python experiments/planeeval.py")


def test_a_readme_not_read_leaves_readme_only_evidence_unknown() -> None:
    case = next(case for case in CASES if case.name == "numbered-scripts")
    facts = facts_of(case)
    assert facts.files is not None
    unread = RepoFacts(ref=facts.ref, status=Status.OK, detail="ok", checked_at=NOW,
                       files=RepoFiles(paths=facts.files.paths, texts={}))
    assert {item: result.outcome for item, result in decide(unread).items()} == dict.fromkeys(ITEMS, Outcome.UNKNOWN)


# A few of the set, read for real: the texts the checks need reach them through git and through the API's tree.
THROUGH_GIT = ("imagenet-main", "readme-one-down", "submodule", "reference-link", "test-option", "unittest-at-root")


def test_the_git_read_path_delivers_what_the_checks_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "remote"
    route_git(monkeypatch, tmp_path, root)
    host = GitHost(tmp_path / "cache", timeout=30)
    for name in THROUGH_GIT:
        case = next(case for case in CASES if case.name == name)
        repo = build_repo(root, f"github.com/lab/{name}", case.files)
        facts = host.inspect(repo.ref, now=NOW).to_repo_facts(repo.ref, NOW)
        assert facts.status is Status.OK
        built = facts_of(case)
        assert facts.files is not None and built.files is not None
        assert facts.files.texts == built.files.texts, name
        assert {item: result.outcome for item, result in decide(facts).items()} == {
            item: Outcome.PASS if label else Outcome.FAIL for item, label in case.labels.items()}, name


def test_the_api_tree_picks_the_same_texts_as_git() -> None:
    for name in THROUGH_GIT:
        case = next(case for case in CASES if case.name == name)
        tree = [{"path": path, "mode": "100644", "type": "blob", "sha": _oid(content)}
                for path, content in case.files.items()]
        _, wanted = files_in(tree)
        built = facts_of(case)
        assert built.files is not None
        assert {path for path, _ in wanted} == set(built.files.texts), name


def test_the_checklist_coverage_counts_items_as_the_checks_decide_them() -> None:
    entries = []
    decided: dict[str, list[Outcome]] = {item: [] for item in ITEMS}
    for case in CASES:
        outcomes = {item: result.outcome for item, result in decide(facts_of(case)).items()}
        for item, outcome in outcomes.items():
            decided[item].append(outcome)
        entries.append(RepoEntry(key=f"github.com/lab/{case.name}", canonical=f"github.com/lab/{case.name}",
                                 host="github.com", status=Status.OK, outcomes=outcomes))
    coverage = {row.check: row for row in checklist_coverage(entries)}
    for item, outcomes in decided.items():
        row = coverage[item]
        assert (row.passed, row.failed, row.unknown) == (
            outcomes.count(Outcome.PASS), outcomes.count(Outcome.FAIL), outcomes.count(Outcome.UNKNOWN))
