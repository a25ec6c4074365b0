"""Peak memory of `repro-tracker check --all` as the number of repositories due grows (not a test).

Run: .venv/bin/python bench/check_memory.py [--n 30000 --n 100000 --n 300000] [--checks 3000] [--code DIR]

For each N, a fresh SQLite store gets N GitHub repositories in bulk
(`Store.add_repositories`), and the real CLI checks them against the stand-in
GitHub API (50 ms per answer; none of them exists there, so each is one
GraphQL look among 50 and a recorded `missing`, with no clone). What grows
with N is what the run holds for the whole list (the due list, per-repository
state, results kept); what a check costs does not. So the run is stopped with
SIGINT once `--checks` repositories are checked and recorded (the CLI's
documented Ctrl-C: exit 130, the checks so far kept), and its peak resident
memory (``ru_maxrss`` from ``wait4``) is compared across N. A run whose memory
does not grow with N shows the same peak at every N.

``--code DIR`` runs another checkout's code (``PYTHONPATH=DIR``, and DIR as
the working directory, which ``python -c`` puts first on ``sys.path``), e.g.
main before a change, for a before/after.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from run import LATENCY, TOKEN, machine  # noqa: E402
from standin_github import StandinGitHub  # noqa: E402

ADD_CHUNK = 50_000


def fill(database: str, n: int, code: Path) -> float:
    """N repositories into a fresh store, in a process of its own (so this one stays small); seconds."""
    script = (
        "import sys\n"
        "from tracker.records import RepoKind, RepoRef\n"
        "from tracker.store import open_store\n"
        f"store = open_store({database!r})\n"
        f"for start in range(0, {n}, {ADD_CHUNK}):\n"
        f"    store.add_repositories(RepoRef('github.com', f'lab{{i % 5000}}', f'model-{{i:06d}}', RepoKind.CODE)\n"
        f"                           for i in range(start, min({n}, start + {ADD_CHUNK})))\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "PYTHONPATH": str(code)}, cwd=code)
    return time.perf_counter() - started


def check_until(env: dict[str, str], checks: int, code: Path) -> tuple[float, float, int]:
    """`check --all --json` until `checks` lines came out, then SIGINT: (peak MB, seconds, lines seen)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", "from tracker.cli import main; main()", "check", "--all",
                              "--json"], env={**env, "PYTHONPATH": str(code)}, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, cwd=code)
    assert child.stdout is not None
    seen = 0
    for _line in child.stdout:
        seen += 1
        if seen == checks:
            child.send_signal(signal.SIGINT)
            break
    for _line in child.stdout:
        seen += 1
    _, _status, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="repositories due (repeatable)")
    parser.add_argument("--checks", type=int, default=3000, help="stop after this many are checked")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose code runs (default: this one)")
    args = parser.parse_args()
    sizes = args.n or [30_000, 100_000, 300_000]
    print(f"{machine()}; code from {args.code}", flush=True)
    with tempfile.TemporaryDirectory(prefix="repro-check-memory-") as scratch, \
            StandinGitHub(latency=LATENCY, rate_limit=10**9, token=TOKEN, max_hold=LATENCY * 4,
                          git_root=Path(scratch) / "remote") as standin:
        (Path(scratch) / "remote").mkdir()
        for n in sizes:
            database = f"sqlite:///{scratch}/n{n}.db"
            filled = fill(database, n, args.code)
            env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "REPRO_"))}
            env.update({"GITHUB_API_URL": standin.api_url, "GITHUB_TOKEN": TOKEN,
                        "REPRO_TRACKER_DATABASE_URL": database, "REPRO_TRACKER_HOME": f"{scratch}/home{n}"})
            peak, seconds, seen = check_until(env, args.checks, args.code)
            print(f"N={n:>7,} due: peak {peak:6.0f} MB after {seen:,} checked ({seconds:.1f} s; "
                  f"store filled in {filled:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
