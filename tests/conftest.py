"""Shared test set-up: every test runs in a sealed environment.

Nothing a test does may reach the internet or the developer's own state, so the
environment points every outside service at something local before any test
runs: GitHub's API at a closed port on 127.0.0.1, git's global config at an
empty file, repro-tracker's and Prefect's homes at temporary folders.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tracker.artifacts import web

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "trending-papers.txt"

# Set at import time so that Prefect, imported by some tests, reads them.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(autouse=True)
def sealed_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    git_config = home / "gitconfig"
    git_config.write_text("")
    monkeypatch.setenv("REPRO_TRACKER_HOME", str(home / "repro-tracker"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(git_config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    # Port 9 (discard) on loopback: a request that was not routed to a stand-in is refused at once.
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    for service in ("HF_ENDPOINT", "DOI_RESOLVER_URL", "ZENODO_API_URL", "ARXIV_API_URL", "ARXIV_OAI_URL",
                    "SWH_API_URL"):
        monkeypatch.setenv(service, "http://127.0.0.1:9")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    # The web client asks DNS itself (to refuse private addresses); a test is offline, so DNS is too.
    monkeypatch.setattr(web, "resolve_host", offline_resolver)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("REPRO_TRACKER_DATABASE_URL", raising=False)
    # A live repository's 404 is asked again at once: no test waits the minute a real run would.
    monkeypatch.setenv("REPRO_TRACKER_CONFIRM_GONE_AFTER", "0")


def offline_resolver(host: str) -> list[str]:
    """DNS as on a machine without a network: no server to ask."""
    raise web.ResolverFault(f"{host} could not be resolved (Temporary failure in name resolution)")


def shared_corpus() -> Path:
    """The real scraped page in ../shared, where CI places it; a test that needs it fails saying so."""
    if not CORPUS.exists():
        pytest.fail(f"the shared corpus is missing at {CORPUS}; CI places it beside the repository")
    return CORPUS


def installed_cli() -> Path:
    """The `repro-tracker` command of the environment running the tests (make test's .venv)."""
    cli = Path(sys.executable).parent / "repro-tracker"
    if not cli.exists():
        pytest.fail(f"no repro-tracker command beside {sys.executable}: install the project first (make test does)")
    return cli


@pytest.fixture
def corpus_path() -> Path:
    return shared_corpus()
