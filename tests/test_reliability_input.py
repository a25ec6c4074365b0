"""Hostile inputs through the real `repro-tracker ingest`: a message naming the file (and line),
bounded time and memory, and nothing already stored is lost.

Small inputs are committed in ``tests/data/hostile/``; the big ones (a 10 MB
line, a 1 GB sparse file, 10,000 URLs, a 100 kB URL, JSON nested 100,000 deep)
are generated in tmp_path, because a repository must not carry them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reliability_support import CLI, rows, scalar

from tracker.ingest import paper_id
from tracker.store import open_store
from tracker.tracking.papers import ingest as ingest_sources

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
GOOD = [("good:1", "github.com/good/one"), ("good:2", "github.com/good/two"), ("good:3", "gitlab.com/good/three")]
MAX_RSS_KB = 300_000  # the interpreter with SQLAlchemy is ~100 MB; a 1 GB file must not add to it


def _committed(name: str) -> Callable[[Path], Path]:
    return lambda _tmp: HOSTILE / name


def _long_line(tmp: Path) -> Path:
    path = tmp / "long-line.txt"
    with path.open("w", encoding="utf-8") as out:
        out.write("A paper with one enormous line\n")
        out.write("word " * (2 * 1024 * 1024) + "https://github.com/long/lost\n")
    return path


def _sparse(tmp: Path) -> Path:
    path = tmp / "sparse.txt"
    with path.open("wb") as out:
        out.truncate(1 << 30)
    return path


def _nested(tmp: Path) -> Path:
    path = tmp / "nested.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"id": "nest:1", "title": "Before the nest", "abstract": "https://github.com/nest/ok"}) + "\n")
        out.write("[" * 100_000 + "]" * 100_000 + "\n")
        out.write('{"id": "nest:2", "title": "Deep", "abstract": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}\n")
    return path


def _many_urls(tmp: Path) -> Path:
    path = tmp / "many-urls.jsonl"
    abstract = " ".join(f"https://github.com/many{i % 100}/r{i}" for i in range(10_000))
    path.write_text(json.dumps({"id": "many:1", "title": "Ten thousand URLs", "abstract": abstract}) + "\n")
    return path


def _huge_url(tmp: Path) -> Path:
    path = tmp / "huge-url.jsonl"
    abstract = "Code: https://github.com/huge/" + "a" * 100_000
    path.write_text(json.dumps({"id": "huge:1", "title": "A 100 kB URL", "abstract": abstract}) + "\n"
                    + json.dumps({"id": "huge:2", "title": "Next", "abstract": "https://github.com/huge/fine"}) + "\n")
    return path


# A scraped page and a JSONL export of the same four papers: one with a 99 kB URL
# beside a good link, one with 10,000 links, and a plain paper either side.
LIMITS_PAPERS = [
    ("Code Links Before the Limits", "A plain paper whose code lives at https://github.com/limits/before. " * 4),
    ("A URL of Ninety-Nine Kilobytes",
     "Code at https://github.com/limits/" + "a" * 99_000 + " and, readable, at https://github.com/limits/kept."),
    ("Ten Thousand Links", " ".join(f"a.ai/{i:04d}" for i in range(10_000))),
    ("Code Links After the Limits", "A plain paper whose code lives at https://github.com/limits/after. " * 4),
]
HUGE_URL_NOTE = ("ignored a URL of 99,026 characters starting 'https://github.com/limits/aaaaaaaaaaaaaa'... "
                 "(the limit is 2,000)")
MANY_LINKS_NOTE = "kept the first 1,000 links; 9,000 more were ignored"


def _limits_jsonl(tmp: Path) -> Path:
    path = tmp / "limits.jsonl"
    records = [json.dumps({"title": title, "abstract": abstract}) + "\n" for title, abstract in LIMITS_PAPERS]
    path.write_text(records[0] + "\n" + "".join(records[1:]))  # the huge URL's paper on line 3, the many on 4
    return path


def _limits_page(tmp: Path) -> Path:
    path = tmp / "limits.txt"
    pairs = [f"{title}\n{abstract}\n" for title, abstract in LIMITS_PAPERS]
    # Titles on lines 3, 6, 8 and 10, their abstracts under them, after page text and blank lines.
    path.write_text("Trending papers\n\n" + pairs[0] + "\n" + "".join(pairs[1:]))
    return path


def _limits_messages(huge_line: int, many_line: int) -> tuple[str, ...]:
    huge, many = (paper_id(title) for title, _ in LIMITS_PAPERS[1:3])
    return (f"{{path}}:{huge_line}: paper {huge}: {HUGE_URL_NOTE}",
            f"{{path}}:{many_line}: paper {many}: {MANY_LINKS_NOTE}")


def _limits_keep_every_other_link(db_url: str) -> None:
    links = dict(rows(db_url, "SELECT p.title, count(*) FROM papers p JOIN paper_links l ON l.paper_id = p.id "
                              "GROUP BY p.title"))
    assert {title: links.get(title) for title, _ in LIMITS_PAPERS} == dict(
        zip([title for title, _ in LIMITS_PAPERS], [1, 1, 1000, 1], strict=True))
    repositories = {key for (key,) in rows(db_url, "SELECT key FROM repositories WHERE key LIKE '%/limits/%'")}
    assert repositories == {"github.com/limits/before", "github.com/limits/kept", "github.com/limits/after"}


@dataclass(frozen=True)
class Case:
    """One hostile input and what `ingest` must make of it."""

    make: Callable[[Path], Path]
    messages: tuple[str, ...]  # in stderr; "{path}" is the input's path
    new_papers: int
    new_repositories: tuple[str, ...] = ()
    absent: tuple[str, ...] = field(default=())  # must appear nowhere in the database
    verify: Callable[[str], None] | None = None  # further checks on the database URL
    exit_code: int = 0  # 1 when the whole file is refused; problems within a file are reported, not fatal


def _no_lookalike_is_github(db_url: str) -> None:
    # A Cyrillic i, its punycode and a github.com prefix on another domain: none is a GitHub repository.
    assert [key for (key,) in rows(db_url, "SELECT key FROM repositories") if "thub" in key] == ["github.com/good/one",
                                                                                             "github.com/good/two"]
    assert scalar(db_url, "SELECT count(*) FROM paper_links WHERE artifact_url IS NOT NULL") == 3


def _links_are_capped(db_url: str) -> None:
    assert scalar(db_url, "SELECT count(*) FROM paper_links") == len(GOOD) + 1000


CASES = {
    "binary": Case(_committed("binary.txt"), ("{path}: binary file (a PNG image), not text; refused",), 0,
                   exit_code=1),
    "nul-bytes": Case(_committed("nul-bytes.jsonl"), ("{path}:2: removed 2 NUL byte(s)",), 2,
                      ("github.com/nul/clean", "github.com/nul/dirty"), ("\x00",)),
    "invalid-utf8": Case(_committed("invalid-utf8.jsonl"), ("{path}:2: invalid UTF-8",), 2,
                         ("github.com/utf/good", "github.com/utf/bad")),
    "formulas-csv": Case(_committed("formulas.csv"), ("{path}:2: url '@SUM(1)' is not an http(s) URL",), 2,
                         ("github.com/csv/formula", "github.com/csv/second")),
    "xxe-atom": Case(_committed("xxe.atom"), ("{path}:2: XML declares a DTD or entities",), 0, exit_code=1,
                     absent=("root:x:0:0",)),
    "lookalike-hosts": Case(_committed("lookalike.jsonl"), (), 1, verify=_no_lookalike_is_github),
    "line-of-10mb": Case(_long_line, ("{path}:2: abstract is over the 100,000-character limit",), 1),
    "sparse-1gb": Case(_sparse, ("{path}: binary file",), 0, exit_code=1),
    "deeply-nested-json": Case(_nested, ("{path}:2: JSON nested too deeply", "{path}:3: JSON nested too deeply"), 1,
                               ("github.com/nest/ok",)),
    "10000-urls": Case(_many_urls, (f"{{path}}:1: paper {paper_id('Ten thousand URLs')}: kept the first 1,000 links;",),
                       1, verify=_links_are_capped),
    "url-of-100kb": Case(_huge_url, ("{path}:1: abstract is over", f"{{path}}:1: paper {paper_id('A 100 kB URL')}: "
                                                                   "ignored a URL of 99,994 characters"),
                         2, ("github.com/huge/fine",)),
    "link-limits-jsonl": Case(_limits_jsonl, _limits_messages(3, 4), 4, verify=_limits_keep_every_other_link),
    "link-limits-page": Case(_limits_page, _limits_messages(7, 9), 4, verify=_limits_keep_every_other_link),
}


# On Linux a child forked from this test process starts with its peak RSS (which
# other tests in the session may have made large), so the CLI is forked from a
# small launcher that reports the CLI's own peak (KB) into a file.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "process = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(process.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def ingest(path: Path, db_url: str, tmp: Path) -> tuple[int, str, int]:
    """Run the CLI; its exit code, stderr and peak memory (KB) of that process alone."""
    stderr_path = tmp / f"{path.name}.stderr"
    peak_path = tmp / f"{path.name}.peak-kb"
    with stderr_path.open("w") as stderr:
        code = subprocess.call([sys.executable, "-c", _LAUNCHER, str(peak_path), str(CLI), "ingest", str(path),
                                "--db", db_url], stdout=subprocess.DEVNULL, stderr=stderr,
                               env={**os.environ, "COLUMNS": "1000"})
    return code, stderr_path.read_text(), int(peak_path.read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_input_is_named_bounded_and_loses_nothing_stored(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"id": paper, "title": f"Good {paper}", "abstract": f"https://{repo}"}) + "\n"
                            for paper, repo in GOOD))
    with open_store(db_url) as store:  # in-process: only the hostile input needs the CLI's own process
        assert ingest_sources(store, [good]).new_papers == len(GOOD)
    repositories_before = {key for (key,) in rows(db_url, "SELECT key FROM repositories")}

    path = case.make(tmp_path)
    code, stderr, peak_kb = ingest(path, db_url, tmp_path)

    assert code == case.exit_code, stderr
    for message in case.messages:
        assert message.format(path=path) in stderr, stderr
    assert peak_kb < MAX_RSS_KB
    # The good papers and their links are all still there.
    stored = set(rows(db_url, "SELECT p.title, r.key FROM papers p JOIN paper_links l ON l.paper_id = p.id "
                              "JOIN repositories r ON r.id = l.repository_id WHERE p.title LIKE 'Good %'"))
    assert stored == {(f"Good {paper}", repo) for paper, repo in GOOD}
    assert scalar(db_url, "SELECT count(*) FROM papers") == len(GOOD) + case.new_papers
    repositories_after = {key for (key,) in rows(db_url, "SELECT key FROM repositories")}
    assert repositories_before <= repositories_after
    if case.new_repositories:
        assert set(case.new_repositories) <= repositories_after - repositories_before
    for text in case.absent:
        dumped = " ".join(str(cell) for row in rows(db_url, "SELECT * FROM papers") for cell in row)
        assert text not in dumped
    if case.verify is not None:
        case.verify(db_url)

