"""What the store holds, one thing at a time: `preserve`, `runs`, `papers`, `history`, `forget`, `show`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.markup import escape

from tracker.cli.common import DbOption, JsonOption, _fail, _open_existing_store, _open_store, _settings, app, out
from tracker.output import dumps, history_records, records


@app.command()
def preserve(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be asked and why; send nothing.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Ask for at most this many repositories.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ask Software Heritage to save the live repositories it lacks or holds behind HEAD, most at risk first."""
    from tracker.archive.preserve import preserve as preserve_repositories
    from tracker.archive.swh import SoftwareHeritage

    settings = _settings(database_url=db)
    store = _open_store(settings.database_url)
    swh = None if dry_run else SoftwareHeritage.from_settings(settings)
    try:
        result = preserve_repositories(store, swh, dry_run=dry_run, limit=limit)
    finally:
        if swh is not None:
            swh.close()
    if as_json:
        out.out(dumps(result.as_dict()), highlight=False)
        return
    from tracker.report.terminal import render_preserve

    render_preserve(out, result)


@app.command()
def runs(
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every tracking run: when, how it ended, what it checked and its Prefect flow-run id."""
    from rich.table import Table
    from rich.text import Text

    rows = _open_existing_store(db).runs()
    if as_json:
        out.out(dumps(records(rows)), highlight=False)
        return
    table = Table(show_edge=False, header_style="bold")
    for column in ("Run", "Started", "Status", "Checked", "Requests (rate-counted)", "Prefect flow run"):
        table.add_column(column, overflow="fold")  # an id cut short with "…" could not be looked up
    for row in rows:
        table.add_row(str(row.id), f"{row.started_at:%Y-%m-%d %H:%M}", Text(str(row.status)),
                      str(row.repositories_checked), f"{row.requests_made} ({row.requests_rate_limited})",
                      Text(row.flow_run_id or "-"))
    out.print(table)


@app.command()
def papers(
    source: Annotated[str | None, typer.Option("--source",
        help=("Only papers read from this kind of source: file, arxiv, arxiv-list, hf-daily, hf-paper, pwc-links, "
              "pwc-papers."))] = None,
    since: Annotated[str | None, typer.Option("--since",
        help=("Only papers published on or after this date (YYYY-MM-DD); first seen, where the date is unknown."
              "Only papers published on or after this date (YYYY-MM-DD); "
              "first seen, where the date is unknown."))] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stored papers: id, arXiv id, title, publication date, sources, links with provenance and latest status."""
    from datetime import date

    from rich.table import Table
    from rich.text import Text

    from tracker.sources import FILE_KIND, KINDS

    if source is not None and source not in (*KINDS, FILE_KIND):
        raise _fail(f"--source {source!r}: choose from {', '.join((*KINDS, FILE_KIND))}", 2)
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise _fail(f"--since {since!r} is not a date (YYYY-MM-DD)", 2) from None
    listed = _open_store(db).listed_papers(source=source, since=since_date)
    if as_json:
        sys.stdout.write(dumps(records(listed)) + "\n")
        return
    table = Table(show_edge=False, header_style="bold")
    for column in ("Paper", "Published", "Sources", "Links (provenance: latest status)"):
        table.add_column(column, overflow="fold")
    for paper in listed:
        lines = []
        for link in paper.links:
            target = link.repository or link.artifact_url or "?"
            marks = ", ".join(link.provenance) + ("; aggregator only" if link.aggregator_only else "")
            lines.append(f"{target} ({marks})" + (f": {link.status}" if link.status else ""))
        table.add_row(Text(f"{paper.title}\n{paper.id}"), str(paper.published or "-"), Text(", ".join(paper.sources)),
                      Text("\n".join(lines) or "-"))
    out.print(table)
    out.print(f"{len(listed)} papers")


@app.command()
def history(
    repository: Annotated[str, typer.Argument(help="A repository: github.com/owner/name.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every check of one repository (or of one web page, DOI or short link, by its URL) as a timeline."""
    from tracker.records import AUTHORITATIVE_GONE
    from tracker.report import render_history
    from tracker.report.listing import archive_dict
    from tracker.report.load import history as load_history
    from tracker.report.load import latest_archive

    store = _open_existing_store(db)
    artifact_checks = store.artifact_history(repository.strip())
    if artifact_checks:
        _print_artifact_history(artifact_checks, as_json)
        return
    ref = _stored_repository(repository)
    checks = load_history(store, ref.key)
    if not checks:
        raise _fail(f"no checks recorded for {ref.canonical}; run `repro-tracker check --repo {ref.canonical}`")
    archive = latest_archive(store, ref.key)
    if as_json:
        out.out(dumps(history_records(checks, archive, archive_dict)), highlight=False)
    else:
        gone = checks[-1].status in AUTHORITATIVE_GONE
        render_history(out, checks, title=ref.canonical, archive=archive, gone_from=ref.host if gone else None)


def _print_artifact_history(checks: list[Any], as_json: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    if as_json:
        out.out(dumps(records(checks)), highlight=False)
        return
    table = Table(show_edge=False, header_style="bold")
    for column in ("Checked", "State", "Reason", "Final address"):
        table.add_column(column, overflow="fold")
    previous = None
    for check in checks:
        state = f"{check.state} (changed)" if previous is not None and check.state != previous else check.state
        table.add_row(f"{check.checked_at:%Y-%m-%d %H:%M}", Text(state), Text(check.reason),
                      Text(check.final_url or "-"))
        previous = check.state
    out.print(table)


@app.command()
def forget(
    repository: Annotated[str, typer.Argument(help="The repository to remove: host/owner/name or its URL.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Remove a repository added by mistake, with all its checks; papers keep the raw text of their links."""
    ref = _stored_repository(repository)
    if not yes:
        if not sys.stdin.isatty():
            raise _fail(f"not forgetting {ref.canonical} without confirmation: pass --yes (no terminal to ask on)", 2)
        if not typer.confirm(f"Remove {ref.canonical} and every check of it?", default=False, err=True):
            raise _fail("nothing removed", 1)
    forgotten = _open_store(db).forget_repository(ref.key)
    if forgotten is None:
        raise _fail(f"no repository {ref.canonical} is stored; nothing removed", 1)
    if as_json:
        out.out(dumps(forgotten), highlight=False)
    else:
        out.print(f"forgot {escape(forgotten.canonical)}: {forgotten.checks} checks removed, "
                  f"{forgotten.paper_links} paper links keep their text without it")


@app.command()
def show(
    target: Annotated[str, typer.Argument(
        help="A repository (github.com/owner/name, a URL) or a paper (id or title).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Why a repository has its status and score: every check's reason and evidence, licenses, papers, history."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from tracker.links import NotARepository, canonical_repo
    from tracker.records import RepoRef
    from tracker.report.detail import detail_json, find_papers, paper_json, repo_detail
    from tracker.report.load import latest_archive
    from tracker.report.show import render_detail, render_paper

    store = _open_existing_store(db)
    try:
        ref: RepoRef | None = canonical_repo(target, any_host=True)
    except NotARepository:
        ref = None
    papers = store.papers_with_links()

    def detail_of(key: str) -> Any:
        found = repo_detail(store.history(key), papers)
        return replace(found, archive=latest_archive(store, key)) if found is not None else None

    if ref is not None:
        detail = detail_of(ref.key)
        if detail is not None:
            if as_json:
                out.out(dumps(detail_json(detail)), highlight=False)
            else:
                render_detail(out, detail, now=datetime.now(UTC))
            return
    matches = find_papers(papers, target)
    if len(matches) > 1:
        names = "; ".join(f"{paper.id} ({paper.title})" for paper in matches[:5])
        more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
        raise _fail(f"{len(matches)} papers match {target!r}: {names}{more}; name one by its id", 2)
    if not matches:
        if ref is not None:
            raise _fail(f"no checks recorded for {ref.canonical}; run `repro-tracker check --repo {ref.canonical}`")
        raise _fail(f"no repository or paper matches {target!r} (a repository is host/owner/name)", 2)
    [paper] = matches
    details = [found for key in paper.repositories if (found := detail_of(key)) is not None]
    if as_json:
        out.out(dumps(paper_json(paper, details)), highlight=False)
    else:
        render_paper(out, paper, details, now=datetime.now(UTC))


def _stored_repository(text: str) -> Any:
    """The repository `text` names, on any host (it names one already stored); exit 2 if it names none."""
    from tracker.links import NotARepository, canonical_repo

    try:
        return canonical_repo(text, any_host=True)
    except NotARepository as exc:
        raise _fail(str(exc), 2) from exc
