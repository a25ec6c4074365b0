"""Benchmark: the `track` flow in one process and on a local Dask cluster of two workers (not a test).

Run: .venv/bin/python bench/dask_scale.py [--n 10000] [--threads-per-worker 1] [--workdir DIR]

The world is `bench/run.py`'s: N synthetic papers each citing one repository
on the stand-in GitHub API (50 ms per answer, GraphQL and trees from real git
repositories that git clones through ``url.<base>.insteadOf``). The store is
PostgreSQL (127.0.0.1:5432, user postgres): each contender gets a fresh
database of its own, created here and dropped at the end, and a fresh git
cache, so both do a first run's work. The papers are ingested through the
CLI before the flow runs (not timed); the flow's own ingest then adds nothing.

Each contender runs in its own process (`bench/contenders.py flow` and
``flow-dask``); wall time, CPU (user + system of the process and everything
it waited for: Prefect's temporary server, git, the Dask worker processes)
and peak memory come from ``wait4``. Both contenders report to one Prefect
server started here (``prefect server start``, as a team runs it; its own
CPU is not counted): without PREFECT_API_URL every Dask worker would start a
temporary server of its own (some 20 s and 300 MB each, its task runs shown
nowhere the flow's are). On Dask, each worker's own peak and CPU
are asked of the worker before the cluster closes (`contenders.py`), since
``ru_maxrss`` is the largest single process, never a sum.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import psycopg  # noqa: E402
from run import LATENCY, TOKEN, ConcurrencyGauge, Measure, World, build_world, cli, machine, measure  # noqa: E402
from standin_github import StandinGitHub  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
DATABASE_PREFIX = "bench_scale18"


def create_database(name: str) -> str:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def prefect_server(home: Path, env: dict[str, str]) -> Iterator[str]:
    """A Prefect server of our own for the contenders; its API URL."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env={**env, "PREFECT_HOME": str(home)}, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(240):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).is_success:
                    break
            if server.poll() is not None:
                raise SystemExit(f"prefect server start ended ({server.returncode}); see {home / 'server.log'}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
        log.close()


def workers_line(log: Path) -> str:
    """The Dask contender's last line: its workers' own peaks and CPU."""
    for line in reversed(log.read_text().splitlines()):
        if line.startswith("dask-workers "):
            workers = json.loads(line.removeprefix("dask-workers "))
            return "; ".join(f"worker {i + 1}: peak {w['peak_mb']:.0f} MB, {w['cpu_s']:.1f} s CPU"
                             for i, w in enumerate(workers))
    return "(the workers' figures were not printed)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--threads-per-worker", type=int, default=1,
                        help="Dask threads per worker: batches each worker checks at once (default 1, so that "
                             "two workers have as many batches in flight as the single process's two)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    base = args.workdir or Path(tempfile.mkdtemp(prefix="repro-dask-bench-"))
    gauge = ConcurrencyGauge()
    gauge.install()
    standin = StandinGitHub(latency=LATENCY, rate_limit=10**9, token=TOKEN, max_hold=LATENCY * 4,
                            git_root=base / f"n{args.n}" / "remote")
    with standin:
        world = build_world(args.n, base, standin)
        print(f"N={args.n}: inputs built ({world.dir}); {machine()}", flush=True)
        with prefect_server(world.dir / "prefect-server", world.env) as api_url:
            print(f"Prefect server at {api_url}", flush=True)
            results = run_contenders(world, standin, gauge, api_url, args.threads_per_worker)
    report(results)


def run_contenders(world: World, standin: StandinGitHub, gauge: ConcurrencyGauge, api_url: str,
                   threads_per_worker: int) -> list[tuple[Measure, str]]:
    results: list[tuple[Measure, str]] = []
    for mode in ("flow", "flow-dask"):
        name = f"{DATABASE_PREFIX}_{mode.replace('-', '_')}"
        database = create_database(name)
        try:
            home = world.dir / f"{mode}-home"
            home.mkdir()
            env = {**world.env, "REPRO_TRACKER_HOME": str(home), "PREFECT_HOME": str(home / "prefect"),
                   "REPRO_TRACKER_DATABASE_URL": database, "PREFECT_API_URL": api_url}
            subprocess.run(cli("ingest", str(world.papers)), env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            contender = [sys.executable, str(ROOT / "bench" / "contenders.py"), mode, str(world.papers),
                         database, str(threads_per_worker)]
            label = "Prefect flow, one process" if mode == "flow" else \
                f"Prefect flow, Dask 2 workers x {threads_per_worker} thread"
            result = measure(label, world, standin, gauge, contender, env)
            log = world.dir / f"{label.replace(' ', '-').replace('/', '-')}.log"
            results.append((result, workers_line(log) if mode == "flow-dask" else ""))
        finally:
            drop_database(name)
    return results


def report(results: list[tuple[Measure, str]]) -> None:
    single, dask = results[0][0], results[1][0]
    print("\n| contender | N | wall s | CPU s | requests | peak concurrent requests | peak MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m, _ in results:
        print(f"| {m.contender} | {m.n:,} | {m.seconds:.1f} | {m.cpu_seconds:.1f} | {m.requests:,} | "
              f"{m.peak_concurrency} | {m.peak_rss_mb:.0f} |")
    print(f"\nsingle / Dask wall = {single.seconds / dask.seconds:.2f}x; "
          f"Dask / single CPU = {dask.cpu_seconds / single.cpu_seconds:.2f}x; {results[1][1]}")


if __name__ == "__main__":
    main()
