"""Does the README show the paper's numbers and how to reproduce them? (Checklist, item 5.)

Results are shown, in the root README or one folder down, as researchers
write them:

* a Markdown table (a header, a ``|---|`` rule) or an HTML table with a
  measured number in a cell: a decimal (``76.1``), a percentage (``45 %``),
  scientific notation (``3.7e-02``) or a value with its spread (``0.91 ±
  0.02``, ``3.7e-02 +/- 1.9e-03``, ``15 ± 7``), also inside a link or
  emphasis (``[76.1](log.txt)``, ``**76.1**``); integers alone are too often
  years or counts;
* a metric in a list item or line of its own (``- Top-1 accuracy: 76.1%``,
  ``BLEU = 27.3``);
* a results section ("## Results", "Experiments", "Performance") that shows
  or links its figures (``![](figures/curve.png)``).

Results and a command that runs the code (``python eval.py ...``, a
notebook) pass with 10; results without any command fail with 5 (numbers
nobody can re-run); none fail with 0.
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
    passed,
    unknown,
    unread_readme,
)
from tracker.checks.reading import EVAL, DocLine, commands, commands_for, documents
from tracker.records import CheckResult, RepoFacts

NAME = "results"

_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_TAG = re.compile(r"<[^>]+>")
_NUMBER = r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_SPREAD = rf"\s*(?:±|\+/?-|\\pm|&plusmn;)\s*{_NUMBER}\s*%?"
_MEASURE = re.compile(
    rf"^[-+]?(?:\d+\.\d+(?:[eE][-+]?\d+)?\s*%?|\d+[eE][-+]?\d+|\d+\s*%)(?:{_SPREAD})?"
    rf"(?:\s*/\s*[-+]?{_NUMBER}\s*%?)*(?:\s*\(.*\))?$"
    rf"|^[-+]?{_NUMBER}{_SPREAD}(?:\s*\(.*\))?$"
)
_SETTINGS = re.compile(r"\b(?:arguments?|(?:hyper-?)?parameters?|defaults?|options?|flags?|settings?|config\w*|"
                       r"versions?|packages?|requirements?)\b", re.IGNORECASE)
_INTEGER = re.compile(r"^\d{1,4}$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_METRIC = re.compile(
    r"\b(?:accuracy|acc|top-?[15]|error|err|bleu|rouge(?:-\w+)?|f1|f-score|m?ap(?:@\w+)?|miou|iou|auc|auroc|psnr|ssim|"
    r"fid|perplexity|ppl|mse|rmse|mae|nll|elbo|bpd|bits/dim|reward|return|success rate|precision|recall|wer|cer|"
    r"em|exact match|ndcg(?:@\d+)?|mrr|hits@\d+|dice|score|loss|likelihood|regret|speed-?up)\b",
    re.IGNORECASE,
)
_METRIC_VALUE = re.compile(
    r"(?:[:=]|\bof\b|\bis\b)\s*\**[-+]?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+\s*%)"
)
_RESULTS_HEADING = re.compile(r"\b(?:results?|experiments?|performance|benchmarks?|evaluation|reproduc\w*)\b",
                              re.IGNORECASE)
_FIGURE = re.compile(r"!\[[^\]]*\]\([^)]+\)|<img\s[^>]*src=|\]\([^)]+\.(?:png|jpe?g|svg|pdf|gif)\)",
                     re.IGNORECASE)
_BADGE = re.compile(r"shields\.io|badge|travis-ci|codecov|colab-badge", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
_HTML_CELL = re.compile(r"<td[^>]*>(.*?)(?=</td>|<td|$)", re.IGNORECASE)


def _measured(cell: str) -> bool:
    return bool(_MEASURE.match(_MD_LINK.sub(r"\1", _TAG.sub("", cell)).strip(" *_~`$")))


def _integer(cell: str) -> bool:
    return bool(_INTEGER.match(_MD_LINK.sub(r"\1", _TAG.sub("", cell)).strip(" *_~`$")))


def metric_lines(doc: list[DocLine]) -> list[Line]:
    """Metrics stated outside tables: ``- Top-1 accuracy: 76.1%``, ``BLEU = 27.3``, as a list item or line."""
    found = []
    for entry in doc:
        text = entry.line.text
        if "|" in text or entry.code and not _RESULTS_HEADING.search(entry.heading):
            continue
        if _METRIC.search(text) and _METRIC_VALUE.search(text) and (
            _LIST_ITEM.match(text) or _RESULTS_HEADING.search(entry.heading)
        ):
            found.append(entry.line)
    return found


def figure_lines(doc: list[DocLine]) -> list[Line]:
    """Figures a results section shows or links (never a badge)."""
    return [entry.line for entry in doc if _RESULTS_HEADING.search(entry.heading) and _FIGURE.search(entry.line.text)
            and not _BADGE.search(entry.line.text)]


def _markdown_cells(text: str) -> list[str]:
    return text.strip().strip("|").split("|")


def table_rows(lines: list[Line]) -> list[Line]:
    """The first row with a measured number in each results table of the README.

    Under a header that names a metric (``| Model | Top-1 | BLEU |``) an
    integer counts too (``| Ours | 76 |``); elsewhere integers are counts.
    """
    rows: list[Line] = []
    in_table = False
    found_in_table = False
    metric_header = False
    for index, line in enumerate(lines):
        if _RULE.match(line.text) and index > 0 and "|" in lines[index - 1].text:
            in_table, found_in_table = True, False
            header = _MD_LINK.sub(r"\1", lines[index - 1].text)
            metric_header = bool(_METRIC.search(header))
            # Tables of options, hyperparameters or versions hold numbers that are not results.
            if _SETTINGS.search(header) and not metric_header:
                in_table, found_in_table = True, True
            continue
        if in_table and "|" not in line.text:
            in_table = False
        if in_table and not found_in_table and any(
            _measured(cell) or (metric_header and _integer(cell)) for cell in _markdown_cells(line.text)[1:]
        ):
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
    docs = documents(files)
    tables = [row for doc in docs for row in table_rows([entry.line for entry in doc])]
    shown = tables or [line for doc in docs for line in metric_lines(doc)] or [
        line for doc in docs for line in figure_lines(doc)]
    runs = [line.line for doc in docs for line in commands(doc)]
    chosen = runs[0] if runs else None
    if shown and runs:
        # The command a reader takes to produce the numbers: an evaluation command, else the one nearest them.
        evaluating = [entry.line for entry in commands_for(files, EVAL)]
        chosen = evaluating[0] if evaluating else min(
            runs, key=lambda line: (line.path != shown[0].path, abs(line.number - shown[0].number)))
    kind = "a results table" if tables else "metrics" if shown and _METRIC.search(shown[0].text) and not \
        _FIGURE.search(shown[0].text) else "figures"
    if shown and chosen is not None:
        return passed(
            NAME,
            f"Results: {shown[0].path}:{shown[0].number} reports {kind}, and {chosen.path}:{chosen.number} runs "
            f"`{chosen.text.strip().strip('`$ ')[:60]}`.",
            cap([line.evidence for line in [*shown[:4], *runs[:4]]]),
        )
    if shown:
        return failed(
            NAME,
            f"Results: {shown[0].path}:{shown[0].number} reports {kind}, but no command that reproduces them.",
            cap([line.evidence for line in shown]),
            score=5,
        )
    return failed(NAME, "No results in the README (no table with numbers, no metrics, no results figures); nothing "
                        "to compare a rerun against.")
