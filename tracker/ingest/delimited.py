"""CSV with a header row: comma-separated, double-quoted as spreadsheets write it.

Columns (names case-insensitive): ``title`` and ``abstract`` (required),
``id``, ``url``, ``published``, ``authors``; others are ignored. ``authors``
is separated by semicolons ("Ada Lovelace; Alan Turing"), because commas
occur inside names ("Turing, Alan").

Cells are kept as text exactly as written: a cell starting with ``=`` is a
title to us, and neutralising formulas for spreadsheet export is the report's
job. A row with the wrong number of cells is reported and skipped (a shifted
row would put an abstract in the title). A cell over the csv module's field
limit (128 KiB) refuses its row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from tracker.ingest.jsonl import record_to_paper
from tracker.ingest.lines import MAX_LINE_BYTES, Line
from tracker.ingest.problems import Reporter
from tracker.records import Paper

REQUIRED_COLUMNS = ("title", "abstract")
AUTHOR_SEPARATOR = ";"


class _LineFeed:
    """Feeds lines to `csv.reader` and remembers the last physical line fed.

    csv counts the lines it consumed, not the file's lines, and a record may
    span several; this is how a problem names the line a row started on.
    """

    def __init__(self, lines: Iterable[Line], report: Reporter) -> None:
        self._lines = iter(lines)
        self._report = report
        self.last = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.last = line.number
            if line.cut:
                self._report.warn(line.number, f"line is longer than {MAX_LINE_BYTES:,} bytes; skipped")
                continue
            yield line.text + "\n"


def read_csv(lines: Iterable[Line], source: str, report: Reporter) -> Iterator[tuple[int, Paper]]:
    feed = _LineFeed(lines, report)
    rows = csv.reader(feed, strict=True)
    header: list[str] | None = None
    while True:
        start = feed.last + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            report.warn(start, f"malformed CSV row ({error}); skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [name for name in REQUIRED_COLUMNS if name not in header]
            if missing:
                report.fatal(
                    start,
                    f"header lacks column(s) {', '.join(missing)}; found: {', '.join(header) or 'nothing'}",
                )
                return
            continue
        if len(row) != len(header):
            report.warn(start, f"row has {len(row)} cells, the header has {len(header)}; skipped")
            continue
        record: dict[str, object] = dict(zip(header, row, strict=True))
        authors = record.get("authors")
        if isinstance(authors, str):
            record["authors"] = [name.strip() for name in authors.split(AUTHOR_SEPARATOR) if name.strip()]
        paper = record_to_paper(record, source, start, report)
        if paper is not None:
            yield start, paper
