"""Benchmark: repro-tracker against a naive PyGithub loop, on N synthetic papers and repositories.

Run: .venv/bin/python bench/run.py [--n 1000 --n 10000] [--quick] [--flow] [--out FILE]

Everything is local and real: the stand-in GitHub API (`tests/standin_github.py`)
answers over HTTP on 127.0.0.1 with 50 ms of latency per answer, and git
clones real repositories routed through ``url.<base>.insteadOf``. Each
repository is a symbolic link to one template repository, so building 10,000
costs nothing, while the tracker still clones each one into its own cache.

Every contender runs in its own process (peak memory from ``wait4``); the
stand-in runs here, so its request log and a concurrency gauge see all of
them. Requests are counted by the stand-in, not by the contenders.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))

from gitrepos import CommitSpec, ml_repo, routing_config  # noqa: E402
from standin_github import StandinGitHub, _Handler  # noqa: E402

LATENCY = 0.05  # seconds per answer: a realistic round trip to api.github.com
TOKEN = "bench-token-not-a-secret"  # the stand-in's only accepted token; it never leaves this machine
OWNER = "bench-lab"


class ConcurrencyGauge:
    """Counts requests the stand-in is answering at once; GitHub's secondary limit is 100."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def install(self) -> None:
        _Handler.do_GET = self._gauged(_Handler.do_GET)  # type: ignore[method-assign]
        _Handler.do_POST = self._gauged(_Handler.do_POST)  # type: ignore[method-assign]

    def _gauged(self, answer: Callable[[_Handler], None]) -> Callable[[_Handler], None]:
        gauge = self

        def gauged(handler: _Handler) -> None:
            with gauge._lock:
                gauge.current += 1
                gauge.peak = max(gauge.peak, gauge.current)
            try:
                answer(handler)
            finally:
                with gauge._lock:
                    gauge.current -= 1

        return gauged

    def reset(self) -> None:
        with self._lock:
            self.peak = self.current


@dataclass
class Measure:
    contender: str
    n: int
    seconds: float
    requests: int
    rate_counted: int
    peak_concurrency: int
    peak_rss_mb: float
    cpu_seconds: float = 0.0
    note: str = ""
    graphql_points: int = 0  # GraphQL's own budget, spent by GitHub's formula (the stand-in's `query_cost`)

    @property
    def counted_per_repo(self) -> float:
        return self.rate_counted / self.n


@dataclass
class World:
    """The synthetic inputs of one size: papers, repositories, and where they live."""

    n: int
    dir: Path
    papers: Path
    names: Path
    env: dict[str, str] = field(default_factory=dict)


def repo_name(number: int) -> str:
    return f"{OWNER}/model-{number:05d}"


def build_world(n: int, base: Path, standin: StandinGitHub) -> World:
    """N papers each citing one repository; 2% of them gone (404), 30% with a release."""
    world_dir = base / f"n{n}"
    remote = world_dir / "remote"
    now = datetime.now(UTC)
    template = ml_repo(remote, f"github.com/{OWNER}/template", commits=[
        CommitSpec(when=now - timedelta(days=200), message="initial"),
        CommitSpec(when=now - timedelta(days=40), message="results", changes={"results.md": "| a | b |\n"}),
    ])
    names = []
    with (world_dir / "papers.jsonl").open("w", encoding="utf-8") as papers:
        for number in range(n):
            name = repo_name(number)
            names.append(name)
            gone = number % 50 == 7
            releases = [{"tag_name": "v1.0", "published_at": "2025-06-01T00:00:00Z"}] if number % 10 < 3 else []
            standin.add_repo(name, answer=404 if gone else 200, releases=releases, tags=["v1.0"],
                             pushed_at=(now - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ"))
            if not gone:
                (remote / "github.com" / name).symlink_to(template.path, target_is_directory=True)
            abstract = (f"We study problem {number} and beat the baseline by {number % 7} points. "
                        f"Code is available at https://github.com/{name}.")
            papers.write(json.dumps({"id": f"arXiv:2501.{number:05d}", "title": f"Paper {number}",
                                     "abstract": abstract}) + "\n")
    (world_dir / "names.txt").write_text("\n".join(names) + "\n")
    home = world_dir / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "REPRO_TRACKER_", "GIT_")) or key == "REPRO_TRACKER_CONCURRENCY"}
    env.update({
        "GITHUB_API_URL": standin.api_url,
        "GITHUB_TOKEN": TOKEN,
        "GIT_CONFIG_GLOBAL": str(routing_config(world_dir, remote)),
        "GIT_CONFIG_NOSYSTEM": "1",
        "REPRO_TRACKER_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    })
    return World(n=n, dir=world_dir, papers=world_dir / "papers.jsonl", names=world_dir / "names.txt", env=env)


def run_child(args: Sequence[str], env: dict[str, str], log: Path) -> tuple[float, float, float]:
    """Run one contender: wall seconds, peak resident memory in MB, and CPU seconds.

    CPU counts the contender and the git processes it waited for (with, on
    this machine, git's server side: upload-pack and pack-objects), not the
    stand-in. Unlike wall time it does not depend on what else the machine runs.
    """
    with log.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(list(args), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}); see {log}:\n{log.read_text()[-3000:]}")
    # Linux reports ru_maxrss in KB. It covers the child and its waited-for descendants (git): the larger.
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(name: str, world: World, standin: StandinGitHub, gauge: ConcurrencyGauge,
            args: Sequence[str], env: dict[str, str] | None = None, note: str = "") -> Measure:
    before, points_before = len(standin.requests), standin.graphql_points
    gauge.reset()
    log = world.dir / f"{name.replace(' ', '-').replace('/', '-')}.log"
    seconds, rss, cpu = run_child(args, env or world.env, log)
    requests = standin.requests[before:]
    result = Measure(name, world.n, seconds, len(requests), sum(r.rate_counted for r in requests),
                     gauge.peak, rss, cpu, note, standin.graphql_points - points_before)
    print(f"  {name:<32} {seconds:8.1f} s  {result.requests:6} requests  {result.rate_counted:6} counted  "
          f"{result.graphql_points:5} GraphQL points  "
          f"peak {result.peak_concurrency:3} at once  {rss:6.0f} MB  {cpu:6.1f} s CPU", flush=True)
    return result


def cli(*args: str) -> list[str]:
    # REPRO_BENCH_PROFILE=DIR: each tracker command runs under cProfile, its profile written into DIR.
    if profiles := os.environ.get("REPRO_BENCH_PROFILE"):
        target = Path(profiles) / f"{args[0]}-{time.monotonic_ns()}.prof"
        return [str(BIN / "python"), "-m", "cProfile", "-o", str(target), str(BIN / "repro-tracker"), *args]
    return [str(BIN / "repro-tracker"), *args]


def status_cli_seconds(world: World) -> float:
    """`repro-tracker status --json` on the world's database, as a user runs it: best of 3."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(cli("status", "--json"), env=world.env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def bench_size(n: int, base: Path, gauge: ConcurrencyGauge, *, naive: bool, flow: bool) -> tuple[list[Measure], dict[str, str]]:
    # The stand-in serves GraphQL and git trees from the repositories build_world puts under n<N>/remote.
    standin = StandinGitHub(latency=LATENCY, rate_limit=10**9, token=TOKEN, max_hold=LATENCY * 4,
                            git_root=base / f"n{n}" / "remote")
    extra: dict[str, str] = {}
    with standin:
        started = time.perf_counter()
        world = build_world(n, base, standin)
        print(f"N={n}: inputs built in {time.perf_counter() - started:.1f} s ({world.dir})", flush=True)
        results = []
        if naive:
            results.append(measure("naive PyGithub loop", world, standin, gauge,
                                   [sys.executable, str(ROOT / "bench" / "contenders.py"), "naive",
                                    str(world.names), standin.api_url]))
        started = time.perf_counter()
        subprocess.run(cli("ingest", str(world.papers)), env=world.env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        extra["ingest"] = f"{time.perf_counter() - started:.1f} s (CLI, {n} papers)"
        results.append(measure("tracker check --all (first)", world, standin, gauge,
                               cli("check", "--all", "--json")))
        results.append(measure("tracker check --all (re-run)", world, standin, gauge,
                               cli("check", "--all", "--json")))
        extra["status"] = (f"{status_cli_seconds(world):.2f} s for `repro-tracker status --json` on this database "
                           "(a fresh process, Python start-up included; best of 3)")
        if flow:
            flow_home = world.dir / "flow-home"
            flow_home.mkdir()
            env = {**world.env, "REPRO_TRACKER_HOME": str(flow_home), "PREFECT_HOME": str(flow_home / "prefect")}
            database = f"sqlite:///{flow_home / 'flow.db'}"
            flow_args = [sys.executable, str(ROOT / "bench" / "contenders.py"), "flow", str(world.papers), database]
            results.append(measure("Prefect flow track (first)", world, standin, gauge, flow_args, env,
                                   note="includes Prefect's ephemeral server start-up and ingest"))
            results.append(measure("Prefect flow track (re-run)", world, standin, gauge, flow_args, env,
                                   note="includes Prefect's ephemeral server start-up"))
    return results, extra


def script_output(name: str) -> str:
    """What another engineer's bench script prints (`links_speed.py`, `status_speed.py`)."""
    script = ROOT / "bench" / name
    if not script.exists():
        return f"({name} does not exist yet)"
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    return (done.stdout + done.stderr).strip()


def machine() -> str:
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} CPUs (nproc), {memory_kb / 1024**2:.1f} GB memory, "
            f"Python {platform.python_version()} on {platform.platform()}, {git_version}")


def write_results(out: Path, measures: list[Measure], extras: dict[int, dict[str, str]],
                  scripts: dict[str, str]) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/run.py` on one machine: {machine()}.",
        f"Stand-in GitHub API with {LATENCY * 1000:.0f} ms latency per answer (REST, and GraphQL executed by "
        "graphql-core, both reading the same git repositories that git reaches over file:// through insteadOf). "
        "Requests are counted by the stand-in; \"counted\" are those that count against "
        "GitHub's REST rate limit (everything but a 304 with a token); \"GraphQL points\" what GraphQL's "
        "separate budget was charged by GitHub's published formula (connections' requests / 100, rounded, at "
        "least 1 per query). Peak memory is the contender process's `ru_maxrss`; "
        "CPU is its user + system time with the git processes it ran (here also git's server side), which, "
        "unlike wall time, does not depend on what else the machine runs.",
        "",
        "| contender | N | wall s | CPU s | requests | rate-counted | counted / repo | GraphQL points "
        "| peak concurrent requests | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measures:
        lines.append(f"| {m.contender} | {m.n:,} | {m.seconds:.1f} | {m.cpu_seconds:.1f} | {m.requests:,} | {m.rate_counted:,} | "
                     f"{m.counted_per_repo:.3f} | {m.graphql_points:,} | {m.peak_concurrency} | {m.peak_rss_mb:.0f} |")
    lines += ["", "## Ratios", ""]
    for n in sorted({m.n for m in measures}):
        by_name = {m.contender: m for m in measures if m.n == n}
        naive = by_name.get("naive PyGithub loop")
        first = by_name.get("tracker check --all (first)")
        rerun = by_name.get("tracker check --all (re-run)")
        if naive and first and rerun:
            lines.append(f"- N={n:,}: naive / tracker first run = {naive.seconds / first.seconds:.1f}x wall time; "
                         f"naive / tracker re-run = {naive.seconds / rerun.seconds:.1f}x.")
        if first and rerun:
            lines.append(f"- N={n:,}: first run {first.counted_per_repo:.2f} rate-counted requests per repository "
                         f"(target at most 3); re-run {rerun.counted_per_repo:.3f} (target at most 0.05).")
        for key, value in extras.get(n, {}).items():
            lines.append(f"- N={n:,}: {key}: {value}")
    for name, output in scripts.items():
        lines += ["", f"## `bench/{name}`", "", "```", output, "```"]
    out.write_text("\n".join(lines) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="sizes to run (repeatable); default 1000 and 10000")
    parser.add_argument("--quick", action="store_true", help="N=200 only: a sanity run of a minute")
    parser.add_argument("--naive-max", type=int, default=1000,
                        help="skip the naive loop above this N (it takes N x 3 x latency seconds)")
    parser.add_argument("--flow", action="store_true", help="also time the Prefect flow (first run and re-run)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="REPRO_TRACKER_CONCURRENCY for the tracker (default: the tracker's own default)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where this run's tables go (default: bench/last-run.md, or bench/last-run-quick.md); "
                             "bench/results.md is the curated record across sessions and is never overwritten")
    parser.add_argument("--workdir", type=Path, default=None, help="where to build inputs (default: a temp dir)")
    args = parser.parse_args(argv)
    sizes = [200] if args.quick else (args.n or [1000, 10000])
    out = args.out or ROOT / "bench" / ("last-run-quick.md" if args.quick else "last-run.md")
    base = args.workdir or Path(tempfile.mkdtemp(prefix="repro-bench-"))
    if args.concurrency is not None:
        os.environ["REPRO_TRACKER_CONCURRENCY"] = str(args.concurrency)
    measures: list[Measure] = []
    extras: dict[int, dict[str, str]] = {}
    gauge = ConcurrencyGauge()
    gauge.install()
    for n in sizes:
        results, extras[n] = bench_size(n, base, gauge, naive=n <= args.naive_max, flow=args.flow)
        measures += results
        write_results(out, measures, extras, {})
    scripts = {name: script_output(name) for name in ("links_speed.py", "status_speed.py")}
    print("\n".join(scripts.values()))
    write_results(out, measures, extras, scripts)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
