"""Benchmark: one scheduled daily run of `track` on `hf-daily:` and `arxiv-list:` at a real day's size (not a test).

Run: .venv/bin/python bench/daily_flow.py [--hf 50] [--arxiv 700] [--page 250] [--workdir DIR]

What a team's `daily` deployment reads every morning, end to end: the Hugging
Face daily papers of one day (about 50) and one day of arXiv's cs.LG listing
through OAI-PMH (about 700 records, here in pages of 250 joined by resumption
tokens, as arXiv hands them out), then the checks of every repository they
link, the run's record and the report files. The services are stand-ins on
127.0.0.1 in their own formats (`tests/standin_sources.py`: the Hub's
``/api/daily_papers``, OAI-PMH ``ListRecords``), GitHub is `bench/run.py`'s
stand-in (50 ms per answer, real git repositories). A quarter of the arXiv
papers link a GitHub repository in their abstract and every Hub paper has one
on its page; 30 Hub papers are also in the arXiv listing, as most are. arXiv's
politeness interval between requests (REPRO_TRACKER_ARXIV_INTERVAL, 3 s) is
kept: it is part of a real run's wall time. The store is PostgreSQL, the flow
reports to a Prefect server started here (as `bench/dask_scale.py`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from dask_scale import create_database, drop_database, prefect_server  # noqa: E402
from run import LATENCY, OWNER, TOKEN, ConcurrencyGauge, build_world, machine, measure, repo_name  # noqa: E402
from standin_github import StandinGitHub  # noqa: E402
from standin_http import scripted_service  # noqa: E402
from standin_sources import ArxivPaper, hf_daily, hf_daily_path, oai_list_records, oai_path  # noqa: E402

DAY = "2026-12-02"
SPEC_HF = f"hf-daily:{DAY}"
SPEC_ARXIV = f"arxiv-list:cs.LG@{DAY}..{DAY}"


def papers(hf: int, arxiv: int) -> tuple[list[ArxivPaper], list[ArxivPaper], int]:
    """The day's Hub papers and arXiv listing; how many distinct repositories they link."""
    listing = []
    repositories = hf
    for number in range(arxiv):
        linked = number % 4 == 0 and number >= 4 * 30  # the first 30 are the Hub's too, linked on its pages
        code = f" Code: https://github.com/{repo_name(repositories)}." if linked else ""
        repositories += linked
        listing.append(ArxivPaper(f"2612.{number:05d}", f"Listed paper {number}",
                                  f"We study setting {number} and improve on it.{code}",
                                  published=f"{DAY}T17:00:00Z", updated=f"{DAY}T17:00:00Z", datestamp=DAY))
    hub = [ArxivPaper(f"2612.{number:05d}" if number < 30 else f"2611.{number:05d}", f"Hub paper {number}",
                      f"A method for task {number}.", published=f"{DAY}T09:00:00Z",
                      github_repo=f"https://github.com/{repo_name(number)}") for number in range(hf)]
    return hub, listing, repositories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hf", type=int, default=50)
    parser.add_argument("--arxiv", type=int, default=700)
    parser.add_argument("--page", type=int, default=250, help="OAI-PMH records per page")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    base = args.workdir or Path(tempfile.mkdtemp(prefix="repro-daily-bench-"))
    hub, listing, repositories = papers(args.hf, args.arxiv)
    gauge = ConcurrencyGauge()
    gauge.install()
    standin = StandinGitHub(latency=LATENCY, rate_limit=10**9, token=TOKEN, max_hold=LATENCY * 4,
                            git_root=base / f"n{repositories}" / "remote")
    with standin, scripted_service() as services:
        world = build_world(repositories, base, standin)  # its papers file is not used: the sources are the input
        services.answer(hf_daily_path(DAY), 200, hf_daily(hub), Content_Type="application/json")
        pages = [listing[start:start + args.page] for start in range(0, len(listing), args.page)]
        for number, page in enumerate(pages):
            query = {"resumptionToken": f"cs.LG|{number}"} if number else \
                {"metadataPrefix": "arXiv", "set": "cs:cs:LG", "from": DAY, "until": DAY}
            last = number == len(pages) - 1
            services.answer(oai_path(**query), 200, oai_list_records(
                page, token="" if last else f"cs.LG|{number + 1}", cursor=number * args.page, size=len(listing)),
                Content_Type="text/xml")
        print(f"{machine()}; {len(hub)} Hub papers, {len(listing)} arXiv records in {len(pages)} pages, "
              f"{repositories} repositories of {OWNER}", flush=True)
        database_name = "bench_scale18_daily"
        database = create_database(database_name)
        try:
            with prefect_server(world.dir / "prefect-server", world.env) as api_url:
                env = {**world.env, "REPRO_TRACKER_DATABASE_URL": database, "PREFECT_API_URL": api_url,
                       "HF_ENDPOINT": services.url.rstrip("/"), "ARXIV_OAI_URL": services.url + "oai"}
                contender = [sys.executable, str(ROOT / "bench" / "contenders.py"), "sources", database,
                             str(world.dir / "reports"), SPEC_HF, SPEC_ARXIV]
                before = len(services.asked)
                result = measure("daily flow (first day)", world, standin, gauge, contender, env)
                asked = len(services.asked) - before
                log = (world.dir / "daily-flow-(first-day).log").read_text()
        finally:
            drop_database(database_name)
    summary = [line for line in log.splitlines() if line.startswith(("track ", "checked this run", "sources not"))]
    print("\n| run | wall s | CPU s | peak MB | GitHub requests | Hub + arXiv requests | peak concurrent |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| daily flow, {SPEC_HF} + {SPEC_ARXIV} | {result.seconds:.1f} | {result.cpu_seconds:.1f} | "
          f"{result.peak_rss_mb:.0f} | {result.requests:,} | {asked} | {result.peak_concurrency} |")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
