"""Where papers come from besides files: arXiv (API and OAI-PMH), Hugging Face Papers, the Papers with Code archive.

A source is named by a spec (`spec.py`, pure); `read.py` reads one into pages
of papers through the service clients (`arxiv_api.py`, `oai_pmh.py`,
`hf_papers.py`, `pwc_archive.py`), all standing on `tracker.http`. Only the
spec helpers are imported here: the store needs `source_kind`, and importing
it must not load an HTTP client.
"""

from tracker.sources.spec import (
    FILE_KIND,
    KINDS,
    SourceSpec,
    SpecError,
    is_spec,
    parse_spec,
    source_kind,
)

__all__ = ["FILE_KIND", "KINDS", "SourceSpec", "SpecError", "is_spec", "parse_spec", "source_kind"]
