"""Hugging Face models, datasets and spaces, asked through the Hub's own client.

huggingface_hub knows the Hub's endpoints, honours `HF_ENDPOINT` and turns the
Hub's answers into typed errors (`X-Error-Code: RepoNotFound`, `GatedRepo`,
disabled repositories). What it cannot tell apart we do not either: the Hub
answers 401 alike for a repository that is gone and one that is private, so
both are "no public repository" to a reader without an account. Transport
faults and 5xx are faults (`found=None`), never absence. No file is downloaded
and nothing is cloned: the Hub's metadata answers every question asked here.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tracker.artifacts.verdict import HubObservation
from tracker.records import RepoKind, RepoRef

if TYPE_CHECKING:
    from huggingface_hub import HfApi

_KINDS = {RepoKind.MODEL: "model", RepoKind.DATASET: "dataset", RepoKind.SPACE: "space"}


class HubClient:
    """Reads one Hub repository's metadata at a time."""

    def __init__(self, endpoint: str, *, token: str | None = None, timeout: float = 15.0) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._made: HfApi | None = None
        self._lock = threading.Lock()

    @property
    def _api(self) -> HfApi:
        """The Hub's client, made (and huggingface_hub imported, ~0.3 s of CPU) only when a Hub
        repository is asked about: every `check` builds a HubClient, most never use it."""
        with self._lock:
            if self._made is None:
                from huggingface_hub import HfApi

                # token=False keeps huggingface_hub from reading a token the user saved for other tools.
                self._made = HfApi(endpoint=self._endpoint, token=self._token or False)
            return self._made

    def __repr__(self) -> str:
        return "HubClient()"  # never the token

    def observe(self, ref: RepoRef) -> HubObservation:
        import httpx
        import httpx2  # huggingface_hub's own HTTP client, whose faults are not httpx's
        from huggingface_hub.errors import DisabledRepoError, GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

        kind = _KINDS.get(ref.kind, "model")
        repo_id = f"{ref.owner}/{ref.name}"
        try:
            info = self._info(kind, repo_id)
        except GatedRepoError as exc:
            return HubObservation(repo_id, kind, found=True, gated=True, detail=_first_line(exc))
        except DisabledRepoError as exc:
            return HubObservation(repo_id, kind, found=True, disabled=True, detail=_first_line(exc))
        except RepositoryNotFoundError as exc:
            return HubObservation(repo_id, kind, found=False, detail=_first_line(exc))
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            return HubObservation(repo_id, kind, found=None, detail=f"the Hub answered {status}: {_first_line(exc)}")
        except (httpx.HTTPError, httpx2.HTTPError, OSError) as exc:
            return HubObservation(repo_id, kind, found=None,
                                  detail=f"the Hub could not be asked ({type(exc).__name__})")
        return HubObservation(
            repo_id,
            kind,
            found=True,
            gated=bool(getattr(info, "gated", False)),
            disabled=bool(getattr(info, "disabled", False)),
            private=bool(getattr(info, "private", False)),
            last_modified=_when(getattr(info, "last_modified", None)),
            license=_license(info),
            downloads=getattr(info, "downloads", None),
        )

    def _info(self, kind: str, repo_id: str) -> Any:
        if kind == "dataset":
            return self._api.dataset_info(repo_id, timeout=self._timeout)
        if kind == "space":
            return self._api.space_info(repo_id, timeout=self._timeout)
        return self._api.model_info(repo_id, timeout=self._timeout)


def _license(info: Any) -> str | None:
    card = getattr(info, "card_data", None)
    license_tag = card.get("license") if card is not None else None
    if license_tag:
        return str(license_tag)
    for tag in getattr(info, "tags", None) or ():
        if tag.startswith("license:"):
            return str(tag.removeprefix("license:"))
    return None


def _when(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:200] if lines else type(error).__name__
