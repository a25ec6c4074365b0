"""DOIs and Zenodo records: asked of their registries, not of whatever page they land on.

A DOI's landing page may be slow or behind a login; the handle system itself
says whether the DOI is registered (`GET /api/handles/{doi}`: responseCode 1
found, 100 not found) and where it points. Zenodo's records API says whether a
deposit still exists (404 "PID does not exist", 410 "PID has been deleted"),
how many versions it has and which files it holds, which is what a reader of a
paper needs to know about its archived code or data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tracker.artifacts.verdict import LinkState, LinkVerdict
from tracker.http import HttpClient, HttpFault


@dataclass(frozen=True, slots=True)
class DoiObservation:
    doi: str
    registered: bool | None  # None: the resolver could not be asked
    target: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ZenodoObservation:
    record: str
    exists: bool | None  # None: Zenodo could not be asked
    deleted: bool = False
    title: str | None = None
    version: str | None = None
    versions: int | None = None
    files: tuple[str, ...] = ()
    detail: str = ""


class DoiClient:
    """The DOI resolver's handle API (`DOI_RESOLVER_URL`, default https://doi.org/)."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def observe(self, doi: str) -> DoiObservation:
        try:
            answer = self._http.get(f"api/handles/{doi}")
        except HttpFault as fault:
            return DoiObservation(doi, None, detail=fault.reason)
        body = _json(answer.content)
        code = body.get("responseCode") if isinstance(body, dict) else None
        if answer.status == 200 and code == 1:
            return DoiObservation(doi, True, target=_url_value(body), detail="registered")
        if answer.status == 404 and code == 100:
            return DoiObservation(doi, False, detail="the handle system has no such DOI (responseCode 100)")
        return DoiObservation(doi, None, detail=f"the resolver answered {answer.status} (responseCode {code})")


class ZenodoClient:
    """Zenodo's records API (`ZENODO_API_URL`, default https://zenodo.org/api/)."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def observe(self, record: str) -> ZenodoObservation:
        try:
            answer = self._http.get(f"records/{record}", conditional=True)
        except HttpFault as fault:
            return ZenodoObservation(record, None, detail=fault.reason)
        body = _json(answer.content)
        if answer.status == 410:
            return ZenodoObservation(record, False, deleted=True, detail=_message(body) or "PID has been deleted")
        if answer.status == 404:
            return ZenodoObservation(record, False, detail=_message(body) or "PID does not exist")
        if answer.status != 200 or not isinstance(body, dict):
            return ZenodoObservation(record, None, detail=f"Zenodo answered {answer.status}")
        metadata = body.get("metadata") or {}
        relations = (metadata.get("relations") or {}).get("version") or [{}]
        return ZenodoObservation(
            record,
            True,
            title=metadata.get("title"),
            version=metadata.get("version"),
            versions=relations[0].get("count") if relations else None,
            files=tuple(str(item.get("key")) for item in body.get("files") or () if item.get("key")),
        )


def judge_doi(observation: DoiObservation) -> LinkVerdict:
    if observation.registered is None:
        return LinkVerdict(LinkState.UNREACHABLE, observation.detail or "the DOI resolver could not be asked")
    if not observation.registered:
        return LinkVerdict(LinkState.GONE, f"{observation.doi} is not a registered DOI", (observation.detail,))
    evidence = (f"resolves to {observation.target}",) if observation.target else ()
    return LinkVerdict(LinkState.OK, "the DOI is registered", evidence, observation.target)


def judge_zenodo(observation: ZenodoObservation) -> LinkVerdict:
    if observation.exists is None:
        return LinkVerdict(LinkState.UNREACHABLE, observation.detail or "Zenodo could not be asked")
    if not observation.exists:
        why = "deleted" if observation.deleted else "does not exist"
        return LinkVerdict(LinkState.GONE, f"Zenodo record {observation.record} {why}", (observation.detail,))
    if not observation.files:
        return LinkVerdict(LinkState.OK, "the record exists but lists no files (restricted or metadata only)")
    versions = f"; {observation.versions} versions" if observation.versions else ""
    return LinkVerdict(LinkState.OK, f"the record exists with {len(observation.files)} files{versions}",
                       observation.files[:10])


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _message(body: Any) -> str | None:
    return str(body.get("message")) if isinstance(body, dict) and body.get("message") else None


def _url_value(body: dict[str, Any]) -> str | None:
    for value in body.get("values") or ():
        if value.get("type") == "URL":
            data = value.get("data") or {}
            return str(data.get("value")) if data.get("value") else None
    return None
