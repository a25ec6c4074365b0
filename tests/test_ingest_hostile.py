"""Bad and hostile input: each problem names file and line, good records survive.

Big inputs are generated here in tmp_path, never committed.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from tracker.ingest import InputProblem, read_papers
from tracker.ingest.fields import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS
from tracker.records import Paper

ABSTRACT = "We measure what matters and release everything needed to repeat it. " * 4


def read_all(path: Path, **kwargs: object) -> tuple[list[Paper], list[InputProblem]]:
    problems: list[InputProblem] = []
    papers = list(read_papers(path, on_problem=problems.append, **kwargs))  # type: ignore[arg-type]
    return papers, problems


def jsonl_line(title: str, abstract: str = "An abstract.", **extra: object) -> bytes:
    return (json.dumps({"title": title, "abstract": abstract, **extra}) + "\n").encode()


# --- encoding and bytes ------------------------------------------------------


def test_invalid_utf8_is_replaced_and_reported_with_its_line(tmp_path: Path) -> None:
    page = tmp_path / "latin1.txt"
    page.write_bytes(b"Banner\nCaf\xe9 Benchmarks for Cache Hierarchies\n" + ABSTRACT.encode() + b"\n")

    papers, problems = read_all(page)

    assert [p.title for p in papers] == ["Caf\ufffd Benchmarks for Cache Hierarchies"]
    assert [str(p) for p in problems] == [f"{page}:2: invalid UTF-8 at byte 4 of the line; replaced with U+FFFD"]


def test_nul_bytes_are_removed_and_reported(tmp_path: Path) -> None:
    jsonl = tmp_path / "nul.jsonl"
    jsonl.write_bytes(jsonl_line("Clean") + b'{"title": "N\x00UL inside", "abstract": "Text."}\n' + jsonl_line("After"))

    papers, problems = read_all(jsonl)

    assert [p.title for p in papers] == ["Clean", "NUL inside", "After"]
    assert [str(p) for p in problems] == [f"{jsonl}:2: removed 1 NUL byte(s)"]


def test_control_characters_never_reach_a_title(tmp_path: Path) -> None:
    jsonl = tmp_path / "ansi.jsonl"
    jsonl.write_bytes(jsonl_line("\u001b[31mRed\u001b[0m Title\u0007"))

    papers, _ = read_all(jsonl)

    assert papers[0].title == "[31mRed[0m Title"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary file (a PNG image), not text; refused"),
        (b"\x1f\x8b\x08\x00" + bytes(200), "binary file (gzip-compressed; decompress it first), not text; refused"),
        (bytes(range(256)) * 40, "binary file (control bytes or invalid UTF-8 in the first block), not text; refused"),
        ("title,abstract\n".encode("utf-16"), "file is UTF-16 encoded; save it as UTF-8 and retry"),
        (b"", "file is empty"),
    ],
    ids=["png", "gzip", "random-bytes", "utf16", "empty"],
)
def test_unreadable_files_are_refused_whole_with_a_reason(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(content)

    papers, problems = read_all(path)

    assert papers == []
    assert problems == [InputProblem(str(path), None, message, fatal=True)]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    assert read_all(missing) == ([], [InputProblem(str(missing), None, "file not found", fatal=True)])

    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert read_all(folder)[1] == [InputProblem(str(folder), None, "is a directory, not a file", fatal=True)]


# --- size: bounded time and memory ------------------------------------------------


def test_sparse_1gb_file_is_refused_fast_and_small(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(1 << 30)

    tracemalloc.start()
    papers, problems = read_all(huge)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert papers == []
    assert [p.message for p in problems] == [
        "binary file (control bytes or invalid UTF-8 in the first block), not text; refused"
    ]
    assert peak < 4 << 20


def test_text_followed_by_1gb_of_nuls_keeps_the_papers_before_it(tmp_path: Path) -> None:
    tail = tmp_path / "tail.jsonl"
    tail.write_bytes(jsonl_line("Before the damage"))
    with tail.open("r+b") as f:
        f.truncate(1 << 30)

    tracemalloc.start()
    papers, problems = read_all(tail)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert [p.title for p in papers] == ["Before the damage"]
    assert [str(p) for p in problems] == [f"{tail}:2: binary data (NUL bytes) from this line on; stopped reading"]
    assert problems[0].fatal
    assert peak < 8 << 20


def test_10mb_abstract_line_in_a_page_is_cut_to_the_cap_and_kept(tmp_path: Path) -> None:
    page = tmp_path / "long.txt"
    with page.open("wb") as f:
        f.write(b"A Paper With an Enormous Abstract\n")
        f.write(b"word " * (2 << 20) + b"\n")  # 10 MiB on one line
        f.write(b"The Next Paper\n" + ABSTRACT.encode() + b"\n")

    tracemalloc.start()
    papers, problems = read_all(page)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert [p.title for p in papers] == ["A Paper With an Enormous Abstract", "The Next Paper"]
    assert len(papers[0].abstract) == MAX_ABSTRACT_CHARS
    assert [str(p) for p in problems] == [
        f"{page}:2: abstract is over the {MAX_ABSTRACT_CHARS:,}-character limit; "
        f"kept its first {MAX_ABSTRACT_CHARS:,} characters"
    ]
    assert peak < 8 << 20


def test_10mb_json_line_is_skipped_and_the_next_record_read(tmp_path: Path) -> None:
    jsonl = tmp_path / "long.jsonl"
    jsonl.write_bytes(jsonl_line("Huge", "x" * (10 << 20)) + jsonl_line("Small"))

    papers, problems = read_all(jsonl)

    assert [p.title for p in papers] == ["Small"]
    assert [str(p) for p in problems] == [f"{jsonl}:1: line is longer than 1,048,576 bytes; record skipped"]


# --- malformed records ---------------------------------------------------------------


def test_every_bad_jsonl_line_is_named_and_the_good_ones_survive(tmp_path: Path) -> None:
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_bytes(
        jsonl_line("First good")
        + b'{"title": "unterminated\n'
        + b"[1, 2, 3]\n"
        + ("[" * 200_000).encode() + b"\n"
        + b'{"abstract": "no title"}\n'
        + b'{"title": 42, "abstract": "numeric title"}\n'
        + jsonl_line("x" * (MAX_TITLE_CHARS + 1))
        + jsonl_line("Odd fields", published="last Tuesday", url="javascript:alert(1)", authors="A; B")
        + jsonl_line("Last good")
    )

    papers, problems = read_all(jsonl)

    assert [p.title for p in papers] == ["First good", "Odd fields", "Last good"]
    assert papers[1].published is None and papers[1].url is None and papers[1].authors == ()
    assert [(p.line, p.message) for p in problems] == [
        (2, "not valid JSON (Unterminated string starting at at column 11); record skipped"),
        (3, "expected a JSON object, found list; record skipped"),
        (4, "JSON nested too deeply to read; record skipped"),
        (5, "title is missing or not text; record skipped"),
        (6, "title is missing or not text; record skipped"),
        (
            7,
            f"title is over the {MAX_TITLE_CHARS:,}-character limit "
            "(title and abstract swapped?); record skipped",
        ),
        (8, "url 'javascript:alert(1)' is not an http(s) URL; ignored"),
        (8, "published 'last Tuesday' is not an ISO 8601 date (YYYY-MM-DD); ignored"),
        (8, "authors is not a list of strings; ignored"),
    ]
    assert not any(p.fatal for p in problems)


def test_malformed_csv_rows_are_named_and_the_rest_read(tmp_path: Path) -> None:
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(
        "title,abstract\n"
        "Good one,Fine.\n"
        '"Bad "quote,Broken.\n'
        f"Giant,{'y' * 200_000}\n"
        "Good two,Also fine.\n",
        encoding="utf-8",
    )

    papers, problems = read_all(csv_path)

    assert [p.title for p in papers] == ["Good one", "Good two"]
    assert [(p.line, p.message) for p in problems] == [
        (3, "malformed CSV row (',' expected after '\"'); skipped"),
        (4, "malformed CSV row (field larger than field limit (131072)); skipped"),
    ]


def test_csv_without_the_required_columns_is_refused_with_what_it_has(tmp_path: Path) -> None:
    csv_path = tmp_path / "wrong.csv"
    csv_path.write_text("\nname,summary\nA,B\n", encoding="utf-8")

    papers, problems = read_all(csv_path)

    assert papers == []
    assert problems == [
        InputProblem(str(csv_path), 2, "header lacks column(s) title, abstract; found: name, summary", fatal=True)
    ]


# --- XML attacks and breakage -------------------------------------------------------

ENTRY = (
    "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>{title}</title>"
    "<summary>{summary}</summary></entry>"
)


def test_xxe_is_refused_and_the_secret_never_appears(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-7f3a9c-do-not-leak", encoding="utf-8")
    feed = tmp_path / "xxe.atom"
    feed.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        + ENTRY.format(title="&xxe;", summary="&xxe;")
        + "\n</feed>\n",
        encoding="utf-8",
    )

    papers, problems = read_all(feed)

    assert papers == []
    assert len(problems) == 1 and problems[0].fatal and problems[0].line == 2
    assert "refused" in problems[0].message and "DTD" in problems[0].message
    assert "TOKEN-7f3a9c" not in str(problems[0])


def test_entity_bomb_is_refused_fast(tmp_path: Path) -> None:
    levels = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    feed = tmp_path / "bomb.xml"
    feed.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY l0 "lol">{levels}]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">' + ENTRY.format(title="&l9;", summary="x") + "</feed>\n",
        encoding="utf-8",
    )

    papers, problems = read_all(feed)

    assert papers == []
    assert problems[0].fatal and "refused" in problems[0].message


def test_broken_xml_keeps_the_entries_before_the_break(tmp_path: Path) -> None:
    feed = tmp_path / "broken.atom"
    feed.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        + ENTRY.format(title="Survives", summary="Read before the break.")
        + "\n<entry><title>Cut off &undefined; here</title>\n</feed>\n",
        encoding="utf-8",
    )

    papers, problems = read_all(feed)

    assert [p.title for p in papers] == ["Survives"]
    assert [str(p) for p in problems] == [f"{feed}:4: malformed XML (undefined entity, column 23); stopped reading"]
    assert problems[0].fatal
