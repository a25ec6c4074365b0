"""`check`: checking repositories here, in this process (`run` and `schedule`, through Prefect, are `flows.cli`'s)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Annotated, Any, Self

import typer
from rich.markup import escape

from tracker.cli.common import (
    DbOption,
    JsonOption,
    _fail,
    _open_store,
    _settings,
    app,
    err,
    out,
)
from tracker.output import artifact_record, checked_record, dumps, dumps_plain

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
    from tracker.tracking.checker import RepositoryChecker
    from tracker.tracking.recording import check_and_record

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
        from tracker.planned_run import plan_run

        try:
            with run, err.status("planning GitHub's budget"):
                planned = plan_run(store, checker.github, settings)
        except KeyboardInterrupt:
            raise _fail("interrupted while planning; nothing was checked", 130) from None
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
                from tracker.planned_run import check_within_budget, run_note

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
    from tracker.tracking.artifacts import check_artifacts_and_record, look_for_promised_code

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
