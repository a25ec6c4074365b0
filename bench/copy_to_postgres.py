"""Copy a bench store from SQLite to PostgreSQL with COPY: 100,000 repositories in a minute or two.

Filling PostgreSQL through the Store API (one transaction per check) ran at ~10 checks a second on the shared
machine; the rows of a SQLite store made by `scale_fill.py` are the same rows, so they are copied instead.

    .venv/bin/python bench/copy_to_postgres.py /tmp/x/r100k.db postgresql+psycopg://postgres@127.0.0.1:5432/bench_x
"""

from __future__ import annotations

import sqlite3
import sys

import psycopg

from tracker.store import open_store

TABLES = ("papers", "paper_sources", "repositories", "paper_links", "link_provenance", "tracking_runs",
          "repository_checks", "latest_checks")


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    open_store(target).close()  # the schema, by the migrations
    reader = sqlite3.connect(source)
    with psycopg.connect(target.replace("+psycopg", ""), autocommit=True) as connection:
        for table in TABLES:
            columns = [row[1] for row in reader.execute(f"PRAGMA table_info({table})")]
            kinds = dict(connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
                (table,)).fetchall())
            flags = [kinds[column] == "boolean" for column in columns]
            names = ", ".join(f'"{column}"' for column in columns)
            with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in reader.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row([bool(value) if flag and value is not None else value
                                    for value, flag in zip(row, flags, strict=True)])
            if "id" in columns and table != "papers":
                connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))")
            print(table, "copied", flush=True)
        connection.execute("ANALYZE")


if __name__ == "__main__":
    main()
