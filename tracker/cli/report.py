"""`report`: the dated report folder (Markdown, HTML, CSV/JSON, charts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tracker.cli.common import DbOption, JsonOption, _open_existing_store, app, out
from tracker.output import dumps


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
