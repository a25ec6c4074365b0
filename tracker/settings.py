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

DEFAULT_GITHUB_API_URL = "https://api.github.com"


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
            confirm_gone_after=_float("REPRO_TRACKER_CONFIRM_GONE_AFTER", 60.0),
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(settings, **given) if given else settings
