"""Opening an input file and streaming its lines, bounded in time and memory.

Inputs come from scrapers and spreadsheets, so anything may arrive: a PDF
saved as .txt, a UTF-16 export, a 1 GB file of NULs, one line of 10 MB. The
rules here make every such file cost at most one block and one line of memory:

* the first block decides whether the file is text at all (binary files are
  refused before a single line is read);
* a line longer than `MAX_LINE_BYTES` is cut there and the rest of it skipped
  in small reads, never held;
* invalid UTF-8 is decoded with U+FFFD and reported with its line;
* NUL bytes are removed and reported (PostgreSQL text cannot hold them);
  a line that is mostly NULs means binary data and stops the read.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tracker.ingest.problems import Reporter

MAX_LINE_BYTES = 1 << 20
SNIFF_BYTES = 8192
_SKIP_CHUNK = 1 << 16
# Share of control characters and undecodable bytes above which a block is not text.
_BINARY_SHARE = 0.10
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
# Formats people save by mistake, named so the message says what to do instead.
_MAGIC = {
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x1f\x8b": "gzip-compressed; decompress it first",
    b"\x89PNG": "a PNG image",
    b"\xd0\xcf\x11\xe0": "an old Office document (.xls/.doc); export it as CSV",
}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based physical line
    text: str  # without its line ending
    cut: bool  # longer than MAX_LINE_BYTES; `text` holds only the start


def open_input(path: Path, report: Reporter) -> BinaryIO | None:
    """Open `path` for reading, or report why it cannot be read and return None.

    Also refuses, before any parsing, files that are empty or not text, so
    each reader deals only with content. The caller closes the handle.
    """
    try:
        # A buffer larger than the sniff, so `peek` sees the whole first block.
        handle = path.open("rb", buffering=_SKIP_CHUNK)
    except FileNotFoundError:
        report.fatal(None, "file not found")
        return None
    except IsADirectoryError:
        report.fatal(None, "is a directory, not a file")
        return None
    except OSError as error:
        report.fatal(None, f"cannot open: {error.strerror or error}")
        return None
    if not _is_readable_text(handle, report):
        handle.close()
        return None
    return handle


def _is_readable_text(handle: BinaryIO, report: Reporter) -> bool:
    head = handle.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # type: ignore[attr-defined]
    if not head:
        report.fatal(None, "file is empty")
        return False
    if head.startswith(_UTF16_BOMS):
        report.fatal(None, "file is UTF-16 encoded; save it as UTF-8 and retry")
        return False
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            report.fatal(None, f"binary file ({what}), not text; refused")
            return False
    # Judge only what comes before a run of NULs: text lines followed by
    # binary junk (a crashed write, preallocation) keep their records, and
    # `read_lines` stops at the junk. A file that starts with NULs is binary.
    nul_run = head.find(b"\x00" * 16)
    if nul_run == 0 or _looks_binary(head if nul_run < 0 else head[:nul_run]):
        report.fatal(None, "binary file (control bytes or invalid UTF-8 in the first block), not text; refused")
        return False
    return True


def _looks_binary(block: bytes) -> bool:
    """Whether a block is mostly something other than text.

    A share rather than "any NUL" so that a text file with a stray NUL or a
    few Latin-1 bytes is read (and those lines reported), not refused whole.
    """
    if not block:
        return False
    # A multi-byte character cut by the block boundary is not evidence.
    text = block.decode("utf-8", errors="replace").rstrip("\ufffd") or "\ufffd"
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in _TEXT_CONTROLS) or c == "\x7f")
    return odd / len(text) > _BINARY_SHARE


def read_lines(handle: BinaryIO, report: Reporter) -> Iterator[Line]:
    """Yield decoded lines; report bad bytes; stop at binary data.

    A cut line is reported by the reader that receives it, because only the
    reader knows whether it can use the start of a line (a text abstract)
    or not (a JSON record).
    """
    number = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        cut = len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n")
        if cut:
            raw = raw[:MAX_LINE_BYTES]
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        raw = raw.rstrip(b"\r\n")
        nuls = raw.count(0)
        if nuls:
            # Text with a stray NUL is still text; a line of mostly NULs is
            # binary appended to (or overwriting) a text file.
            if nuls * 2 > len(raw):
                report.fatal(number, "binary data (NUL bytes) from this line on; stopped reading")
                return
            report.warn(number, f"removed {nuls} NUL byte(s)")
            raw = raw.replace(b"\x00", b"")
        yield Line(number, _decode(raw, number, cut, report), cut)
        if cut:
            _skip_rest_of_line(handle)


def _decode(raw: bytes, number: int, cut: bool, report: Reporter) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if cut and error.start >= len(raw) - 3:
            # Only the cut split a character; the bytes themselves are fine.
            return raw[: error.start].decode("utf-8", errors="replace")
        report.warn(
            number,
            f"invalid UTF-8 at byte {error.start + 1} of the line; replaced with U+FFFD",
        )
        return raw.decode("utf-8", errors="replace")


def _skip_rest_of_line(handle: BinaryIO) -> None:
    while True:
        chunk = handle.readline(_SKIP_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return
