"""Paper lists (the scraped corpus and pages of our own) and paper identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.ingest import InputProblem, normalize_title, paper_id, read_papers
from tracker.ingest.paperlist import MIN_ABSTRACT_CHARS, strip_glued_prefix

INPUTS = Path(__file__).parent / "inputs"


def read_all(path: Path, **kwargs: object) -> tuple[list, list[InputProblem]]:
    problems: list[InputProblem] = []
    papers = list(read_papers(path, on_problem=problems.append, **kwargs))  # type: ignore[arg-type]
    return papers, problems


# --- the real scraped page ---------------------------------------------------


def test_corpus_gives_exactly_its_119_papers_with_clean_titles(corpus_path: Path) -> None:
    papers, problems = read_all(corpus_path)

    assert len(papers) == 119
    assert problems == []
    assert papers[0].title == "Large-scale image analysis using docker sandboxing"
    assert papers[-1].title == (
        "SpikePoint: An Efficient Point-based Spiking Neural Network for Event Cameras Action Recognition"
    )
    assert not any(p.title.startswith("Subscribe") for p in papers)
    assert not any("trending papers in your email" in p.title for p in papers)
    assert min(len(p.abstract) for p in papers) >= MIN_ABSTRACT_CHARS
    assert all(p.source == str(corpus_path) for p in papers)


def test_corpus_titles_are_the_page_lines_untouched_after_the_first(corpus_path: Path) -> None:
    # Every camel-case name (ThunderKittens, PipeOffload, ...) must survive the glue rule.
    page_lines = corpus_path.read_text(encoding="utf-8").splitlines()
    titles = [p.title for p in read_all(corpus_path)[0]]
    expected_titles = page_lines[4::2]

    assert titles[1:] == expected_titles
    assert "ThunderKittens: Simple, Fast, and Adorable AI Kernels" in titles


def test_corpus_ids_are_unique_and_stable_across_reads(corpus_path: Path) -> None:
    first = [p.id for p in read_all(corpus_path)[0]]
    second = [p.id for p in read_all(corpus_path)[0]]

    assert first == second
    assert len(set(first)) == 119
    assert all(i.startswith("title:") and len(i) == len("title:") + 16 for i in first)


# --- pages of our own ----------------------------------------------------------


def test_page_chrome_between_papers_is_skipped_and_a_multiword_glued_label_removed() -> None:
    papers, problems = read_all(INPUTS / "page-chrome.txt")

    assert [p.title for p in papers] == [
        "Graph Neural Networks for Cluster Scheduling at Datacenter Scale",
        "Vision Models Fail Quietly Under Distribution Shift",
    ]
    assert [p.line for p in papers] == [4, 10]  # each title's line, after blank lines and page text
    # The cookie notice is long but has no title before it: reported, not a paper.
    assert [(p.line, p.fatal) for p in problems] == [(12, False)]
    assert "no title line before it" in problems[0].message


def test_camelcase_name_as_first_title_is_kept_and_a_long_title_after_a_banner_found() -> None:
    papers, problems = read_all(INPUTS / "page-camelcase-first.txt")

    assert problems == []
    assert papers[0].title == "FlashQueue: Lock-Free Work Queues for GPU Kernels"
    # Longer than the abstract threshold, yet the title: "Menu" before it is page text.
    assert papers[1].title.startswith("A Systematic Study of Energy Efficiency")
    assert len(papers[1].title) > MIN_ABSTRACT_CHARS
    assert papers[1].abstract.startswith("Accelerators have grown faster")


def test_glue_at_the_very_start_of_a_file_with_crlf_and_blank_lines(tmp_path: Path) -> None:
    abstract = "We describe a method. " * 15
    page = tmp_path / "page.txt"
    page.write_bytes(f"Sign inTowards Honest Benchmarks\r\n\r\n{abstract}\r\n".encode())

    papers, problems = read_all(page)

    assert problems == []
    assert [p.title for p in papers] == ["Towards Honest Benchmarks"]
    assert papers[0].abstract == abstract.strip()


def test_a_page_without_papers_says_what_was_expected(tmp_path: Path) -> None:
    page = tmp_path / "menu.txt"
    page.write_text("Home\nAbout\nContact\n", encoding="utf-8")

    papers, problems = read_all(page)

    assert papers == []
    assert [str(p) for p in problems] == [
        f"{page}: no papers found; expected a title line followed by an abstract line "
        f"of at least {MIN_ABSTRACT_CHARS} characters"
    ]


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("SubscribeLarge-scale image analysis", "Docker runs the analysis.", "Large-scale image analysis"),
        ("ThunderKittens: Fast Kernels", "We present ThunderKittens, a DSL.", "ThunderKittens: Fast Kernels"),
        ("PipeOffload: Memory for PP", "Pipeline parallelism needs memory.", "PipeOffload: Memory for PP"),
        ("iPhone Apps at Scale", "Apps on phones.", "iPhone Apps at Scale"),
        ("vLLM: Paged Serving", "Serving with paged memory.", "vLLM: Paged Serving"),
        ("Log inDeep Nets", "Networks that are deep.", "Deep Nets"),
        ("Plain Title Here", "Abstract text.", "Plain Title Here"),
        ("Top 10Deep Nets", "Digits are not a label word.", "Top 10Deep Nets"),
    ],
)
def test_strip_glued_prefix(title: str, abstract: str, expected: str) -> None:
    assert strip_glued_prefix(title, abstract) == expected


# --- identity ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"arxiv_id": "2401.12345v3"}, "arxiv:2401.12345"),
        ({"arxiv_id": "arXiv:2401.12345"}, "arxiv:2401.12345"),
        ({"arxiv_id": "https://arxiv.org/pdf/2401.12345v1.pdf"}, "arxiv:2401.12345"),
        ({"arxiv_id": "http://arxiv.org/abs/hep-th/9901001v2"}, "arxiv:hep-th/9901001"),
        ({"arxiv_id": "math.GT/0309136"}, "arxiv:math/0309136"),
        ({"doi": "10.1145/ABC.123"}, "doi:10.1145/abc.123"),
        ({"doi": "https://doi.org/10.1145/ABC.123"}, "doi:10.1145/abc.123"),
        # arXiv's own DOI names the arXiv paper, so both spellings are one paper.
        ({"doi": "10.48550/arXiv.2401.12345"}, "arxiv:2401.12345"),
        ({"arxiv_id": "2401.12345", "doi": "10.1145/x.y"}, "arxiv:2401.12345"),
        ({"hints": ("internal-17", "https://huggingface.co/papers/2401.12345")}, "arxiv:2401.12345"),
        ({"hints": ("https://github.com/owner/2401.12345",)}, None),
        ({"arxiv_id": "paper-17"}, None),
    ],
)
def test_paper_id_precedence_and_forms(kwargs: dict, expected: str | None) -> None:
    got = paper_id("Some Title", **kwargs)
    if expected is None:
        assert got == paper_id("Some Title")
        assert got.startswith("title:")
    else:
        assert got == expected


def test_title_identity_ignores_case_width_punctuation_and_spacing() -> None:
    assert normalize_title("  Large-scale  IMAGE analysis: Ｄocker!\n") == "large scale image analysis docker"
    assert paper_id("Large-scale image analysis") == paper_id("large scale  Image Analysis.")
    assert paper_id("Large-scale image analysis") != paper_id("Small-scale image analysis")
    # Pinned: ids are stored, so the hash must never change between releases.
    assert paper_id("Large-scale image analysis using docker sandboxing") == "title:6ad435ec17680956"
