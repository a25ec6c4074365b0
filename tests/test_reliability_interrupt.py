"""Ctrl-C stops a real planned `repro-tracker check --all` with exit 130 and keeps what it recorded.

The world is bench/check_memory.py's, small: repositories GitHub does not
know, so each is a share of one GraphQL look and a recorded `missing`, no
clone. SIGINT is sent once the first recorded checks are read from the
run's standard output. Before the fix, the run hung about one time in five
at any size: the KeyboardInterrupt could land inside
`concurrent.futures.wait` while it held some of the futures' locks
(``_AcquireFutures.__enter__``), the workers finishing those futures blocked
on them for ever, and the pools' shutdown waited for the workers
(bench/results.md, "Seventh session: SIGINT at 300,000"). The
``inside a wait`` case makes that moment certain: the child's acquisition
loop, once checks are recorded, stops between two locks until the test's
SIGINT is handled there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from reliability_support import duplicate_checks
from standin_github import StandinGitHub

from tracker.records import RepoKind, RepoRef
from tracker.store import RunStatus, open_store
from tracker.tracking.recording import RECORD_BATCH

TOKEN = "interrupt-test-token-not-a-secret"
DUE = [RepoRef("github.com", f"lab{index % 7}", f"model-{index:04d}", RepoKind.CODE) for index in range(300)]
# Ends a run that failed to stop: the test fails then, it never waits this long when the program works.
HUNG_AFTER_S = 30

# The run as `repro-tracker check --all --json` starts it; with a file descriptor in REPRO_TEST_READY_FD, its
# `concurrent.futures.wait` stops once checks are recorded, between two of the locks it takes, says so with a
# byte on that descriptor, and goes on only once SIGINT was handled there.
CHILD = """
import os, signal, time
import concurrent.futures._base as futures_base
from tracker.cli import main
from tracker.tracking import recording

ready_fd = int(os.environ.get("REPRO_TEST_READY_FD", "-1"))
recorded = 0
record_all = recording.record_all

def counted(store, run_id, checked):
    global recorded
    record_all(store, run_id, checked)
    recorded += len(checked)

def acquire_all(self):
    for index, future in enumerate(self.futures):
        future._condition.acquire()
        if ready_fd >= 0 and recorded and index == len(self.futures) - 2:
            stop_for_sigint()

def stop_for_sigint():
    # The handler in place (Python's own raises KeyboardInterrupt) runs in this loop, between two locks.
    global ready_fd
    handler = signal.getsignal(signal.SIGINT)
    arrived = []

    def relay(signum, frame):
        arrived.append(signum)
        handler(signum, frame)

    signal.signal(signal.SIGINT, relay)
    try:
        os.write(ready_fd, b"!")
        os.close(ready_fd)
        ready_fd = -1
        while not arrived:
            time.sleep(0.001)  # a poll interval, not a wait for the program
    finally:
        signal.signal(signal.SIGINT, handler)

recording.record_all = counted
futures_base._AcquireFutures.__enter__ = acquire_all
main()
"""


@pytest.mark.parametrize("inside_a_wait", [True, False], ids=["inside a wait", "whenever it comes"])
def test_sigint_stops_a_planned_check_all_with_exit_130_and_keeps_its_checks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside_a_wait: bool) -> None:
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    (tmp_path / "remote").mkdir()
    with StandinGitHub(latency=0.01, rate_limit=10**9, token=TOKEN, git_root=tmp_path / "remote") as standin:
        with open_store(db_url) as store:
            store.add_repositories(DUE)
        env = {**os.environ, "GITHUB_API_URL": standin.api_url, "GITHUB_TOKEN": TOKEN,
               "REPRO_TRACKER_MAX_RATE_WAIT": "0", "REPRO_TRACKER_DATABASE_URL": db_url}
        ready_read, ready_write = os.pipe()
        if inside_a_wait:
            env["REPRO_TEST_READY_FD"] = str(ready_write)
        child = subprocess.Popen([sys.executable, "-c", CHILD, "check", "--all", "--json"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=(ready_write,))
        os.close(ready_write)
        try:
            reader, lines, first_batch_read = _read_lines(child, RECORD_BATCH)
            assert first_batch_read.wait(HUNG_AFTER_S), "no checks recorded"
            if inside_a_wait:
                assert os.read(ready_read, 1) == b"!", "the run ended before its wait was reached"
            child.send_signal(signal.SIGINT)
            returncode = child.wait(timeout=HUNG_AFTER_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            pytest.fail("SIGINT did not stop the run (it hung or went on checking)")
        finally:
            os.close(ready_read)
        reader.join()
        stderr = child.stderr.read() if child.stderr else ""

    assert returncode == 130, stderr
    assert "interrupted; the checks finished so far are recorded" in stderr
    assert "plan: 300 due" in stderr  # the planned path, as in the bench
    shown = {json.loads(line)["repository"] for line in lines}
    with open_store(db_url) as store:
        kept = {row.latest.canonical: str(row.latest.status) for row in store.latest_checks()}
        assert [run.status for run in store.runs()] == [RunStatus.INTERRUPTED]
    assert len(shown) >= RECORD_BATCH
    assert shown <= kept.keys()  # every check the run printed is in the store
    assert set(kept.values()) == {"missing"}
    assert len(kept) < len(DUE)  # it stopped before the end
    assert duplicate_checks(db_url) == 0


def _read_lines(child: subprocess.Popen[str], count: int) -> tuple[threading.Thread, list[str], threading.Event]:
    """Every line of the child's standard output, read as it comes by the thread; the event is set once `count`
    were read (or the output ended)."""
    lines: list[str] = []
    reached = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            if len(lines) >= count:
                reached.set()
        reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, lines, reached


def test_a_ctrl_c_in_a_deferred_block_is_raised_at_its_end_and_the_handler_is_given_back() -> None:
    from tracker.interrupts import interrupt_deferred

    reached_the_end = False
    with pytest.raises(KeyboardInterrupt):
        with interrupt_deferred() as interrupt:
            signal.raise_signal(signal.SIGINT)  # handled at once, in this thread: noted, not raised
            assert interrupt.active and interrupt.requested
            reached_the_end = True
    assert reached_the_end
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_a_deferred_block_leaves_sigint_alone() -> None:
    from tracker.interrupts import interrupt_deferred

    seen: list[bool] = []

    def block() -> None:
        with interrupt_deferred() as interrupt:
            seen.append(interrupt.active)

    thread = threading.Thread(target=block)
    thread.start()
    thread.join()
    assert seen == [False]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_while_the_budget_is_planned_closes_the_run_as_interrupted(tmp_path: Path) -> None:
    """GitHub's `/rate_limit` never answers; SIGINT once it was asked: exit 130, the run row `interrupted`."""
    import socket

    from conftest import installed_cli

    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    with open_store(db_url) as store:
        store.add_repositories(DUE[:3])
    silent = socket.create_server(("127.0.0.1", 0))
    asked = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        connection, _ = silent.accept()
        held.append(connection)  # kept open and never answered, so the plan waits on it
        asked.set()

    threading.Thread(target=accept, daemon=True).start()
    env = {**os.environ, "GITHUB_API_URL": f"http://127.0.0.1:{silent.getsockname()[1]}", "GITHUB_TOKEN": TOKEN}
    child = subprocess.Popen([str(installed_cli()), "check", "--all", "--db", db_url], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert asked.wait(HUNG_AFTER_S), "the plan never asked GitHub's /rate_limit"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=HUNG_AFTER_S)
    finally:
        child.kill()
        silent.close()
        for connection in held:
            connection.close()
    assert child.returncode == 130, err
    assert "interrupted while planning; nothing was checked" in err
    with open_store(db_url) as store:
        (run,) = store.runs()
        assert run.status == RunStatus.INTERRUPTED
        assert store.history(DUE[0].key) == []
