"""A shields.io badge per repository: status and score, as an endpoint JSON a lab can point a README badge at.

shields.io's endpoint badge reads ``{"schemaVersion": 1, "label", "message", "color"}`` from a URL
(https://shields.io/badges/endpoint-badge); `report` writes one such file per repository and the lab
publishes the folder (GitHub Pages, an artifact store). Pure: the file's content and name from a `RepoEntry`.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.records import Status
from tracker.report.model import DEAD, RepoEntry
from tracker.report.wording import format_score

BADGE_DIR = "badges"
LABEL = "code"

_UNKNOWN = frozenset({Status.UNREACHABLE, Status.NOT_CHECKED})
_UNSAFE = re.compile(r"[^a-z0-9._-]")


def badge_filename(key: str) -> str:
    """``github.com--owner--name.json``: one flat, safe file name per repository key.

    Flat, because a key comes from a paper's text and a path built from it
    must never climb out of the badge folder (``..``).
    """
    return _UNSAFE.sub("_", key.lower().replace("/", "--")) + ".json"


def _colour(repo: RepoEntry) -> str:
    if repo.status in DEAD:
        return "red"
    if repo.status in _UNKNOWN:
        return "lightgrey"
    if repo.status in (Status.ARCHIVED, Status.EMPTY):
        return "yellow"
    if repo.repro_score is None:
        return "blue"
    return "brightgreen" if repo.repro_score >= 70 else "yellow" if repo.repro_score >= 40 else "orange"


def badge(repo: RepoEntry) -> dict[str, Any]:
    """The endpoint JSON: ``code | ok · score 72/100`` in a colour by status, then score."""
    message = str(repo.status).replace("_", " ")
    if repo.repro_score is not None and repo.status not in DEAD:
        message += f" · score {format_score(repo.repro_score)}/100"
    return {"schemaVersion": 1, "label": LABEL, "message": message, "color": _colour(repo)}
