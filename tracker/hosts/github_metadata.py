"""GitHub's REST JSON to the shared records, as pure functions.

Kept apart from the HTTP code so that the mapping (which field means what,
what "NOASSERTION" or a missing license means) is testable on plain dicts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.records import LicenseFinding, Metadata

# GitHub's word for "there is a license file, but it matches no known license".
NOASSERTION = "NOASSERTION"


def parse_timestamp(value: Any) -> datetime | None:
    """GitHub's ISO 8601 timestamps (``2024-05-01T10:00:00Z``) as aware datetimes."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def license_spdx(repo: dict[str, Any]) -> str | None:
    """The API's own license detection: an SPDX id, ``NOASSERTION``, or None (no license)."""
    license_ = repo.get("license")
    if not isinstance(license_, dict):
        return None
    return _text(license_.get("spdx_id"))


def api_license_finding(repo: dict[str, Any]) -> LicenseFinding | None:
    """GitHub's detection as a finding; None when GitHub found no license file.

    NOASSERTION means GitHub saw a license file it could not match, which is what
    a finding with ``spdx=None`` says.
    """
    spdx = license_spdx(repo)
    if spdx is None:
        return None
    return LicenseFinding(spdx=None if spdx == NOASSERTION else spdx, confidence=1.0, source="api")


def release_of(release: Any, tags: Any) -> tuple[str | None, datetime | None]:
    """The latest release (name, date), else the first listed tag (name, no date)."""
    if isinstance(release, dict) and _text(release.get("tag_name")):
        name = _text(release.get("name")) or release["tag_name"]
        when = parse_timestamp(release.get("published_at")) or parse_timestamp(release.get("created_at"))
        return name, when
    if isinstance(tags, list) and tags and isinstance(tags[0], dict):
        return _text(tags[0].get("name")), None
    return None, None


def metadata_from(repo: dict[str, Any], release: Any = None, tags: Any = None) -> Metadata:
    """`Metadata` from a repository object and the latest-release / tags answers."""
    parent = repo.get("parent")
    topics = repo.get("topics")
    release_name, release_at = release_of(release, tags)
    return Metadata(
        stars=_int(repo.get("stargazers_count")),
        forks=_int(repo.get("forks_count")),
        open_issues=_int(repo.get("open_issues_count")),
        description=_text(repo.get("description")),
        homepage=_text(repo.get("homepage")),
        default_branch=_text(repo.get("default_branch")),
        created_at=parse_timestamp(repo.get("created_at")),
        pushed_at=parse_timestamp(repo.get("pushed_at")),
        fork_parent=_text(parent.get("full_name")) if isinstance(parent, dict) else None,
        topics=tuple(t for t in topics if isinstance(t, str)) if isinstance(topics, list) else (),
        language=_text(repo.get("language")),
        license_spdx=license_spdx(repo),
        latest_release=release_name,
        latest_release_at=release_at,
        size_kb=_int(repo.get("size")),
    )
