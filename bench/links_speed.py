"""Measure link-extraction throughput on the shared corpus (not a test: timings vary by machine).

Run: .venv/bin/python bench/links_speed.py [path-to-abstracts] [megabytes]
Prints MB/s for `extract_links` and for `find_code_links` (which adds the
promise check) over the corpus repeated to the requested size, one core.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tracker.links import extract_links, find_code_links
from tracker.records import Paper

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trending-papers.txt"


def _papers(path: Path) -> list[Paper]:
    lines = path.read_text(encoding="utf-8").splitlines()[2:]
    return [
        Paper(id=f"bench:{n}", title=title, abstract=abstract, source="bench")
        for n, (title, abstract) in enumerate(zip(lines[0::2], lines[1::2], strict=False))
    ]


def _rate(megabytes: float, run: callable) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return megabytes / best


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    target_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
    papers = _papers(path)
    size = sum(len(p.title) + len(p.abstract) + 1 for p in papers)
    copies = max(1, round(target_mb * 1e6 / size))
    papers = papers * copies
    megabytes = size * copies / 1e6
    print(f"{len(papers)} abstracts, {megabytes:.1f} MB")
    print(f"extract_links:   {_rate(megabytes, lambda: [extract_links(p.abstract) for p in papers]):.1f} MB/s")
    print(f"find_code_links: {_rate(megabytes, lambda: [find_code_links(p) for p in papers]):.1f} MB/s")


if __name__ == "__main__":
    main()
