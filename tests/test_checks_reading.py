"""How the checklist checks read a README: what a command is for, sections, reference links, script options."""

from __future__ import annotations

import pytest

from tracker.checks.common import Line
from tracker.checks.reading import (
    EVAL,
    TRAIN,
    document,
    purpose,
    reference_links,
    resolve_references,
    script_evidence,
)
from tracker.records import RepoFiles


def purpose_of(text: str) -> set[str]:
    """What the README's last line is for."""
    files = RepoFiles(paths=("README.md",), texts={"README.md": text})
    doc = document(files, "README.md")
    return purpose(doc, len(doc) - 1)


@pytest.mark.parametrize(("readme", "expected"), [
    ("python train.py --lr 0.1", {TRAIN}),
    ("python run.py train --config a.yaml", {TRAIN}),
    ("python main.py --mode train", {TRAIN}),
    ("python main.py --data x --epochs 90", {TRAIN}),
    ("python runner.py --config c.yaml --only-eval", {EVAL}),
    ("python main.py -a resnet50 --evaluate --resume ckpt.pth", {EVAL}),
    ("python main.py --mode test", {EVAL}),
    ("python experiments/planeeval.py", {EVAL}),
    ("python main.py --test-data x", set()),
    ("python main.py --train-data x", set()),
    ("## Training\n\n```\npython copytask.py --task copy\n```", {TRAIN}),
    ("To evaluate the model, run:\n\n    python 3_score.py", {EVAL}),
    ("Download the trained model, then:\n`python demo.py`", set()),
    ("## Demo\npython demo.py", set()),
    ("## Tests\npython run_tests.py", set()),
    ("## Data\nTo get the training data, run `python download.py`.", set()),
])
def test_what_a_readme_command_is_for(readme: str, expected: set[str]) -> None:
    assert purpose_of(readme) == expected


def test_headings_of_markdown_setext_html_bold_and_restructuredtext() -> None:
    text = "Title\n=====\n\n<h2>Evaluation</h2>\nx\n**Training**\ny\nUsage\n~~~~~\nz\n```\n# not a heading\n```\n"
    headings = {line.line.text: line.heading for line in document(RepoFiles(texts={"R.md": text}), "R.md")}
    assert headings["x"] == "Evaluation" and headings["y"] == "Training" and headings["z"] == "Usage"
    assert headings["# not a heading"] == "Usage"


def test_reference_style_links_are_read_as_links() -> None:
    lines = [Line("README.md", 1, "Get the [weights][3] or [the paper][]."),
             Line("README.md", 3, "[3]: https://www.dropbox.com/s/x/w.tar"),
             Line("README.md", 4, "[the paper]: <https://arxiv.org/abs/1>")]
    references = reference_links(lines)
    assert resolve_references(lines[0].text, references) == (
        "Get the [weights](https://www.dropbox.com/s/x/w.tar) or [the paper](https://arxiv.org/abs/1).")


def test_script_options_and_bodies_say_what_an_entry_point_does() -> None:
    files = RepoFiles(paths=("main.py", "test_net.py"), texts={
        "main.py": "import argparse\np = argparse.ArgumentParser()\np.add_argument('-e', '--evaluate')\n"
                   "for x in data:\n    loss.backward()\n",
        "test_net.py": "import pytest\n\ndef test_forward():\n    assert True\n",
    })
    evaluation = script_evidence(files, "main.py", EVAL)
    training = script_evidence(files, "main.py", TRAIN)
    assert evaluation is not None and evaluation.number == 3
    assert training is not None and training.text.strip() == "loss.backward()"
    assert script_evidence(files, "test_net.py", EVAL) is None  # a unit test
    assert script_evidence(files, "unread.py", EVAL) is None
