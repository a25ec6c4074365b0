"""License groups: the one table that says which SPDX id means what for reuse.

A reader of the report cares less about the exact license than about what it
lets them do: reuse freely (permissive), reuse under the same terms
(copyleft), not use commercially (non-commercial), or nothing at all (none:
all rights reserved by default). Ids we cannot place are "unrecognised"
rather than guessed, so an unknown license never passes for a permissive one.
"""

from __future__ import annotations

import enum

from tracker import spdx as expressions


class LicenseGroup(enum.StrEnum):
    PERMISSIVE = "permissive"
    COPYLEFT = "copyleft"
    NON_COMMERCIAL = "non-commercial"
    NONE = "none"
    UNRECOGNISED = "unrecognised"


# Exact SPDX ids (compared case-insensitively).
_EXACT: dict[str, LicenseGroup] = {
    spdx.lower(): group
    for group, ids in {
        LicenseGroup.PERMISSIVE: (
            "MIT", "MIT-0", "Apache-2.0", "ISC", "Unlicense", "Zlib", "0BSD", "BSL-1.0",
            "CC0-1.0", "CC-BY-4.0", "CC-BY-3.0", "WTFPL", "PSF-2.0", "Python-2.0",
            "NCSA", "UPL-1.0", "AFL-3.0", "X11", "PostgreSQL", "Artistic-2.0",
        ),
        LicenseGroup.COPYLEFT: ("MPL-2.0", "CDDL-1.0", "CDDL-1.1", "OSL-3.0", "EUPL-1.2", "CC-BY-SA-4.0"),
    }.items()
    for spdx in ids
}

# Families matched by prefix, after the exact table.
_PREFIXES: tuple[tuple[str, LicenseGroup], ...] = (
    ("bsd-", LicenseGroup.PERMISSIVE),
    ("agpl", LicenseGroup.COPYLEFT),
    ("lgpl", LicenseGroup.COPYLEFT),
    ("gpl", LicenseGroup.COPYLEFT),
    ("epl", LicenseGroup.COPYLEFT),
    ("eupl", LicenseGroup.COPYLEFT),
    ("cc-by-sa", LicenseGroup.COPYLEFT),
    ("cc-by-nc", LicenseGroup.NON_COMMERCIAL),
    ("cc-nc", LicenseGroup.NON_COMMERCIAL),
    ("polyform-noncommercial", LicenseGroup.NON_COMMERCIAL),
)


# An expression's licenses that all apply (AND) bind as the most restrictive of them; a choice
# (OR) lets the reader take the freest. Unrecognised terms bind until someone reads them.
_BINDING = (LicenseGroup.NON_COMMERCIAL, LicenseGroup.UNRECOGNISED, LicenseGroup.COPYLEFT, LicenseGroup.PERMISSIVE,
            LicenseGroup.NONE)
_FREEST = (LicenseGroup.PERMISSIVE, LicenseGroup.COPYLEFT, LicenseGroup.NON_COMMERCIAL, LicenseGroup.UNRECOGNISED,
           LicenseGroup.NONE)


def license_group(spdx: str | None) -> LicenseGroup:
    """The group of an SPDX id or expression; None (no license found) is `NONE`.

    ``NOASSERTION`` and ``other`` (what GitHub says for a license file it cannot
    match) and any id not in the table are `UNRECOGNISED`. A file of several
    licenses (``BSD-3-Clause AND Apache-2.0 AND MIT``) is grouped by all of
    them, a dual license (``MIT OR Apache-2.0``) by the freer choice.
    """
    if spdx is None or not spdx.strip():
        return LicenseGroup.NONE
    if " " in spdx.strip():
        operator = expressions.operator_of(spdx)
        if operator in ("AND", "OR"):
            groups = {license_group(part) for part in expressions.top_level(expressions.normalise(spdx) or spdx)}
            order = _BINDING if operator == "AND" else _FREEST
            return next(group for group in order if group in groups)
    return _single_group(spdx)


def _single_group(spdx: str) -> LicenseGroup:
    key = spdx.strip().lower()
    if key in _EXACT:
        return _EXACT[key]
    for prefix, group in _PREFIXES:
        if key.startswith(prefix):
            return group
    return LicenseGroup.UNRECOGNISED
