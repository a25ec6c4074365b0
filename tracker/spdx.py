"""SPDX license expressions: one spelling for every license id and combination.

Matchers, GitHub and authors spell the same license differently (``GPL-3.0``,
``gpl-3.0-only``, ``Apache 2.0``), and a repository may grant several at once
(``BSD-3-Clause AND Apache-2.0 AND MIT`` for vendored code, ``MIT OR
Apache-2.0`` for a dual license). license-expression parses and normalises
them against SPDX's list, so the checks, the store and the report compare
expressions, never strings. Pure functions; the licensing table is loaded once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from license_expression import (
    ExpressionError,
    LicenseExpression,
    Licensing,
    get_spdx_licensing,
)

from tracker.records import LicenseFinding

# What GitHub (and our own matcher) says for a license it found but cannot name.
NOASSERTION = "NOASSERTION"
_UNNAMED = frozenset({"noassertion", "other", "none", ""})


_licensing_lock = threading.Lock()


@cache
def _licensing() -> Licensing:
    # Built once under a lock: `cache` alone lets every worker thread that asks
    # before the first build ends build its own (~0.15 s of CPU each).
    with _licensing_lock:
        return _built_licensing()


@cache
def _built_licensing() -> Licensing:
    return get_spdx_licensing()


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> LicenseExpression | None:
    try:
        parsed = _licensing().parse(expression, validate=False)
    except ExpressionError:
        return None
    return parsed if parsed is not None else None


def normalise(expression: str | None) -> str | None:
    """The canonical SPDX spelling of `expression` (ids as SPDX writes them, duplicates dropped).

    None for nothing, for GitHub's ``NOASSERTION``/``other`` and for text that
    is not an expression at all.
    """
    if expression is None or expression.strip().lower() in _UNNAMED:
        return None
    parsed = _parsed(expression.strip())
    if parsed is None:
        return None
    return str(_licensing().dedup(parsed))


def known(spdx_id: str) -> str | None:
    """The SPDX spelling of a single id SPDX's list (or ScanCode's) knows, else None."""
    symbol = _licensing().known_symbols_lowercase.get(spdx_id.strip().lower())
    return str(symbol.key) if symbol is not None else None


def combine(expressions: Iterable[str], relation: str = "AND") -> str | None:
    """`expressions` joined by AND or OR in the order given, each once, normalised."""
    parts = list(dict.fromkeys(part for part in (normalise(e) for e in expressions) if part is not None))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    joined = f" {relation} ".join(f"({part})" if " " in part else part for part in parts)
    return normalise(joined)


def license_ids(expression: str | None) -> list[str]:
    """The license ids an expression names, in order, each once."""
    normalised = normalise(expression)
    if normalised is None:
        return []
    parsed = _parsed(normalised)
    return [str(key) for key in _licensing().license_keys(parsed)] if parsed is not None else []


def _key(spdx_id: str) -> str:
    # GitHub leaves off the -only suffix SPDX 3 added (GPL-3.0 is GPL-3.0-only).
    return spdx_id.lower().removesuffix("-only")


def same(left: str | None, right: str | None) -> bool:
    """Whether two expressions grant the same licenses (order and spelling aside)."""
    left_ids, right_ids = license_ids(left), license_ids(right)
    return bool(left_ids) and {_key(i) for i in left_ids} == {_key(i) for i in right_ids}


def within(part: str | None, whole: str | None) -> bool:
    """Whether every license `part` names is also named by `whole`."""
    part_ids = license_ids(part)
    return bool(part_ids) and {_key(i) for i in part_ids} <= {_key(i) for i in license_ids(whole)}


def operator_of(expression: str | None) -> str | None:
    """``AND`` or ``OR`` for a compound expression at its top level, None for a single id."""
    normalised = normalise(expression)
    parsed = _parsed(normalised) if normalised is not None else None
    if parsed is None or not getattr(parsed, "args", ()):
        return None
    return str(getattr(parsed, "operator", "")).strip() or None


def top_level(expression: str) -> Sequence[str]:
    """The operands of a compound expression's top level (the expression itself for a single id)."""
    parsed = _parsed(expression)
    args = getattr(parsed, "args", ()) if parsed is not None else ()
    return [str(arg) for arg in args] if args else [expression]


# --- a repository's license, from its files ------------------------------------

# Notices about other people's code, shipped next to the LICENSE: not the repository's grant.
_THIRD_PARTY = re.compile(r"third[-_ .]?party|notice|3rd[-_ .]?party|vendor", re.IGNORECASE)


def is_third_party_notice(path: str) -> bool:
    """LICENSE-THIRD-PARTY, LICENSES_VENDOR, ...: licenses of code the repository copied."""
    return _THIRD_PARTY.search(path) is not None


def without_included(names: Sequence[str]) -> list[str]:
    """`names` without the GPL an LGPL carries with it (LGPL-3.0 is the GPL-3.0 plus permissions)."""
    lesser = {name.lower().replace("lgpl", "gpl", 1) for name in names if name.lower().startswith("lgpl")}
    return [name for name in names if name.lower() not in lesser]


# A suffix naming a license (LICENSE-MIT, LICENSE.APACHE2, COPYING-GPL): one of several offered.
_NAMED_FILE = re.compile(r"(?:licen[cs]es?|copying)[-_.](?!md$|txt$|rst$|markdown$)(.+)", re.IGNORECASE)


def repository_license(findings: Sequence[LicenseFinding]) -> tuple[str | None, float | None, list[str]]:
    """The repository's own license, as one expression, from its license files' findings.

    LICENSE-MIT and LICENSE-APACHE side by side are a dual license (``MIT OR
    Apache-2.0``, in the order Rust's convention writes it);
    other files all apply (AND), the plain LICENSE first. Notices about
    third-party code are left out. Returns the expression (None when no file
    names a license), the weakest confidence among the files used, and their
    paths.
    """
    files = [f for f in findings if f.source == "file" and f.spdx is not None
             and not (f.path and is_third_party_notice(f.path))]
    if not files:
        return None, None, []
    named = [f for f in files if f.path and _NAMED_FILE.fullmatch(f.path)]
    if len(named) > 1 and len(named) == len(files):
        alternatives = [f.spdx for f in sorted(named, key=lambda f: _alternative_rank(f.spdx))]
        expression = combine((a for a in alternatives if a is not None), "OR")
    else:
        names = without_included([f.spdx for f in files if f.spdx is not None])
        expression = combine(names)
    return expression, min(f.confidence for f in files), [f.path or f.source for f in files]


# The order dual licenses are usually written in (Rust's "MIT OR Apache-2.0").
_ALTERNATIVE_ORDER = ("mit", "apache-2.0")


def _alternative_rank(expression: str | None) -> tuple[int, str]:
    key = (expression or "").lower()
    return (_ALTERNATIVE_ORDER.index(key) if key in _ALTERNATIVE_ORDER else len(_ALTERNATIVE_ORDER), key)


