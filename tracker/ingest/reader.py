"""One entry point for every input format: `read_papers`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tracker.ingest.atom import read_atom
from tracker.ingest.delimited import read_csv
from tracker.ingest.jsonl import read_jsonl
from tracker.ingest.lines import open_input, read_lines
from tracker.ingest.paperlist import MIN_ABSTRACT_CHARS, read_paper_list
from tracker.ingest.problems import InputProblem, ProblemHandler, Reporter, log_or_raise
from tracker.records import Paper

FORMATS = ("txt", "jsonl", "csv", "atom")
_BY_EXTENSION = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".xml": "atom",
    ".atom": "atom",
}
_ALIASES = {"text": "txt", "ndjson": "jsonl", "xml": "atom"}
_EMPTY_HINTS = {
    "txt": f"expected a title line followed by an abstract line of at least {MIN_ABSTRACT_CHARS} characters",
    "jsonl": "expected one JSON object per line with title and abstract",
    "csv": "expected a header row with title and abstract, then one row per paper",
    "atom": "expected <entry> elements as the arXiv API returns them",
}


def detect_format(path: str | Path) -> str:
    """The format named by a file's extension; ValueError says which are known."""
    suffix = Path(path).suffix.lower()
    try:
        return _BY_EXTENSION[suffix]
    except KeyError:
        known = ", ".join(_BY_EXTENSION)
        hint = " (a JSON array is not read: write one object per line as .jsonl)" if suffix == ".json" else ""
        raise ValueError(
            f"{path}: unknown input format {suffix or '(no extension)'!r}; use one of {known}, "
            f"or name the format ({', '.join(FORMATS)}){hint}"
        ) from None


def read_papers(
    path: str | Path,
    format: str | None = None,
    on_problem: ProblemHandler | None = None,
) -> Iterator[Paper]:
    """Stream the papers in `path`, reporting each problem to `on_problem`.

    Bad records are reported and skipped; the good ones of the same file are
    always yielded. Without `on_problem`, problems are logged as warnings and a
    fatal one (file missing, binary, refused) raises `IngestError`. A paper
    seen earlier in the same file (same id) is reported and not yielded again.
    """
    source = str(path)
    fatal_seen = False

    def handle(problem: InputProblem) -> None:
        nonlocal fatal_seen
        fatal_seen = fatal_seen or problem.fatal
        (on_problem or log_or_raise)(problem)

    report = Reporter(source, handle)
    try:
        kind = _resolve_format(path, format)
    except ValueError as error:
        report.fatal(None, str(error).removeprefix(f"{source}: "))
        return
    opened = open_input(Path(path), report)
    if opened is None:
        return
    first_line: dict[str, int] = {}
    with opened:
        for line, paper in _records(kind, opened, source, report):
            if paper.id in first_line:
                report.warn(line, f"same paper as line {first_line[paper.id]} ({paper.id}); skipped")
                continue
            first_line[paper.id] = line
            yield paper
    if not first_line and not fatal_seen:
        report.warn(None, f"no papers found; {_EMPTY_HINTS[kind]}")


def _resolve_format(path: str | Path, format: str | None) -> str:
    if format is None:
        return detect_format(path)
    name = _ALIASES.get(format.lower(), format.lower())
    if name not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    return name


def _records(kind: str, handle: BinaryIO, source: str, report: Reporter) -> Iterator[tuple[int, Paper]]:
    if kind == "atom":
        return read_atom(handle, source, report)
    lines = read_lines(handle, report)
    if kind == "txt":
        return read_paper_list(lines, source, report)
    if kind == "jsonl":
        return read_jsonl(lines, source, report)
    return read_csv(lines, source, report)
