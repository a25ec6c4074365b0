"""`repro-tracker`: the command line, one module per concern (`common` holds what every command shares).

Importing a command's module registers its commands with `app`; `--help` lists them in the order imported here.
"""

# isort: off
from tracker.cli import ingest  # noqa: F401  links, ingest
from tracker.cli import checking  # noqa: F401  check, run, schedule
from tracker.cli import status  # noqa: F401  status
from tracker.cli import stored  # noqa: F401  preserve, runs, papers, history, forget, show
from tracker.cli import report  # noqa: F401  report
# isort: on
from tracker.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
