"""Reading a source spec into pages of papers, and what a fault of a source is.

`read_source` turns a spec into pages of `PaperLinks`, each page a unit the
caller stores before asking for the next, so that an OAI-PMH harvest can keep
its place (`HarvestState`) after every page and a harvest killed half-way
resumes there. Every client stands on `tracker.http`: a fault (network, 5xx
or 429 after retries, an answer that is not the service's format) raises
`SourceFault`, never an empty source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tracker.http import HttpFault
from tracker.ingest.problems import InputProblem, Reporter, log_or_raise
from tracker.links import find_code_links
from tracker.records import PaperLinks
from tracker.settings import Settings
from tracker.sources.spec import SourceSpec, is_spec
from tracker.sources.state import HarvestPlace, HarvestState


class SourceFault(Exception):
    """A source could not be read (or not in full): the run says so, and what it read is kept."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: could not be read: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self) -> tuple[type[SourceFault], tuple[str, str]]:
        # Prefect keeps a failed task's exception by pickling it, which would call __init__ with the message alone.
        return (SourceFault, (self.source, self.reason))


Pages = Iterator[Iterable[PaperLinks]]


def read_source(spec: SourceSpec, settings: Settings, *, on_problem: Callable[[InputProblem], None] | None = None,
                state: HarvestState | None = None) -> Pages:
    """The pages of papers `spec` names. Raises `SourceFault` when the service cannot be read.

    Without `state`, an ``arxiv-list`` without a range harvests everything
    its set holds.
    """
    report = Reporter(spec.text, on_problem or log_or_raise)
    try:
        if spec.kind == "arxiv":
            yield from _arxiv(spec, settings, report)
        elif spec.kind == "arxiv-list":
            yield from _harvest(spec, settings, report, state)
        elif spec.kind == "hf-daily":
            from tracker.sources.hf_papers import HfPapers

            hub = HfPapers.from_settings(settings)
            for day in spec.days:
                yield list(hub.daily(day, report))
        elif spec.kind == "hf-paper":
            from tracker.sources.hf_papers import HfPapers

            hub = HfPapers.from_settings(settings)
            yield [found for found in (hub.paper(arxiv_id, report) for arxiv_id in spec.ids) if found is not None]
        else:
            from tracker.sources import pwc_archive

            assert spec.path is not None
            reader = pwc_archive.read_links if spec.kind == "pwc-links" else pwc_archive.read_papers
            yield reader(spec.path, report)
    except HttpFault as exc:
        raise SourceFault(spec.text, exc.reason) from None


@functools.cache
def _arxiv_api(settings: Settings) -> Any:
    """One client per process and settings, so that arXiv's pace holds across the sources of a run."""
    from tracker.sources.arxiv_api import ArxivApi

    return ArxivApi.from_settings(settings)


@functools.cache
def _oai_pmh(settings: Settings) -> Any:
    from tracker.sources.oai_pmh import OaiPmh

    return OaiPmh.from_settings(settings)


def _arxiv(spec: SourceSpec, settings: Settings, report: Reporter) -> Pages:
    from tracker.sources.arxiv_api import ID_BATCH

    api = _arxiv_api(settings)
    for start in range(0, len(spec.ids), ID_BATCH):
        yield [find_code_links(paper) for paper in api.papers(spec.ids[start:start + ID_BATCH], report)]


def _harvest(spec: SourceSpec, settings: Settings, report: Reporter, state: HarvestState | None) -> Pages:
    from tracker.sources.oai_pmh import BadResumptionToken, OaiError

    oai = _oai_pmh(settings)
    key = spec.text
    place = (state.harvest_place(key) if state is not None else None) or HarvestPlace()
    start = spec.start or place.datestamp
    token, seen = place.token, place.seen
    restarted = False
    while True:
        try:
            for page in oai.pages(spec.oai_set, start=start, end=spec.end, token=token, report=report):
                yield [find_code_links(paper) for paper in page.papers]
                # The caller stored the page: keep the place, so that a kill resumes after it.
                if page.latest_datestamp and (seen is None or page.latest_datestamp > seen):
                    seen = page.latest_datestamp
                token = page.token
                if state is not None and token:
                    state.save_harvest_place(key, HarvestPlace(place.datestamp, token, seen))
            break
        except BadResumptionToken as exc:
            if restarted:
                raise SourceFault(spec.text, str(exc)) from None
            # Tokens expire; records are only ever added again, so starting over from the datestamp is safe.
            report.warn(None, f"the harvest's resumption token was refused ({exc}); starting again from "
                              f"{start or 'the beginning'}")
            token, restarted = None, True
        except OaiError as exc:
            raise SourceFault(spec.text, str(exc)) from None
    if state is not None:
        # Records carry day datestamps: the next harvest asks from the latest day again, which adds nothing twice.
        state.save_harvest_place(key, HarvestPlace(max(filter(None, (seen, place.datestamp)), default=None)))


def describe(sources: Iterable[str]) -> str:
    """Sources as a flow run's name says them: specs whole, files by name."""
    from pathlib import Path

    return ", ".join(text if is_spec(text) else Path(text).name for text in sources)

