"""The promise detector on a labelled set of availability statements, and on the real corpus.

tests/data/promises.tsv is this project's own writing: positives of each kind
and many hard negatives (tools used, others' code, code as a topic, "available"
in other senses). A detection is right only with the labelled kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.links import find_code_links, find_promise
from tracker.records import Paper, Promise, PromiseKind

LABELLED = Path(__file__).parent / "data" / "promises.tsv"


def _labelled() -> list[tuple[str, str, str]]:
    rows = []
    for number, line in enumerate(LABELLED.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#") or not line.strip():
            continue
        label, title, text = line.split("\t")
        assert label == "none" or label in set(PromiseKind), f"{LABELLED}:{number}: unknown label {label!r}"
        rows.append((label, title, text))
    return rows


def _found(title: str, text: str) -> str:
    promise = find_promise(text, title=title)
    return str(promise.kind) if promise else "none"


def test_labelled_set_precision_and_recall() -> None:
    rows = _labelled()
    positives = [row for row in rows if row[0] != "none"]
    assert len(rows) >= 200 and len(positives) >= 100 and len(rows) - len(positives) >= 100
    results = [(label, _found(title, text), text) for label, title, text in rows]
    flagged = [row for row in results if row[1] != "none"]
    right = [row for row in flagged if row[0] == row[1]]
    precision = len(right) / len(flagged)
    recall = len(right) / len(positives)
    wrong = [f"{label} -> {got}: {text}" for label, got, text in results if label != got]
    print(f"\npromises: {len(rows)} labelled ({len(positives)} positive), precision {precision:.3f}, "
          f"recall {recall:.3f}", *wrong, sep="\n  ")
    assert precision >= 0.95 and recall >= 0.95, wrong


@pytest.mark.parametrize("kind", list(PromiseKind))
def test_every_kind_is_in_the_labelled_set_and_found(kind: PromiseKind) -> None:
    rows = [row for row in _labelled() if row[0] == kind]
    found = sum(_found(title, text) == kind for _, title, text in rows)
    assert len(rows) >= 10 and found / len(rows) >= 0.9


def test_the_sentence_that_promised_is_the_evidence() -> None:
    text = "We study sparse attention.  It is fast on GPUs. Our code\nwill be released upon acceptance. We thank A. B."
    promise = find_promise(text)
    assert promise is not None
    assert (promise.kind, promise.sentence) == (PromiseKind.PROMISED, "Our code will be released upon acceptance.")


def test_abstract_ending_where_the_link_was_is_available_without_link() -> None:
    promise = find_promise("We propose a fast sorter. It beats radix sort by 2x. Our implementation is available at:")
    assert promise is not None and promise.kind is PromiseKind.AVAILABLE_NO_LINK
    assert promise.sentence == "Our implementation is available at:"


@pytest.mark.parametrize(
    "abstract",
    [
        "Code and data are available at https://bit.ly/xyz.",  # a short link to the code: the promise is kept
        "We present Tessellate, an open-source framework. It is available at https://tessellate.dev/.",
        "We release Tessellate, an open-source framework, at tessellate.dev/code.",
    ],
)
def test_a_claim_with_its_address_is_no_promise(abstract: str) -> None:
    assert find_promise(abstract) is None


def test_a_promise_beside_a_page_is_still_a_promise_but_not_beside_a_repository() -> None:
    page = Paper("t:3", "T", "Code will be released at https://lab.example.org/tessellate.", "test")
    repo = Paper("t:4", "T", "Code will be released at https://github.com/owner/repo.", "test")
    assert find_code_links(page).promise == Promise(
        PromiseKind.PROMISED, "Code will be released at https://lab.example.org/tessellate."
    )
    assert (find_code_links(repo).code_promised, find_code_links(repo).promise) == (False, None)


def test_a_paper_with_a_repository_link_has_no_promise() -> None:
    paper = Paper("t:1", "T", "Code will be released. Models: https://huggingface.co/org/model", "test")
    links = find_code_links(paper)
    assert (links.code_promised, links.promise) == (False, None)


def test_find_code_links_keeps_kind_and_sentence() -> None:
    paper = Paper("t:2", "Kestrel: An Open-Source Framework for Robot Learning", "We study robot tooling.", "test")
    links = find_code_links(paper)
    assert links.code_promised is True and links.promise is not None
    assert links.promise.kind is PromiseKind.AVAILABLE_NO_LINK
    assert links.promise.sentence == "Kestrel: An Open-Source Framework for Robot Learning"


def test_corpus_promises_are_the_ones_a_reader_sees(corpus_path: Path) -> None:
    """Every paper of the real corpus without a repository: what is flagged, by kind (all read by hand)."""
    lines = corpus_path.read_text(encoding="utf-8").splitlines()[2:]
    papers = [Paper(f"corpus:{n}", t, a, "corpus") for n, (t, a) in enumerate(zip(lines[0::2], lines[1::2]))]
    found = [find_code_links(paper) for paper in papers]
    without_repo = [links for links in found if not links.repos]
    flagged = [links for links in without_repo if links.promise is not None]
    kinds = sorted(str(links.promise.kind) for links in flagged if links.promise is not None)
    print(f"\ncorpus: {len(papers)} papers, {len(without_repo)} without a repository, {len(flagged)} flagged:",
          *(f"{links.promise.kind}: {links.promise.sentence[:100]}" for links in flagged if links.promise),
          sep="\n  ")
    assert len(without_repo) == 98
    assert kinds == ["available_no_link"] * 8 + ["promised"] * 3
    assert all(links.code_promised for links in flagged)
    assert not any(links.promise for links in found if links.repos)


def test_links_table_names_the_kind() -> None:
    from rich.console import Console

    from tracker.report.terminal import render_links_table

    papers = [
        Paper("t:5", "Later", "Code will be released soon.", "test"),
        Paper("t:6", "Asked", "The code is available upon request.", "test"),
        Paper("t:7", "Lost", "We propose a sorter. Code is available at", "test"),
    ]
    out = Console(record=True, width=120)
    render_links_table(out, [find_code_links(paper) for paper in papers])
    rows = {line.split()[0]: line for line in out.export_text().splitlines() if line.split()[:1] in (["Later"], ["Asked"], ["Lost"])}
    assert "promised" in rows["Later"] and "on request" in rows["Asked"] and "available, no link" in rows["Lost"]
