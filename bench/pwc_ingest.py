"""Ingest a Papers with Code archive of 300,000 links: wall time and peak memory (not a test).

Run: .venv/bin/python bench/pwc_ingest.py [--links 300000] [--plain] [--db URL]

Writes ``links-between-papers-and-code.json.gz`` in the archive's real shape
(one JSON array, 2-space indented as the archive's dumps are; the fields
``paper_url``, ``paper_title``, ``paper_arxiv_id``, ``paper_url_abs``,
``paper_url_pdf``, ``repo_url``, ``is_official``, ``mentioned_in_paper``,
``mentioned_in_github``, ``framework``), with the archive's proportions as far as we
know them: about 1.6 links per paper, a third of the links official, a tenth of the
papers without an arXiv id, some repositories shared by several papers, a few
GitLab and Bitbucket repositories. Then runs `repro-tracker ingest pwc-links:FILE`
through the real code (`tracking.ingest_source`) into a fresh SQLite store and
reports wall time, CPU time and peak resident memory (ru_maxrss of this process,
which is the one that reads and writes).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.settings import Settings  # noqa: E402
from tracker.store import open_store  # noqa: E402
from tracker.tracking.papers import ingest_source

_WORDS = ("learning", "neural", "graph", "vision", "language", "sparse", "diffusion", "robust", "efficient",
          "transformer", "reinforcement", "contrastive", "federated", "causal", "quantum", "segmentation")
_FRAMEWORKS = ("pytorch", "tf", "jax", "none", "mindspore", "paddle")


def write_archive(path: Path, links: int, *, gz: bool, seed: int = 14) -> int:
    """The links file; returns how many distinct papers it names."""
    rng = random.Random(seed)
    opener = gzip.open if gz else open
    papers = 0
    written = 0
    with opener(path, "wt", encoding="utf-8") as out:  # type: ignore[operator]
        out.write("[\n")
        while written < links:
            papers += 1
            title = " ".join(rng.choice(_WORDS).capitalize() for _ in range(rng.randint(4, 9))) + f" {papers}"
            arxiv = None if rng.random() < 0.1 else f"{rng.randint(15, 25):02d}{rng.randint(1, 12):02d}.{papers % 100000:05d}"
            slug = title.lower().replace(" ", "-")
            for n in range(min(links - written, rng.choice((1, 1, 1, 2, 2, 3, 4)))):
                owner = f"lab{rng.randint(0, 60_000)}"
                host = rng.choices(("github.com", "gitlab.com", "bitbucket.org"), weights=(97, 2, 1))[0]
                row = {
                    "paper_url": f"https://paperswithcode.com/paper/{slug}",
                    "paper_title": title,
                    "paper_arxiv_id": arxiv,
                    "paper_url_abs": f"https://arxiv.org/abs/{arxiv}v{rng.randint(1, 3)}" if arxiv else None,
                    "paper_url_pdf": f"https://arxiv.org/pdf/{arxiv}v1.pdf" if arxiv else None,
                    "repo_url": f"https://{host}/{owner}/{slug[:40]}-{n}",
                    "is_official": n == 0 and rng.random() < 0.5,
                    "mentioned_in_paper": rng.random() < 0.3,
                    "mentioned_in_github": rng.random() < 0.6,
                    "framework": rng.choice(_FRAMEWORKS),
                }
                text = json.dumps(row, indent=2)
                out.write(("  " if written == 0 else ",\n  ") + text.replace("\n", "\n  "))
                written += 1
        out.write("\n]\n")
    return papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=300_000)
    parser.add_argument("--plain", action="store_true", help="write the JSON uncompressed")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / ("links.json" if args.plain else "links.json.gz")
        started = time.perf_counter()
        papers = write_archive(archive, args.links, gz=not args.plain)
        print(f"wrote {args.links:,} links of {papers:,} papers: {archive.stat().st_size / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store = open_store(args.db or f"sqlite:///{scratch}/bench.db")
        problems: list[object] = []
        wall, cpu = time.perf_counter(), time.process_time()
        summary = ingest_source(store, f"pwc-links:{archive}", settings=Settings.from_env(),
                                on_problem=problems.append)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"ingest: {wall:.1f} s wall, {cpu:.1f} s CPU; peak RSS {peak:.0f} MB (before ingest {before:.0f} MB); "
              f"{summary.papers:,} papers ({summary.new_papers:,} new), {summary.links:,} links, "
              f"{summary.repositories:,} repositories; {len(problems)} problems", flush=True)
        wall = time.perf_counter()
        again = ingest_source(store, f"pwc-links:{archive}", settings=Settings.from_env(), on_problem=problems.append)
        print(f"again: {time.perf_counter() - wall:.1f} s wall, {again.new_papers} new papers, "
              f"{again.new_links} new links", flush=True)
        store.close()


if __name__ == "__main__":
    main()
