"""Reading a repository as a reviewer does: its READMEs by section, their commands, and its scripts' options.

The checklist checks share one reading of the texts `texts_to_read` fetched
(the root README, READMEs one folder down, dependency manifests, and a few
entry-point scripts by name):

* `documents` -- every README that was read, the root's first, each line
  tagged with the heading it sits under, so "## Training" followed by
  ``python main.py --dataset x`` says what that command is for.
* `purpose` -- what a README command (a script, a module, a notebook) is for (training,
  evaluation), from the script's name, its flags (``--evaluate``,
  ``--only-eval``, ``--mode test``, a ``train`` subcommand), the words just
  before it ("To train the model, run") and its section.
* `script_options` -- the command-line options an entry-point script defines
  (``argparse``, ``click``, ``absl`` flags), with their lines, so that
  ``main.py``'s ``--evaluate`` is evidence of evaluation code.
* `reference_links` -- Markdown's reference-style link definitions
  (``[3]: https://...``), so ``[weights][3]`` is read as the link it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from tracker.checks.common import (
    Line,
    cap,
    failed,
    is_vendored,
    lines_of,
    listing,
    passed,
    script_command,
    unknown,
    unread_readme,
)
from tracker.records import CheckResult, RepoFiles

TRAIN = "training"
EVAL = "evaluation"

_README = re.compile(r"readme(?:[-_.][^/]*)?", re.IGNORECASE)
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
# Markdown's setext underlines and reStructuredText's section adornments.
_SETEXT = re.compile(r"^\s{0,3}(?:={3,}|-{3,}|~{3,}|\^{3,}|\*{3,}|={1,2}|-{1,2})\s*$")
_BOLD_HEADING = re.compile(r"^\s*(?:\*\*|__)([^*_]{2,60})(?:\*\*|__)\s*:?\s*$")
_HTML_HEADING = re.compile(r"^\s*<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")

# Any command that runs the repository's code: a script, a module, a notebook, another language's runner.
COMMAND = re.compile(
    script_command("").pattern
    + r"|(?<![\w./-])(?:julia|Rscript|th|matlab\s+-r|octave)\s+[^\n]*?[\w./-]+\.(?:jl|R|r|lua|m)\b"
    + r"|(?<![\w/-])[\w./-]+\.ipynb\b",
    re.IGNORECASE,
)

# The script a command runs, for naming it in a reason.
_SCRIPT = re.compile(r"(?<![\w.-])((?:[\w.-]+/)*[\w.-]+\.(?:py|sh|jl|R|lua|ipynb))\b")

_MODULE = re.compile(r"-m\s+([\w.]+)")
# "constraint" and "retrieval" are not about training or evaluation.
_TRAIN_NAME = re.compile(r"(?<!s)train|finetun|fine_tun|distill", re.IGNORECASE)
_EVAL_NAME = re.compile(r"(?<!retri)eval|(?<!py)(?<!unit)test|benchmark|validat|reproduc", re.IGNORECASE)
_TRAIN_FLAG = re.compile(
    r"(?:^|\s)(?:--(?:do[-_])?train(?![-\w])|--mode[=\s]+['\"]?train|--phase[=\s]+['\"]?train|--(?:is[-_])?training\b)"
    r"|\.(?:py|jl)\s+(?:[^\s-]\S*\s+)*?train\b"
    # Options only a training run takes.
    r"|(?:^|\s)--(?:n(?:um)?[-_])?(?:epochs?|lr|learning[-_]rate|max[-_](?:steps|epochs|iters)|warmup\w*)\b",
    re.IGNORECASE,
)
_EVAL_FLAG = re.compile(
    r"(?:^|\s)--(?:do[-_])?(?:eval(?:uate|uation)?|test|validate|only[-_]eval\w*|eval[-_]only|test[-_]only|"
    r"evaluate[-_]only|inference)(?![-\w])"
    r"|(?:^|\s)--(?:mode|phase|stage|split)[=\s]+['\"]?(?:test|eval\w*)\b"
    r"|\.(?:py|jl)\s+(?:[^\s-]\S*\s+)*?(?:eval|evaluate|test)\b",
    re.IGNORECASE,
)
# "trained model" and "pretrained weights" describe what is downloaded, not a training run; "training data"
# and "test set" are data.
_TRAIN_WORDS = re.compile(r"\b(?:re|pre-?)?train(?:s|ing)?\b(?!\s*(?:data|sets?|splits?|images|examples|corpus|files))"
                          r"|\bfine-?tun(?:e|es|ing)\b|\bdistil", re.IGNORECASE)
# Scripts that fetch, prepare or install things, whatever the words around them.
_PREPARES = re.compile(r"(?:^|/)(?:download|prepare|preprocess|process|setup|install|make_data|build|convert|extract"
                       r"|get_data|fetch|compile|split|generate_data|create_data)\w*\.(?:py|sh)$", re.IGNORECASE)
_EVAL_WORDS = re.compile(
    r"\bevaluat|\beval\b|\btest(?:s|ing)?\b(?!\s*(?:sets?|splits?|data|images|examples|files))|\bbenchmark|\breproduc|\binference\b"
    r"|\bvalidat",
    re.IGNORECASE,
)
# Unit tests are the `tests` check's, never evaluation.
_UNIT_TESTS = re.compile(r"\b(?:py\.?test|unittest|tox|nose2?|run_(?:unit_?)?tests)\b|\bmake\s+test\b"
                         r"|setup\.py\s+test\b",
                         re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DocLine:
    """A README line with the heading it sits under ("" before the first) and whether it is code."""

    line: Line
    heading: str
    code: bool


def readme_paths(files: RepoFiles) -> list[str]:
    """READMEs a reviewer reads: the root's, then those one folder down (where code often lives), if read."""
    root = files.readme_path
    found = [root] if root is not None and root in files.texts else []
    for path in sorted(files.texts):
        folder, _, name = path.rpartition("/")
        if folder and "/" not in folder and _README.fullmatch(name) and not is_vendored(path, files):
            found.append(path)
    return found


def document(files: RepoFiles, path: str) -> list[DocLine]:
    """One README's lines, each with its section heading and whether it is inside a code block."""
    text = files.texts.get(path)
    return list(_document(path, text)) if text is not None else []


@lru_cache(maxsize=64)
def _document(path: str, content: str) -> tuple[DocLine, ...]:
    """`document` of one text; five checks read each README, so it is cut into sections once."""
    lines = lines_of(RepoFiles(texts={path: content}), path)
    out: list[DocLine] = []
    heading, fenced = "", False
    for index, line in enumerate(lines):
        text = line.text
        # "~~~~" under a title is reStructuredText's underline, not a fence.
        underline = not fenced and index > 0 and bool(lines[index - 1].text.strip()) and bool(_SETEXT.match(text))
        if _FENCE.match(text) and not underline:
            fenced = not fenced
            out.append(DocLine(line, heading, True))
            continue
        if not fenced:
            following = lines[index + 1].text if index + 1 < len(lines) else ""
            if match := _ATX.match(text) or _HTML_HEADING.match(text) or _BOLD_HEADING.match(text):
                heading = match.group(1)
            elif text.strip() and _SETEXT.match(following) and "|" not in text:
                heading = text.strip()
        code = fenced or text.startswith(("    ", "\t")) or text.lstrip().startswith("$ ") or "`" in text
        out.append(DocLine(line, heading, code))
    return tuple(out)


def documents(files: RepoFiles) -> list[list[DocLine]]:
    return [document(files, path) for path in readme_paths(files)]


def all_lines(files: RepoFiles) -> list[DocLine]:
    return [line for doc in documents(files) for line in doc]


def commands(doc: Iterable[DocLine]) -> list[DocLine]:
    """README lines that run the repository's code (never a unit-test runner)."""
    return [line for line in doc if COMMAND.search(line.line.text) and not _UNIT_TESTS.search(line.line.text)]


def script_of(text: str) -> str | None:
    """The script (or module) a command runs (``main.py`` of ``python main.py --train``), if it names one."""
    command = COMMAND.search(text)
    said = command.group(0) if command is not None else text
    found = _SCRIPT.search(said) or _MODULE.search(said)
    return found.group(1) if found else None


def quoted(line: Line) -> str:
    """A README command as a reviewer quotes it: in backticks, without its Markdown, cut at 80 characters."""
    return "`" + line.text.strip().strip("`$ ").strip()[:80] + "`"


def purpose(doc: list[DocLine], index: int) -> set[str]:
    """What the command at `doc[index]` is for, as a reader of the README would take it.

    The command itself speaks first: a script named ``train*``/``eval*``, a flag
    (``--evaluate``, ``--mode test``) or a subcommand (``run.py train``). A
    command that says nothing of itself takes its purpose from the prose just
    above it ("To evaluate the model, run:") and then from its section heading.
    """
    text = doc[index].line.text
    if _UNIT_TESTS.search(text):
        return set()
    match = COMMAND.search(text)
    said = text[match.start():].split("`")[0] if match else text
    own: set[str] = set()
    script = script_of(text) or ""
    if _TRAIN_NAME.search(script) or _TRAIN_FLAG.search(said):
        own.add(TRAIN)
    if _EVAL_NAME.search(script) or _EVAL_FLAG.search(said):
        own.add(EVAL)
    if own or _PREPARES.search(script):
        return own
    if words := _intent(text.replace(said, " ")):
        return words
    # Up to three lines of prose above, stopping at another command: "To train a model, run".
    for back in range(index - 1, max(index - 4, -1), -1):
        above = doc[back]
        if above.heading != doc[index].heading or COMMAND.search(above.line.text):
            break
        if above.code and _FENCE.match(above.line.text):
            continue
        words = _intent(above.line.text)
        if words:
            return words
    return _intent(doc[index].heading)


def _intent(text: str) -> set[str]:
    found = set()
    if _TRAIN_WORDS.search(text):
        found.add(TRAIN)
    if _EVAL_WORDS.search(text):
        found.add(EVAL)
    return found


def commands_for(files: RepoFiles, want: str) -> list[DocLine]:
    """README commands a reader takes to be for `want` (TRAIN or EVAL), in README order."""
    found: list[DocLine] = []
    for doc in documents(files):
        for index, line in enumerate(doc):
            if COMMAND.search(line.line.text) and want in purpose(doc, index):
                found.append(line)
    return found


# --- scripts -------------------------------------------------------------------------------------

_OPTION = re.compile(
    r"(?:add_argument|add_option|click\.option|@option|DEFINE_\w+)\s*\(\s*(?:['\"]-\w['\"]\s*,\s*)?['\"](-{0,2}[\w-]+)['\"]"
)
_TRAINS = re.compile(
    r"\.backward\(|optimi[sz]er\.step\(|\.minimize\(|apply_gradients\(|\.fit(?:_generator)?\(|trainer\.train\(|"
    r"^\s*def\s+train\w*\(|\.train_step\(|\btrain_epoch\(",
    re.MULTILINE,
)
_EVALUATES = re.compile(r"^\s*def\s+(?:evaluat\w*|eval\w*|test|validat\w*|run_eval\w*)\s*\(", re.MULTILINE)
_UNIT_TEST_CODE = re.compile(r"^\s*(?:import\s+(?:pytest|unittest)|from\s+(?:pytest|unittest)\b)|unittest\.TestCase",
                             re.MULTILINE)
_EVAL_OPTION = re.compile(
    r"^-{0,2}(?:do[-_])?(?:eval(?:uate|uation)?|test|validate|only[-_]eval\w*|eval[-_]only|test[-_]only|"
    r"evaluate[-_]only)$",
    re.IGNORECASE,
)
_TRAIN_OPTION = re.compile(r"^-{0,2}(?:do[-_])?(?:train|training|train[-_]only|epochs?|num[-_]epochs|lr|"
                           r"learning[-_]rate|resume)$", re.IGNORECASE)


def script_options(files: RepoFiles, path: str) -> list[tuple[str, Line]]:
    """The command-line options `path` defines, each with the line that defines it."""
    found = []
    for line in lines_of(files, path):
        for option in _OPTION.findall(line.text):
            found.append((option, line))
    return found


def is_unit_test(files: RepoFiles, path: str) -> bool | None:
    """Whether a read script is a unit test (imports pytest/unittest, no options); None when unread."""
    text = files.texts.get(path)
    if text is None:
        return None
    return bool(_UNIT_TEST_CODE.search(text)) and not script_options(files, path)


def script_evidence(files: RepoFiles, path: str, want: str) -> Line | None:
    """The line of a read entry-point script that shows it trains or evaluates, or None.

    Evaluation: an option such as ``--evaluate``, ``--only-eval``, ``--test``
    or ``--resume`` (loading a checkpoint to score it), or a function
    ``evaluate()``/``test()``. Training: an option such as ``--epochs``/``--lr``
    or a training step (``loss.backward()``, ``optimizer.step()``, ``.fit(``).
    """
    if path not in files.texts or is_unit_test(files, path):
        return None
    option_re = _EVAL_OPTION if want == EVAL else _TRAIN_OPTION
    for option, line in script_options(files, path):
        if option_re.match(option):
            return line
    body = _EVALUATES if want == EVAL else _TRAINS
    for line in lines_of(files, path):
        if body.search(line.text):
            return line
    return None


_REFERENCE = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(https?://\S+?)>?(?:\s+[\"'(].*)?\s*$")
_REFERENCE_USE = re.compile(r"\[([^\]]*)\]\[([^\]]*)\]")


def reference_links(lines: Iterable[Line]) -> dict[str, str]:
    """Markdown's reference definitions (``[3]: https://...``), label lowercased -> URL."""
    found: dict[str, str] = {}
    for line in lines:
        if match := _REFERENCE.match(line.text):
            found.setdefault(match.group(1).strip().lower(), match.group(2))
    return found


def resolve_references(text: str, references: dict[str, str]) -> str:
    """`text` with ``[weights][3]`` written as ``[weights](https://...)`` where ``[3]`` is defined."""

    def inline(match: re.Match[str]) -> str:
        label = (match.group(2) or match.group(1)).strip().lower()
        url = references.get(label)
        return f"[{match.group(1)}]({url})" if url else match.group(0)

    return _REFERENCE_USE.sub(inline, text)


def entry_point_result(name: str, label: str, verb: str, files: RepoFiles, *, commands: list[Line],
                       paths: list[str], script: Line | None, missing: str) -> CheckResult:
    """A training or evaluation item's verdict, in the order a reviewer weighs the evidence.

    A README command that runs it comes first, then files named for it, then a
    script whose own code shows it (`verb`: "trains", "evaluates"). With none
    of these the item fails, unless a README could not be read: then it is
    unknown, since the README may describe it.
    """
    if not commands and not paths and script is None:
        if (unread := unread_readme(files)) is not None:
            return unknown(name, f"Unknown: no file shows it and {unread} was not read, so it may be described there.")
        return failed(name, missing)
    if commands:
        reason = f"{label}: {commands[0].path}:{commands[0].number} runs {quoted(commands[0])}"
        reason += f"; the tree has {listing(paths)}." if paths else "."
    elif paths:
        reason = f"{label}: the tree has {listing(paths)}."
    else:
        assert script is not None
        reason = f"{label}: {script.path} {verb} ({script.path}:{script.number}: `{script.text.strip()[:60]}`)."
    return passed(name, reason, cap([*paths, *(line.evidence for line in [*commands, *([script] if script else [])])]))
