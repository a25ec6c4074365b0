"""`repro-tracker`: the command line.

Data goes to standard output (JSON lines or a table), messages and progress
to standard error, so every command composes with pipes like a Unix tool.
Heavy imports (Prefect, PyGithub, matplotlib) happen inside the commands that
need them, so `status` answers at once.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Self

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from tracker.output import artifact_record, checked_record, dumps, dumps_plain, history_records, links_record, records

if TYPE_CHECKING:
    from tracker.settings import Settings
    from tracker.store import Store

app = typer.Typer(
    name="repro-tracker",
    help="Is the code a paper links to still there, can anyone use it, can anyone run it?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Where standard output is a file or a pipe (a CI log), tables are laid out this wide at least,
# so that wrapping other columns never has to cut a repository's name.
PIPED_WIDTH = 240


class OutputConsole(Console):
    """Standard output's console: the terminal's width, or at least `PIPED_WIDTH` when piped."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal:
            return size
        return ConsoleDimensions(max(size.width, PIPED_WIDTH), size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


out = OutputConsole(soft_wrap=True)
# soft_wrap: an error is one line however narrow the terminal or log, so a CI log's grep finds it whole.
err = Console(stderr=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.out(f"repro-tracker {version('repro-tracker')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Is the code a paper links to still there, can anyone use it, can anyone run it?"""
    # Every command reads settings somewhere (`status` for the archive's address): a bad one is one line, here.
    _settings()

DbOption = Annotated[
    str | None,
    typer.Option("--db",
        help="Database URL or SQLite file (default: REPRO_TRACKER_DATABASE_URL, else SQLite in the data folder)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
# `--format` is what a command prints (`links --format table`), `--input-format` what it reads; `ingest`
# still takes its earlier `--format` for the input, as an alias.
InputFormatOption = Annotated[
    str | None, typer.Option("--input-format", help="Input format: txt, jsonl, csv or atom (default: by extension).")
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Any input problem fails the command with exit code 2.")]


@dataclass
class ProblemLog:
    """Prints each input problem as `file:line: message` and remembers whether any occurred."""

    strict: bool
    problems: list[Any] = field(default_factory=list)

    def __call__(self, problem: Any) -> None:
        self.problems.append(problem)
        level = "error" if getattr(problem, "fatal", False) else "warning"
        err.print(f"[yellow]{level}:[/] {escape(str(problem))}")

    def finish(self) -> None:
        """Exit 2 under --strict if anything was wrong, 1 if a whole file (or its rest) could not be read.

        Called after the good records are stored: they are kept either way.
        """
        if self.strict and self.problems:
            err.print(f"[red]{len(self.problems)} input problem(s); failing because of --strict[/]")
            raise typer.Exit(2)
        unread = [problem for problem in self.problems if getattr(problem, "fatal", False)]
        if unread:
            err.print(f"[red]{len(unread)} source(s) could not be read in full; the rest was kept[/]")
            raise typer.Exit(1)


# Exit codes (README, "Exit codes"): 0 fine; 1 a failure the command reports (a --fail-on hit, nothing recorded,
# a source not read in full); 2 bad input or usage; 3 a service the command needs (the Prefect API) did not answer;
# 130 interrupted.
EXIT_UNAVAILABLE = 3


def _fail(message: str, code: int = 1) -> typer.Exit:
    # One line however narrow the terminal: scripts and CI logs grep for it.
    err.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _settings(**overrides: Any) -> Settings:
    """The settings from the environment and the command line; a value that cannot be used exits 2 naming it."""
    from tracker.settings import Settings

    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None


def _open_store(db: str | None) -> Store:
    from tracker.store import open_store

    try:
        return open_store(db)
    except Exception as exc:  # the store masks credentials in its messages
        raise _fail(f"cannot open the database: {exc}") from exc


def _open_existing_store(db: str | None) -> Store:
    """The store for a command that only reads: exit 2 where there is no repro-tracker database, creating nothing."""
    from tracker.store import NoDatabaseError, open_existing_store

    try:
        return open_existing_store(db)
    except NoDatabaseError as exc:
        raise _fail(str(exc), 2) from exc
    except Exception as exc:  # the store masks credentials in its messages
        raise _fail(f"cannot open the database: {exc}") from exc


def _existing_files(files: list[Path]) -> list[Path]:
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise _fail(f"no such file: {', '.join(missing)}")
    return files


def _sources(items: list[str]) -> list[str]:
    """Files and source specs, checked before anything is read: a malformed spec exits 2 naming it."""
    import re
    from datetime import UTC, datetime

    from tracker.sources import KINDS, SpecError, is_spec, parse_spec

    files: list[Path] = []
    for item in items:
        if is_spec(item) or (re.match(r"[a-z][a-z-]+:", item) and not Path(item).exists()):
            try:
                spec = parse_spec(item, today=datetime.now(UTC).date())
            except SpecError as exc:
                raise _fail(f"{exc} (sources: {', '.join(kind + ':' for kind in KINDS)} or a file)", 2) from None
            if spec.path is not None:
                files.append(spec.path)
        else:
            files.append(Path(item))
    _existing_files(files)
    return items


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
    from tracker.tracking import found_links

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
    from tracker.tracking import add_summaries, ingest_source

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


# `check` without --json shows at most this many repositories in its table (the first checked): a table
# of 300,000 rows is of no use in a terminal, and the rows it needs held ~25 KB each.
CHECK_TABLE_ROWS = 1_000


@app.command()
def check(
    repo: Annotated[list[str] | None, typer.Option("--repo",
        help="A repository to check: host/owner/name, its URL, or git@host:owner/name; repeatable.")] = None,
    check_all: Annotated[bool, typer.Option("--all", help="Check every stored repository.")] = False,
    artifacts: Annotated[bool, typer.Option(
        "--artifacts", help="Check stored web pages, DOIs and short links; look again for promised code.")] = False,
    max_age: Annotated[float | None, typer.Option("--max-age",
        help="Skip repositories checked within this many hours.")] = None,
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, max=32,
        help="Repositories checked at once.")] = None,
    archive: Annotated[bool | None, typer.Option("--archive/--no-archive",
        help="Then ask Software Heritage whether each is archived (default: REPRO_TRACKER_ARCHIVE).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check repositories (existence, license, activity, reproducibility) and record one check each."""
    from tracker.hosts.github import quiet_library_loggers
    from tracker.run_lifecycle import TrackedRun
    from tracker.tracking import RepositoryChecker, check_and_record

    quiet_library_loggers()

    if not repo and not check_all and not artifacts:
        raise _fail("name repositories with --repo, check every stored one with --all, or artifacts with --artifacts",
                    2)
    settings = _settings(database_url=db, concurrency=concurrency, max_age_hours=max_age, archive=archive)
    # Every name is read before the database is even opened: a refused one stores nothing.
    refs = [_repository_to_check(text, settings.git_hosts) for text in repo or []]
    store = _open_store(settings.database_url)
    keys = None
    if refs:
        store.add_repositories(refs)
        keys = [ref.key for ref in refs]
    run = TrackedRun.start(store, ["check"])
    run_id = run.id
    if artifacts:
        _check_artifacts(store, run, settings, as_json)
        if not repo and not check_all:
            run.finish()
            return
    checker = RepositoryChecker.from_settings(settings, answer_cache=store.answer_cache)
    # Every due repository: within GitHub's budget, the rest next run. Named ones are all checked.
    planned = None
    if keys is None:
        from tracker.planning import plan_run

        with err.status("planning GitHub's budget"):
            planned = plan_run(store, checker.github, settings)
    if planned is not None:
        err.print(escape(f"plan: {planned.describe()}"), highlight=False)
        due: Iterable[Any] = planned.refs  # at most what the budget covers, and every other host's
        total = len(planned.refs)
    elif keys is None:
        # Every stored repository, read from the store a chunk at a time as the checks go: at 300,000 the
        # whole list held some 130 MB (bench/results.md).
        total = store.count_repositories_due(max_age_hours=settings.max_age_hours)
        due = store.iter_repositories_due(max_age_hours=settings.max_age_hours)
    else:
        due = store.repositories_due(keys=keys, max_age_hours=settings.max_age_hours)
        total = len(due)
    rows: list[dict[str, Any]] = []
    checked_keys: list[str] = []

    progress = _Progress(total)

    def on_checked(checked: Any) -> None:
        progress.advance(checked.facts.ref.canonical)
        if settings.archive:
            checked_keys.append(checked.facts.ref.key)
        if as_json:
            # Streamed, not collected: at 10,000 repositories the rows alone held ~250 MB. The record is
            # plain JSON values already, and one write costs a fraction of a rendered console line.
            sys.stdout.write(dumps_plain(checked_record(checked)) + "\n")
        elif len(rows) < CHECK_TABLE_ROWS:
            rows.append(checked_record(checked))

    try:
        with run, progress:
            if planned is None:
                tally = check_and_record(store, run_id, checker, due, workers=settings.concurrency,
                                         on_checked=on_checked, confirm_gone_after=settings.confirm_gone_after)
                run.finish(tally)
            else:
                from tracker.planning import check_within_budget, run_note

                tally = check_within_budget(store, run_id, checker, due, reserve=planned.reserve,
                                            cost_each=planned.cost_each,
                                            workers=settings.concurrency, on_checked=on_checked,
                                            confirm_gone_after=settings.confirm_gone_after)
                tally.deferred += planned.deferred
                run.finish(tally, note=run_note(planned, tally))
    except KeyboardInterrupt:
        raise _fail("interrupted; the checks finished so far are recorded", 130) from None
    if settings.archive:
        _archive_stage(store, settings, run_id, checked_keys)
    left = _left_for_next_run(planned, tally)
    if as_json:
        if left is not None:
            out.out(dumps({"run": run_id, **left}), highlight=False)
        return
    from tracker.report.terminal import render_check_results

    render_check_results(out, rows)
    if tally.checked > len(rows):
        out.print(f"the table shows the first {len(rows):,} of {tally.checked:,} checked; "
                  "`repro-tracker status` lists every one")
    summary = ", ".join(f"{count} {status}" for status, count in sorted(tally.by_status.items())) or "nothing due"
    later = ""
    if left is not None:
        eta = f", at this budget about {left['hours_for_all']:,.1f} h for all due" if left["hours_for_all"] else ""
        later = f"; {left['left_for_next_run']:,} GitHub repositories left for the next run{eta}"
    out.print(f"run {run_id}: {tally.checked} checked ({escape(summary)}); "
              f"{tally.requests_made} requests, {tally.requests_rate_limited} counted against the rate limit"
              f"{escape(later)}")


def _left_for_next_run(planned: Any, tally: Any) -> dict[str, Any] | None:
    """The plan's figures when the budget left repositories for the next run (the last `--json` line), else None."""
    if planned is None or not tally.deferred:
        return None
    hours = planned.hours_for_all
    return {"due": planned.due, "due_github": planned.due_github, "never_checked": planned.never_checked,
            "checked": tally.checked,
            "left_for_next_run": tally.deferred, "budget_limit": planned.limit, "budget_reserve": planned.reserve,
            "budget_reset": planned.reset.isoformat() if planned.reset else None,
            "hours_for_all": round(hours, 1) if hours is not None else None, "plan": planned.describe()}


def _check_artifacts(store: Any, run: Any, settings: Any, as_json: bool) -> None:
    """The artifact stage of `check --artifacts`: web pages, DOIs, short links, then promised code."""
    from tracker.artifacts.check import ArtifactChecker
    from tracker.artifacts.promises import PromiseFinder
    from tracker.tracking import check_artifacts_and_record, look_for_promised_code

    def on_checked(checked: Any) -> None:
        if as_json:
            out.out(dumps(artifact_record(checked)), highlight=False)

    checker = ArtifactChecker.from_settings(settings, cache=store.answer_cache)
    finder = PromiseFinder.from_settings(settings)
    run_id = run.id
    try:
        due = store.artifacts_due(max_age_hours=settings.max_age_hours, run_id=run_id)
        tally = check_artifacts_and_record(store, run_id, checker, due, workers=settings.concurrency,
                                           on_checked=on_checked)
        promises = look_for_promised_code(store, finder)
    except KeyboardInterrupt as exc:
        run.interrupt(exc)
        raise _fail("interrupted; the checks finished so far are recorded", 130) from None
    finally:
        checker.close()
        finder.close()
    summary = ", ".join(f"{count} {state}" for state, count in sorted(tally.by_state.items())) or "nothing due"
    led = f"; short links led to {len(tally.new_repositories)} new repositories" if tally.new_repositories else ""
    err.print(f"run {run_id}: {tally.checked} artifacts checked ({escape(summary)}){escape(led)}; "
              f"promised code looked for in {promises.looked} papers, found for {len(promises.found)}")


def _repository_to_check(text: str, git_hosts: frozenset[str]) -> Any:
    """The repository `text` names, if git may fetch it; exit 2 saying why not otherwise."""
    from tracker.hosts.git import git_url
    from tracker.links import NotARepository, canonical_repo

    try:
        ref = canonical_repo(text, git_hosts=git_hosts)
        git_url(ref, git_hosts)  # a host git will not fetch, or a name that could pass for an option
    except NotARepository as exc:
        raise _fail(str(exc), 2) from exc
    except ValueError as exc:
        raise _fail(f"not checking {text!r}: {exc}", 2) from exc
    return ref


def _stored_repository(text: str) -> Any:
    """The repository `text` names, on any host (it names one already stored); exit 2 if it names none."""
    from tracker.links import NotARepository, canonical_repo

    try:
        return canonical_repo(text, any_host=True)
    except NotARepository as exc:
        raise _fail(str(exc), 2) from exc
def _archive_stage(store: Any, settings: Any, run_id: int, keys: list[str]) -> None:
    """Ask Software Heritage about the repositories just checked.

    After the checks are recorded, so it never holds them up.
    """
    from tracker.archive.stage import run_archive_stage
    from tracker.archive.swh import SoftwareHeritage

    swh = SoftwareHeritage.from_settings(settings)
    try:
        with err.status("asking Software Heritage"):
            tally = run_archive_stage(store, swh, run_id=run_id, keys=keys)
    except KeyboardInterrupt:
        raise _fail("interrupted; the checks and the archive verdicts so far are recorded", 130) from None
    finally:
        swh.close()
    err.print(escape(tally.summary()))


class _Progress:
    """A bar on a terminal's standard error; elsewhere (a CI log) a plain `checked n/total` line every few seconds."""

    def __init__(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        from tracker.progress import ProgressLines

        self._bar: Progress | None = None
        self._lines: ProgressLines | None = None
        if err.is_terminal:
            self._bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("{task.description}"), console=err, transient=True)
            self._task = self._bar.add_task("", total=total)
        elif total:
            self._lines = ProgressLines(total=total, write=lambda line: err.out(line, highlight=False))

    def advance(self, name: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=escape(name))
        elif self._lines is not None:
            self._lines.advance()

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._lines is not None:
            self._lines.finish()



@app.command()
def run(
    sources: Annotated[list[str], typer.Argument(
        help="Files and sources (arxiv:ID, hf-daily:today, ...) to ingest before checking.")],
    max_age: Annotated[float | None, typer.Option("--max-age",
        help="Skip repositories checked within this many hours.")] = None,
    dask_address: Annotated[str | None, typer.Option("--dask-address",
        help="Check on this Dask cluster, e.g. tcp://scheduler:8786 (default: REPRO_TRACKER_DASK_ADDRESS).")] = None,
    archive: Annotated[bool | None, typer.Option("--archive/--no-archive",
        help="Ask Software Heritage after the checks (default: REPRO_TRACKER_ARCHIVE).")] = None,
    preserve_flag: Annotated[bool, typer.Option("--preserve",
        help="Then ask Software Heritage to save what is most at risk.")] = False,
    db: DbOption = None,
) -> None:
    """Run the whole tracking flow once (Prefect; ephemeral mode when PREFECT_API_URL is unset)."""
    from flows.track import PrefectUnreachable, prefect_api_problem, run_track

    _sources(sources)
    _settings(database_url=db)  # a bad setting is one line here, not a failed flow run
    _database_url_to_env(db)
    problem = prefect_api_problem()
    if problem:
        raise _fail(problem, EXIT_UNAVAILABLE)
    try:
        summary = run_track(sources, max_age_hours=max_age, dask_address=dask_address,
                            archive=archive, preserve=preserve_flag)
    except PrefectUnreachable as exc:
        raise _fail(str(exc), EXIT_UNAVAILABLE) from None
    out.print(escape(summary))


@app.command()
def schedule(
    sources: Annotated[list[str], typer.Argument(
        help="Files and sources (hf-daily:today, arxiv-list:cs.LG, ...) to ingest on every run.")],
    cron: Annotated[str, typer.Option("--cron", help="When to run, as a cron expression.")] = "0 6 * * *",
    db: DbOption = None,
) -> None:
    """Serve the tracking flow on a schedule until stopped (Prefect `flow.serve`)."""
    from flows.track import cron_problem, prefect_api_problem, serve_track
    from tracker.sources import is_spec

    _sources(sources)
    _settings(database_url=db)
    problem = cron_problem(cron)
    if problem:
        raise _fail(f"--cron {cron!r}: {problem}", 2)
    _database_url_to_env(db)
    unreachable = prefect_api_problem()
    if unreachable:
        raise _fail(unreachable, EXIT_UNAVAILABLE)
    serve_track(sources=[item if is_spec(item) else str(Path(item).resolve()) for item in sources], cron=cron)


@app.command()
def status(
    status_filter: Annotated[list[str] | None, typer.Option("--status",
        help="Only these statuses (repeatable or comma-separated).")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Only repositories on this host.")] = None,
    paper: Annotated[str | None, typer.Option("--paper",
        help="Only repositories of papers whose title contains TEXT.")] = None,
    changed: Annotated[bool, typer.Option("--changed",
        help="Only repositories whose latest check differs from the one before.")] = False,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="Only these kinds: repository, model, dataset, space, page, doi, short_link.")] = None,
    sort: Annotated[str, typer.Option("--sort",
        help="status, name, score, last-commit or stars (adds a Stars column).")] = "status",
    limit: Annotated[int | None, typer.Option("--limit", min=0,
        help="Rows drawn in the table (0: all; default 200 on a terminal, all when piped); --json gives all.")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Draw every row in the table, even on a terminal.")] = False,
    fail_on: Annotated[str | None, typer.Option("--fail-on",
        help="Exit 1 when any shown repository has one of these statuses, e.g. missing,blocked.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl",
        help="Print JSON lines, one object per row (the objects of --json), as a stream.")] = False,
) -> None:
    """Every repository's latest status, license, last commit, score and change since the previous check.

    On a terminal the table shows the first 200 rows (--limit, --all); piped, every row. Rows stream from
    the database and are put in order on disk past 20,000, so memory stays bounded at any size.
    """
    from datetime import UTC, datetime

    from tracker.collector import cycle_collection_paused
    from tracker.records import Status

    statuses = _status_list(status_filter)
    kinds = _kind_list(kind)
    failing = _status_list([fail_on] if fail_on else None)
    sort_key = _sort_key(sort)
    # Importing the store and building the rows leave no cycles to collect (see `cycle_collection_paused`): ~0.1 s.
    with cycle_collection_paused():
        from tracker.report import SortKey
        from tracker.report.load import iter_status_entries
        from tracker.report.terminal import StatusTally, render_status, row_filter, row_order

        keep = row_filter(status=statuses, host=host, paper=paper, changed=changed, kind=kinds)
        entries = iter_status_entries(_open_existing_store(db), outcomes=as_json or as_jsonl)
        rows = (row for row in entries if keep(row))
        order = row_order(sort_key)
        if as_json or as_jsonl:
            tally = StatusTally()
            _write_json_rows(tally.counting(rows), order, lines=as_jsonl)
        else:
            shown = None if all_rows or limit == 0 else limit
            if shown is None and limit is None and not all_rows and out.is_terminal:
                shown = DEFAULT_STATUS_ROWS
            tally = render_status(out, rows, now=datetime.now(UTC), limit=shown, stars=sort_key == SortKey.STARS,
                                  order=order)
    hits = sum(tally.counts[Status(item)] for item in set(failing))
    if hits:
        err.print(f"[red]{hits} repositories are {escape(', '.join(failing))}[/]")
        raise typer.Exit(1)


# Rows a terminal's table shows unless told otherwise: more is unreadable; piped output gets every row.
DEFAULT_STATUS_ROWS = 200


def _write_json_rows(rows: Any, order: Any, *, lines: bool) -> None:
    """`status --json` (one array on one line) or `--jsonl` (one object a line), written as the rows come.

    Straight to stdout: rich scans every character of its output for control codes, and JSON has nothing to
    style. The rows are put in order with bounded memory (`ordered`); the array is written piece by piece,
    byte for byte what `json.dumps` of the whole list would give.
    """
    from tracker.report.ordered import ordered
    from tracker.report.terminal import row_dict

    write = sys.stdout.write
    encoded = ordered((order(row), dumps_plain(row_dict(row))) for row in rows)
    if lines:
        for line in encoded:
            write(line + "\n")
        return
    write("[")
    for index, line in enumerate(encoded):
        write(", " + line if index else line)
    write("]\n")


def _sort_key(value: str) -> Any:
    from tracker.report import SortKey

    try:
        return SortKey(value.strip().lower())
    except ValueError:
        raise _fail(f"unknown --sort {value!r}; choose from {', '.join(key.value for key in SortKey)}", 2) from None


def _status_list(values: list[str] | None) -> list[str]:
    """Statuses from repeatable, comma-separated options, each checked against the known ones."""
    from tracker.records import Status

    return _chosen(values, {status.value for status in Status}, "status")


def _kind_list(values: list[str] | None) -> list[str]:
    """Kinds from repeatable, comma-separated options, each checked against the known ones."""
    from tracker.artifacts.kinds import LinkKind

    return _chosen(values, {kind.value for kind in LinkKind}, "kind")


def _chosen(values: list[str] | None, known: set[str], what: str) -> list[str]:
    chosen = [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise _fail(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(sorted(known))}", 2)
    return chosen


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
    from tracker.report.load import history as load_history
    from tracker.report.load import latest_archive
    from tracker.report.terminal import archive_dict

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


@app.command()
def report(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the dated report folder goes.")] = Path("reports"),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write reports/YYYY-MM-DD/: report.md, report.html (self-contained), repositories.csv/.json, charts."""
    from datetime import UTC, datetime

    from tracker.dashboard import write_report_files

    target = write_report_files(_open_existing_store(db), out_dir, datetime.now(UTC))
    if as_json:
        out.out(dumps({"report": target}), highlight=False)
    else:
        out.print(f"report written to {escape(str(target))}/ (open report.html in a browser)")


def _database_url_to_env(db: str | None) -> None:
    """Hand `--db` to the flow through the environment.

    Prefect records flow parameters in its database and shows them in the UI;
    a PostgreSQL URL may carry a password, so it must not be a parameter.
    """
    if db:
        import os

        os.environ["REPRO_TRACKER_DATABASE_URL"] = db


def main() -> None:
    app()


if __name__ == "__main__":
    main()
