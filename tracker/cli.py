"""Command-line interface (placeholder until the commands land)."""


def main() -> None:
    raise SystemExit("repro-tracker: no commands yet")
