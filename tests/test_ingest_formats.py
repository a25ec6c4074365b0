"""JSONL, CSV and arXiv Atom readers on well-formed input; format choice; defaults."""

from __future__ import annotations

import dataclasses
import logging
from datetime import date
from pathlib import Path

import pytest

from tracker.ingest import IngestError, InputProblem, detect_format, read_papers
from tracker.records import Paper

INPUTS = Path(__file__).parent / "inputs"


def read_all(path: Path, **kwargs: object) -> tuple[list[Paper], list[InputProblem]]:
    problems: list[InputProblem] = []
    papers = list(read_papers(path, on_problem=problems.append, **kwargs))  # type: ignore[arg-type]
    return papers, problems


def test_jsonl_fields_ids_and_dates() -> None:
    papers, problems = read_all(INPUTS / "papers.jsonl")

    assert problems == []
    assert [p.id for p in papers] == [
        "arxiv:2312.00752",
        "doi:10.5281/zenodo.1234567",  # from the url; DOIs compare lowercased
        papers[2].id,
    ]
    assert papers[2].id.startswith("title:")  # "internal-17" names nothing we know
    first = papers[0]
    assert first.title == "Linear-Time Sequence Modeling with Selective State Spaces"
    assert "https://github.com/example/selective-ssm" in first.abstract
    assert first.url == "https://arxiv.org/abs/2312.00752"
    assert first.published == date(2023, 12, 1)
    assert first.authors == ("Albert Example", "Tri Sample")
    assert papers[1].published == date(2024, 3, 5)  # a timestamp keeps its date
    assert papers[2].authors == ()
    assert [p.line for p in papers] == [1, 2, 4]  # line 3 is blank


def test_csv_header_case_multiline_cells_and_semicolon_authors() -> None:
    papers, problems = read_all(INPUTS / "papers.csv")

    assert problems == []
    assert len(papers) == 3
    first = papers[0]
    assert first.id == "arxiv:2405.01234"
    assert first.abstract == "We cache weights across jobs. A second paragraph, with a comma, follows on its own line."
    assert first.authors == ("Turing, Alan", "Lovelace, Ada")
    assert first.published == date(2024, 5, 2)
    assert papers[1].authors == ("Grace Hopper",)
    assert papers[1].url is None
    assert [p.line for p in papers] == [2, 4, 5]  # the first row spans lines 2 and 3


def test_csv_formulas_are_kept_as_written() -> None:
    papers, _ = read_all(INPUTS / "papers.csv")

    formula = papers[2]
    assert formula.title == '=HYPERLINK("http://evil.example/","Click")'
    assert formula.abstract.startswith("@SUM(1+1)")
    assert formula.authors == ("=cmd|' /C calc'!A0",)


def test_csv_rows_are_numbered_by_the_line_they_start_on(tmp_path: Path) -> None:
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(
        'title,abstract\n"A","multi\nline\nabstract"\nB,only,one,too many\nC,fine\n', encoding="utf-8"
    )

    papers, problems = read_all(csv_path)

    assert [p.title for p in papers] == ["A", "C"]
    assert [p.line for p in papers] == [2, 6]
    assert [str(p) for p in problems] == [f"{csv_path}:5: row has 4 cells, the header has 2; skipped"]


def test_csv_as_excel_saves_it_with_bom_and_crlf(tmp_path: Path) -> None:
    csv_path = tmp_path / "excel.csv"
    csv_path.write_bytes(b'\xef\xbb\xbfTitle,Abstract\r\nSpreadsheet Paper,"Saved by Excel."\r\n')

    papers, problems = read_all(csv_path)

    assert problems == []
    assert [(p.title, p.abstract) for p in papers] == [("Spreadsheet Paper", "Saved by Excel.")]


def test_arxiv_atom_entries() -> None:
    papers, problems = read_all(INPUTS / "arxiv.atom")

    assert problems == []
    assert [p.id for p in papers] == ["arxiv:2409.01234", "arxiv:cs/0112017", "arxiv:2501.00042"]
    first = papers[0]
    # Line-wrapped title and summary come out as single lines.
    assert first.title == "Checkpoint-Free Recovery for Pipeline-Parallel Training on Preemptible GPUs"
    assert first.abstract.startswith("Training large models on preemptible cloud GPUs is cheap but fragile: a preemption")
    assert "activations & optimizer shards" in first.abstract
    assert "https://github.com/example-lab/ckpt-free-recovery" in first.abstract
    assert first.url == "http://arxiv.org/abs/2409.01234v2"
    assert first.published == date(2024, 9, 2)
    assert first.authors == ("Mei Lin", "Jonas Ørsted")
    assert papers[2].authors == ("Ana Souza", "Kwame Mensah", "Yuki Tanaka")
    assert [p.line for p in papers] == [10, 38, 53]  # each <entry> start tag


def test_arxiv_api_error_answer_is_reported_with_its_explanation(tmp_path: Path) -> None:
    feed = tmp_path / "error.xml"
    feed.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<entry>\n<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id>\n"
        "<title>Error</title>\n<summary>incorrect id format for 1234.12345</summary>\n</entry>\n</feed>\n",
        encoding="utf-8",
    )

    papers, problems = read_all(feed)

    assert papers == []
    assert str(problems[0]) == f"{feed}:3: the arXiv API answered with an error: incorrect id format for 1234.12345"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.txt", "txt"), ("a.JSONL", "jsonl"), ("a.ndjson", "jsonl"), ("a.csv", "csv"), ("q.xml", "atom"), ("q.atom", "atom")],
)
def test_detect_format_by_extension(name: str, expected: str) -> None:
    assert detect_format(name) == expected


def test_unknown_extension_names_the_known_ones_and_the_override_works(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown input format '\.json'.*\.jsonl.*one object per line"):
        detect_format("papers.json")

    exported = tmp_path / "papers.export"
    exported.write_bytes((INPUTS / "papers.jsonl").read_bytes())
    papers, problems = read_all(exported)
    assert papers == []
    assert problems[0].fatal and "unknown input format '.export'" in problems[0].message

    papers, problems = read_all(exported, format="ndjson")
    assert problems == []
    assert len(papers) == 3


def test_same_paper_twice_in_a_file_is_reported_once_and_yielded_once(tmp_path: Path) -> None:
    jsonl = tmp_path / "dupes.jsonl"
    jsonl.write_text(
        '{"id": "2401.00001v1", "title": "One", "abstract": "First copy."}\n'
        '{"id": "arXiv:2401.00001v2", "title": "One (revised)", "abstract": "Second copy."}\n',
        encoding="utf-8",
    )

    papers, problems = read_all(jsonl)

    assert [p.abstract for p in papers] == ["First copy."]
    assert [str(p) for p in problems] == [f"{jsonl}:2: same paper as line 1 (arxiv:2401.00001); skipped"]


def test_default_handler_logs_bad_records_and_raises_for_unreadable_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    jsonl = tmp_path / "mixed.jsonl"
    jsonl.write_text('{"title": "Good", "abstract": "Fine."}\nnot json\n', encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="tracker.ingest"):
        papers = list(read_papers(jsonl))

    assert [p.title for p in papers] == ["Good"]
    assert f"{jsonl}:2: not valid JSON" in caplog.text

    with pytest.raises(IngestError) as raised:
        list(read_papers(tmp_path / "absent.jsonl"))
    assert raised.value.problem == InputProblem(str(tmp_path / "absent.jsonl"), None, "file not found", fatal=True)


def test_the_line_says_where_a_paper_was_read_not_what_it_is(tmp_path: Path) -> None:
    once = tmp_path / "once.jsonl"
    once.write_text('{"id": "arXiv:2401.00001", "title": "T", "abstract": "A."}\n', encoding="utf-8")
    later = tmp_path / "later.jsonl"
    later.write_text('\n\n{"id": "arXiv:2401.00001", "title": "T", "abstract": "A."}\n', encoding="utf-8")
    later_copy = dataclasses.replace(read_all(later)[0][0], source=str(once))

    [paper], _ = read_all(once)

    assert (paper.line, later_copy.line) == (1, 3)
    assert paper == later_copy and hash(paper) == hash(later_copy)
