"""`repro-tracker`: what every command shares: the typer app, the two consoles, the common options, how a
command fails (one line, an exit code), reading the settings and opening the store.

Data goes to standard output (JSON lines or a table), messages and progress
to standard error, so every command composes with pipes like a Unix tool.
Heavy imports (Prefect, PyGithub, matplotlib) happen inside the commands that
need them, so `status` answers at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape

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

