"""A run whose process is gone reads as interrupted, and the next run marks it so; a live run never does.

On the machine that started a run its process answers; elsewhere, its last
recorded check does. Clocks are injected, so nobody waits for a run to age.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from store_support import RESULTS, ok_facts, pg_database, store_url  # noqa: F401  (fixtures)

from tracker.store import Machine, RunStatus, Store, open_store
from tracker.store.models import TrackingRun
from tracker.store.runs import STALE_RUN_AFTER, process_alive

REPO_ROOT = Path(__file__).resolve().parents[1]
# Starts a run and ends without finishing it, as a SIGKILL leaves one.
ABANDON = "import sys; from tracker.store import open_store; print(open_store(sys.argv[1]).start_run(['abandoned']))"


def abandoned_run(url: str) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", ABANDON, url], capture_output=True, text=True, env=env,
                          timeout=60, check=True)
    return int(done.stdout)


def stored(store: Store, run_id: int) -> tuple[str, datetime | None, str | None]:
    """What the table itself says, not what `runs` reads into it."""
    with store.engine.connect() as connection:
        columns = (TrackingRun.c.status, TrackingRun.c.finished_at, TrackingRun.c.note)
        row = connection.execute(select(*columns).where(TrackingRun.c.id == run_id)).one()
    return row.status, row.finished_at, row.note


def test_a_run_whose_process_ended_unfinished_reads_interrupted_and_the_next_run_marks_it(store_url: str) -> None:
    abandoned = abandoned_run(store_url)
    with open_store(store_url) as store:
        (run,) = store.runs()
        assert (run.id, run.status, run.host, run.finished_at) == (abandoned, RunStatus.INTERRUPTED,
                                                                  Machine().host, None)
        assert run.pid is not None and f"process {run.pid}" in (run.note or "")
        assert stored(store, abandoned)[0] == "running"  # reading it changed nothing

        new = store.start_run(["next"])
        assert [(row.id, row.status) for row in store.runs()] == [(abandoned, RunStatus.INTERRUPTED),
                                                                  (new, RunStatus.RUNNING)]
        status, finished_at, note = stored(store, abandoned)
        # Its end is its last sign of life: it recorded no check, so its start.
        assert (status, finished_at) == ("interrupted", run.started_at)
        assert note is not None and "ended without finishing it" in note and f"when run {new} started" in note


def test_live_runs_of_this_machine_stay_running_however_long_they_are_quiet(store_url: str) -> None:
    later = datetime.now(UTC) + 10 * STALE_RUN_AFTER
    with open_store(store_url) as first, open_store(store_url) as second:
        runs = [first.start_run(["one"]), second.start_run(["two"])]  # two at once, as two flows would
        first.record_check(runs[0], ok_facts("github.com/a/b"), RESULTS, health="healthy", repro_score=50)
    with open_store(store_url, clock=lambda: later) as store:
        third = store.start_run(["three"])
        assert [(row.id, row.status, row.note) for row in store.runs()] == [
            (runs[0], RunStatus.RUNNING, None), (runs[1], RunStatus.RUNNING, None), (third, RunStatus.RUNNING, None)
        ]
        assert [stored(store, run_id)[0] for run_id in runs] == ["running", "running"]


def test_elsewhere_a_run_is_judged_by_its_last_recorded_check(store_url: str) -> None:
    with open_store(store_url) as store:
        run_id = store.start_run(["flow"])
        (started_at,) = [row.started_at for row in store.runs()]
    checked_at = started_at + 2 * STALE_RUN_AFTER
    elsewhere = Machine(host="another-machine")

    def seen_at(moment: datetime) -> tuple[RunStatus, str | None]:
        with open_store(store_url, clock=lambda: moment, machine=elsewhere) as store:
            (run,) = store.runs()
            return run.status, run.note

    assert seen_at(started_at + STALE_RUN_AFTER / 2) == (RunStatus.RUNNING, None)
    status, note = seen_at(started_at + STALE_RUN_AFTER)
    assert status is RunStatus.INTERRUPTED and note == f"nothing recorded since {started_at:%Y-%m-%d %H:%M} UTC"

    with open_store(store_url) as store:  # a check recorded later is a sign of life
        store.record_check(run_id, ok_facts("github.com/a/b", checked_at), RESULTS, health="healthy", repro_score=50)
    assert seen_at(checked_at + STALE_RUN_AFTER / 2) == (RunStatus.RUNNING, None)
    assert seen_at(checked_at + STALE_RUN_AFTER)[0] is RunStatus.INTERRUPTED


def test_a_killed_child_not_yet_reaped_is_not_alive() -> None:
    assert process_alive(os.getpid()) is True
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert process_alive(child.pid) is True
        child.send_signal(signal.SIGKILL)
        # Blocks until the child is a zombie, without reaping it.
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert process_alive(child.pid) is False
    finally:
        child.kill()
        child.wait(timeout=10)
    assert process_alive(child.pid) is False


def test_a_process_that_started_after_the_run_is_not_the_runs_own() -> None:
    """Process ids are reused: the process now holding a dead run's id started after that run did."""
    from datetime import UTC, datetime, timedelta

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        now = datetime.now(UTC)
        assert process_alive(child.pid, now + timedelta(seconds=5)) is True
        assert process_alive(child.pid, now - timedelta(hours=1)) is False
        assert process_alive(os.getpid(), now) is True
    finally:
        child.kill()
        child.wait(timeout=10)
