"""One Prefect server for the whole test session, and a small world for the flow to track.

An ephemeral Prefect server needs 11-14 s to start on two cores, so every flow
test shares one (`prefect_server`), started on first use and stopped at the end
of the session: no test leaves a server behind. Import the fixture into a test
module with ``from prefect_support import prefect_server``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gitrepos import minimal_repo, ml_repo, route_git
from standin_github import StandinGitHub

# Before Prefect is imported, so that nothing it writes lands in the developer's ~/.prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="repro-tracker-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """The session's Prefect API URL (a temporary server with a temporary database)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, PREFECT_LOCAL_STORAGE_PATH, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    home = tempfile.mkdtemp(prefix="prefect-home-", dir=_PREFECT_HOME)
    with temporary_settings({PREFECT_HOME: home, PREFECT_LOCAL_STORAGE_PATH: os.path.join(home, "storage")}):
        with prefect_test_harness(server_startup_timeout=120):
            yield str(PREFECT_API_URL.value())
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture
def read_artifacts(prefect_server: str) -> Any:
    return artifacts


def artifacts(flow_run_id: Any, key: str) -> list[Any]:
    """Every version of the artifact `key` that one flow run created, read back through the Prefect client."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key]), flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))


PAPERS = [
    ("Learning to See in the Dark", "Code at https://github.com/acme/seeing."),
    ("Bare Bones", "Our code: https://github.com/acme/bare-bones"),
    ("Gone Baby Gone", "Code is at https://github.com/lab/gone and data on request."),
    ("Tiny Experts", "Code will be made publicly available upon acceptance."),
]


@dataclass
class World:
    github: StandinGitHub
    source: Path
    database_url: str
    report_dir: Path


def write_papers(path: Path) -> Path:
    lines = [json.dumps({"id": f"p{i}", "title": title, "abstract": abstract})
             for i, (title, abstract) in enumerate(PAPERS)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Three repositories as GitHub's API and git see them: one tidy, one bare, one deleted."""
    repos = tmp_path / "repos"
    ml_repo(repos, "github.com/acme/seeing")
    minimal_repo(repos, "github.com/acme/bare-bones")
    route_git(monkeypatch, tmp_path, repos)
    with StandinGitHub() as github:
        github.add_repo("acme/seeing", license="MIT")
        github.add_repo("acme/bare-bones", license=None)
        github.add_repo("lab/gone", answer=404)
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        yield World(github, write_papers(tmp_path / "papers.jsonl"), f"sqlite:///{tmp_path / 'track.db'}",
                    tmp_path / "reports")
