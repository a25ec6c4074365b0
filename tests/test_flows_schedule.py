"""`repro-tracker schedule` serves the `track` flow: a deployment with the cron schedule that runs when triggered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tracker.store import open_store

# The session's one Prefect server and the world fixture, registered once for every flow test module.
pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World

REPO_ROOT = Path(__file__).resolve().parents[1]
CRON = "0 6 * * *"


def wait_for_deployment(name: str, server: subprocess.Popen[bytes], timeout: float = 90) -> object:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"`repro-tracker schedule` exited with {server.returncode}: {server.stdout.read()!r}")
            try:
                return client.read_deployment_by_name(name)
            except ObjectNotFound:
                time.sleep(0.5)  # the serving process is still importing Prefect
    pytest.fail(f"no deployment {name} within {timeout} s")


def test_schedule_serves_the_flow_and_a_triggered_run_completes(world: World, prefect_server: str,
                                                                 tmp_path: Path) -> None:
    from prefect.deployments import run_deployment

    env = {**os.environ, "PREFECT_API_URL": prefect_server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "schedule", "--cron", CRON, "--db", world.database_url,
         str(world.source)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deployment = wait_for_deployment("track/repro-tracker", server)
        assert [s.schedule.cron for s in deployment.schedules] == [CRON]
        assert deployment.parameters == {"sources": [str(world.source.resolve())]}  # no database URL among them
        flow_run = run_deployment("track/repro-tracker", timeout=120, poll_interval=1)
        assert flow_run.state is not None and flow_run.state.is_completed(), flow_run.state
        assert flow_run.name.endswith(": 4 papers, 3 repositories")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    [run] = open_store(world.database_url).runs()
    assert (run.status, run.flow_run_id) == ("completed", str(flow_run.id))
    assert (tmp_path / "reports").is_dir()  # the served run wrote its report where the server runs


def test_the_prefect_yaml_deployment_names_the_track_flow_with_valid_parameters() -> None:
    import yaml
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())
    [deployment] = config["deployments"]
    flow = load_flow_from_entrypoint(str(REPO_ROOT / deployment["entrypoint"]))
    assert flow.name == "track"
    assert flow.validate_parameters(deployment["parameters"])["sources"] == ["examples/papers.txt"]
    assert all((REPO_ROOT / source).exists() for source in deployment["parameters"]["sources"])
    assert [schedule["cron"] for schedule in deployment["schedules"]] == [CRON]
    assert "database_url" not in deployment["parameters"]  # a URL may carry a password; workers' env has it
