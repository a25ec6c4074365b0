"""Time, CPU and peak memory of `status` and `report` on a large store, each a fresh process as a user runs it.

Peak memory is the command's own `ru_maxrss` (os.wait4), CPU its user + system
time: unlike wall time, CPU does not grow with what else the (shared) machine
runs. Fill a store first with `bench/scale_fill.py`; `status` on a terminal is
what `TTY_COMPATIBLE=1` makes rich believe (the bounded table), piped is every row.

    .venv/bin/python bench/memory.py --db sqlite:////tmp/x/r100k.db [--runs 2] [--skip-report | --report-only]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak MB, bytes of output) of one run of `args`."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        error = process.stderr.read().decode() if process.stderr else ""
        if process.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({process.returncode}): {error}")
        size = output.tell()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=2, help="Runs of each command; the best is shown.")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--report-only", action="store_true", help="Measure `report` alone.")
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    env = {**os.environ, "COLUMNS": "160", "REPRO_TRACKER_HOME": str(home)}
    base = [sys.executable, "-m", "tracker.cli"]
    commands = [
        ("status (terminal)", [*base, "status", "--db", options.db], {"TTY_COMPATIBLE": "1"}),
        ("status (piped, every row)", [*base, "status", "--db", options.db], {}),
        ("status --json", [*base, "status", "--json", "--db", options.db], {}),
        ("status --jsonl", [*base, "status", "--jsonl", "--db", options.db], {}),
        ("status --changed (terminal)", [*base, "status", "--changed", "--db", options.db], {"TTY_COMPATIBLE": "1"}),
    ]
    if options.report_only:
        commands = []
    if not options.skip_report:
        commands.append(("report", [*base, "report", "--out", str(home / "reports"), "--db", options.db], {}))
    print(f"| command | wall s (best of {options.runs}) | CPU s | peak MB | output MB |")
    print("|---|---:|---:|---:|---:|")
    for label, args, extra in commands:
        runs = [measure(args, {**env, **extra}) for _ in range(options.runs)]
        wall = min(run[0] for run in runs)
        cpu = min(run[1] for run in runs)
        peak = max(run[2] for run in runs)
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {peak:.0f} | {runs[-1][3] / 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    main()
