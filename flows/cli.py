"""The `repro-tracker` program: the library's commands (`tracker.cli`) and the two that start the Prefect flow.

`run` and `schedule` live here, not in `tracker/`, because they need Prefect and `tracker/` never imports
`flows/` (docs/ARCHITECTURE.md): the library and its CLI work without Prefect; the program composes both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tracker.cli import app
from tracker.cli.common import EXIT_UNAVAILABLE, DbOption, _fail, _settings, _sources, out


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
    from flows.serving import PrefectUnreachable, prefect_api_problem, run_track

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
    from flows.serving import cron_problem, prefect_api_problem, serve_track
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


def _database_url_to_env(db: str | None) -> None:
    """Hand `--db` to the flow through the environment.

    Prefect records flow parameters in its database and shows them in the UI;
    a PostgreSQL URL may carry a password, so it must not be a parameter.
    """
    if db:
        os.environ["REPRO_TRACKER_DATABASE_URL"] = db


def main() -> None:
    app()


if __name__ == "__main__":
    main()
