"""Settings, read once from the environment and the command line.

Every knob a user may turn lives here, with its environment variable, so that
the CLI, the Prefect flows and the tests configure a run the same way. The
GitHub token is kept out of `repr` so that printing settings, or a traceback
that shows them, cannot leak it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_OAI_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_HF_ENDPOINT = "https://huggingface.co"
DEFAULT_SWH_API_URL = "https://archive.softwareheritage.org/api/1/"
DEFAULT_DOI_RESOLVER_URL = "https://doi.org/"
DEFAULT_ZENODO_API_URL = "https://zenodo.org/api/"


def data_home() -> Path:
    """Where repro-tracker keeps its database and git cache by default."""
    explicit = os.environ.get("REPRO_TRACKER_HOME")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "repro-tracker"


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _hosts(name: str) -> frozenset[str]:
    """A comma list of host names (``git.example.org, 10.0.0.7, *.example.org``), lowercase; a URL's host is taken."""
    hosts: set[str] = set()
    for item in (os.environ.get(name) or "").split(","):
        host = item.strip().lower()
        if "://" in host:
            host = host.split("://", 1)[1]
        host = host.split("/", 1)[0]
        if not host:
            continue
        if any(char.isspace() or char in "@?#" for char in host):
            raise ValueError(f"{name}: {item.strip()!r} is not a host name")
        hosts.add(host.removeprefix("www."))
    return frozenset(hosts)


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: the store's default (REPRO_TRACKER_DATABASE_URL or SQLite in data_home)
    github_api_url: str = DEFAULT_GITHUB_API_URL
    github_token: str | None = field(default=None, repr=False)
    cache_dir: Path = field(default_factory=lambda: data_home() / "git-cache")
    http_timeout: float = 15.0  # seconds per HTTP request to a host's API
    git_timeout: float = 120.0  # seconds per git command (ls-remote, clone, fetch)
    max_clone_bytes: int = 500_000_000  # a partial clone larger than this is abandoned
    whole_clone_max_kb: int = 2048  # repositories the API says are this small are cloned with their files
    max_rate_wait: float = 180.0  # longest wait for a rate limit to reset before giving up
    concurrency: int = 8  # repositories checked at once; GitHub allows 100 concurrent requests
    max_age_hours: float | None = None  # skip repositories checked this recently
    # Services, each at the address its own ecosystem's variable names.
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    arxiv_oai_url: str = DEFAULT_ARXIV_OAI_URL
    arxiv_min_interval: float = 3.0  # arXiv's published politeness: one request every 3 s
    hf_endpoint: str = DEFAULT_HF_ENDPOINT
    hf_token: str | None = field(default=None, repr=False)
    swh_api_url: str = DEFAULT_SWH_API_URL
    swh_token: str | None = field(default=None, repr=False)
    doi_resolver_url: str = DEFAULT_DOI_RESOLVER_URL
    zenodo_api_url: str = DEFAULT_ZENODO_API_URL
    # Self-hosted git servers the user allows besides the known forges (REPRO_TRACKER_GIT_HOSTS). A host
    # named exactly: its links are repositories, read with git even at a private or loopback address.
    # ``*.example.org`` or ``*``: repository links there (``.git`` URLs) are read, at public addresses only.
    git_hosts: frozenset[str] = frozenset()
    archive: bool = False  # ask Software Heritage after the checks (`check --archive`, the flow's `archive`)
    # A repository that was live and now answers "not found" is asked again this many seconds later, in the
    # same run, before it is recorded `missing`: GitHub answers 404 for live repositories during incidents.
    confirm_gone_after: float = 60.0

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; keyword arguments (CLI options) win when not None."""
        settings = cls(
            database_url=os.environ.get("REPRO_TRACKER_DATABASE_URL") or None,
            github_api_url=os.environ.get("GITHUB_API_URL") or DEFAULT_GITHUB_API_URL,
            github_token=os.environ.get("GITHUB_TOKEN") or None,
            cache_dir=Path(os.environ.get("REPRO_TRACKER_GIT_CACHE") or data_home() / "git-cache"),
            http_timeout=_float("REPRO_TRACKER_HTTP_TIMEOUT", 15.0),
            git_timeout=_float("REPRO_TRACKER_GIT_TIMEOUT", 120.0),
            max_clone_bytes=int(_float("REPRO_TRACKER_MAX_CLONE_BYTES", 500_000_000)),
            whole_clone_max_kb=int(_float("REPRO_TRACKER_WHOLE_CLONE_KB", 2048)),
            max_rate_wait=_float("REPRO_TRACKER_MAX_RATE_WAIT", 180.0),
            concurrency=int(_float("REPRO_TRACKER_CONCURRENCY", 8)),
            arxiv_api_url=os.environ.get("ARXIV_API_URL") or DEFAULT_ARXIV_API_URL,
            arxiv_oai_url=os.environ.get("ARXIV_OAI_URL") or DEFAULT_ARXIV_OAI_URL,
            arxiv_min_interval=_float("REPRO_TRACKER_ARXIV_INTERVAL", 3.0),
            hf_endpoint=os.environ.get("HF_ENDPOINT") or DEFAULT_HF_ENDPOINT,
            hf_token=os.environ.get("HF_TOKEN") or None,
            swh_api_url=os.environ.get("SWH_API_URL") or DEFAULT_SWH_API_URL,
            swh_token=os.environ.get("SWH_TOKEN") or None,
            doi_resolver_url=os.environ.get("DOI_RESOLVER_URL") or DEFAULT_DOI_RESOLVER_URL,
            zenodo_api_url=os.environ.get("ZENODO_API_URL") or DEFAULT_ZENODO_API_URL,
            git_hosts=_hosts("REPRO_TRACKER_GIT_HOSTS"),
            archive=(os.environ.get("REPRO_TRACKER_ARCHIVE") or "").strip().lower() in {"1", "true", "yes", "on"},
            confirm_gone_after=_float("REPRO_TRACKER_CONFIRM_GONE_AFTER", 60.0),
        )
        given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
        return replace(settings, **given) if given else settings
