"""Two processes writing checks into one SQLite file at once: nothing lost, nothing doubled, no lock error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from tracker.store import open_store
from tracker.store.models import Repository, RepositoryCheck

WRITER = Path(__file__).with_name("store_support.py")
REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKS_PER_WRITER = 200


def test_two_processes_write_checks_into_a_new_sqlite_file_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"  # not created yet: both writers also race to create it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, label, str(CHECKS_PER_WRITER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for label in ("first", "second")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:  # both are waiting on stdin: release them together
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outputs = [writer.communicate(timeout=90) for writer in writers]
    for writer, (_, stderr) in zip(writers, outputs):
        assert writer.returncode == 0, stderr
        assert "locked" not in stderr
    run_ids = {int(stdout) for stdout, _ in outputs}

    with open_store(url) as store:
        runs = store.runs()
        assert {run.id for run in runs} == run_ids and len(run_ids) == 2
        assert [run.repositories_checked for run in runs] == [CHECKS_PER_WRITER, CHECKS_PER_WRITER]
        with store.engine.connect() as connection:
            per_run = dict(
                connection.execute(
                    select(RepositoryCheck.c.run_id, func.count()).group_by(RepositoryCheck.c.run_id)
                ).all()
            )
            repositories = connection.execute(select(func.count()).select_from(Repository)).scalar_one()
        assert per_run == {run_id: CHECKS_PER_WRITER for run_id in run_ids}
        # Both writers named the same repositories: one row per identity, however they raced.
        assert repositories == CHECKS_PER_WRITER
        assert all(row.previous is not None for row in store.latest_checks())


def test_threads_of_one_process_take_turns_at_sqlite_instead_of_meeting_its_lock(tmp_path: Path) -> None:
    """Checking threads write through one process-wide lock per SQLite file, so none of them
    meets SQLITE_BUSY (and sleeps in SQLite's busy handler or in our retry); shown here with the
    busy handler off, where any meeting would be a retry."""
    import threading

    from sqlalchemy import event, text

    from tracker.store.engine import make_engine, writer_lock
    from tracker.store.retry import run_write

    engine = make_engine(f"sqlite:///{tmp_path / 'threads.db'}")
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout = 0"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE marks (thread INTEGER, number INTEGER)"))
    retries: list[float] = []
    start = threading.Barrier(8)

    def writer(thread: int) -> None:
        start.wait(timeout=10)
        for number in range(25):
            run_write(engine, lambda c: c.execute(text("INSERT INTO marks VALUES (:t, :n)"), {"t": thread, "n": number}),
                      sleep=retries.append)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*), count(DISTINCT thread) FROM marks")).one() == (200, 8)
    assert retries == []
    assert writer_lock(engine) is writer_lock(make_engine(f"sqlite:///{tmp_path / 'threads.db'}"))
    engine.dispose()
