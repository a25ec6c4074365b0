"""Stores of 100,000 and 300,000 repositories for the status, report and memory benches, in minutes.

Filling through the Store API costs ~4.5 ms per check (one transaction each):
300,000 repositories x 2 runs would take most of an hour. So a base of
`BASE` repositories is filled through the API (`status_speed.fill`, the real
write path), then copied in SQL as many times as needed, each copy with its
own keys, paper ids and row ids (`status_speed.replicate`). Every copy holds the same mix of
statuses, licenses and changes as the base, which is what the readers care
about; the SQL is SQLAlchemy Core, so it runs on SQLite and PostgreSQL alike.

    .venv/bin/python bench/scale_fill.py --repositories 100000 --db sqlite:////tmp/x/status-speed.db
"""

from __future__ import annotations

import argparse
import time

BASE = 10_000


def fill_scaled(url: str, repositories: int) -> float:
    """A store of `repositories` x 2 runs: `BASE` through the Store API, the rest copied in SQL.

    The copying is `status_speed.replicate`'s, the one way of making a large store that keeps
    `latest_checks` and the compacted history as `record_check` writes them.
    """
    from status_speed import fill, replicate  # type: ignore[import-not-found]

    started = time.perf_counter()
    base = min(BASE, repositories)
    fill(url, base)
    if repositories > base:
        replicate(url, base, repositories)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=100_000)
    parser.add_argument("--db", required=True)
    options = parser.parse_args()
    print(f"filled {options.repositories} x 2 runs in {fill_scaled(options.db, options.repositories):.1f} s")


if __name__ == "__main__":
    main()

