"""Does the README show the paper's numbers and how to reproduce them? (Checklist, item 5.)

A results table is a Markdown table (a header, a ``|---|`` rule) or an HTML
table with at least one measured number in a cell: a decimal (``76.1``), a
percentage (``45 %``) or a value with its spread (``0.91 ± 0.02``); integers
alone are too often years or counts. Table and a command that runs a script
(``python eval.py ...``) pass with 10; a table without such a command fails
with 5 (numbers nobody can re-run); no table fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime

from tracker.checks.common import (
    Line,
    cap,
    content_unknown,
    failed,
    files_of,
    listing,
    passed,
    readme_lines,
    script_command,
    unknown,
    unread_readme,
)
from tracker.records import CheckResult, RepoFacts

NAME = "results"

_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_TAG = re.compile(r"<[^>]+>")
_MEASURE = re.compile(
    r"^[-+]?(?:\d+\.\d+\s*%?|\d+\s*%)(?:\s*(?:±|\+/?-)\s*\d+(?:\.\d+)?\s*%?)?$"
    r"|^[-+]?\d+(?:\.\d+)?\s*(?:±|\+/?-)\s*\d+(?:\.\d+)?\s*%?$"
)
_HTML_CELL = re.compile(r"<td[^>]*>(.*?)(?=</td>|<td|$)", re.IGNORECASE)
COMMAND = script_command("")


def _measured(cell: str) -> bool:
    return bool(_MEASURE.match(_TAG.sub("", cell).strip(" *_~`")))


def _markdown_cells(text: str) -> list[str]:
    return text.strip().strip("|").split("|")


def table_rows(lines: list[Line]) -> list[Line]:
    """The first row with a measured number in each results table of the README."""
    rows: list[Line] = []
    in_table = False
    found_in_table = False
    for index, line in enumerate(lines):
        if _RULE.match(line.text) and index > 0 and "|" in lines[index - 1].text:
            in_table, found_in_table = True, False
            continue
        if in_table and "|" not in line.text:
            in_table = False
        if in_table and not found_in_table and any(_measured(cell) for cell in _markdown_cells(line.text)):
            rows.append(line)
            found_in_table = True
        elif not in_table and any(_measured(cell) for cell in _HTML_CELL.findall(line.text)):
            rows.append(line)
    return rows


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    if (unread := unread_readme(files)) is not None:
        return unknown(NAME, f"Unknown: {unread} was not read, and results are only ever shown there.")
    lines = readme_lines(files)
    tables = table_rows(lines)
    commands = [line for line in lines if COMMAND.search(line.text)]
    where = listing([f"{line.path}:{line.number}" for line in tables])
    if tables and commands:
        return passed(
            NAME,
            f"The README reports results ({where}) and shows how to run them "
            f"({listing([f'{line.path}:{line.number}' for line in commands])}).",
            cap([line.evidence for line in [*tables[:4], *commands[:4]]]),
        )
    if tables:
        return failed(
            NAME,
            f"The README reports results ({where}) but no command that reproduces them.",
            cap([line.evidence for line in tables]),
            score=5,
        )
    return failed(NAME, "No results table with numbers in the README; nothing to compare a rerun against.")
