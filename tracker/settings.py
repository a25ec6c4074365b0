"""Settings, read once from the environment and the command line.

Every knob a user may turn lives here, with its environment variable, so that
the CLI, the Prefect flows and the tests configure a run the same way. Knobs of
our own are ``REPRO_TRACKER_*``; a service's address is read from its own
ecosystem's variable (``GITHUB_API_URL``, ``HF_ENDPOINT``, ``ARXIV_API_URL``, ...)
so that a user who set it for that ecosystem's tools need not set it twice.

pydantic-settings parses and validates; `Settings.from_env` turns a bad value
into a `ValueError` of one line naming the variable, because a user can cause it
and must not see a traceback. Tokens are kept out of `repr` so that printing
settings, or a traceback that shows them, cannot leak them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PREFIX = "REPRO_TRACKER_"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_OAI_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_HF_ENDPOINT = "https://huggingface.co"
DEFAULT_SWH_API_URL = "https://archive.softwareheritage.org/api/1/"
DEFAULT_DOI_RESOLVER_URL = "https://doi.org/"
DEFAULT_ZENODO_API_URL = "https://zenodo.org/api/"


def data_home() -> Path:
    """Where repro-tracker keeps its database and git cache by default."""
    explicit = os.environ.get(f"{PREFIX}HOME")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "repro-tracker"


def parse_hosts(raw: str, name: str = f"{PREFIX}GIT_HOSTS") -> frozenset[str]:
    """A comma list of host names (``git.example.org, 10.0.0.7, *.example.org``), lowercase; a URL's host is taken."""
    hosts: set[str] = set()
    for item in raw.split(","):
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True, populate_by_name=True,
                                      extra="ignore")

    # None: the store's default (REPRO_TRACKER_DATABASE_URL, read by the store too, or SQLite in data_home)
    database_url: str | None = None
    github_api_url: str = Field(DEFAULT_GITHUB_API_URL, validation_alias="GITHUB_API_URL")
    github_token: str | None = Field(None, validation_alias="GITHUB_TOKEN", repr=False)
    # A GitHub App instead of a token: PyGithub signs a JWT with the key and keeps the installation's token fresh.
    github_app_id: int | None = Field(None, validation_alias="GITHUB_APP_ID")
    github_app_installation_id: int | None = Field(None, validation_alias="GITHUB_APP_INSTALLATION_ID")
    github_app_private_key: str | None = Field(None, validation_alias="GITHUB_APP_PRIVATE_KEY", repr=False)
    github_app_private_key_path: Path | None = Field(None, validation_alias="GITHUB_APP_PRIVATE_KEY_PATH",
                                                     validate_default=True)
    cache_dir: Path = Field(default_factory=lambda: data_home() / "git-cache", validation_alias=f"{PREFIX}GIT_CACHE")
    http_timeout: float = 15.0  # seconds per HTTP request to a host's API
    git_timeout: float = 120.0  # seconds per git command (ls-remote, clone, fetch)
    max_clone_bytes: int = 500_000_000  # a partial clone larger than this is abandoned
    # repositories the API says are this small are cloned with their files
    whole_clone_max_kb: int = Field(2048, validation_alias=f"{PREFIX}WHOLE_CLONE_KB")
    max_rate_wait: float = 180.0  # longest wait for a rate limit to reset before giving up
    concurrency: int = Field(8, ge=1)  # repositories checked at once; GitHub allows 100 concurrent requests
    max_age_hours: float | None = None  # skip repositories checked this recently
    # A run of every due repository plans GitHub's budget (`tracker.planning`): this share of the token's limit
    # is kept for its other users, and the GitHub repositories past the rest wait for the next run ("next-run");
    # "git" checks them all, those past the budget through git alone (stars and archived flag unknown).
    budget_reserve: float = Field(0.05, ge=0.0, lt=1.0)
    past_budget: Literal["next-run", "git"] = "next-run"
    # Services, each at the address its own ecosystem's variable names.
    arxiv_api_url: str = Field(DEFAULT_ARXIV_API_URL, validation_alias="ARXIV_API_URL")
    arxiv_oai_url: str = Field(DEFAULT_ARXIV_OAI_URL, validation_alias="ARXIV_OAI_URL")
    # arXiv's published politeness: one request every 3 s
    arxiv_min_interval: float = Field(3.0, validation_alias=f"{PREFIX}ARXIV_INTERVAL")
    hf_endpoint: str = Field(DEFAULT_HF_ENDPOINT, validation_alias="HF_ENDPOINT")
    hf_token: str | None = Field(None, validation_alias="HF_TOKEN", repr=False)
    swh_api_url: str = Field(DEFAULT_SWH_API_URL, validation_alias="SWH_API_URL")
    swh_token: str | None = Field(None, validation_alias="SWH_TOKEN", repr=False)
    doi_resolver_url: str = Field(DEFAULT_DOI_RESOLVER_URL, validation_alias="DOI_RESOLVER_URL")
    zenodo_api_url: str = Field(DEFAULT_ZENODO_API_URL, validation_alias="ZENODO_API_URL")
    # Self-hosted git servers the user allows besides the known forges (REPRO_TRACKER_GIT_HOSTS). A host
    # named exactly: its links are repositories, read with git even at a private or loopback address.
    # ``*.example.org`` or ``*``: repository links there (``.git`` URLs) are read, at public addresses only.
    git_hosts: Annotated[frozenset[str], NoDecode] = frozenset()
    archive: bool = False  # ask Software Heritage after the checks (`check --archive`, the flow's `archive`)
    # A repository that was live and now answers "not found" is asked again this many seconds later, in the
    # same run, before it is recorded `missing`: GitHub answers 404 for live repositories during incidents.
    confirm_gone_after: float = 60.0
    # The Prefect flow. A batch is one Prefect task; its GitHub repositories share one GraphQL look, so
    # None means the look's size (`tracker.hosts.github_graphql.LOOK_BATCH`).
    batch_size: int | None = Field(None, ge=1)
    # Batches in flight at once; each checks `concurrency` repositories at once, so at most
    # parallel_batches x concurrency requests reach GitHub together: 2 x 8 = 16 by default, far below 100.
    parallel_batches: int = Field(2, ge=1)
    source_retries: int = Field(2, ge=0)  # a source whose service faulted is read again this many times
    dask_address: str | None = None  # check batches on this Dask cluster (tcp://scheduler:8786)

    @field_validator("github_app_private_key_path")
    @classmethod
    def _app(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        """A GitHub App needs its id, its installation's id and its key (given, or in a file), or none of them."""
        given = {"GITHUB_APP_ID": info.data.get("github_app_id"),
                 "GITHUB_APP_INSTALLATION_ID": info.data.get("github_app_installation_id"),
                 "GITHUB_APP_PRIVATE_KEY(_PATH)": info.data.get("github_app_private_key") or path}
        missing = [name for name, value in given.items() if value is None]
        if missing and len(missing) < len(given):
            raise ValueError(f"GITHUB_APP_PRIVATE_KEY_PATH: a GitHub App needs {', '.join(missing)} as well")
        if path is not None and not path.is_file():
            raise ValueError(f"GITHUB_APP_PRIVATE_KEY_PATH: {path} is not a file")
        return path

    def github_app_key(self) -> str | None:
        """The App's private key (PEM), from the variable or the file; None without an App."""
        if self.github_app_private_key:
            return self.github_app_private_key
        if self.github_app_private_key_path is not None:
            return self.github_app_private_key_path.read_text(encoding="utf-8")
        return None

    @field_validator("git_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        return parse_hosts(value) if isinstance(value, str) else value

    @classmethod
    def from_env(cls, *, database_url: str | None = None, concurrency: int | None = None,
                 max_age_hours: float | None = None, archive: bool | None = None) -> Settings:
        """Settings from the environment; keyword arguments (CLI options) win when not None.

        Raises `ValueError` naming the variable whose value cannot be used.
        """
        given: dict[str, Any] = {key: value for key, value in {"database_url": database_url, "concurrency": concurrency,
                                                 "max_age_hours": max_age_hours, "archive": archive}.items()
                 if value is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            raise ValueError(_describe(exc)) from None

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable that sets field `name`."""
        alias = Settings.model_fields[name].validation_alias
        return alias if isinstance(alias, str) else f"{PREFIX}{name.upper()}"


# pydantic's words for a value that is not a number, in ours (as the settings said before pydantic read them).
_NUMBERS = {"int_parsing": "is not a number", "float_parsing": "is not a number",
            "int_from_float": "is not a whole number"}


def _describe(exc: ValidationError) -> str:
    """One line per faulty setting, naming its variable and never echoing a token."""
    parts: list[str] = []
    for error in exc.errors(include_url=False):
        loc = str(error["loc"][0]) if error["loc"] else ""
        field = next((name for name in Settings.model_fields if loc in (name, Settings.variable(name))), None)
        variable = Settings.variable(field) if field else loc
        message = _NUMBERS.get(str(error["type"])) or str(error["msg"]).removeprefix("Value error, ")
        if message.startswith(f"{variable}:"):  # our own validator already named it
            parts.append(message)
        elif field is not None and Settings.model_fields[field].repr is False:
            parts.append(f"{variable}: {message}")
        else:
            separator = " " if message in _NUMBERS.values() else ": "
            parts.append(f"{variable}={error.get('input')!r}{separator}{message}")
    return "; ".join(parts)
