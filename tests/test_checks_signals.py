"""The rules behind each reproducibility signal, one repository shape at a time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tracker.checks import (
    activity,
    citation,
    container,
    dependencies,
    evaluation_code,
    notebooks,
    pinned_dependencies,
    pretrained_models,
    results,
    score,
    tests,
    training_code,
)
from tracker.checks.common import MAX_EVIDENCE, MAX_LINE, find_paths
from tracker.records import Activity, CheckResult, Outcome, RepoFacts, RepoFiles, RepoRef, Status

NOW = datetime(2026, 10, 15, tzinfo=UTC)


def tree(*paths: str, **texts: str) -> RepoFacts:
    """A reachable repository with these paths; keyword texts use ``__`` for ``/`` and ``_dot_`` for ``.``."""
    named = {key.replace("__", "/").replace("_dot_", "."): text for key, text in texts.items()}
    return RepoFacts(
        ref=RepoRef("github.com", "alice", "vision"),
        status=Status.OK,
        detail="ok",
        checked_at=NOW,
        files=RepoFiles(paths=tuple(dict.fromkeys((*paths, *named))), texts=named),
    )


def readme(text: str, *paths: str) -> RepoFacts:
    return tree(*paths, README_dot_md=text)


def verdict(result: CheckResult) -> tuple[Outcome, int | None]:
    return result.outcome, result.score


# --- path patterns -------------------------------------------------------------------------------


def test_patterns_match_names_at_any_depth_directories_and_anchored_paths() -> None:
    files = RepoFiles(paths=(
        "src/pkg/Train_GAN.py",
        "pkg/tests/unit/test_x.py",
        "pkg/tests/unit/test_y.py",
        "scripts/train.sh",
        "exp/scripts/train_big.sh",
        "refs.bib",
        "docs/refs.bib",
        "node_modules/left-pad/train.py",
        "third_party/yolo/train.py",
    ))

    assert find_paths(files, ("train*.py",)) == ["src/pkg/Train_GAN.py"]
    assert find_paths(files, ("tests/",)) == ["pkg/tests/"]
    assert find_paths(files, ("scripts/train*",)) == ["scripts/train.sh"]
    assert find_paths(files, ("**/scripts/train*",)) == ["scripts/train.sh", "exp/scripts/train_big.sh"]
    assert find_paths(files, ("/*.bib",)) == ["refs.bib"]
    assert find_paths(files, ("*.bib",), exclude=("docs/",)) == ["refs.bib"]


# --- dependencies and pins -----------------------------------------------------------------------


def test_dependency_files_of_other_ecosystems_count_and_readme_install_is_weaker() -> None:
    assert dependencies.run(tree("README.md", "Cargo.toml", "src/main.rs"), NOW).evidence == ("Cargo.toml",)
    result = dependencies.run(readme("Setup:\n\n    pip install torch timm\n"), NOW)
    assert verdict(result) == (Outcome.PASS, 6)
    assert result.evidence == ("README.md:3: pip install torch timm",)
    assert "tools cannot read that" in result.reason


def test_partly_pinned_requirements_score_by_share_and_name_the_loose_ones() -> None:
    facts = tree(requirements_dot_txt=(
        "# core\n"
        "torch==2.3.1\n"
        "numpy>=1.24\n"
        "scipy\n"
        "timm==0.9.16 ; python_version >= '3.9'\n"
        "git+https://github.com/openai/CLIP.git@a1d071733d7111c9c014f024669f959182114e33\n"
        "git+https://github.com/facebookresearch/detectron2.git\n"
        "-e .\n"
        "--extra-index-url https://download.pytorch.org/whl/cu121\n"
    ))
    result = pinned_dependencies.run(facts, NOW)

    assert verdict(result) == (Outcome.FAIL, 5)
    assert result.evidence == (
        "requirements.txt: 3 of 6 pinned",
        "requirements.txt:3: numpy>=1.24",
        "requirements.txt:4: scipy",
        "requirements.txt:7: git+https://github.com/facebookresearch/detectron2.git",
    )
    assert result.reason.startswith("3 of 6 requirements pinned to an exact version (requirements.txt); unpinned: ")
    assert "different versions" in result.reason


def test_pip_compile_output_with_hashes_counts_as_pinned() -> None:
    facts = tree(requirements_dot_txt=(
        "torch==2.3.1+cu121 \\\n    --hash=sha256:0123abcd \\\n    --hash=sha256:4567ef01\n"
        "numpy==1.26.4 --hash=sha256:89ab\n"
    ))
    result = pinned_dependencies.run(facts, NOW)
    assert verdict(result) == (Outcome.PASS, 10)
    assert result.evidence == ("requirements.txt: 2 of 2 pinned",)


def test_lock_file_passes_pins_without_reading_anything() -> None:
    result = pinned_dependencies.run(tree("pyproject.toml", "uv.lock"), NOW)
    assert verdict(result) == (Outcome.PASS, 10)
    assert result.evidence == ("uv.lock",)


def test_conda_pyproject_and_pipfile_pins_are_read() -> None:
    facts = tree(
        environment_dot_yml=(
            "name: vision\nchannels: [pytorch]\ndependencies:\n"
            "  - python=3.10\n  - pytorch::pytorch=2.3.1\n  - cudatoolkit\n  - pip\n"
            "  - pip:\n      - timm==0.9.16\n"
        ),
        pyproject_dot_toml='[project]\nname = "vision"\ndependencies = ["einops==0.8.0", "rich>=13"]\n',
        Pipfile='[packages]\nrequests = "==2.32.3"\nflask = "*"\n',
    )
    result = pinned_dependencies.run(facts, NOW)

    assert verdict(result) == (Outcome.FAIL, 6)
    assert result.evidence == (
        "environment.yml: 3 of 5 pinned",
        "Pipfile: 1 of 2 pinned",
        "pyproject.toml: 1 of 2 pinned",
        "environment.yml:6: - cudatoolkit",
        "environment.yml:7: - pip",
        "Pipfile:3: flask = \"*\"",
        "pyproject.toml:3: dependencies = [\"einops==0.8.0\", \"rich>=13\"]",
    )
    assert result.reason.startswith("5 of 9 requirements pinned")


def test_broken_spec_file_is_named_with_its_line_and_pins_unknown_when_unreadable() -> None:
    facts = tree("setup.py", environment_dot_yml="dependencies:\n  - numpy=1.26\n bad: [\n")
    result = pinned_dependencies.run(facts, NOW)

    assert verdict(result) == (Outcome.UNKNOWN, None)
    assert re.fullmatch(r"environment\.yml:\d+: not valid YAML", result.evidence[-1])
    assert "could not be read" in result.reason
    assert verdict(pinned_dependencies.run(tree("setup.py"), NOW)) == (Outcome.UNKNOWN, None)


def test_all_pinned_without_lock_passes_and_says_so() -> None:
    result = pinned_dependencies.run(tree(requirements_dot_txt="a==1\nb===2.0\n"), NOW)
    assert verdict(result) == (Outcome.PASS, 10)
    assert result.reason == (
        "All 2 requirements are pinned to an exact version (requirements.txt), though there is no lock file."
    )


# --- code, evaluation, tests ---------------------------------------------------------------------


def test_unit_tests_are_not_evaluation_and_test_py_is_not_a_unit_test() -> None:
    unit_only = readme("# Vision\n", "tests/test_model.py", "pkg/model.py")
    assert verdict(evaluation_code.run(unit_only, NOW)) == (Outcome.FAIL, 0)
    assert tests.run(unit_only, NOW).evidence == ("tests/",)

    ml_style = readme("# Vision\n", "test.py", "tools/test_net.py")
    assert evaluation_code.run(ml_style, NOW).evidence == ("test.py", "tools/test_net.py")
    assert verdict(tests.run(ml_style, NOW)) == (Outcome.FAIL, 0)

    assert verdict(evaluation_code.run(readme("Run `python -m pytest tests`.\n"), NOW)) == (Outcome.FAIL, 0)
    assert evaluation_code.run(readme("python -m vision.evaluate --split val\n"), NOW).evidence == (
        "README.md:1: python -m vision.evaluate --split val",
    )


@pytest.mark.parametrize("line", [
    "python train.py",
    "CUDA_VISIBLE_DEVICES=0 python3 tools/train.py configs/a.py",
    "accelerate launch --multi_gpu finetune_lora.py",
    "bash scripts/train_imagenet.sh 8",
    "./dist_train.sh configs/a.py 8",
    "python -m vision.train --epochs 100",
])
def test_training_commands_in_readme(line: str) -> None:
    assert training_code.run(readme(f"## Train\n{line}\n"), NOW).evidence == (f"README.md:2: {line}",)


@pytest.mark.parametrize("line", [
    "We trained for 300 epochs with python.",
    "See the training details in train.md.",
    "pip install -r requirements_train.txt",
])
def test_prose_about_training_is_not_a_training_command(line: str) -> None:
    assert verdict(training_code.run(readme(f"{line}\n"), NOW)) == (Outcome.FAIL, 0)


# --- pretrained models ---------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "counts"), [
    ("Pretrained checkpoints: [Google Drive](https://drive.google.com/file/d/abc)", True),
    ("Download our model from https://zenodo.org/records/123", True),
    ("| ViT-B | 81.2 | [model](https://dl.fbaipublicfiles.com/vit_b.pth) |", True),
    ("Weights on the hub: https://huggingface.co/alice/vision-base", True),
    ("Get the dataset from [Google Drive](https://drive.google.com/file/d/abc)", False),
    ("Try the demo at https://huggingface.co/spaces/alice/vision", False),
    ("Our pretrained model is described in the paper.", False),
])
def test_readme_links_to_weights(line: str, counts: bool) -> None:
    result = pretrained_models.run(readme(f"{line}\n"), NOW)
    assert result.outcome is (Outcome.PASS if counts else Outcome.FAIL)


def test_weight_files_in_the_tree() -> None:
    result = pretrained_models.run(tree("README.md", "checkpoints/best.ckpt", "model.safetensors"), NOW)
    assert result.evidence == ("model.safetensors", "checkpoints/best.ckpt")


# --- results -------------------------------------------------------------------------------------


def test_results_table_without_a_command_is_half_the_story() -> None:
    text = "| Method | mAP |\n|---|---|\n| Ours | 45.3 ± 0.2 |\n\n| Year | Count |\n| --- | --- |\n| 2024 | 3 |\n"
    result = results.run(readme(text), NOW)
    assert verdict(result) == (Outcome.FAIL, 5)
    assert result.evidence == ("README.md:3: | Ours | 45.3 ± 0.2 |",)
    assert "no command" in result.reason


def test_html_results_table_counts_and_integers_alone_do_not() -> None:
    html = "<table><tr><td>Ours</td><td><b>76.1%</b></td></tr></table>\nbash eval.sh\n"
    assert verdict(results.run(readme(html), NOW)) == (Outcome.PASS, 10)
    integers = "| Year | Papers |\n|------|--------|\n| 2024 | 12 |\npython eval.py\n"
    assert verdict(results.run(readme(integers), NOW)) == (Outcome.FAIL, 0)


# --- container, citation, notebooks --------------------------------------------------------------


def test_container_definitions_and_published_images() -> None:
    facts = tree(
        "docker/Dockerfile.cuda", ".devcontainer/devcontainer.json", "pascal/unit.def", "env.def",
        env_dot_def="Bootstrap: docker\nFrom: ubuntu:22.04\n",
    )
    assert container.run(facts, NOW).evidence == (".devcontainer/", "docker/Dockerfile.cuda", "env.def")
    assert container.run(readme("docker pull ghcr.io/alice/vision:1.0\n"), NOW).evidence == (
        "README.md:1: docker pull ghcr.io/alice/vision:1.0",
    )
    assert verdict(container.run(tree("pascal/unit.def"), NOW)) == (Outcome.FAIL, 0)


def test_citation_from_root_bib_or_readme_bibtex_but_not_a_bibliography_in_docs() -> None:
    assert citation.run(tree("paper.bib"), NOW).evidence == ("paper.bib",)
    assert verdict(citation.run(tree("docs/refs.bib"), NOW)) == (Outcome.FAIL, 0)
    assert citation.run(readme("```\n  @Article{a2026,\n```\n"), NOW).evidence == ("README.md:2: @Article{a2026,",)


def test_notebooks_from_the_tree_or_colab_and_checkpoints_folders_ignored() -> None:
    assert notebooks.run(tree("a/.ipynb_checkpoints/x-checkpoint.ipynb", "demo.ipynb"), NOW).evidence == (
        "demo.ipynb",
    )
    assert notebooks.run(readme("[Open in Colab](https://colab.research.google.com/github/a/b)\n"), NOW).outcome \
        is Outcome.PASS


# --- evidence limits -----------------------------------------------------------------------------


def test_long_lines_are_cut_and_long_evidence_says_how_much_more() -> None:
    line = "python train.py " + "--flag " * 40
    result = training_code.run(readme(line + "\n", *[f"exp{i}/train.py" for i in range(12)]), NOW)

    assert len(result.evidence) == MAX_EVIDENCE
    assert result.evidence[-1] == "… and 6 more"
    assert result.reason.startswith("Training: README.md:1 runs `python train.py --flag")
    assert result.reason.endswith("the tree has exp0/train.py, exp1/train.py, exp10/train.py and 9 more.")
    cut = training_code.run(readme(line + "\n"), NOW).evidence[0]
    assert cut.endswith("…") and len(cut) == len("README.md:1: ") + MAX_LINE


# --- activity ------------------------------------------------------------------------------------


def test_the_activity_reason_is_the_same_a_day_or_a_month_later_while_the_score_band_holds() -> None:
    """History stores a re-check only when something changed: a reason that counted days would change daily."""
    last = NOW - timedelta(days=10)
    facts = RepoFacts(ref=RepoRef("github.com", "lab", "quiet"), status=Status.OK, detail="", checked_at=NOW,
                      activity=Activity(head_commit="a" * 40, last_commit_at=last, commits_90d=3, commits_365d=3,
                                        contributors=1))
    today, later = activity.run(facts, NOW), activity.run(facts, NOW + timedelta(days=30))

    assert today == later
    assert today.reason.startswith(f"Maintained. Last commit on {last.date().isoformat()};")
    assert activity.run(facts, NOW + timedelta(days=400)).outcome is Outcome.FAIL


# --- scores --------------------------------------------------------------------------------------


def result(name: str, outcome: Outcome, value: int | None) -> CheckResult:
    return CheckResult(name=name, outcome=outcome, score=value, reason="x.")


def test_repro_score_leaves_out_unknown_checks_until_too_little_is_known() -> None:
    everything = [result(name, Outcome.PASS, 10) for name in score.REPRO_WEIGHTS]
    pins_unknown = [r if r.name != "pinned_dependencies" else result(r.name, Outcome.UNKNOWN, None) for r in everything]
    assert score.repro_score(pins_unknown) == 100

    half = [result("license", Outcome.FAIL, 0), result("training_code", Outcome.PASS, 10),
            result("dependencies", Outcome.PASS, 5), result("evaluation_code", Outcome.PASS, 10)]
    # 15*0 + 15*10 + 15*5 + 10*10 = 325 of 550 possible points.
    assert score.repro_score(half) == 59
    assert score.repro_score(half[:3]) is None
    lines = {line.check: line for line in score.repro_breakdown(half)}
    assert (lines["dependencies"].weight, lines["dependencies"].score, lines["dependencies"].points) == (15, 5, 7.5)
    assert lines["ci"].points is None


def test_one_result_per_check() -> None:
    with pytest.raises(ValueError, match="two results for check 'ci'"):
        score.repro_score([result("ci", Outcome.PASS, 10), result("ci", Outcome.FAIL, 0)])


def test_the_documented_weight_table_is_the_one_in_use() -> None:
    documented = {
        match[1]: int(match[2])
        for match in re.finditer(r"^\| (\w+)\s+\| (\d+)\s+\|", score.__doc__ or "", re.MULTILINE)
    }
    assert documented == dict(score.REPRO_WEIGHTS)
    assert sum(score.REPRO_WEIGHTS.values()) == 100


def test_a_readme_that_was_not_fetched_leaves_readme_signals_unknown_not_failing() -> None:
    facts = tree("README.md", "train.py", "LICENSE")

    assert verdict(training_code.run(facts, NOW)) == (Outcome.PASS, 10)  # the tree alone shows it
    for check in (evaluation_code, pretrained_models, results, dependencies, container, citation, notebooks):
        result = check.run(facts, NOW)
        assert verdict(result) == (Outcome.UNKNOWN, None), check.NAME
        assert "README.md was not read" in result.reason
    assert verdict(tests.run(facts, NOW)) == (Outcome.FAIL, 0)  # tests are never only in a README
