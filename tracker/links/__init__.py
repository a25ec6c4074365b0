"""Code links of papers: find them in title and abstract, reduce them to canonical form.

`find_code_links` is what the pipeline calls; `extract_links`, `canonical_repo`
`code_promised` and `find_promise` are its parts, usable alone. Everything here is pure: no
network, no database, text in and records out.
"""

from tracker.links.canonical import NotARepository, canonical_repo
from tracker.links.extract import (
    MAX_LINKS,
    MAX_URL_LENGTH,
    code_promised,
    extract_links,
    find_code_links,
)
from tracker.links.promise import find_promise

__all__ = [
    "MAX_LINKS",
    "MAX_URL_LENGTH",
    "NotARepository",
    "canonical_repo",
    "code_promised",
    "extract_links",
    "find_code_links",
    "find_promise",
]
