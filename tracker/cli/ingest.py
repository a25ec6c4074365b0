"""`links` and `ingest`: papers read from files and sources, their code links printed or stored."""

from __future__ import annotations

import enum
from typing import Annotated

import typer
from rich.markup import escape

from tracker.cli.common import (
    DbOption,
    InputFormatOption,
    JsonOption,
    ProblemLog,
    StrictOption,
    _fail,
    _open_store,
    _settings,
    _sources,
    app,
    err,
    out,
)
from tracker.output import dumps, links_record


class LinksFormat(enum.StrEnum):
    JSONL = "jsonl"
    TABLE = "table"


@app.command()
def links(
    files: Annotated[list[str], typer.Argument(
        help="Paper lists, JSONL, CSV or arXiv Atom files, or sources (arxiv:ID, hf-daily:DATE, ...).")],
    output: Annotated[LinksFormat, typer.Option("--format",
        help="jsonl (one object per paper) or table.")] = LinksFormat.JSONL,
    input_format: InputFormatOption = None,
    strict: StrictOption = False,
) -> None:
    """Print the code links of every paper, in input order, without storing anything."""
    from tracker.report.terminal import render_links_table
    from tracker.sources.read import SourceFault
    from tracker.tracking.papers import found_links

    problems = ProblemLog(strict)
    found = found_links(_sources(files), format=input_format, on_problem=problems, settings=_settings())
    try:
        if output is LinksFormat.JSONL:
            for paper_links in found:
                out.out(dumps(links_record(paper_links)), highlight=False)
        else:
            render_links_table(out, list(found))
    except SourceFault as exc:
        raise _fail(str(exc)) from None
    problems.finish()


@app.command()
def ingest(
    files: Annotated[list[str], typer.Argument(
        help=("Paper lists, JSONL, CSV or arXiv Atom files, or sources (arxiv:ID, arxiv-list:SET, hf-daily:DATE, "
              "hf-paper:ID, pwc-links:FILE, pwc-papers:FILE)."))],
    input_format: Annotated[str | None, typer.Option(
        "--input-format", "--format",
        help="Input format: txt, jsonl, csv or atom (default: by extension); --format is its earlier name.")] = None,
    strict: StrictOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store papers and their code links; ingesting the same source twice adds nothing.

    A source that cannot be read (network, service fault) is named and the others are still read; exit 1.
    """
    from tracker.sources.read import SourceFault
    from tracker.store import IngestSummary
    from tracker.tracking.papers import add_summaries, ingest_source

    problems = ProblemLog(strict)
    sources = _sources(files)
    settings = _settings(database_url=db)
    store = _open_store(settings.database_url)
    summary = IngestSummary()
    failed: list[str] = []
    for source in sources:
        try:
            summary = add_summaries(summary, ingest_source(store, source, format=input_format, on_problem=problems,
                                                                 settings=settings))
        except SourceFault as exc:
            err.print(f"[red]error:[/] {escape(str(exc))}; what it gave before is stored")
            failed.append(source)
    if as_json:
        out.out(dumps(summary), highlight=False)
    else:
        out.print(
            f"{summary.papers} papers ({summary.new_papers} new), {summary.links} links, "
            f"{summary.repositories} repositories ({summary.new_repositories} new)"
        )
    problems.finish()
    if failed:
        raise _fail(f"{len(failed)} source(s) could not be read: {', '.join(failed)}")
