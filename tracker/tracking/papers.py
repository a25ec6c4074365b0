"""Papers into the store: sources read (files and source specs), code links found, papers stored once."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tracker.clock import utc_now
from tracker.ingest import InputProblem, read_papers
from tracker.ingest.problems import log_or_raise
from tracker.links import find_code_links
from tracker.records import PaperLinks
from tracker.settings import Settings
from tracker.sources import is_spec, parse_spec
from tracker.sources.read import read_source
from tracker.store import IngestSummary, Store

# Papers per commit when reading the Papers with Code archive (see bench/results.md).
ARCHIVE_BATCH = 5_000


def found_links(paths: Iterable[str | Path], *, format: str | None = None,
                on_problem: Callable[[InputProblem], None] | None = None,
                git_hosts: frozenset[str] | None = None, settings: Settings | None = None) -> Iterator[PaperLinks]:
    """Every paper of every source (files and source specs) with its code links, streamed in input order.

    Links to `git_hosts` (default: `Settings.git_hosts`, from the environment)
    are repositories, as links to known forges are.

    What extraction had to ignore in a paper (an overlong URL, links past the
    cap) is an input problem like any other, named by the paper's file and
    line; not fatal, since the paper and its other links are still good. A
    source spec is read without harvest state (see `read_source`); a fault
    raises `SourceFault`.
    """
    handler = on_problem or log_or_raise
    hosts = (settings or Settings.from_env()).git_hosts if git_hosts is None else git_hosts
    for path in paths:
        if is_spec(str(path)):
            spec = parse_spec(str(path), today=utc_now().date())
            for page in read_source(spec, settings or Settings.from_env(), on_problem=on_problem):
                yield from _noted(page, handler)
        else:
            yield from _noted((find_code_links(paper, git_hosts=hosts) for paper in
                               read_papers(path, format=format, on_problem=on_problem)), handler)


def _noted(found: Iterable[PaperLinks], handler: Callable[[InputProblem], None]) -> Iterator[PaperLinks]:
    for paper_links in found:
        paper = paper_links.paper
        for note in paper_links.notes:
            handler(InputProblem(paper.source, paper.text_line, f"paper {paper.id}: {note}"))
        yield paper_links


def ingest(store: Store, paths: Iterable[str | Path], *, format: str | None = None,
           on_problem: Callable[[InputProblem], None] | None = None,
           git_hosts: frozenset[str] | None = None, settings: Settings | None = None) -> IngestSummary:
    """Read sources (files and source specs), extract links and store them; ingesting twice adds nothing.

    A source that cannot be read raises `SourceFault` after what came before it is stored.
    """
    total = IngestSummary()
    for path in paths:
        total = add_summaries(total, ingest_source(store, str(path), format=format, on_problem=on_problem,
                                                   git_hosts=git_hosts, settings=settings))
    return total


def ingest_source(store: Store, source: str, *, format: str | None = None,
                  on_problem: Callable[[InputProblem], None] | None = None,
                  git_hosts: frozenset[str] | None = None, settings: Settings | None = None) -> IngestSummary:
    """One source into the store, page by page: what was read before a fault stays stored.

    An ``arxiv-list`` harvest keeps its place in the store after every page,
    so that the next harvest starts where this one ended (or was killed).
    """
    handler = on_problem or log_or_raise
    if not is_spec(source):
        return store.add_papers(found_links([source], format=format, on_problem=on_problem, git_hosts=git_hosts))
    spec = parse_spec(source, today=utc_now().date())
    # An archive's records are small and many: a commit costs more than the batch's memory.
    batch_size = ARCHIVE_BATCH if spec.kind.startswith("pwc-") else None
    total = IngestSummary()
    for page in read_source(spec, settings or Settings.from_env(), on_problem=on_problem, state=store):
        total = add_summaries(total, store.add_papers(_noted(page, handler), batch_size=batch_size))
    return total


def add_summaries(first: IngestSummary, second: IngestSummary) -> IngestSummary:
    """Two ingests' counts together; a paper in both is counted twice (the pages of one source rarely share)."""
    return IngestSummary(**{field.name: getattr(first, field.name) + getattr(second, field.name)
                            for field in dataclasses.fields(IngestSummary)})

